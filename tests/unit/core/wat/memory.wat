;; Memory: loads and stores at the edges, grow, bulk operations.
(module
  (memory 1 3)
  (data (i32.const 16) "\01\02\03\04")

  (func (export "load8") (param i32) (result i32)
    local.get 0
    i32.load8_u)
  (func (export "load32_off") (param i32) (result i32)
    local.get 0
    i32.load offset=16)
  (func (export "store64") (param i32 i64)
    local.get 0
    local.get 1
    i64.store)
  (func (export "load64") (param i32) (result i64)
    local.get 0
    i64.load)
  (func (export "load16_s") (param i32) (result i32)
    local.get 0
    i32.load16_s)
  (func (export "grow") (param i32) (result i32)
    local.get 0
    memory.grow)
  (func (export "size") (result i32)
    memory.size)
  (func (export "fill_copy") (param i32 i32 i32) (result i32)
    ;; fill [a, a+4) with 0x41, copy it to b, return the word at b
    local.get 0
    i32.const 0x41
    i32.const 4
    memory.fill
    local.get 1
    local.get 0
    i32.const 4
    memory.copy
    local.get 1
    i32.load)
)
