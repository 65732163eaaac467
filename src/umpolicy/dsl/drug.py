"""The drug a policy decides, as a request names it: by its names and its codes.

A policy decides one drug. A request is sent to a policy by its caller, and says which
drug it asks for in ``medication``: a code (RxNorm, NDC, HCPCS or ATC) and a name. A
request for another drug (an order misrouted to another drug's policy)
must never be decided as if it were for the policy's own: its criteria would approve
the wrong drug. :meth:`Drug.mismatch` says when a request's medication is not shown to
be the policy's drug, and why. It is pure data, so the docs render it.
"""

from __future__ import annotations

import functools
import re

from attrs import frozen

from umpolicy.dsl.choice import Choice
from umpolicy.dsl.valueset import ValueSet


class DrugCodeSystem(Choice):
    """The code systems a request's drug may be coded in (its value is the system's name)."""

    RXNORM = "RxNorm"
    NDC = "NDC"
    HCPCS = "HCPCS"
    ATC = "ATC"


#: The systems' names, as value sets name them.
DRUG_CODE_SYSTEMS = frozenset(each.value for each in DrugCodeSystem)

#: HCPCS codes of no one drug ("not otherwise classified", "unclassified"): J9999 is any
#: antineoplastic without a code of its own. A request coded by one shows nothing of
#: which drug it is for: its name must.
CATCH_ALL_HCPCS = frozenset(
    (
        *("C9399", "J3490", "J3590", "J7599", "J7699"),
        *("J7799", "J7999", "J8499", "J8999", "J9999"),
    )
)


@frozen
class Drug:
    """The names and codes that identify a policy's drug in a request's ``medication``.

    ``Drug(("Brandname", "examplimab"), (ValueSet("brandname-hcpcs", "Brandname",
    "HCPCS", codes=("J9999",)),))``. A name is matched as a whole word, in any letter
    case: ``examplimab 100 MG Injection`` names examplimab, ``pegexamplimab`` (another
    drug) does not. ``codes`` are value sets of the drug's codes, one
    per code system the policy lists them in.

    A request is for the drug when what its medication gives shows it: a code of a
    listed set, or a name that names the drug. A code of a system the policy lists,
    not in its set, is another drug's. A code of a system the policy does not list
    (RxNorm, when only HCPCS codes are listed) shows nothing either way: the name must
    show it. A medication that gives neither code nor name leaves the drug to the
    caller, who chose the policy.
    """

    names: tuple[str, ...]
    codes: tuple[ValueSet, ...] = ()

    def __attrs_post_init__(self) -> None:
        names: object = self.names
        if isinstance(names, str) or not names:  # each letter would be a name
            raise ValueError(f"a drug is named by a tuple of names, got {names!r}")
        for name in self.names:
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"a drug's name is words, got {name!r}")
        systems = [each.system for each in self.codes]
        for system in systems:
            if system not in DRUG_CODE_SYSTEMS:
                known = ", ".join(sorted(DRUG_CODE_SYSTEMS))
                raise ValueError(f"a drug's codes are of {known}, not {system!r}")
        if len(set(systems)) != len(systems):
            raise ValueError(f"a drug lists one value set per code system, got {systems}")

    def names_it(self, name: str) -> bool:
        """Whether ``name`` names the drug: one of its names, as a whole word, any case."""
        return _pattern(self.names).search(name) is not None

    def holds(self, code: str, system: str | None) -> bool | None:
        """Whether a code of ``system`` is the drug's (None: the code shows nothing).

        A code without its system is the drug's if a listed set holds it, else shows
        nothing: the same code may mean another drug in another system. An HCPCS code of
        no one drug (:data:`CATCH_ALL_HCPCS`) shows nothing.
        """
        if system in (None, DrugCodeSystem.HCPCS.value) and code in CATCH_ALL_HCPCS:
            return None
        for each in self.codes:
            if system is None or each.system == system:
                held = each.holds(code)
                if held or system is not None:
                    return None if held is None else held
        return None

    def mismatch(
        self, code: str | None, system: str | None, name: str | None
    ) -> tuple[str, str] | None:
        """The field and the reason when a medication is not shown to be this drug.

        ``None`` when the code or the name shows it is, and neither says it is another;
        and when the medication gives neither.
        """
        held = None if code is None else self.holds(code, system)
        named = name is not None and self.names_it(name)
        coded = f"{system} {code}" if system is not None else repr(code)
        if held is False:
            return "code", f"{coded} is not a code of {self.said()}: {self.decides()}"
        if held or named or (code is None and name is None):
            return None
        if code is not None:
            reason = (
                f"{coded} is not a code the policy lists for {self.said()}, and "
                f"{self._named(name)}: {self.decides()}"
            )
            return "code", reason
        return "name", f"{name!r} does not name {self.said()}: {self.decides()}"

    def said(self) -> str:
        """The drug's names in words: ``Brandname or examplimab``."""
        return " or ".join(self.names)

    def listed(self) -> str:
        """The drug's codes, system by system: ``HCPCS J9999; ATC L01XX99`` (may be empty)."""
        return "; ".join(
            f"{each.system} {', '.join((*each.codes, *(f'{p}*' for p in each.prefixes)))}"
            for each in self.codes
        )

    def describe(self) -> str:
        """The drug for reviewers: its names and its codes."""
        codes = self.listed()
        return f"{', '.join(self.names)}" + (f" (codes: {codes})" if codes else " (no codes)")

    def decides(self) -> str:
        """What the policy decides, and what a request for it may give."""
        codes = self.listed()
        return f"this policy decides {self.names[0]} alone" + (
            f" (its codes: {codes})" if codes else ""
        )

    @staticmethod
    def _named(name: str | None) -> str:
        return "no name is given" if name is None else f"the name {name!r} names neither"


@functools.cache
def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern of the names, each a whole word (a name's own spaces any spacing)."""
    words = ("\\s+".join(map(re.escape, each.split())) for each in names)
    return re.compile(f"(?<!\\w)(?:{'|'.join(words)})(?!\\w)", re.IGNORECASE)


__all__ = ["CATCH_ALL_HCPCS", "DRUG_CODE_SYSTEMS", "Drug", "DrugCodeSystem"]
