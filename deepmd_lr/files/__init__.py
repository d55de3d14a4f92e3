"""Users' files: reading them, placing keys in them, editing them in place.

Owns the bytes of users' files: safe reading and atomic writing
(:mod:`.storage`), parsing JSON and YAML within stated limits
(:mod:`.reader`), the positions of keys (:mod:`.positions`) and edits that
change the ``learning_rate`` section alone (:mod:`.editing`). It imports
:mod:`deepmd_lr.section` only, and knows nothing of schedules or DeePMD-kit.
"""
