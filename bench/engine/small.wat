;; small.wat: the module whose instantiation bench/engine measures. What a
;; tiny service looks like to the engine: one page of memory with a data
;; segment, a mutable global, a table with two entries, and a few functions.
(module
  (memory (export "memory") 1)
  (global $counter (export "counter") (mut i32) (i32.const 0))
  (data (i32.const 16) "parigot small module")
  (table 2 funcref)
  (elem (i32.const 0) $add $twice)
  (type $binary (func (param i32 i32) (result i32)))
  (func $add (export "add") (type $binary)
    (i32.add (local.get 0) (local.get 1)))
  (func $twice (type $binary)
    (i32.mul (i32.add (local.get 0) (local.get 1)) (i32.const 2)))
  (func (export "apply") (param $which i32) (param i32 i32) (result i32)
    (call_indirect (type $binary) (local.get 1) (local.get 2)
                   (local.get $which)))
  (func (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (i32.store (i32.const 0) (global.get $counter))
    (global.get $counter)))
