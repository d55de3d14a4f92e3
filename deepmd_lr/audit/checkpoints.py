"""The exact rates kept in the checkpoints of a DeePMD-kit run.

A checkpoint of DeePMD-kit's PyTorch trainer (``model.ckpt-N.pt``, or
``training.save_ckpt``) keeps the rate of step ``N - 1`` exactly, as ``lr``
and ``step`` of ``model/_extra_state/train_infos``. Reading one needs torch,
which is imported only then.
"""

from __future__ import annotations

import math
import os
import stat
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepmd_lr.files.storage import InputFileError


@dataclass(frozen=True)
class CheckpointRate:
    """The exact rate a checkpoint holds."""

    path: str
    step: int
    """The training step (from 0) that ran with ``rate``."""
    rate: float


def read_checkpoint_rates(paths: Sequence[str | Path]) -> list[CheckpointRate]:
    """The exact rate and step kept in each checkpoint, read with torch.

    Checkpoints are loaded with ``weights_only=True``, which unpickles
    tensors and plain containers only.

    Raises
    ------
    ImportError
        When torch is not installed.
    InputFileError
        For a file that is not a readable checkpoint of DeePMD-kit's
        PyTorch trainer.
    """
    import torch

    rates = []
    for path in paths:
        try:
            # torch.load would wait forever on a FIFO.
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise InputFileError(f"{path}: not a regular file")
            # Corrupt or foreign files raise from deep inside torch and pickle,
            # with types no narrower than Exception.
            # torch warns on stderr about some pickles before refusing them.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                content = torch.load(path, map_location="cpu", weights_only=True)
        except InputFileError:
            raise
        except Exception:
            # torch's own reasons are long, or a bare number or class name.
            raise InputFileError(
                f"{path}: is not a checkpoint that torch loads with "
                "weights_only=True (a file saved by DeePMD-kit's PyTorch trainer)"
            ) from None
        rates.append(_training_state(path, content))
    return rates


def _training_state(path: str | Path, content: Any) -> CheckpointRate:
    model = content.get("model", content) if isinstance(content, Mapping) else None
    extra = model.get("_extra_state") if isinstance(model, Mapping) else None
    infos = extra.get("train_infos") if isinstance(extra, Mapping) else None
    lr: Any = infos.get("lr") if isinstance(infos, Mapping) else None
    step: Any = infos.get("step") if isinstance(infos, Mapping) else None
    rate_ok = isinstance(lr, (int, float)) and not isinstance(lr, bool)
    step_ok = isinstance(step, int) and not isinstance(step, bool) and step >= 0
    if not (rate_ok and math.isfinite(lr) and step_ok):
        raise InputFileError(
            f"{path}: no rate and step under model/_extra_state/train_infos: "
            "not a checkpoint of DeePMD-kit's PyTorch trainer"
        )
    return CheckpointRate(str(path), step, float(lr))
