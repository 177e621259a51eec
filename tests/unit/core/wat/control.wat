;; Control flow the compiler must get right: multi-value blocks and loops,
;; br_table with and without values, if/else, locals overwritten while
;; their old values are still on the stack.
(module
  (func (export "swap") (param i32 i32) (result i32 i32)
    local.get 1
    local.get 0)

  (func (export "block_params") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    block (param i32 i32) (result i32)
      i32.sub
    end)

  (func (export "loop_sum") (param $n i32) (result i32)
    (local $acc i32)
    block $done
      loop $top
        local.get $n
        i32.eqz
        br_if $done
        local.get $acc
        local.get $n
        i32.add
        local.set $acc
        local.get $n
        i32.const 1
        i32.sub
        local.set $n
        br $top
      end
    end
    local.get $acc)

  ;; A loop whose params carry (acc, n): acc += n while n-- > 0.
  (func (export "loop_params") (param i32) (result i32)
    i32.const 0
    local.get 0
    loop $top (param i32 i32) (result i32)
      local.tee 0
      i32.add
      local.get 0
      i32.const 1
      i32.sub
      local.tee 0
      local.get 0
      i32.const 0
      i32.gt_s
      br_if $top
      drop
    end)

  (func (export "br_table") (param i32) (result i32)
    block $d
      block $2
        block $1
          block $0
            local.get 0
            br_table $0 $1 $2 $d
          end
          i32.const 100
          return
        end
        i32.const 101
        return
      end
      i32.const 102
      return
    end
    i32.const 103)

  ;; br_table carrying a value to two different depths.
  (func (export "br_table_value") (param i32) (result i32)
    block $a (result i32)
      block $b (result i32)
        i32.const 7
        local.get 0
        br_table $a $b $a
      end
      i32.const 10
      i32.add
    end)

  (func (export "if_else") (param i32) (result i32)
    local.get 0
    if (result i32)
      i32.const 1
    else
      i32.const 2
    end)

  ;; The old values of both locals are still on the stack when they change.
  (func (export "swap_locals") (param i32 i32) (result i32 i32)
    local.get 0
    local.get 1
    local.set 0
    local.set 1
    local.get 0
    local.get 1)

  ;; br_if with a value that is a local, taken and not taken.
  (func (export "br_if_value") (param i32 i32) (result i32)
    block (result i32)
      local.get 0
      local.get 1
      br_if 0
      drop
      i32.const 55
    end)

  (func (export "select") (param i32 i64 i64) (result i64)
    local.get 1
    local.get 2
    local.get 0
    select)
)
