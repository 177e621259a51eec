;; imports.wat: fuzz seed -- imports of every kind and their exports (not
;; instantiated by the harness, but the decoder sees every import form).
(module
  (import "env" "f" (func $f (param i32) (result i32)))
  (import "env" "t" (table 1 funcref))
  (import "env" "m" (memory 1))
  (import "env" "g" (global $g i32))
  (import "env" "mg" (global (mut i64)))
  (global $h i32 (global.get $g))
  (func (export "call") (result i32)
    (call $f (global.get $h)))
  (export "m" (memory 0)))
