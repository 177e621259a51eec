;; The start function sets a global that an export reads.
(module
  (global $g (mut i32) (i32.const 0))
  (func $start (global.set $g (i32.const 42)))
  (func (export "get") (result i32) (global.get $g))
  (start $start))
