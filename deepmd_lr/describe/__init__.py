"""The section described for others: dargs arguments, JSON schema, docs.

Owns the dargs ``Argument`` of the section (:mod:`.arguments`), the JSON
Schema (:mod:`.schema`) and the argument reference (:mod:`.documentation`),
each written from the key declarations and the registered schedule types.
It imports :mod:`deepmd_lr.schedules` and :mod:`deepmd_lr.section`, and is
independent of :mod:`deepmd_lr.files`.
"""
