;; linking.wast's case: the first segment fits, the second does not.
(module
  (table (import "env" "tab") 10 funcref)
  (func $f (result i32) (i32.const 7))
  (elem (i32.const 7) $f)
  (elem (i32.const 8) $f $f $f $f $f))
