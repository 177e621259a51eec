;; The first data segment lands in the imported one-page memory; the second
;; runs one byte past its end.
(module
  (import "env" "mem" (memory 1))
  (data (i32.const 0) "ok")
  (data (i32.const 0xffff) "xy"))
