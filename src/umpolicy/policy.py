"""A whole coverage policy: its metadata, statement, indications and exclusions.

Every word, label and limit of the policy lives here once, in the tree; the
decision, the trail, the renderers and the docs all read it from this object.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Literal

from attrs import field, frozen
from attrs.validators import instance_of

from umpolicy.dsl.checks import Check
from umpolicy.dsl.drug import Drug
from umpolicy.dsl.nodes import AllOf, AnyOf, Node, facts_of, walk
from umpolicy.dsl.quantity import Quantity
from umpolicy.dsl.questions import Question
from umpolicy.dsl.valueset import ValueSet
from umpolicy.vocabulary.facts import Derived


@frozen
class Statement:
    """A sentence of the POLICY STATEMENT, with a key the engine quotes it by."""

    key: str
    text: str


@frozen
class Indication:
    """An indication: its criteria (a heading node), its dosing, and the approval period.

    ``approval`` is the period for the whole indication; a branch of the criteria may
    carry its own (initial versus continuation of therapy), which then wins.
    """

    criteria: AllOf | AnyOf
    dosing: Node
    section: str
    approval: Quantity | None = None

    @property
    def label(self) -> str:
        """The indication's number, e.g. ``1``."""
        return self.criteria.label

    @property
    def title(self) -> str:
        """The indication's name, e.g. ``Type 2 Diabetes Mellitus``."""
        return (self.criteria.title or self.criteria.text).rstrip(".")


@frozen
class NotRecommended:
    """A numbered item of CONDITIONS NOT RECOMMENDED FOR APPROVAL.

    With ``check``, an exclusion that holds whatever the criteria say ("concurrent use
    with another biologic"): when it is met the request is not recommended, and while
    it is unknown it is not approved. Without, the catch-all ("circumstances not
    listed"), which is what not meeting any indication means.
    """

    label: str
    text: str
    check: Check | None = None


@frozen
class Interpretation:
    """A product decision the code makes where the document is silent or ambiguous.

    ``labels`` are the nodes it touches. ``encoded=False`` marks the policy's own
    words that the code deliberately does not decide (context for the reviewer, such
    as a condition no request fact can show): the docs list them, and a worksheet
    shows them beside the nodes they touch, for the reviewer to confirm.
    """

    key: str
    title: str
    text: str
    labels: tuple[str, ...]
    encoded: bool = True


#: The outcomes a :class:`Review` may be for: the values of
#: :class:`umpolicy.engine.decision.Outcome` (a test holds the two equal), named here
#: so that checking a policy at load does not import the decision engine.
ReviewOutcome = Literal[
    "approve", "clinician_review", "not_recommended", "insufficient_information"
]


@frozen
class Review:
    """What the reviewer does next when the engine recommends ``outcome``.

    ``outcome`` is a decision outcome's value (``"clinician_review"``,
    ``"insufficient_information"``, ...). ``action`` says in a sentence what the
    reviewer checks or requests; ``statement`` names, by key, the POLICY STATEMENT
    sentences the action rests on, which are quoted from :attr:`Policy.statement`
    (never restated): :meth:`Policy.guidance` gives their words.
    """

    outcome: ReviewOutcome
    action: str
    statement: tuple[str, ...]


#: What the reviewer does next under the engine's outcome rules, which are the same for
#: every policy: a clinician review weighs the dosing case by case (quoting the POLICY
#: STATEMENT's ``case_by_case`` sentence), and insufficient information asks the
#: prescriber for the facts needed (quoting its ``approval`` sentence). A policy passes
#: it as ``review=`` unless its document says otherwise; loading checks both keys.
STANDARD_REVIEW = (
    Review(
        "clinician_review",
        "Consider the requested dosing case by case: the criteria are met, the dosing "
        "is outside the established dosing.",
        ("case_by_case",),
    ),
    Review(
        "insufficient_information",
        "Request the facts needed from the prescriber, then evaluate the request again: "
        "approval needs the Criteria and Dosing to be shown met.",
        ("approval",),
    ),
)


@frozen
class Source:
    """Context for reviewers (OVERVIEW, Dosing Information, Guidelines): adds no criteria."""

    heading: str
    paragraphs: tuple[str, ...]


@frozen
class Provenance:
    """What in a version of a policy is not the plan's own document, said where it is shown.

    A version umpolicy has no copy of (an earlier one, rebuilt from a revision note)
    carries one: ``text`` says what was reconstructed and from what, and which of its
    dates are a reading rather than the plan's; ``labels`` are the nodes whose words
    are reconstructed. The docs, the diff and the worksheet show it beside those words.
    """

    text: str
    labels: tuple[str, ...] = ()


@frozen(cache_hash=True)
class Policy:
    """A drug's utilization-management policy as executable data."""

    name: str
    title: str
    drug: str
    #: The drug's names and codes: a request for another drug is refused, never decided.
    requested: Drug = field(validator=instance_of(Drug))
    plans: str
    effective: dt.date
    reviewed: dt.date
    version: str
    revision_note: str
    context: tuple[Source, ...]
    statement: tuple[Statement, ...]
    preamble: str
    indications: tuple[Indication, ...]
    not_recommended_preamble: str
    not_recommended: tuple[NotRecommended, ...]
    interpretations: tuple[Interpretation, ...]
    #: The value sets, questions and derived facts the policy declares, by name.
    value_sets: tuple[ValueSet, ...] = ()
    questions: tuple[Question, ...] = ()
    derived: tuple[Derived, ...] = ()
    #: What the reviewer does next, for the outcomes that leave the decision to one.
    review: tuple[Review, ...] = ()
    #: What in this version is not the plan's own words or dates (``None``: all of it is).
    provenance: Provenance | None = None

    def said(self, key: str) -> str:
        """The POLICY STATEMENT sentence with this key."""
        for sentence in self.statement:
            if sentence.key == key:
                return sentence.text
        raise KeyError(key)

    def review_for(self, outcome: str) -> Review | None:
        """What the reviewer does next for this outcome's value, if the policy says."""
        for each in self.review:
            if each.outcome == outcome:
                return each
        return None

    def guidance(self, outcome: str) -> tuple[str, ...]:
        """The POLICY STATEMENT sentences the reviewer acts on for this outcome, quoted."""
        found = self.review_for(outcome)
        return () if found is None else tuple(self.said(key) for key in found.statement)

    @property
    def automation(self) -> str | None:
        """The POLICY STATEMENT's automation sentence ("Automation: None."), if it has one.

        Read from :attr:`statement` (key ``automation``), where the words live once.
        """
        for sentence in self.statement:
            if sentence.key == "automation":
                return sentence.text
        return None

    def facts(self) -> tuple[str, ...]:
        """Every fact the policy's checks read, each once, in the order it reads them."""
        names: dict[str, None] = {}
        for root in self.trees():
            names.update(dict.fromkeys(facts_of(root)))
        for item in self.not_recommended:
            if item.check is not None:
                names.update(dict.fromkeys(item.check.facts()))
        return tuple(names)

    def trees(self) -> tuple[Node, ...]:
        """The criteria and dosing of every indication, in the policy's order."""
        return _trees(self)

    def node(self, label: str) -> Node:
        """The node with this label (labels are unique in a policy)."""
        return _nodes(self)[label]

    @property
    def questions_by_id(self) -> Mapping[str, Question]:
        """The policy's questions by id, the key its answers come under (read only)."""
        return _questions(self)

    @property
    def exclusions(self) -> tuple[NotRecommended, ...]:
        """The items of CONDITIONS NOT RECOMMENDED that hold a check of their own."""
        return _exclusions(self)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the policy's canonical JSON: changes whenever any word or limit does."""
        return _content_hash(self)


# A policy is immutable and asked for its trees, exclusions and questions on every
# decision: each
# is worked out once per policy and kept with it, as its nodes and content hash are
# (a process holds a few policies and their versions, not thousands).
@functools.cache
def _trees(policy: Policy) -> tuple[Node, ...]:
    return tuple(root for each in policy.indications for root in (each.criteria, each.dosing))


@functools.cache
def _exclusions(policy: Policy) -> tuple[NotRecommended, ...]:
    return tuple(item for item in policy.not_recommended if item.check is not None)


@functools.cache
def _questions(policy: Policy) -> dict[str, Question]:
    return {question.id: question for question in policy.questions}


@functools.cache
def _nodes(policy: Policy) -> dict[str, Node]:
    return {node.label: node for root in policy.trees() for node in walk(root)}


@functools.cache
def _content_hash(policy: Policy) -> str:
    import hashlib  # here, once per policy: OpenSSL's bindings are slow to import

    from umpolicy.io.converter import CONVERTER, dumps

    return hashlib.sha256(dumps(CONVERTER.unstructure(policy)).encode()).hexdigest()
