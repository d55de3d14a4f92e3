"""What DeePMD-kit does with an input: its readings, releases and registries.

Owns how DeePMD-kit reads a whole input (:mod:`.reading`), bringing old
inputs up to date (:mod:`.migration`), what each release does differently
(:mod:`.releases`), which release is installed (:mod:`.installed`) and
deepmd-lr's types inside DeePMD-kit's own registries
(:mod:`.bridge`). It imports the layers below it: :mod:`deepmd_lr.describe`,
:mod:`deepmd_lr.files`, :mod:`deepmd_lr.schedules` and
:mod:`deepmd_lr.section`.
"""
