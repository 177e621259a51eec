;; The start function traps.
(module
  (func $start unreachable)
  (start $start))
