"""``python -m deepmd_lr``: the ``deepmd-lr`` command."""

import sys

from deepmd_lr.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
