;; A host import that may yield, a host import that traps, and a loop for
;; fuel tests.
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "fail" (func $fail))

  ;; sum of add(i, 1) for i in 0..n-1, i.e. n*(n+1)/2
  (func (export "sum_via_host") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    block $done
      loop $top
        local.get $i
        local.get $n
        i32.ge_u
        br_if $done
        local.get $acc
        local.get $i
        i32.const 1
        call $add
        i32.add
        local.set $acc
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $top
      end
    end
    local.get $acc)

  (func (export "call_fail") (call $fail))

  ;; the yielding import three wasm frames down
  (func $level2 (param i32) (result i32)
    local.get 0
    i32.const 100
    call $add)
  (func $level1 (param i32) (result i32)
    local.get 0
    call $level2
    i32.const 1
    i32.add)
  (func (export "nested") (param i32) (result i32)
    local.get 0
    call $level1
    i32.const 2
    i32.mul)

  ;; counts to n in a loop; returns n
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    loop $top
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      local.get $n
      i32.lt_u
      br_if $top
    end
    local.get $i)
)
