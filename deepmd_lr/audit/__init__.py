"""What a DeePMD-kit run really used: its logged rates against its schedule.

Owns reading learning curves and checkpoints of a run and comparing them
with the schedule of its input. It imports the layers below the command
line, and is independent of :mod:`deepmd_lr.lint` and :mod:`deepmd_lr.views`.
"""
