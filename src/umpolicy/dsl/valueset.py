"""Value sets: the codes a policy counts as one thing, named once and shown to reviewers.

A policy says "type 2 diabetes"; a request says ``E11.9``. A value set is the
bridge, written once in the policy's module: its name, the code system, the codes
it holds, and the code prefixes that stand for every code under them (``C43`` holds
``C43.9`` but not ``D03.9``). It is pure data, so the docs render it and the trail
quotes it.
"""

from __future__ import annotations

from attrs import frozen


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

    def __attrs_post_init__(self) -> None:
        if not self.codes and not self.prefixes:
            raise ValueError(f"value set {self.name!r} holds no code")

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        if code not in self.codes and not code.startswith(self.prefixes):
            return False
        return not self.excluded or not any(
            code.startswith(out[:-1]) if out.endswith("*") else code == out for out in self.excluded
        )

    def describe(self) -> str:
        """The set for reviewers: its title and what it holds."""
        held = [*self.codes, *(f"{prefix}*" for prefix in self.prefixes)]
        but = f", except {', '.join(self.excluded)}" if self.excluded else ""
        return f"{self.title} ({self.system} {', '.join(held)}{but})"
