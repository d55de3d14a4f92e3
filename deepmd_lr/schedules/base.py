"""The shared part of every schedule: registry access, warmup and ``value``."""

from __future__ import annotations

import itertools
import math
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import numpy as np

from deepmd_lr.errors import LearningRateConfigError, warn_user
from deepmd_lr.keys import COMMON_KEYS, Key, describe, key_path, plain, short_text
from deepmd_lr.registry import SCHEDULES
from deepmd_lr.rules import (
    check_num_steps,
    check_values,
    given,
    resolve_stop_lr,
    resolve_warmup_steps,
)

S = TypeVar("S", bound=type)

CHUNK = 1 << 14
"""Steps handled per block on the NumPy path: the scratch stays in cache and
the peak memory is the output alone."""

PARALLEL_MIN = 1 << 18
"""Arrays with at least this many steps are split across threads."""

STEP_HORIZON = 2.0**120
"""A step by which every built-in schedule has reached its final rate, for
any valid configuration: with at most 2**53 steps per decay period, the
slowest exponential decay has underflowed to 0 long before (after about
1e35 steps). Larger steps, and ``+inf`` in traced arrays, are computed as
this one, so no formula sees an infinity or an integer too large for a
float. It is exact in float32, the widest float some libraries have."""

THREADS_VARIABLE = "DEEPMD_LR_NUM_THREADS"

_ignored_thread_settings: set[str] = set()


def max_threads() -> int:
    """Threads used for large NumPy arrays: ``DEEPMD_LR_NUM_THREADS``, or
    the number of CPUs available to this process (at most 8).

    A setting that is not a whole number >= 1 is ignored, with a
    :class:`~deepmd_lr.LearningRateWarning` the first time it is seen.
    """
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


def _spans(size: int) -> list[tuple[int, int]]:
    """Split ``range(size)`` into whole blocks, one part per thread."""
    parts = (
        min(max_threads(), size // (PARALLEL_MIN // 2)) if size >= PARALLEL_MIN else 1
    )
    if parts <= 1:
        return [(0, size)]
    blocks = -(-size // CHUNK)
    bounds = [min(size, (blocks * i // parts) * CHUNK) for i in range(parts + 1)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


_pool: Any = None
_pool_lock = threading.Lock()


def _thread_pool(workers: int) -> Any:
    # NumPy releases the GIL inside its loops, so blocks of one large array
    # are computed on several cores at once.
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers < workers:
            from concurrent.futures import ThreadPoolExecutor

            _pool = ThreadPoolExecutor(workers, thread_name_prefix="deepmd-lr")
        return _pool


class BaseLR(ABC):
    r"""A learning-rate schedule :math:`\eta(t)` with linear warmup.

    ``BaseLR(type=..., start_lr=..., num_steps=..., ...)`` builds the schedule
    registered under ``type`` (``"exp"`` when omitted). Subclasses implement the
    decay phase; warmup, input checking and the array machinery live here.

    During the first ``warmup_steps`` steps the rate rises linearly:

    .. math::

        \eta(t) = \eta_w + (\eta_0 - \eta_w)\,\frac{t}{W},
        \qquad \eta_w = f_w\,\eta_0, \quad 0 \le t < W,

    and from step :math:`W` on the decay phase of the concrete schedule runs on
    :math:`u = t - W` over :math:`D = T - W` steps.
    """

    type_name: ClassVar[str] = ""
    """The ``type`` this class is registered under."""
    variant_keys: ClassVar[tuple[Key, ...]] = ()
    """Keys that exist only for this schedule type."""
    variant_doc: ClassVar[str] = ""
    """One paragraph describing the schedule, used in generated docs."""
    positive_stop_unless: ClassVar[tuple[str, ...] | None] = None
    """``None`` when a final rate of 0 is allowed; otherwise the final rate
    must be above 0 unless one of the keys listed here is given."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is BaseLR:
            cls = SCHEDULES.get(kwargs.get("type", "exp"))
        return super().__new__(cls)

    @staticmethod
    def register(name: str) -> Callable[[S], S]:
        """Class decorator: make a schedule available as ``type: name``."""
        return SCHEDULES.register(name)

    @staticmethod
    def get_class_by_type(name: str) -> type[BaseLR]:
        """The schedule class registered under ``name``."""
        return SCHEDULES.get(name)

    @staticmethod
    def get_plugins() -> dict[str, type[BaseLR]]:
        """All registered schedule classes, by type name."""
        return SCHEDULES.classes()

    @staticmethod
    def registered_types() -> tuple[str, ...]:
        """The registered type names, built-in ones first."""
        return SCHEDULES.names()

    @classmethod
    def key_names(cls) -> frozenset[str]:
        """Every key a section of this type may hold, ``type`` included."""
        return frozenset(
            [
                "type",
                *(k.name for k in COMMON_KEYS),
                *(k.name for k in cls.variant_keys),
            ]
        )

    @classmethod
    def check_variant(cls, values: Mapping[str, Any]) -> None:
        """Rules of this schedule that involve several keys.

        Called after every single-key rule and the common rules have passed.
        The default enforces :attr:`positive_stop_unless`; override to add
        more, calling this one too.
        """
        escapes = cls.positive_stop_unless
        if escapes is None or any(given(values, name) for name in escapes):
            return
        for name in ("stop_lr", "stop_lr_ratio"):
            if given(values, name) and values[name] == 0:
                fix = f"Fix: set a positive {name}"
                if escapes:
                    fix += ", or give " + " or ".join(escapes)
                raise LearningRateConfigError(
                    key_path(name),
                    f'{name} is {describe(values[name])}, but type "{cls.type_name}" '
                    "cannot decay to a rate of 0",
                    fix,
                    value=values[name],
                )

    def __init__(
        self,
        start_lr: float,
        num_steps: int,
        stop_lr: float | None = None,
        stop_lr_ratio: float | None = None,
        warmup_steps: int = 0,
        warmup_ratio: float | None = None,
        warmup_start_factor: float = 0.0,
        **kwargs: Any,
    ) -> None:
        settings = {
            "start_lr": start_lr,
            "stop_lr": stop_lr,
            "stop_lr_ratio": stop_lr_ratio,
            "warmup_steps": warmup_steps,
            "warmup_ratio": warmup_ratio,
            "warmup_start_factor": warmup_start_factor,
            **self._accept_extra(kwargs),
        }
        settings = {name: plain(value) for name, value in settings.items()}
        num_steps = check_num_steps(num_steps)
        check_values(type(self), settings, num_steps)
        self.settings = {k: v for k, v in settings.items() if v is not None}
        """The keys this schedule was built from (``None`` ones left out)."""

        self._start_lr = float(settings["start_lr"])
        self.stop_lr = float(resolve_stop_lr(settings))
        self.num_steps = num_steps
        self.warmup_steps = resolve_warmup_steps(settings, num_steps)
        self.warmup_start_lr = float(settings["warmup_start_factor"]) * self._start_lr
        self.decay_num_steps = num_steps - self.warmup_steps
        self.scale_by_worker = settings.get("scale_by_worker", "linear")
        self._warmup_span = self._start_lr - self.warmup_start_lr

    def _accept_extra(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Keep ``type``, ``scale_by_worker`` and this type's own keys.

        Anything else is an error that names the type the key belongs to.
        """
        extra = dict(kwargs)
        flag = extra.pop("type", None)
        if flag is not None and SCHEDULES.get(flag) is not type(self):
            raise LearningRateConfigError(
                key_path("type"),
                f'type "{flag}" does not match {type(self).__name__}, which is '
                f'type "{self.type_name}"',
                f'Fix: build it as BaseLR(type="{flag}", ...) or drop the type argument',
                value=flag,
            )
        own = self.key_names()
        accepted = {name: extra.pop(name) for name in list(extra) if name in own}
        for name, value in extra.items():
            raise unknown_key_error(name, value, self.type_name)
        return accepted

    @property
    def start_lr(self) -> float:
        """The rate at the end of warmup, where the decay phase starts."""
        return self._start_lr

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        return f"{type(self).__name__}({body}, num_steps={self.num_steps})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseLR):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.num_steps == other.num_steps
            and self.settings == other.settings
        )

    __hash__ = None  # type: ignore[assignment]

    def __call__(self, step: Any) -> Any:
        """Same as :meth:`value`, so a schedule is a plain callable of the step."""
        return self.value(step)

    SERIALIZATION_VERSION: ClassVar[int] = 1
    """Format of :meth:`serialize`; raised when the layout changes."""

    def serialize(self) -> dict[str, Any]:
        """A plain, JSON-able dict from which :meth:`deserialize` rebuilds this.

        It holds the section's keys as they were given, plus ``type``,
        ``num_steps`` and the format version under ``"@version"``: small
        enough for a checkpoint, and it loads with ``torch.load`` in its
        default ``weights_only`` mode.

        Examples
        --------
        >>> lr = BaseLR(type="cosine", start_lr=1e-3, stop_lr=1e-5, num_steps=100)
        >>> data = lr.serialize()
        >>> data["type"], data["num_steps"], data["stop_lr"]
        ('cosine', 100, 1e-05)
        >>> BaseLR.deserialize(data) == lr
        True
        """
        return {
            "@version": self.SERIALIZATION_VERSION,
            "type": self.type_name,
            "num_steps": self.num_steps,
            **self.settings,
        }

    @classmethod
    def deserialize(cls, data: Mapping[str, Any]) -> BaseLR:
        """Rebuild a schedule from the output of :meth:`serialize`.

        The keys are checked again, exactly as by the constructor.

        Raises
        ------
        ValueError
            When ``data`` was written in an unknown format version.
        """
        values = dict(data)
        version = values.pop("@version", None)
        if version != cls.SERIALIZATION_VERSION:
            raise ValueError(
                f"cannot read a serialized schedule of format version "
                f"{version!r}; this deepmd-lr reads version "
                f"{cls.SERIALIZATION_VERSION}"
            )
        return cls(**values)  # type: ignore[no-any-return]

    # -- values ---------------------------------------------------------------

    def value(self, step: Any) -> Any:
        """The learning rate at training step ``step`` (warmup included).

        Parameters
        ----------
        step
            A Python ``int``/``float``, a NumPy scalar or array, a list of
            numbers, or an array of any Array-API library. A Python int may
            be of any size, and unsigned NumPy integers are the steps they
            are up to 2**64 - 1: past the end of training every schedule is
            at its final rate. In traced arrays (torch, JAX, ...) ``+inf``
            gives the final rate too; a NaN step gives no particular rate
            (NaN or a rate of the schedule).

        Returns
        -------
        float or array
            A Python ``float`` for a Python number; otherwise an array of the
            input's library, device and shape. Floating inputs keep their
            dtype, integer inputs give float64. The arithmetic is done in
            float64 and cast last. JAX without ``jax_enable_x64`` has no
            float64: there the arithmetic and integer results are float32,
            and integer steps are exact only up to 2**24. XLA on CPU (JAX)
            flushes subnormal numbers to 0, so there a computed rate below
            2.2e-308 comes out as 0. ``torch.jit.trace`` merges tensor
            constants below about 1e-45 into one, so it is not exact for
            rates that small; eager torch and ``torch.compile`` are.

        Raises
        ------
        ValueError
            For a negative, NaN or infinite step given as a Python number or
            in a NumPy array or list (traced arrays cannot raise: negative
            steps are clamped at 0 instead).
        TypeError
            For booleans, strings, ``None`` and other non-numbers.
        """
        kind = type(step)
        if kind is int or kind is float:
            if 0 <= step < math.inf:
                if step < self.warmup_steps:
                    return self.warmup_start_lr + self._warmup_span * (
                        step / self.warmup_steps
                    )
                if step > STEP_HORIZON:
                    step = STEP_HORIZON
                return self._scalar_decay(step - self.warmup_steps)
            raise _bad_step(step)
        return self._value(step)

    @abstractmethod
    def _decay_xp(self, xp: Any, decay_step: Any) -> Any:
        """The decay-phase rate at floating steps ``decay_step >= 0``.

        The steps are float64, or float32 for a library without float64 (JAX
        without ``jax_enable_x64``); the result has the same dtype. They are
        finite: traced steps are at most :data:`STEP_HORIZON`.

        ``xp`` is the array namespace of ``decay_step`` (NumPy, torch, JAX,
        ...). This is the one method a new schedule must write: it may use
        only namespace functions and arithmetic, and no Python branch on the
        values of ``decay_step``, so that it can be compiled.
        """

    def _scalar_decay(self, decay_step: float) -> float:
        """The decay-phase rate at a Python-number step ``decay_step >= 0``.

        Built-in schedules replace this with plain ``math``; the default
        evaluates :meth:`_decay_xp` on a zero-dimensional NumPy array.
        """
        return float(self._decay_xp(_numpy_namespace(), np.asarray(float(decay_step))))

    def _fill_decay(
        self, steps: np.ndarray, out: np.ndarray, clamp: bool, high: Any
    ) -> None:
        """Write the decay-phase rate of a block of float64/int64 ``steps``.

        ``high`` is the largest step of the block. ``clamp`` is set when the
        block holds warmup steps too; their slots are overwritten afterwards,
        but must stay finite meanwhile. Built-in schedules replace the
        default, which evaluates :meth:`_decay_xp`, with in-place kernels.
        """
        self._decay_steps_into(steps, out, True)
        out[...] = self._decay_xp(_numpy_namespace(), out)

    def _value(self, step: Any) -> Any:
        if (
            isinstance(step, (bool, np.bool_))
            or step is None
            or isinstance(step, (str, bytes))
        ):
            raise _step_type_error(step)
        if isinstance(step, (np.ndarray, np.generic)):
            return self._numpy_value(step)
        if isinstance(step, (list, tuple)):
            return self._numpy_value(_array_of_steps(step))
        if isinstance(step, (int, float)):
            return self.value(float(step) if isinstance(step, float) else int(step))
        import array_api_compat

        if array_api_compat.is_array_api_obj(step):
            return self._xp_value(step)
        raise _step_type_error(step)

    def _numpy_value(self, steps: np.ndarray | np.generic) -> Any:
        kind = steps.dtype.kind
        if kind not in "iuf":
            raise _step_type_error(steps)
        out_dtype = steps.dtype if kind == "f" else np.dtype(np.float64)
        flat = np.asarray(steps).reshape(-1)
        out = np.empty(flat.size, dtype=out_dtype)
        spans = _spans(flat.size)
        if len(spans) == 1:
            self._fill_span(flat, out, *spans[0])
        else:
            pool = _thread_pool(len(spans))
            for done in [pool.submit(self._fill_span, flat, out, *s) for s in spans]:
                done.result()
        result = out.reshape(np.shape(steps))
        return result[()] if isinstance(steps, np.generic) else result

    def _fill_span(
        self, flat: np.ndarray, out: np.ndarray, start: int, stop: int
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
                raise _bad_step(low if not low >= 0 else high, array=True)
            dest = out[begin:end] if direct else scratch[: block.size]  # type: ignore[index]
            if block.dtype == np.uint64 and high > _INT64_MAX:
                self._fill_wide_unsigned(block, dest)
            else:
                if block.dtype != work_dtype:
                    block, high = _block_for_kernels(block, high)
                self._fill_block(block, dest, low, high)
            if not direct:
                out[begin:end] = dest

    def _fill_wide_unsigned(self, steps: np.ndarray, out: np.ndarray) -> None:
        """Fill ``out`` for uint64 ``steps`` of which some are 2**63 or more.

        Those would wrap around to negative numbers as int64; they are
        computed as float64, which rounds them by at most 2**11 steps, far
        past the end of training (2**53 at most). The others stay int64, so
        that each step gets the same value as in an int64 array.
        """
        wide = steps > _INT64_MAX
        for part, dtype in ((~wide, np.int64), (wide, np.float64)):
            chosen = steps[part].astype(dtype)
            if chosen.size:
                values = np.empty(chosen.size, dtype=np.float64)
                low, high = chosen.min().item(), chosen.max().item()
                self._fill_block(chosen, values, low, high)
                out[part] = values

    def _fill_block(
        self, steps: np.ndarray, out: np.ndarray, low: Any, high: Any
    ) -> None:
        warmup = self.warmup_steps
        if high < warmup:
            self._fill_warmup(steps, out)
            return
        self._fill_decay(steps, out, bool(low < warmup), high)
        if low < warmup:
            in_warmup = steps < warmup
            part = np.empty(np.count_nonzero(in_warmup), dtype=np.float64)
            self._fill_warmup(steps[in_warmup], part)
            out[in_warmup] = part

    def _fill_warmup(self, steps: np.ndarray, out: np.ndarray) -> None:
        np.divide(steps, self.warmup_steps, out=out)
        np.multiply(out, self._warmup_span, out=out)
        np.add(out, self.warmup_start_lr, out=out)

    def _decay_steps_into(
        self, steps: np.ndarray, out: np.ndarray, clamp: bool
    ) -> None:
        """``out = max(steps - warmup_steps, 0)`` in float64."""
        np.subtract(steps, self.warmup_steps, out=out)
        if clamp:
            np.maximum(out, 0.0, out=out)

    def _xp_value(self, step: Any) -> Any:
        """:meth:`value` for an array of any Array-API library.

        One body serves NumPy, torch, JAX, CuPy and array-api-strict: only
        namespace calls and arithmetic, no Python branch on the step's values,
        so ``jax.jit``, ``torch.jit.trace`` and ``torch.compile`` can compile it.
        """
        import array_api_compat

        xp = array_api_compat.array_namespace(step)
        if xp.isdtype(step.dtype, "bool") or not xp.isdtype(
            step.dtype, ("integral", "real floating")
        ):
            raise _step_type_error(step)
        work = _widest_float(xp)
        floating = xp.isdtype(step.dtype, "real floating")
        out_dtype = step.dtype if floating else work
        # Widening is exact (every integer up to 2**53 is a float64), so the
        # staircase index and the warmup fraction see the step itself and a
        # narrow dtype touches only the result. Negative steps cannot raise
        # inside a traced function: they are clamped.
        # +inf is held at the horizon, where every schedule is at its final
        # rate: formulas such as r ** (t // s) would turn it into NaN.
        t = xp.clip(xp.astype(step, work), min=0.0, max=STEP_HORIZON)
        rate = self._decay_xp(xp, xp.clip(t - self.warmup_steps, min=0.0))
        if self.warmup_steps > 0:
            # Held at W, so that the unused branch of later steps cannot
            # overflow (a rate near the float maximum times a huge step).
            fraction = xp.clip(t, max=float(self.warmup_steps)) / self.warmup_steps
            warm = self.warmup_start_lr + self._warmup_span * fraction
            rate = xp.where(t < self.warmup_steps, warm, rate)
        return xp.astype(rate, out_dtype)


SCHEDULES.bind(BaseLR)


def _array_of_steps(steps: list[Any] | tuple[Any, ...]) -> np.ndarray:
    """A list of steps as an array; Python ints beyond 64 bits included."""
    array = np.asarray(steps)
    if array.dtype != object:
        return array
    # NumPy keeps ints that do not fit 64 bits as objects; as float64 they
    # are steps past the end of training, the rest stay exact up to 2**53.
    converted = np.empty(array.shape, dtype=np.float64)
    for index, step in np.ndenumerate(array):
        if isinstance(step, (bool, np.bool_)) or not isinstance(step, (int, float)):
            raise _step_type_error(array)
        if not 0 <= step < math.inf:
            raise _bad_step(step, array=True)
        converted[index] = min(step, STEP_HORIZON)
    return converted


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


def _widest_float(xp: Any) -> Any:
    """float64, or float32 where the library has no float64.

    JAX without ``jax_enable_x64`` is such a library: asked for float64 it
    gives float32 and a warning, so the choice is made up front.
    """
    info = getattr(xp, "__array_namespace_info__", None)
    if info is None:
        return xp.float64
    floats = info().dtypes(kind="real floating")
    return floats.get("float64", floats.get("float32", xp.float64))


def _numpy_namespace() -> Any:
    import array_api_compat.numpy

    return array_api_compat.numpy


def unknown_key_error(name: str, value: Any, type_name: str) -> LearningRateConfigError:
    """The error for a key that the schedule ``type_name`` does not have."""
    owners = [
        other
        for other, cls in SCHEDULES.classes().items()
        if any(k.name == name for k in cls.variant_keys)
    ]
    shown = short_text(name)
    if owners:
        where = " or ".join(f'"{o}"' for o in owners)
        return LearningRateConfigError(
            key_path(name),
            f'{name} belongs to type {where}, not to type "{type_name}"',
            f"Fix: remove {name}, or set type to {where}",
            value=value,
        )
    from deepmd_lr.keys import did_you_mean

    cls = SCHEDULES.get(type_name)
    known = sorted(cls.key_names())
    hint = did_you_mean(name, known)
    return LearningRateConfigError(
        key_path(name),
        f'{shown} is not a key of learning_rate for type "{type_name}"',
        hint or "Fix: remove it; known keys are " + ", ".join(known),
        value=value,
    )


def _bad_step(step: Any, array: bool = False) -> ValueError:
    where = "a step in the array" if array else "step"
    return ValueError(
        f"{where} is {describe(step)}, but training steps must be finite and >= 0"
    )


def _step_type_error(step: Any) -> TypeError:
    what = getattr(step, "dtype", None)
    shown = (
        f"an array of dtype {what}"
        if what is not None
        else f"{type(step).__name__} {describe(step)}"
    )
    return TypeError(f"step must be a number or an array of numbers, got {shown}")
