;; Calls host functions that trap or exit.
(module
  (import "env" "fail" (func $fail (param i32)))
  (import "env" "exit" (func $exit (param i32)))
  (func (export "fail") (param i32) (result i32)
    (call $fail (local.get 0)) (i32.const 1))
  (func (export "exit") (param i32) (call $exit (local.get 0))))
