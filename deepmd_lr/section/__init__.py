"""The ``learning_rate`` section as data: its keys, its rules and its codes.

Owns the declaration of each key (:mod:`.keys`), the table of problem codes
(:mod:`.codes`), the one error and warning type (:mod:`.errors`), the
registry of schedule types (:mod:`.registry`), every rule of a section
(:mod:`.rules`), the values older releases filled in (:mod:`.legacy`),
normalizing a section (:mod:`.normalization`) and how values read in
messages (:mod:`.text`). The bottom layer: it imports nothing else of the
package, and neither NumPy nor dargs.
"""
