;; memory.wat: fuzz seed -- memory, active and passive data, bulk memory,
;; loads and stores of every width.
(module
  (memory 1 4)
  (data (i32.const 8) "\01\02\03\04\05\06\07\08")
  (data $p "passive bytes")
  (func (export "run") (param i32) (result i64)
    (memory.init $p (i32.const 100) (i32.const 0) (i32.const 13))
    (data.drop $p)
    (memory.copy (i32.const 200) (i32.const 8) (i32.const 8))
    (memory.fill (i32.const 300) (i32.const 255) (i32.const 16))
    (i32.store8 offset=1 (local.get 0) (i32.const 9))
    (i64.store32 (i32.const 16) (i64.const -1))
    (drop (memory.grow (i32.const 1)))
    (drop (memory.size))
    (i64.add
      (i64.load align=4 (i32.const 200))
      (i64.load16_s (local.get 0)))))
