"""What every schedule shares: construction, dispatch on ``type``, warmup,
serialization and the front door of ``value``.

A schedule type is a subclass that declares its keys and writes its decay
formula once, in :meth:`BaseLR._decay_xp`, which
:mod:`deepmd_lr.schedules.arrays` evaluates for the arrays of every library.
A type may add a plain ``math`` path for one Python-number step
(``_scalar_decay``), which the tests check against ``_decay_xp``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, overload

from deepmd_lr.schedules.arrays import STEP_HORIZON, array_value, bad_step
from deepmd_lr.schedules.signatures import (
    base_signature,
    type_signature,
    with_parameters,
)
from deepmd_lr.section.errors import LearningRateConfigError
from deepmd_lr.section.keys import COMMON_KEYS, DEFAULT_TYPE, Key, key_path
from deepmd_lr.section.length import check_num_steps, resolve_warmup_steps
from deepmd_lr.section.registry import SCHEDULES
from deepmd_lr.section.rules import (
    check_section,
    filled_in,
    resolve_stop_lr,
    section_keys,
)

if TYPE_CHECKING:
    import numpy as np

S = TypeVar("S", bound=type)

_HORIZON_STEP = int(STEP_HORIZON)

_ATTRIBUTES = ("settings", "num_steps", "warmup_start_lr", "decay_num_steps")
"""Attributes ``BaseLR.__init__`` sets besides the common keys; a type's own
key of the same name would overwrite one."""


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

    Parameters
    ----------
    start_lr : float
        The rate at the end of warmup, where the decay phase starts.
    num_steps : int
        The number of training steps, ``training/numb_steps`` of the input.
    stop_lr : float, optional
        The rate aimed at for the last step. Give exactly one of ``stop_lr``
        and ``stop_lr_ratio``.
    stop_lr_ratio : float, optional
        The final rate as a fraction of ``start_lr``.
    type : str, default "exp"
        The registered schedule to build; see :meth:`registered_types`.
    **keys
        The other keys of the section: the warmup keys common to every type
        and the keys of the type itself, listed on each schedule class.

    Examples
    --------
    >>> lr = BaseLR(type="cosine", start_lr=1e-3, stop_lr=1e-5, num_steps=100,
    ...             warmup_steps=10)
    >>> type(lr).__name__, lr.value(0), lr.value(10), lr.value(100)
    ('LearningRateCosine', 0.0, 0.001, 1e-05)
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
    legacy_defaults: ClassVar[dict[str, Any]] = {}
    """Values of this type's keys that releases before DeePMD-kit 3.1.3
    filled in silently; the migration writes them into old inputs."""
    plot_log_scale: ClassVar[bool] = False
    """Whether plots of this type use a logarithmic rate axis by default: true
    for a decay that spans decades, which a linear axis shows as flat."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is BaseLR:
            cls = SCHEDULES.get(kwargs.get("type", DEFAULT_TYPE))
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The constructor takes the keys as keywords through **keys; the
        # signature and the docstring name each one, for help() and the docs.
        # A class with an __init__ of its own, or below one, shows that one.
        _check_variant_key_names(cls)
        own_init = any(
            "__init__" in vars(klass)
            for klass in cls.__mro__
            if klass is not BaseLR and issubclass(klass, BaseLR)
        )
        cls.__signature__ = (  # type: ignore[attr-defined]
            None if own_init else type_signature(cls.variant_keys)
        )
        doc = cls.__dict__.get("__doc__")
        if not own_init and doc:
            cls.__doc__ = with_parameters(doc, cls.variant_keys)

    @staticmethod
    def register(name: str) -> Callable[[S], S]:
        """Class decorator: make a schedule available as ``type: name``."""
        return SCHEDULES.register(name)

    @staticmethod
    def get_class_by_type(name: str) -> type[BaseLR]:
        """The schedule class registered under ``name``."""
        cls: type[BaseLR] = SCHEDULES.get(name)
        return cls

    @staticmethod
    def get_plugins() -> dict[str, type[BaseLR]]:
        """All registered schedule classes, by type name."""
        return SCHEDULES.classes()

    @staticmethod
    def registered_types() -> tuple[str, ...]:
        """The registered type names, built-in ones first."""
        return tuple(SCHEDULES.classes())

    @classmethod
    def key_names(cls) -> frozenset[str]:
        """Every key a section of this type may hold, ``type`` included."""
        return section_keys(cls)

    @classmethod  # noqa: B027 (a hook with nothing to check by default)
    def check_variant(cls, values: Mapping[str, Any]) -> None:
        """This type's own rule across several keys; none by default.

        Called after every single-key rule and the rules common to all types
        have passed, with every key of the type (common keys included), each
        holding its value or its default; raise
        :class:`~deepmd_lr.LearningRateConfigError` when it is broken.
        """

    def __init__(
        self,
        start_lr: float,
        num_steps: int,
        stop_lr: float | None = None,
        stop_lr_ratio: float | None = None,
        **keys: Any,
    ) -> None:
        if not self.type_name:
            raise TypeError(
                f"{type(self).__name__} is not a registered schedule type; "
                'register it with @BaseLR.register("name")'
            )
        flag = keys.pop("type", None)
        if flag is not None and not isinstance(self, SCHEDULES.get(flag)):
            raise LearningRateConfigError(
                key_path("type"),
                f'type "{flag}" does not match {type(self).__name__}, which is '
                f'type "{self.type_name}"',
                f'Fix: build it as BaseLR(type="{flag}", ...) or drop the type argument',
                value=flag,
            )
        given = {
            "type": self.type_name,
            "start_lr": start_lr,
            "stop_lr": stop_lr,
            "stop_lr_ratio": stop_lr_ratio,
            **keys,
        }
        check_section(given, num_steps)
        num_steps = check_num_steps(num_steps)
        values = filled_in(type(self), given)
        self.settings = {k: v for k, v in values.items() if v is not None}
        """The keys this schedule was built from, defaults filled in
        (``None`` ones left out)."""

        self._start_lr = float(values["start_lr"])
        self.stop_lr = float(resolve_stop_lr(values))
        self.num_steps = num_steps
        self.warmup_steps = resolve_warmup_steps(values, num_steps)
        self.warmup_start_lr = float(values["warmup_start_factor"]) * self._start_lr
        self.decay_num_steps = num_steps - self.warmup_steps
        self.scale_by_worker = values["scale_by_worker"]
        self._warmup_span = self._start_lr - self.warmup_start_lr
        for key in self.variant_keys:
            setattr(self, key.name, values[key.name])
        self._prepare()

    def _prepare(self) -> None:  # noqa: B027 (a hook with nothing to do by default)
        """Derive this type's own attributes once the keys are checked.

        Every variant key is an attribute by then, holding its value or its
        default.
        """

    def phases(self) -> list[tuple[str, int, int]]:
        """The named runs of steps ``[start, stop)`` of this schedule, in order.

        Warmup then decay by default; a type with a phase of its own (a
        plateau, say) lists it too. Runs may be empty.
        """
        return [
            ("warmup", 0, self.warmup_steps),
            ("decay", self.warmup_steps, self.num_steps),
        ]

    def summary_items(self) -> list[tuple[str, Any]]:
        """What ``deepmd-lr show`` reports of this type's own keys.

        ``(label, value)`` pairs; by default each variant key's value.
        """
        return [
            (key.name, getattr(self, key.name))
            for key in self.variant_keys
            if getattr(self, key.name, None) is not None
        ]

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
        if not isinstance(data, Mapping):
            raise ValueError(
                f"a serialized schedule is a dict from serialize(), got "
                f"{type(data).__name__}"
            )
        values = dict(data)
        version = values.pop("@version", None)
        if version != cls.SERIALIZATION_VERSION:
            raise ValueError(
                f"cannot read a serialized schedule of format version "
                f"{version!r}; this deepmd-lr reads version "
                f"{cls.SERIALIZATION_VERSION}"
            )
        return cls(**values)

    # -- values ---------------------------------------------------------------

    @overload
    def value(self, step: float) -> float: ...
    @overload
    def value(self, step: np.ndarray) -> np.ndarray: ...
    @overload
    def value(self, step: Any) -> Any: ...
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
            # Ints are compared with ints only: int-float comparisons are
            # several times slower, and this is the per-step path of a loop.
            if step >= 0 and (kind is int or step < math.inf):
                if step < self.warmup_steps:
                    return self.warmup_start_lr + self._warmup_span * (
                        step / self.warmup_steps
                    )
                if step > _HORIZON_STEP:
                    step = _HORIZON_STEP
                return self._scalar_decay(step - self.warmup_steps)
            raise bad_step(step)
        return array_value(self, step)

    __call__ = value
    """A schedule is a plain callable of the step, the same as :meth:`value`."""

    @abstractmethod
    def _decay_xp(self, xp: Any, decay_step: Any) -> Any:
        """The decay-phase rate at floating steps ``decay_step >= 0``.

        The steps are float64, or float32 for a library without float64 (JAX
        without ``jax_enable_x64``); the result has the same dtype. They are
        finite: traced steps are at most
        :data:`~deepmd_lr.schedules.arrays.STEP_HORIZON`.

        ``xp`` is the array namespace of ``decay_step`` (NumPy, torch, JAX,
        ...). This is the one definition of the schedule's formula and the
        one method a new schedule must write: it may use only namespace
        functions and arithmetic, and no Python branch on the values of
        ``decay_step``, so that it can be compiled. It must not change
        ``decay_step`` in place: it may be the caller's own array.
        """

    def _scalar_decay(self, decay_step: float) -> float:
        """The decay-phase rate at a Python-number step ``decay_step >= 0``.

        The path of a training loop, which asks for one step at a time:
        built-in schedules write it with plain ``math``; the default
        evaluates :meth:`_decay_xp` on a zero-dimensional NumPy array.
        """
        import array_api_compat.numpy
        import numpy as np

        step = np.asarray(float(decay_step))
        return float(self._decay_xp(array_api_compat.numpy, step))


SCHEDULES.bind(BaseLR)


BaseLR.__signature__ = base_signature()  # type: ignore[attr-defined]


def _check_variant_key_names(cls: type[BaseLR]) -> None:
    """A type's own key may not stand for a common key or a schedule attribute."""
    taken = {"type", *_ATTRIBUTES, *(key.name for key in COMMON_KEYS)}
    for key in cls.variant_keys:
        if key.name in taken or hasattr(BaseLR, key.name):
            raise TypeError(
                f"{cls.__name__}: a key of its own cannot be named {key.name!r}, "
                "which every schedule already has"
            )
