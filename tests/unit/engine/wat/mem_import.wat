;; Imports another instance's memory, writes a data segment into it.
(module
  (import "A" "mem" (memory 1))
  (import "A" "load" (func $load_a (param i32) (result i32)))
  (data (i32.const 8) "hi")
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load_via_a") (param i32) (result i32) (call $load_a (local.get 0))))
