"""``value`` for NumPy arrays: in-place kernels over cache-sized blocks.

Each block of :data:`CHUNK` steps is computed into the output (or a float64
scratch for narrower outputs) by the schedule's ``_fill_decay`` kernel, so
the scratch stays in cache and the peak memory is the output alone. Arrays of
:data:`PARALLEL_MIN` steps or more are split across threads: NumPy releases
the GIL inside its loops, so the parts run on several cores at once.
"""

from __future__ import annotations

import atexit
import itertools
import math
import os
import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from deepmd_lr.schedules.steps import STEP_HORIZON, bad_step, step_type_error
from deepmd_lr.section.errors import warn_user
from deepmd_lr.section.text import describe, plain

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from deepmd_lr.schedules.base import BaseLR

CHUNK = 1 << 14
"""Steps handled per block."""

PARALLEL_MIN = 1 << 18
"""Arrays with at least this many steps are split across threads."""

THREADS_VARIABLE = "DEEPMD_LR_NUM_THREADS"
"""Environment variable read when no thread count was set in code."""

_threads_setting: int | None = None


def set_num_threads(count: int | None) -> None:
    """Use ``count`` threads for large arrays; ``None`` restores the default.

    The default is :data:`THREADS_VARIABLE` when set, else the number of CPUs
    available to this process (at most 8).
    """
    global _threads_setting
    count = plain(count)
    if count is not None and (
        isinstance(count, bool) or not isinstance(count, int) or count < 1
    ):
        raise ValueError(f"the thread count must be an integer >= 1, got {count!r}")
    _threads_setting = count


_ignored_thread_settings: set[str] = set()


def num_threads() -> int:
    """The number of threads used for large arrays.

    A :data:`THREADS_VARIABLE` that is not a whole number >= 1 is ignored,
    with a :class:`~deepmd_lr.LearningRateWarning` the first time it is seen.
    """
    if _threads_setting is not None:
        return _threads_setting
    setting = os.environ.get(THREADS_VARIABLE, "")
    text = setting.strip()
    # isdigit() alone accepts digits that int() rejects, such as "²".
    if text.isascii() and text.isdigit() and len(text) <= 6 and int(text) > 0:
        return int(text)
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:
        available = os.cpu_count() or 1
    threads = max(1, min(available, 8))
    if text and setting not in _ignored_thread_settings:
        _ignored_thread_settings.add(setting)
        warn_user(
            f"{THREADS_VARIABLE}={describe(setting)} is not a whole number "
            f"from 1 to 999999, so it is ignored and {threads} threads are used"
        )
    return threads


class _Pool:
    """One thread pool, created on first use, grown on demand, shut at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._size = 0
        atexit.register(self.shutdown)

    def get(self, workers: int) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None or self._size < workers:
                from concurrent.futures import ThreadPoolExecutor

                if self._executor is not None:
                    self._executor.shutdown(wait=False)
                self._executor = ThreadPoolExecutor(
                    workers, thread_name_prefix="deepmd-lr"
                )
                self._size = workers
            return self._executor

    def shutdown(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor, self._size = None, 0


_POOL = _Pool()


def spans(size: int) -> list[tuple[int, int]]:
    """Split ``range(size)`` into whole blocks, one part per thread."""
    parts = (
        min(num_threads(), size // (PARALLEL_MIN // 2)) if size >= PARALLEL_MIN else 1
    )
    if parts <= 1:
        return [(0, size)]
    blocks = -(-size // CHUNK)
    bounds = [min(size, (blocks * i // parts) * CHUNK) for i in range(parts + 1)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def numpy_value(schedule: BaseLR, steps: np.ndarray | np.generic) -> Any:
    """The rate of ``schedule`` at every step of a NumPy array or scalar."""
    kind = steps.dtype.kind
    if kind not in "iuf":
        raise step_type_error(steps)
    out_dtype = steps.dtype if kind == "f" else np.dtype(np.float64)
    flat = np.asarray(steps).reshape(-1)
    out = np.empty(flat.size, dtype=out_dtype)
    parts = spans(flat.size)
    if len(parts) == 1:
        _fill_span(schedule, flat, out, *parts[0])
    else:
        pool = _POOL.get(len(parts))
        jobs = [pool.submit(_fill_span, schedule, flat, out, *part) for part in parts]
        for job in jobs:
            job.result()
    result = out.reshape(np.shape(steps))
    return result[()] if isinstance(steps, np.generic) else result


def _fill_span(
    schedule: BaseLR, flat: np.ndarray, out: np.ndarray, start: int, stop: int
) -> None:
    """Fill ``out[start:stop]`` block by block."""
    direct = out.dtype == np.float64
    scratch = None if direct else np.empty(min(stop - start, CHUNK), np.float64)
    work_dtype = np.float64 if flat.dtype.kind == "f" else np.int64
    for begin in range(start, stop, CHUNK):
        end = min(begin + CHUNK, stop)
        block = flat[begin:end]
        # Python numbers: a NumPy scalar would round the warmup length to
        # its own dtype (float32) or wrap it (uint64) when compared.
        low, high = block.min().item(), block.max().item()
        if not (low >= 0 and high < math.inf):
            raise bad_step(low if not low >= 0 else high, array=True)
        dest = out[begin:end] if direct else scratch[: block.size]  # type: ignore[index]
        if block.dtype == np.uint64 and high > _INT64_MAX:
            _fill_wide_unsigned(schedule, block, dest)
        else:
            if block.dtype != work_dtype:
                block, high = _block_for_kernels(block, high)
            _fill_block(schedule, block, dest, low, high)
        if not direct:
            out[begin:end] = dest


def _fill_wide_unsigned(schedule: BaseLR, steps: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` for uint64 ``steps`` of which some are 2**63 or more.

    Those would wrap around to negative numbers as int64; they are computed
    as float64, which rounds them by at most 2**11 steps, far past the end
    of training (2**53 at most). The others stay int64, so that each step
    gets the same value as in an int64 array.
    """
    wide = steps > _INT64_MAX
    for part, dtype in ((~wide, np.int64), (wide, np.float64)):
        chosen = steps[part].astype(dtype)
        if chosen.size:
            values = np.empty(chosen.size, dtype=np.float64)
            low, high = chosen.min().item(), chosen.max().item()
            _fill_block(schedule, chosen, values, low, high)
            out[part] = values


_INT64_MAX = int(np.iinfo(np.int64).max)


def _block_for_kernels(block: np.ndarray, high: Any) -> tuple[np.ndarray, Any]:
    """A block of valid steps as float64 or int64, and its largest step.

    A long double can exceed the float64 range; such a step is far past the
    end of training, and is computed as :data:`STEP_HORIZON`.
    """
    if block.dtype.kind != "f":
        return block.astype(np.int64), high
    if high > STEP_HORIZON:
        block = np.minimum(block, STEP_HORIZON)
        high = STEP_HORIZON
    return block.astype(np.float64), float(high)


def _fill_block(
    schedule: BaseLR, steps: np.ndarray, out: np.ndarray, low: Any, high: Any
) -> None:
    warmup = schedule.warmup_steps
    if high < warmup:
        _fill_warmup(schedule, steps, out)
        return
    schedule._fill_decay(steps, out, bool(low < warmup), high)
    if low < warmup:
        in_warmup = steps < warmup
        part = np.empty(np.count_nonzero(in_warmup), dtype=np.float64)
        _fill_warmup(schedule, steps[in_warmup], part)
        out[in_warmup] = part


def _fill_warmup(schedule: BaseLR, steps: np.ndarray, out: np.ndarray) -> None:
    np.divide(steps, schedule.warmup_steps, out=out)
    np.multiply(out, schedule._warmup_span, out=out)
    np.add(out, schedule.warmup_start_lr, out=out)


def decay_steps_into(
    steps: np.ndarray, out: np.ndarray, warmup_steps: int, clamp: bool
) -> None:
    """``out = max(steps - warmup_steps, 0)`` in float64, for ``_fill_decay``.

    ``clamp`` may be false when no step of the block is inside the warmup.
    """
    np.subtract(steps, warmup_steps, out=out)
    if clamp:
        np.maximum(out, 0.0, out=out)
