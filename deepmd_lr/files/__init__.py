"""Users' files: reading them once, placing keys in them, editing them in place.

Owns the bytes of users' files: safe reading and atomic writing
(:mod:`.storage`); reading JSON (:mod:`.json_text`) and YAML
(:mod:`.yaml_text`) within stated limits, each in one pass that also places
every value in the text (:mod:`.nodes`), into one document with the
positions and repeated keys everything else asks for (:mod:`.reader`);
writing whole files (:mod:`.writer`); and edits that change the
``learning_rate`` section alone (:mod:`.editing`, with :mod:`.splicing`,
:mod:`.json_editing` and :mod:`.yaml_editing`). It imports
:mod:`deepmd_lr.section` only, and knows nothing of schedules or DeePMD-kit.
"""
