"""The ``deepmd-lr`` command: its parser, its subcommands, its streams.

The top layer: it may import every other one, and nothing imports it.
"""
