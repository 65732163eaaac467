"""Questions: the facts a policy needs that the shared request vocabulary has no place for.

"Which sites will the drug be injected into?", "Has the patient responded to
therapy, as determined by the prescriber?": a policy declares each such fact once,
with the words a provider would be asked, its type, and its unit or allowed values.
The answers arrive in the request under the policy's name (``answers.<policy>.<id>``)
and are read as the fact ``answers.<id>``; a question left unanswered is a missing
fact, so the criteria that read it are unknown and the decision asks for it.
"""

from __future__ import annotations

from attrs import frozen

from umpolicy.dsl.choice import Choice


class AnswerType(Choice):
    """What kind of answer a question takes."""

    BOOLEAN = "boolean"
    CHOICE = "choice"
    QUANTITY = "quantity"
    DATE = "date"
    #: A list of items, each answering the question's ``fields`` (the sites to inject).
    LIST = "list"


@frozen
class Question:
    """A fact the policy asks the provider for: its id, its words, its type.

    ``values`` lists the codes a ``choice`` takes (each with its words), ``units`` the
    UCUM codes a ``quantity`` may be given in, and ``fields`` the questions each item
    of a ``list`` answers.
    """

    id: str
    text: str
    type: AnswerType
    values: tuple[tuple[str, str], ...] = ()
    units: tuple[str, ...] = ()
    fields: tuple[Question, ...] = ()

    @property
    def fact(self) -> str:
        """The fact name a policy's checks read the answer by (``answers.<id>``)."""
        return f"answers.{self.id}"
