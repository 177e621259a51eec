;; Three named functions; the innermost traps.
(module
  (func $outer (export "outer") (result i32) (call $middle))
  (func $middle (result i32) (i32.add (call $inner) (i32.const 1)))
  (func $inner (result i32) unreachable))
