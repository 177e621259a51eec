;; example.wat: the guest of the embedding example in docs/engine.md.
;; It imports two host functions from module "host": `print` reads a string
;; out of guest memory, `next_ticket` is answered later by the embedder
;; (the host function yields).
(module
  (import "host" "print" (func $print (param i32 i32)))
  (import "host" "next_ticket" (func $next_ticket (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello from wasm")

  ;; sum(n): prints a greeting, then adds up n tickets from the host.
  (func $sum (export "sum") (param $n i32) (result i32) (local $acc i32)
    (call $print (i32.const 0) (i32.const 15))
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $next_ticket)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))
    (local.get $acc))

  ;; spin(): a busy loop that only fuel can stop.
  (func $spin (export "spin")
    (loop $forever (br $forever)))

  ;; divide(x) = 100 / x, one call deep, so a trap has a backtrace.
  (func $quotient (param $x i32) (result i32)
    (i32.div_u (i32.const 100) (local.get $x)))
  (func $divide (export "divide") (param $x i32) (result i32)
    (call $quotient (local.get $x))))
