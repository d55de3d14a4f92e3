"""DeePMD-kit's trainers, and which one ran an input, from the files beside it.

DeePMD-kit trains with one of four backends, each with a trainer of its own
that reads the ``learning_rate`` section in its own way (see
:mod:`deepmd_lr.deepmd.releases`). A run directory tells which one trained
it only by the files it writes: TensorFlow checkpoints
(``model.ckpt-N.index``) or a frozen ``.pb`` model, PyTorch checkpoints
(``model.ckpt-N.pt``) and Paddle ones (``model.ckpt-N.pd``). The
PyTorch-exportable trainer writes the same names as the PyTorch one, so
they are taken for PyTorch's.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

BACKENDS = ("tf", "pt", "pd", "pt_expt")
"""The trainers, as ``--backend`` names them (``dp --tf``, ``--pt``, ``--pd``
and ``--pt-expt train``)."""

TRAINER_NAMES = {
    "tf": "TensorFlow",
    "pt": "PyTorch",
    "pd": "Paddle",
    "pt_expt": "PyTorch-exportable",
}

FIRST_RELEASES = {"pt": "3.0.0a0", "pd": "3.1.0a0", "pt_expt": "3.1.3"}
"""The first DeePMD-kit release with each trainer but TensorFlow's, which
every release has: the first tag with the trainer's directory."""

_FILES_OF_BACKEND = re.compile(
    r"(?P<tf>model\.ckpt(?:-\d+)?\.index|.+\.pb)"
    r"|(?P<pt>model\.ckpt(?:-\d+)?\.pt|model\.pt)"
    r"|(?P<pd>model\.ckpt(?:-\d+)?\.pd)"
)
"""The names of the files only one backend's trainer writes (or freezes),
each in the group of its backend."""


@dataclass(frozen=True)
class DetectedBackend:
    """The backend a file beside an input shows, and that file's name."""

    backend: str
    evidence: str

    def __str__(self) -> str:
        return f"{self.backend}, detected from {self.evidence} beside the input"


def detect_backend(input_path: str) -> DetectedBackend | None:
    """The backend whose files lie beside the input at ``input_path``.

    ``None`` when no such file is there, when the files of two backends are
    (which one trained last is not known), or when the directory cannot be
    listed.
    """
    directory = os.path.dirname(input_path) or "."
    try:
        names = os.listdir(directory)
    except OSError:
        return None
    found: dict[str, str] = {}
    for name in names:
        match = _FILES_OF_BACKEND.fullmatch(name)
        if match is not None and match.lastgroup is not None:
            # The first name in sorted order, whatever the listing's order.
            backend = match.lastgroup
            found[backend] = min(found.get(backend, name), name)
    if len(found) != 1:
        return None
    [(backend, evidence)] = found.items()
    return DetectedBackend(backend, evidence)
