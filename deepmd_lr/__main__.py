"""``python -m deepmd_lr``: the ``deepmd-lr`` command."""

from deepmd_lr.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
