;; Calls: recursion, mutual recursion, call_indirect, runaway recursion.
(module
  (type $i32->i32 (func (param i32) (result i32)))
  (type $v->i64 (func (result i64)))
  (table 3 funcref)
  (elem (i32.const 0) $fib $even)

  (func $fac (export "fac") (param i64) (result i64)
    local.get 0
    i64.eqz
    if (result i64)
      i64.const 1
    else
      local.get 0
      local.get 0
      i64.const 1
      i64.sub
      call $fac
      i64.mul
    end)

  (func $fib (export "fib") (param i32) (result i32)
    local.get 0
    i32.const 2
    i32.lt_u
    if (result i32)
      local.get 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $fib
      local.get 0
      i32.const 2
      i32.sub
      call $fib
      i32.add
    end)

  (func $even (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 1
    else
      local.get 0
      i32.const 1
      i32.sub
      call $odd
    end)
  (func $odd (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $even
    end)

  (func (export "indirect") (param i32 i32) (result i32)
    local.get 1
    local.get 0
    call_indirect (type $i32->i32))

  (func (export "indirect_wrong_type") (result i64)
    i32.const 0
    call_indirect (type $v->i64))

  (func $runaway (export "runaway") (param i32) (result i32)
    local.get 0
    i32.const 1
    i32.add
    call $runaway)

  (func $inner (unreachable))
  (func $middle (call $inner))
  (func (export "nested_trap") (call $middle))
)
