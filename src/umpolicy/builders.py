"""Quick constructors for the trail's records: the same frozen instance, built for less.

A full trail builds some forty frozen attrs instances per request. A frozen class's
``__init__`` sets each field through ``object.__setattr__``, which looks the name up
every time. :func:`builder` writes, once per class (as attrs writes ``__init__``), a
function that sets the slots through their descriptors instead: the result is an
instance of the very class, equal to what the class itself builds, and as frozen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

import attrs

P = ParamSpec("P")
T = TypeVar("T")


def builder(cls: Callable[P, T], *, converted: bool = False) -> Callable[P, T]:
    """A function taking the arguments ``cls`` takes and giving what ``cls(...)`` gives.

    Only for a slotted attrs class whose ``__init__`` does nothing but store its
    arguments (no validators, converters, factories or post-init hook): for any
    other, bypassing ``__init__`` would skip work, so this refuses it. With
    ``converted``, converters are allowed: the caller promises each argument
    already in the form its converter gives (as ``Quantity(value, unit)`` does not
    change a :class:`~decimal.Decimal` and a :class:`~umpolicy.units.Unit`).
    """
    if not (isinstance(cls, type) and attrs.has(cls) and "__slots__" in cls.__dict__):
        raise TypeError(f"{cls!r} is not a slotted attrs class")
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        raise TypeError(f"{cls.__name__} has an init hook that a builder would skip")
    namespace: dict[str, object] = {"new": object.__new__, "cls": cls}
    params, lines = [], []
    for field in attrs.fields(cls):
        skipped = field.validator or (field.converter and not converted)
        if skipped or isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            raise TypeError(f"{cls.__name__}.{field.name} has work that a builder would skip")
        if not field.init or field.kw_only or field.alias != field.name:
            raise TypeError(f"{cls.__name__}.{field.name} is not a plain positional field")
        name = field.name
        namespace[f"set_{name}"] = cls.__dict__[name].__set__
        if field.default is attrs.NOTHING:
            params.append(name)
        else:
            namespace[f"default_{name}"] = field.default
            params.append(f"{name}=default_{name}")
        lines.append(f"    set_{name}(self, {name})")
    source = "\n".join(
        [f"def build({', '.join(params)}):", "    self = new(cls)", *lines, "    return self"]
    )
    exec(compile(source, f"<umpolicy builder {cls.__qualname__}>", "exec"), namespace)
    build: Any = namespace["build"]
    build.__doc__ = f"Build a {cls.__name__} (as ``{cls.__name__}(...)``, quicker)."
    return cast("Callable[P, T]", build)
