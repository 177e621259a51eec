;; scaled.wat: loads and stores at (i << k) + constant, the address of
;; `table[i]` for a static array, folded into the _si forms. The shift and
;; the sum wrap at 32 bits as the separate i32.shl and i32.add did.
(module
  (memory 1)
  (data (i32.const 1024) "\01\00\00\00\02\00\00\00\03\00\00\00")
  (func (export "load_si") (param $i i32) (result i32)
    (i32.load (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 1024))))
  (func (export "store_si") (param $i i32) (param $v i32) (result i32)
    (i32.store offset=4 (i32.add (i32.shl (local.get $i) (i32.const 3))
                                 (i32.const 2048))
               (local.get $v))
    (i32.load offset=4 (i32.add (i32.shl (local.get $i) (i32.const 3))
                                (i32.const 2048)))))
