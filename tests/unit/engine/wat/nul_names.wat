;; Export names that agree up to an embedded NUL.
(module
  (func (export "a") (result i32) (i32.const 1))
  (func (export "a\00b") (result i32) (i32.const 2))
  (func (export "") (result i32) (i32.const 3))
  (func (export "\00") (result i32) (i32.const 4)))
