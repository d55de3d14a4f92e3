"""Collection of the package's doctests (``testpaths`` includes ``deepmd_lr``)."""

from __future__ import annotations

from importlib.util import find_spec

# deepmd_lr/schedules/torch_lr.py imports torch at its top, so without torch pytest could
# not even import it to look for doctests; its tests skip in that case too.
collect_ignore = [] if find_spec("torch") else ["deepmd_lr/schedules/torch_lr.py"]
# Importing the bridge registers schedule types with an installed DeePMD-kit;
# its tests import it in a child interpreter instead.
collect_ignore.append("deepmd_lr/deepmd/bridge.py")
# The plotting examples draw with matplotlib, the plot extra.
if not find_spec("matplotlib"):
    collect_ignore.append("deepmd_lr/views/plotting.py")
