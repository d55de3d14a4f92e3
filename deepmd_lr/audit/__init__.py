"""What a DeePMD-kit run really used: its logged rates against its schedule.

Owns reading a run's learning curve (:mod:`.learning_curve`) and
checkpoints (:mod:`.checkpoints`), finding them (:mod:`.run_files`),
comparing their rates with the schedule (:mod:`.comparison`), reporting
what that shows (:mod:`.report`), and auditing a run's files
(:mod:`.run`). It imports the layers below the command line, and is
independent of :mod:`deepmd_lr.lint` and :mod:`deepmd_lr.views`.
"""
