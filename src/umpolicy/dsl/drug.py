"""The drug a policy decides, as a request names it: by its names and its codes.

A policy decides one drug. A request is sent to a policy by its caller, and says which
drug it asks for in ``medication``: a code (RxNorm, NDC, HCPCS or ATC) and a name. A
request for another drug (an order misrouted to another drug's policy) must never be
decided as if it were for the policy's own: its criteria would approve the wrong drug.
:meth:`Drug.mismatch` says when a request's medication is not shown to be the policy's
drug, and why. It is pure data, so the docs render it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

from attrs import field, frozen

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


#: The form of each system's codes: a code not of its system's form is refused (a typo,
#: said as one); a code given without its system, of one system's form alone, is read
#: as of that system (``J9271`` is HCPCS: another drug's, to a policy that lists its
#: HCPCS code). RxNorm's and NDC's forms overlap (ten digits may be either): such a
#: code shows nothing without its system.
FORMS = {
    DrugCodeSystem.RXNORM.value: re.compile(r"[1-9][0-9]{0,9}"),
    DrugCodeSystem.NDC.value: re.compile(
        r"[0-9]{10,11}|[0-9]{4}-[0-9]{4}-[0-9]{2}|[0-9]{5}-[0-9]{3,4}-[0-9]{2}|[0-9]{5}-[0-9]{4}-[0-9]"
    ),
    DrugCodeSystem.HCPCS.value: re.compile(r"[A-V][0-9]{4}"),
    DrugCodeSystem.ATC.value: re.compile(r"[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?"),
}


def system_of_form(code: str) -> str | None:
    """The one system whose form ``code`` has, if only one's (ten digits are two's)."""
    formed = [system for system, form in FORMS.items() if form.fullmatch(code)]
    return formed[0] if len(formed) == 1 else None


#: Each form in words, with an example, as an error says it.
FORM_WORDS = {
    DrugCodeSystem.RXNORM.value: "an RxNorm code (digits, such as 1116196)",
    DrugCodeSystem.NDC.value: "an NDC code (such as 12345-678-90)",
    DrugCodeSystem.HCPCS.value: "an HCPCS code (such as J9999)",
    DrugCodeSystem.ATC.value: "an ATC code (such as L01XX99)",
}

#: Words a name may open with before the drug's own (HCPCS's ``Injection, examplimab,
#: per 1 mg``; SNOMED CT's ``Product containing precisely examplimab``), casefolded.
OPENINGS = (
    "injection,",
    "injection",
    "inj.,",
    "inj.",
    "inj,",
    "inj",
    "product containing precisely",
    "product containing only",
    "product containing",
)
#: What a name may begin with before its words: quotes, brackets, spaces.
_LEADING = "\"'([{ \t"
#: Characters that join the drug's name to more (invisible marks, a hyphen's suffix):
#: ``examplimab-xyzw`` is another product (a biosimilar's suffix), not examplimab.
_JOINED = re.compile(r"[\w\u00ad\u200b-\u200f\u2060-\u2064\ufeff]|-(?!containing\b)[^\W\d_]")
#: The words a name may hold after the drug's own: its strength, units and dose form
#: (RxNorm's ``22000000 UNT Injection``, an NDC's ``22 MILLION UNIT/1 VIAL in 1 CARTON``,
#: an EHR's ``SOLR``), casefolded. Any other word may name another drug (``Brandname and
#: otherdrugmab``, ``examplimab pegol``), so a name holding one is refused: the words
#: a request may use are listed, never guessed.
TAIL_WORDS = frozenset(
    """
    containing product precisely only medicinal clinical drug
    injection injectable inj solution soln solr powder lyophilized lyophilised for
    reconstitution reconstituted intravenous iv infusion subcutaneous sc subq
    vial vials sdv single dose doses use per each in of kit carton
    million millions unit units unt iu miu mu mg ml mcg international intl r tm
    """.split()  # noqa: SIM905 (read as words, as a reviewer reads them)
)
#: The symbols a name may hold after the drug's: a brand's marks, read as spaces.
_MARKS = frozenset("®™©")
_UNMARKED = {ord(mark): " " for mark in _MARKS}
#: A word of a name: letters (the rest, numbers and punctuation, says no drug).
_WORD = re.compile(r"[^\W\d_]+")


def _tuple(values: object) -> object:
    """A list given for a tuple, as a tuple (a list would make the drug unhashable)."""
    return tuple(values) if isinstance(values, list) else values


@frozen(cache_hash=True)
class Drug:
    """The names and codes that identify a policy's drug in a request's ``medication``.

    ``Drug(("Brandname", "examplimab"), (ValueSet("brandname-hcpcs", "Brandname",
    "HCPCS", codes=("J9999",)),))``. ``codes`` are value sets of the drug's codes, one
    per code system the policy lists them in.

    A name names the drug when it begins with one of its names, as a whole word, in any
    letter case, perhaps after a dose form's opening (:data:`OPENINGS`), and then holds
    only its strength, units and dose form (:data:`TAIL_WORDS`) or the drug's own names,
    and no symbol but a brand's marks; it is read in NFKC form (full-width and circled
    letters as letters). ``examplimab 100 MG Injection [Brandname]`` and ``Injection,
    examplimab, per 1 mg`` name it; ``pegexamplimab`` (another drug), ``Otherdrug, not
    examplimab``, ``examplimab and otherdrugmab`` and ``examplimab + Ⓞⓣⓗⓔⓡ`` do not.

    A request is for the drug when everything its medication gives agrees, and something
    shows it:

    - a code of a system the policy lists, not in its set, is another drug's: refused;
    - a name that does not name the drug is refused, whatever the codes say;
    - a code of a system the policy lists none in (RxNorm, when only HCPCS codes are
      listed), or of no one drug (:data:`CATCH_ALL_HCPCS`), shows nothing either way:
      a name must show the drug, or the request is refused;
    - a medication that gives neither code nor name leaves the drug to the caller, who
      chose the policy.
    """

    names: tuple[str, ...] = field(converter=_tuple)
    codes: tuple[ValueSet, ...] = field(default=(), converter=_tuple)

    def __attrs_post_init__(self) -> None:
        names: object = self.names
        if not isinstance(names, tuple) or not names:  # a string: each letter a name
            raise ValueError(f"a drug is named by a tuple of names, got {names!r}")
        for name in self.names:
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"a drug's name is words, got {name!r}")
        codes: object = self.codes
        if not isinstance(codes, tuple) or not all(isinstance(c, ValueSet) for c in codes):
            raise ValueError(f"a drug's codes are a tuple of value sets, got {codes!r}")
        systems = [each.system for each in self.codes]
        for system in systems:
            if system not in DRUG_CODE_SYSTEMS:
                known = ", ".join(sorted(DRUG_CODE_SYSTEMS))
                raise ValueError(f"a drug's codes are of {known}, not {system!r}")
        if len(set(systems)) != len(systems):
            raise ValueError(f"a drug lists one value set per code system, got {systems}")

    def names_it(self, name: str) -> bool:
        """Whether ``name`` names the drug: it begins with one of its names (see above)."""
        return _names(self.names, name)

    def holds(self, code: str, system: str | None) -> bool | None:
        """Whether a code of ``system`` is the drug's: False another's, None it shows nothing.

        A code without its system is the drug's if a listed set holds it; else, of a form
        only one listed system writes (:data:`FORMS`), it is read as of that system.
        An HCPCS code of no one drug (:data:`CATCH_ALL_HCPCS`) shows nothing.
        """
        if system is None:
            if any(each.holds(code) for each in self.codes):
                return True
            system = system_of_form(code)
            if system is None:  # none (problems() refuses it), or RxNorm's and NDC's
                return None
        if system == DrugCodeSystem.HCPCS.value and code in CATCH_ALL_HCPCS:
            return None
        for each in self.codes:
            if each.system == system:
                return each.holds(code)
        return None

    def mismatch(
        self,
        codes: Sequence[tuple[str, str, str | None]],
        names: Sequence[tuple[str, str]],
    ) -> tuple[str, str] | None:
        """Where and why a medication is not shown to be this drug; None when it is.

        ``codes`` are (where, code, system) and ``names`` (where, name), each as the
        request gives them, ``where`` the field's path: the first that says another
        drug is named. A medication that gives neither is left to the caller.
        """
        for where, code, system in codes:
            if self.holds(code, system) is False:
                coded = f"{system} {code!r}" if system is not None else repr(code)
                return where, f"{coded} is not a code of {self.said()}: {self.decides()}"
        for where, name in names:
            if not self.names_it(name):
                return where, f"{name!r} does not name {self.said()}: {self.decides()}"
        if names or any(self.holds(code, system) for _, code, system in codes):
            return None
        if not codes:
            return None
        where, code, system = codes[0]
        coded = f"{system} {code!r}" if system is not None else repr(code)
        reason = (
            f"{coded} is not a code the policy lists for {self.said()}, and no name is given: "
            f"{self.decides()}"
        )
        return where, reason

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
        """What the policy decides, and how a request for it says so: what to do instead."""
        codes = self.listed()
        named = f"one of its codes ({codes}) or its name" if codes else "its name"
        return (
            f"this policy decides {self.names[0]} alone; a request for it gives {named} "
            "(another drug's request goes to that drug's policy)"
        )


@functools.lru_cache(maxsize=4096)
def _names(names: tuple[str, ...], name: str) -> bool:
    """Whether ``name`` begins with one of ``names`` (see :meth:`Drug.names_it`).

    Kept: requests name their drug in a few ways, each asked for again and again.
    """
    # Compatibility forms as their letters (circled, full-width): "Ⓚⓔⓨ" is "Key".
    unmarked = name.translate(_UNMARKED)  # (NFKC writes ™ as "TM", joined to the name)
    text = unicodedata.normalize("NFKC", unmarked).strip().casefold().lstrip(_LEADING)
    for opening in OPENINGS:
        rest = text[len(opening) :]
        if text.startswith(opening) and not rest[:1].isalnum():
            text = rest.lstrip(" ,").lstrip(_LEADING)
            break
    found = _pattern(names).match(text)
    if found is None or _JOINED.match(text, found.end()) is not None:
        return False
    own = {word for each in names for word in each.casefold().split()}
    rest = text[found.end() :]
    if any(unicodedata.category(char).startswith("S") for char in rest):
        return False  # a symbol ("+", an emoji's letters) may join another drug to it
    return all(word in TAIL_WORDS or word in own for word in _WORD.findall(rest))


@functools.cache
def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern of the names, each a whole word (a name's own spaces any spacing)."""
    words = ("\\s+".join(map(re.escape, each.casefold().split())) for each in names)
    return re.compile(f"(?:{'|'.join(words)})")


__all__ = [
    "CATCH_ALL_HCPCS",
    "DRUG_CODE_SYSTEMS",
    "FORMS",
    "FORM_WORDS",
    "OPENINGS",
    "TAIL_WORDS",
    "Drug",
    "DrugCodeSystem",
    "system_of_form",
]
