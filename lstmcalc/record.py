"""`Record`: the base of lstmcalc's small values (a weight, a formula, a layer's record, a problem).

A record class names its fields in `__slots__` and sets them in `__init__`;
`Record` gives it equality and hashing by those fields, a repr, and
`_replace` (a copy with some fields changed, as namedtuple's). Records are
built once and then only read. Declaring one costs a plain class's time at
import, where a dataclass or NamedTuple compiles or evaluates code per
class: that is most of the start-up that `summary` has beyond Python's own.
"""

from __future__ import annotations


class Record:
    """Equality, hash, repr and `_replace` over the fields named in `__slots__`."""

    __slots__ = ()

    def _values(self) -> tuple:
        return tuple(getattr(self, f) for f in self.__slots__)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{f}={getattr(self, f)!r}' for f in self.__slots__)})"

    def _replace(self, **changes):
        """A copy with the given fields changed (TypeError for a name that is not a field)."""
        values = {f: getattr(self, f) for f in self.__slots__}
        if not changes.keys() <= values.keys():
            raise TypeError(f"{type(self).__name__} has no field {sorted(changes.keys() - values.keys())[0]!r}")
        return type(self)(**{**values, **changes})
