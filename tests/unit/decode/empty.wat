;; empty.wat: the smallest module.
(module)
