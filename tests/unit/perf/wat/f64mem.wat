;; f64mem.wat: f64 arithmetic whose right operand is an f64.load, which the
;; compiler fuses into one f64_<op>_m (address + offset) or f64_<op>_mi
;; (address + constant, wrapping at 32 bits) instruction. Memory holds
;; 2.0 at 8 and 8.0 at 16; each export computes $a <op> load($p + ...).
(module
  (memory 1)
  (data (i32.const 8) "\00\00\00\00\00\00\00\40\00\00\00\00\00\00\20\40")
  (func (export "add_m") (param $p i32) (param $a f64) (result f64)
    (f64.add (local.get $a) (f64.load offset=8 (local.get $p))))
  (func (export "sub_m") (param $p i32) (param $a f64) (result f64)
    (f64.sub (local.get $a) (f64.load (local.get $p))))
  (func (export "mul_m") (param $p i32) (param $a f64) (result f64)
    (f64.mul (local.get $a) (f64.load (local.get $p))))
  (func (export "div_m") (param $p i32) (param $a f64) (result f64)
    (f64.div (local.get $a) (f64.load (local.get $p))))
  (func (export "add_mi") (param $p i32) (param $a f64) (result f64)
    (f64.add (local.get $a) (f64.load (i32.add (local.get $p) (i32.const 16)))))
  (func (export "sub_mi") (param $p i32) (param $a f64) (result f64)
    (f64.sub (local.get $a) (f64.load (i32.add (local.get $p) (i32.const 16)))))
  (func (export "mul_mi") (param $p i32) (param $a f64) (result f64)
    (f64.mul (local.get $a) (f64.load offset=8 (i32.add (local.get $p) (i32.const 8)))))
  (func (export "div_mi") (param $p i32) (param $a f64) (result f64)
    (f64.div (local.get $a) (f64.load (i32.add (local.get $p) (i32.const 16))))))
