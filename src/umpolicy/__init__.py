"""umpolicy: utilization-management drug policies as executable, explainable code."""

import importlib
from typing import TYPE_CHECKING, Any

from umpolicy.checks import AtLeast, AtMost, Check, Either, Finding, Includes, IsTrue, OneOf
from umpolicy.errors import FieldError, InputError, UnknownPolicyError
from umpolicy.facts import FACTS, Fact, FactBook, FactSpec
from umpolicy.nodes import AllOf, AnyOf, DoseLimit, Node, Predicate, facts_of, walk
from umpolicy.policy import (
    Indication,
    Interpretation,
    NotRecommended,
    Policy,
    Source,
    Statement,
)
from umpolicy.quantity import Quantity
from umpolicy.registry import load_policy, policy_names
from umpolicy.request import (
    Condition,
    Diagnosis,
    Lesion,
    LesionSite,
    LesionStatus,
    Patient,
    Physician,
    Regimen,
    Request,
    Route,
    Specialty,
    Therapy,
)
from umpolicy.status import Status
from umpolicy.units import UNITS, Dimension, Unit, unit

if TYPE_CHECKING:
    from umpolicy.converter import dumps, loads, make_converter, structure
    from umpolicy.decision import Authorization, Decision, Outcome, PolicyRef, Reason, decide
    from umpolicy.trail import Trail, explain

#: Names served by a module imported on first use, so that importing umpolicy and
#: loading a policy stay quick: the converter (cattrs is slow to import), decisions
#: and the trail.
_LAZY = {
    **dict.fromkeys(("dumps", "loads", "make_converter", "structure"), "umpolicy.converter"),
    **dict.fromkeys(
        ("Authorization", "Decision", "Outcome", "PolicyRef", "Reason", "decide"),
        "umpolicy.decision",
    ),
    **dict.fromkeys(("Trail", "explain"), "umpolicy.trail"),
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
    "UNITS",
    "AllOf",
    "AnyOf",
    "AtLeast",
    "AtMost",
    "Authorization",
    "Check",
    "Condition",
    "Decision",
    "Diagnosis",
    "Dimension",
    "DoseLimit",
    "Either",
    "Fact",
    "FactBook",
    "FactSpec",
    "FieldError",
    "Finding",
    "Includes",
    "Indication",
    "InputError",
    "Interpretation",
    "IsTrue",
    "Lesion",
    "LesionSite",
    "LesionStatus",
    "Node",
    "NotRecommended",
    "OneOf",
    "Outcome",
    "Patient",
    "Physician",
    "Policy",
    "PolicyRef",
    "Predicate",
    "Quantity",
    "Reason",
    "Regimen",
    "Request",
    "Route",
    "Source",
    "Specialty",
    "Statement",
    "Status",
    "Therapy",
    "Trail",
    "Unit",
    "UnknownPolicyError",
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
