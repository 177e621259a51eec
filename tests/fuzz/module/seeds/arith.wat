;; arith.wat: fuzz seed -- numeric operations of every type, locals, calls.
(module
  (func $f (export "f") (param i32 i64 f32 f64) (result i64) (local i32 f64)
    local.get 0
    i32.const 7
    i32.div_s
    i32.const 3
    i32.rem_u
    i32.clz
    i64.extend_i32_u
    local.get 1
    i64.rotl
    local.get 2
    f32.nearest
    i64.trunc_sat_f32_s
    i64.add
    local.get 3
    f64.sqrt
    i64.trunc_f64_u
    i64.xor)
  (func (export "g") (result f32)
    i32.const 1
    i64.const 2
    f32.const 3.5
    f64.const -4.25
    call $f
    f32.convert_i64_u
    f32.const 0.5
    f32.min
    f32.const -1
    f32.copysign))
