"""umpolicy: utilization-management drug policies as executable, explainable code."""

from umpolicy.checks import AtLeast, AtMost, Check, Either, Finding, Includes, IsTrue, OneOf
from umpolicy.converter import dumps, loads, make_converter, structure
from umpolicy.decision import Authorization, Decision, Outcome, PolicyRef, Reason, decide
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
from umpolicy.trail import Trail, explain
from umpolicy.units import UNITS, Dimension, Unit

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
    "walk",
]
