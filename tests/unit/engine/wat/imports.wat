;; One import of every kind, for the import resolution and unlinkable tests.
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "tab" (table 2 10 funcref))
  (import "env" "mem" (memory 1 4))
  (import "env" "g" (global i32))
  (func (export "call_add") (param i32 i32) (result i32)
    (call $add (local.get 0) (local.get 1)))
  (func (export "get_g") (result i32) (global.get 0))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
