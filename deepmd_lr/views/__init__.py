"""A schedule shown to a person: its summary in numbers and its plot.

Owns the phases and milestones of a schedule (:mod:`.summary`) and its
matplotlib figure (:mod:`.plotting`). It imports the layers below the
command line, and is independent of :mod:`deepmd_lr.lint` and
:mod:`deepmd_lr.audit`.
"""
