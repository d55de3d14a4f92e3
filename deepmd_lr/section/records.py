"""Small value classes without :mod:`dataclasses`.

``deepmd-lr check`` builds a few records (a problem, a repeated key, a
migration note, a key declaration), and importing :mod:`dataclasses` pulls in
:mod:`inspect`, which alone costs about a third of the command's imports.
A record annotates its fields, names them in ``__slots__``, sets them in its
``__init__``,
and gets from here what a dataclass would have generated: equality with
records of the same class, a ``repr`` of its fields, positional
patterns in ``match``, and for a :class:`FrozenRecord` a hash, read-only attributes and pickling.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = ["FrozenRecord", "Record"]


class Record:
    """A record whose fields may change: equal by fields, never hashed."""

    __slots__ = ()
    __match_args__: ClassVar[tuple[str, ...]] = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    """The fields, in the order of their annotations: the annotated
    ``__slots__`` of the class and its bases."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = tuple(
            name
            for klass in reversed(cls.__mro__)
            for name in getattr(klass, "__annotations__", {})
            if name in klass.__dict__.get("__slots__", ())
        )
        cls.__match_args__ = cls._fields  # type: ignore[misc]

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record) and other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({fields})"


class FrozenRecord(Record):
    """A record whose fields are set once, in ``__init__``, with
    :meth:`_set`: hashable, and assigning an attribute raises
    :class:`AttributeError`. Its ``__init__`` takes the fields by position,
    in order, which is how a pickled record is rebuilt."""

    __slots__ = ()

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[Any, ...]:
        # The default would restore the slots by assignment, which raises.
        return (type(self), self._values())
