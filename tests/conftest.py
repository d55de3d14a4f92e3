"""Shared set-up of the test suite.

The helper modules beside the tests (``sections``, ``section_strategies``,
``backend_cases``, ``formulas``, ``dargs_checking``) are imported by their
bare names, never as ``tests.<name>``: one module object each, whichever way
pytest is started.
"""

from __future__ import annotations

import sys
from pathlib import Path

# pytest's default import mode puts this directory on sys.path by itself;
# --import-mode=importlib does not, and the helpers must import under both.
HELPERS = str(Path(__file__).resolve().parent)
if HELPERS not in sys.path:
    sys.path.insert(0, HELPERS)
