;; hang.wast: run only with --fuel-slice and a small --max-fuel (runner
;; self-test). "spin" never returns: the runner must give up on it, report
;; it as a failure and go on with the next command on the same instance.
(module
  (func (export "spin") (loop (br 0)))
  (func (export "count") (param i32) (result i32)
    (local i32)
    (loop
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if 0 (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 1)))
(assert_return (invoke "spin"))
(assert_return (invoke "count" (i32.const 1000)) (i32.const 1000))
