"""umpolicy: utilization-management drug policies as executable, explainable code."""

import importlib
from typing import TYPE_CHECKING, Any

from umpolicy.dsl.checks import (
    AtLeast,
    AtMost,
    Both,
    Check,
    Either,
    Includes,
    IsTrue,
    LessThan,
    Not,
    OneOf,
)
from umpolicy.dsl.drug import Drug, DrugCodeSystem
from umpolicy.dsl.findings import Fact, Finding
from umpolicy.dsl.nodes import AllOf, AnyOf, DoseLimit, Node, Predicate, facts_of, walk
from umpolicy.dsl.quantity import Quantity
from umpolicy.dsl.questions import AnswerType, Question
from umpolicy.dsl.status import Status
from umpolicy.dsl.units import Unit, unit
from umpolicy.dsl.valueset import ValueSet
from umpolicy.errors import FieldError, InputError, PolicyError, UnknownPolicyError
from umpolicy.policy import (
    STANDARD_REVIEW,
    Indication,
    Interpretation,
    NotRecommended,
    Policy,
    Review,
    Source,
    Statement,
)
from umpolicy.registry import load_policy, policy_names
from umpolicy.vocabulary.facts import (
    FACTS,
    Consulted,
    EveryItem,
    FactSpec,
    TherapyCount,
    TherapyListed,
)
from umpolicy.vocabulary.request import (
    Coding,
    DrugCode,
    History,
    Medication,
    Patient,
    Practitioner,
    Request,
    RequestKind,
    Schedule,
    Sex,
    Therapies,
    Therapy,
    TherapyOutcome,
)

#: The release; the package metadata reads it from here.
__version__ = "0.2.0"

if TYPE_CHECKING:
    from umpolicy.engine.decision import (
        Authorization,
        Decision,
        Outcome,
        PolicyRef,
        Reason,
        decide,
    )
    from umpolicy.engine.trail import Step, Trail, explain
    from umpolicy.io.converter import dumps, loads, make_converter, structure

#: Names served by a module imported on first use, so that importing umpolicy and
#: loading a policy stay quick: the converter (cattrs is slow to import), decisions
#: and the trail.
_LAZY = {
    **dict.fromkeys(("dumps", "loads", "make_converter", "structure"), "umpolicy.io.converter"),
    **dict.fromkeys(
        ("Authorization", "Decision", "Outcome", "PolicyRef", "Reason", "decide"),
        "umpolicy.engine.decision",
    ),
    **dict.fromkeys(("Step", "Trail", "explain"), "umpolicy.engine.trail"),
}


def __getattr__(name: str) -> Any:
    """Import a module of :data:`_LAZY` only when one of its names is first asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'umpolicy' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, those imported on first use included (for ``dir`` and help)."""
    return sorted({*globals(), *_LAZY})


__all__ = [
    "FACTS",
    "STANDARD_REVIEW",
    "AllOf",
    "AnswerType",
    "AnyOf",
    "AtLeast",
    "AtMost",
    "Authorization",
    "Both",
    "Check",
    "Coding",
    "Consulted",
    "Decision",
    "DoseLimit",
    "Drug",
    "DrugCode",
    "DrugCodeSystem",
    "Either",
    "EveryItem",
    "Fact",
    "FactSpec",
    "FieldError",
    "Finding",
    "History",
    "Includes",
    "Indication",
    "InputError",
    "Interpretation",
    "IsTrue",
    "LessThan",
    "Medication",
    "Node",
    "Not",
    "NotRecommended",
    "OneOf",
    "Outcome",
    "Patient",
    "Policy",
    "PolicyError",
    "PolicyRef",
    "Practitioner",
    "Predicate",
    "Quantity",
    "Question",
    "Reason",
    "Request",
    "RequestKind",
    "Review",
    "Schedule",
    "Sex",
    "Source",
    "Statement",
    "Status",
    "Step",
    "Therapies",
    "Therapy",
    "TherapyCount",
    "TherapyListed",
    "TherapyOutcome",
    "Trail",
    "Unit",
    "UnknownPolicyError",
    "ValueSet",
    "decide",
    "dumps",
    "explain",
    "facts_of",
    "load_policy",
    "loads",
    "make_converter",
    "policy_names",
    "structure",
    "unit",
    "walk",
]
