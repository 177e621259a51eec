;; Calls env.yield_me(base + i) n times and sums what the host answers.
(module
  (import "env" "yield_me" (func $yield_me (param i32) (result i32)))
  (func (export "run") (param $base i32) (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (i32.add (local.get $sum)
                   (call $yield_me (i32.add (local.get $base) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
