"""What a DeePMD-kit run really used: its logged rates against its schedule.

Owns reading a run's learning curve (:mod:`.learning_curve`) and
checkpoints (:mod:`.checkpoints`), comparing their rates with the schedule
(:mod:`.comparison`), finding a run's files and auditing them
(:mod:`.run`), and reporting what that shows (:mod:`.report`). It imports the layers below the command line, and is
independent of :mod:`deepmd_lr.lint` and :mod:`deepmd_lr.views`.
"""
