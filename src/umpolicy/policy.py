"""A whole coverage policy: its metadata, statement, indications and exclusions.

Every word, label and limit of the policy lives here once, in the tree; the
decision, the trail, the renderers and the docs all read it from this object.
"""

from __future__ import annotations

import datetime as dt
import functools

from attrs import frozen

from umpolicy.nodes import AllOf, AnyOf, Node, facts_of
from umpolicy.quantity import Quantity


@frozen
class Statement:
    """A sentence of the POLICY STATEMENT, with a key the engine quotes it by."""

    key: str
    text: str


@frozen
class Indication:
    """An indication: its criteria (a heading node), its dosing, and the approval period."""

    criteria: AllOf | AnyOf
    dosing: Node
    approval: Quantity
    section: str

    @property
    def label(self) -> str:
        """The indication's number, e.g. ``1``."""
        return self.criteria.label

    @property
    def title(self) -> str:
        """The indication's name, e.g. ``Cutaneous Melanoma``."""
        return (self.criteria.title or self.criteria.text).rstrip(".")


@frozen
class NotRecommended:
    """A numbered item of CONDITIONS NOT RECOMMENDED FOR APPROVAL."""

    label: str
    text: str


@frozen
class Interpretation:
    """A product decision the code makes where the document is silent or ambiguous."""

    key: str
    title: str
    text: str
    labels: tuple[str, ...]


@frozen
class Source:
    """Context for reviewers (OVERVIEW, Dosing Information, Guidelines): adds no criteria."""

    heading: str
    paragraphs: tuple[str, ...]


@frozen(cache_hash=True)
class Policy:
    """A drug's utilization-management policy as executable data."""

    name: str
    title: str
    drug: str
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

    def said(self, key: str) -> str:
        """The POLICY STATEMENT sentence with this key."""
        for sentence in self.statement:
            if sentence.key == key:
                return sentence.text
        raise KeyError(key)

    def facts(self) -> tuple[str, ...]:
        """Every fact the policy reads, each once, in the order the policy reads them."""
        names: dict[str, None] = {}
        for indication in self.indications:
            names.update(dict.fromkeys(facts_of(indication.criteria)))
            names.update(dict.fromkeys(facts_of(indication.dosing)))
        return tuple(names)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the policy's canonical JSON: changes whenever any word or limit does."""
        return _content_hash(self)


@functools.cache
def _content_hash(policy: Policy) -> str:
    import hashlib  # here, once per policy: OpenSSL's bindings are slow to import

    from umpolicy.converter import CONVERTER, dumps

    return hashlib.sha256(dumps(CONVERTER.unstructure(policy)).encode()).hexdigest()
