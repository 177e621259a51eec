;; tiny.wat: fuzz seed -- the empty module.
(module)
