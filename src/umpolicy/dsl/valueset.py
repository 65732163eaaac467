"""Value sets: the codes a policy counts as one thing, named once and shown to reviewers.

A policy says "type 2 diabetes"; a request says ``E11.9``. A value set is the
bridge, written once in the policy's module: its name, the code system, the codes
it holds, and the code prefixes that stand for every code under them (``C43`` holds
``C43.9`` but not ``D03.9``). It is pure data, so the docs render it and the trail
quotes it.
"""

from __future__ import annotations

from attrs import field, frozen


@frozen
class ValueSet:
    """Named codes of one system; a prefix holds its code and every code beneath it.

    ``ValueSet("t2dm", "Type 2 diabetes mellitus", "ICD-10-CM", prefixes=("E11",))``
    holds ``E11``, ``E11.9`` and ``E11.65``, and ATC's ``L01`` holds ``L01FF02``: codes
    of these systems are hierarchical by their leading characters. ``excluded`` takes
    codes (or, ending in ``*``, prefixes) back out: the drug itself from "other systemic
    therapy", or one disease from a chapter.
    """

    name: str
    title: str
    system: str
    codes: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    #: The codes, and the codes and prefixes taken back out, as sets and tuples to test
    #: membership in one step each: a value set is asked for every code of every request.
    _lookup: tuple[frozenset[str], frozenset[str], tuple[str, ...]] = field(
        init=False, eq=False, hash=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        if not self.codes and not self.prefixes:
            raise ValueError(f"value set {self.name!r} holds no code")
        out = frozenset(code for code in self.excluded if not code.endswith("*"))
        under = tuple(code[:-1] for code in self.excluded if code.endswith("*"))
        object.__setattr__(self, "_lookup", (frozenset(self.codes), out, under))

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        codes, out, under = self._lookup
        if code not in codes and not code.startswith(self.prefixes):
            return False
        return code not in out and not code.startswith(under)

    def describe(self) -> str:
        """The set for reviewers: its title and what it holds."""
        held = [*self.codes, *(f"{prefix}*" for prefix in self.prefixes)]
        but = f", except {', '.join(self.excluded)}" if self.excluded else ""
        return f"{self.title} ({self.system} {', '.join(held)}{but})"
