;; Three pages of memory, for the instance memory cap test.
(module (memory 3))
