;; Owns a memory and exports it with a store and a load.
(module
  (memory (export "mem") 1 2)
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
