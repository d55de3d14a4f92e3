"""``deepmd-lr check``: every problem of a file, placed, and its report.

Owns the problems of an input file with their positions (:mod:`.check`) and
their output formats (:mod:`.report`). It imports the layers below the
command line, and is independent of :mod:`deepmd_lr.audit` and
:mod:`deepmd_lr.views`. Checking one file imports neither NumPy nor dargs.
"""
