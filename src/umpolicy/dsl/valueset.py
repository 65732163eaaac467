"""Value sets: the codes a policy counts as one thing, named once and shown to reviewers.

A policy says "type 2 diabetes"; a request says ``E11.9``. A value set is the
bridge, written once in the policy's module: its name, the code system, the codes
it holds, and the code prefixes that stand for every code under them (``C43`` holds
``C43.9`` but not ``D03.9``). It is pure data, so the docs render it and the trail
quotes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from attrs import field, frozen

#: The code systems whose codes are hierarchical by their leading characters: a code's
#: descendants all begin with it (ATC ``L03AC`` holds ``L03AC01``; ICD-10-CM ``D89.81``
#: holds ``D89.811``). In the others a shared beginning means nothing (SNOMED CT ids,
#: NUCC taxonomy codes), so only the codes and prefixes a set names are in it.
HIERARCHICAL = frozenset({"ATC", "ICD-10-CM"})
#: The code systems of the shared vocabulary, whose codes are upper-case letters, digits
#: and ``.`` only (a request's are held to that form): a code of a set in another form
#: (lower case, a space) would match no request's code, and an exclusion would not hold.
_CODE_TEXT = re.compile(r"[0-9A-Z.]+")
VOCABULARY_SYSTEMS = frozenset({*HIERARCHICAL, "NUCC taxonomy", "SNOMED CT"})


def _beginnings(codes: Iterable[str]) -> frozenset[str]:
    """Every proper beginning of each code: the groups above it in a hierarchical system."""
    return frozenset(code[:end] for code in codes for end in range(1, len(code)))


_Lookup = tuple[
    frozenset[str], tuple[str, ...], frozenset[str], tuple[str, ...], frozenset[str], frozenset[str]
]


@frozen
class ValueSet:
    """Named codes of one system; a prefix holds its code and every code beneath it.

    ``ValueSet("t2dm", "Type 2 diabetes mellitus", "ICD-10-CM", prefixes=("E11",))``
    holds ``E11``, ``E11.9`` and ``E11.65``, and ATC's ``L01`` holds ``L01FF02``: codes
    of these systems are hierarchical by their leading characters (a prefix's trailing
    ``.``, as in ``C43.``, is only ICD-10-CM's separator, so ``C43`` is held too).
    ``excluded`` takes codes (or, ending in ``*``, prefixes) back out: the drug itself
    from "other systemic therapy", or one disease from a chapter. ``undecided`` names
    codes whose own meaning leaves membership open (an "unspecified" code, which may be
    the set's disease or another): for them :meth:`holds` answers unknown, so the
    criterion that asks is unknown and the decision asks for a more specific code. In the
    shared vocabulary's systems (:data:`VOCABULARY_SYSTEMS`) every code is written as
    requests write it, or the set is refused: ``l40.5*`` would take nothing out.

    In a :data:`HIERARCHICAL` system a group code may stand for any code beneath it, so
    :meth:`holds` answers in three values: the group ``L01XC`` is in a set holding
    ``L01``; ``L04A`` may be in one holding ``L04AB`` (unknown), and so may ``L03AC`` in
    one holding ``L03`` except ``L03AC01`` (it may be that very drug, or another one).
    """

    name: str
    title: str
    system: str
    codes: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()
    #: The codes, the prefixes, the codes and prefixes taken back out, and the groups
    #: that hold some code of the set and those that hold some code taken out (none
    #: outside :data:`HIERARCHICAL`), worked out once: a set is asked for every code of
    #: every request, so each question takes one step.
    _lookup: _Lookup = field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        for part in ("codes", "prefixes", "excluded", "undecided"):
            given: object = getattr(self, part)
            if isinstance(given, str):  # each character would be a code: "C43" holds C50.9
                raise ValueError(
                    f"value set {self.name!r}: {part} is one string, {given!r}: give a tuple "
                    f"({given!r},)"
                )
        if not self.codes and not self.prefixes:
            raise ValueError(f"value set {self.name!r} holds no code")
        if self.system in VOCABULARY_SYSTEMS:
            for code in (*self.codes, *self.prefixes, *self.excluded, *self.undecided):
                if not _CODE_TEXT.fullmatch(code.removesuffix("*")):
                    raise ValueError(
                        f"value set {self.name!r}: {code!r} is not written as a {self.system} "
                        "code is (upper-case letters, digits and '.'): no request's code "
                        "would match it"
                    )
        prefixes = tuple(prefix.rstrip(".") for prefix in self.prefixes)
        out = frozenset(code for code in self.excluded if not code.endswith("*"))
        under = tuple(code[:-1].rstrip(".") for code in self.excluded if code.endswith("*"))
        above_in = above_out = frozenset[str]()
        if self.system in HIERARCHICAL:
            # Those not taken out hold codes of the set, and the undecided may be.
            held = (*self.codes, *prefixes, *self.undecided)
            above_in = _beginnings(c for c in held if c not in out and not c.startswith(under))
            above_out = _beginnings((*out, *under))
        lookup = (frozenset(self.codes), prefixes, out, under, above_in, above_out)
        object.__setattr__(self, "_lookup", lookup)

    def holds(self, code: object) -> bool | None:
        """True when ``code`` is in the set, False when not; None when it may be.

        An undecided code may be in it. A code taken back out is not in the set, nor is
        any code beneath a prefix taken out. A group beneath a prefix of the set is in it,
        unless it holds a code taken out; a group above a code or prefix of the set may be
        in it. Either is unknown,
        as a therapy listed without codes is: the group's codes may be the set's or not.
        """
        if not isinstance(code, str):
            return False
        codes, prefixes, out, under, above_in, above_out = self._lookup
        if code in self.undecided:
            return None
        if code in out or code.startswith(under):
            return False
        if code in codes or code.startswith(prefixes):
            return None if code in above_out else True
        return None if code in above_in else False

    def holds_any(self, codes: Iterable[str]) -> bool | None:
        """Whether codes of one thing (a therapy's) put it in the set: Kleene "any".

        A group code that another of its codes refines says nothing more: a therapy
        coded ``L01FF02`` and ``L01FF`` is that one drug, not "maybe another drug".
        """
        listed = tuple(codes)
        found: bool | None = False
        for code in listed:
            held = self.holds(code)
            if held:
                return True
            if held is None and not any(
                other != code and other.startswith(code) for other in listed
            ):
                found = None
        return found

    def __contains__(self, code: object) -> bool:
        """True only when :meth:`holds` is sure the code is in the set."""
        return self.holds(code) is True

    def describe(self) -> str:
        """The set for reviewers: its title and what it holds."""
        held = [*self.codes, *(f"{prefix}*" for prefix in self.prefixes)]
        but = f", except {', '.join(self.excluded)}" if self.excluded else ""
        open_ = f"; {', '.join(self.undecided)} left open" if self.undecided else ""
        return f"{self.title} ({self.system} {', '.join(held)}{but}{open_})"
