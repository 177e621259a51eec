;; control.wat: fuzz seed -- blocks, loops, branches, br_table, select,
;; multi-value blocks and a start function that loops (fuel stops it).
(module
  (type $pair (func (result i32 i32)))
  (global $n (mut i32) (i32.const 0))
  (func $start
    (loop $l
      global.get $n
      i32.const 1
      i32.add
      global.set $n
      br $l))
  (func (export "pick") (param i32) (result i32)
    (block $a
      (block $b
        (block $c
          local.get 0
          br_table $a $b $c))
      i32.const 10
      return)
    (block (type $pair) (i32.const 1) (i32.const 2))
    i32.add
    i32.const 7
    local.get 0
    (if (result i32) (then (i32.const 5)) (else (i32.const 6)))
    select)
  (start $start))
