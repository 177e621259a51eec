;; counters.wat: loop counters of the shapes the compiler fuses into one
;; addi_br* instruction (an i32.add of a constant set or tee'd into a local,
;; then tested by br_if/if), plus one it must not fuse (the comparison's
;; other operand is the counter itself). Every export takes $n, returns i32.
(module
  ;; tee + br_if: addi_br_if. 3 * n for n >= 1.
  (func (export "down_br_if") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (local.set $i (local.get $n))
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (i32.const 3)))
      (br_if $l (local.tee $i (i32.add (local.get $i) (i32.const -1)))))
    (local.get $acc))
  ;; tee + i32.ne with a register: addi_brc_i32_ne. 0 + 1 + ... + n-1.
  (func (export "up_ne") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (local.get $i)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                        (local.get $n))))
    (local.get $acc))
  ;; tee + i32.lt_s with a constant: addi_brc_i32_lt_s_imm.
  (func (export "up_lt_imm") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (local.set $i (local.get $n))
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
      (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 7)))
                          (i32.const 100))))
    (i32.add (i32.mul (local.get $acc) (i32.const 1000)) (local.get $i)))
  ;; set, then eqz + br_if out of the loop: addi_br_unless. 2 * n.
  (func (export "down_eqz") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (local.set $i (local.get $n))
    (block $exit
      (loop $l
        (local.set $acc (i32.add (local.get $acc) (i32.const 2)))
        (local.set $i (i32.add (local.get $i) (i32.const -1)))
        (br_if $exit (i32.eqz (local.get $i)))
        (br $l)))
    (local.get $acc))
  ;; set, then `if` on i <u n (negated into the branch to the end).
  (func (export "up_if") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (i32.const 5)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.lt_u (local.get $i) (local.get $n)) (then (br $l))))
    (i32.add (i32.mul (local.get $acc) (i32.const 1000)) (local.get $i)))
  ;; the counter on both sides: i != i is false at once (not fused).
  (func (export "self_cmp") (param $n i32) (result i32)
    (local $i i32)
    (local.set $i (local.get $n))
    (loop $l
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                        (local.get $i))))
    (local.get $i)))
