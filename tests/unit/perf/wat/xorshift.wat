;; xorshift.wat: i32.xor with an operand rotated or shifted right by a
;; constant just before it (fused into i32_xor_rotl / i32_xor_shr_u), with
;; the shifted value on either side, and sha256's sigma chain.
(module
  (func (export "rotl_right") (param $a i32) (param $b i32) (result i32)
    (i32.xor (local.get $a) (i32.rotl (local.get $b) (i32.const 13))))
  (func (export "rotl_left") (param $a i32) (param $b i32) (result i32)
    (i32.xor (i32.rotl (local.get $b) (i32.const 7)) (local.get $a)))
  (func (export "shr_right") (param $a i32) (param $b i32) (result i32)
    (i32.xor (local.get $a) (i32.shr_u (local.get $b) (i32.const 35))))
  (func (export "shr_left") (param $a i32) (param $b i32) (result i32)
    (i32.xor (i32.shr_u (local.get $b) (i32.const 3)) (local.get $a)))
  ;; rotr(x,7) ^ rotr(x,18) ^ (x >> 3), written with rotl as clang does
  (func (export "sigma0") (param $x i32) (param $unused i32) (result i32)
    (i32.xor
      (i32.xor (i32.rotl (local.get $x) (i32.const 25))
               (i32.rotl (local.get $x) (i32.const 14)))
      (i32.shr_u (local.get $x) (i32.const 3)))))
