"""How a trail is written as JSON: defined once, for its data and for its text.

A decision's trail (some thirty steps, forty findings and thirty facts) is most of
what umpolicy writes per request. :func:`trail_data` is its JSON data, what
``CONVERTER.unstructure`` gives. :func:`trail_text` is that data's canonical JSON text
(what :func:`~umpolicy.io.converter.dumps` writes of it, byte for byte), written by the
same code, :func:`_trail`, with shortcuts that leave the text as it is:

- every object's keys are written in sorted order, and the steps and facts sorted by
  label and name, so orjson has nothing left to sort (sorting was a third of its work);
- a finding of status and facts alone (a one-fact check's, shared by every request)
  is written to text once, and reused while it is kept;
- a finding or quantity that several steps share (a request's quantity is most often
  a fact too) is written once per trail, and a limit to text once while it is kept
  (the policy's limits are the same objects in every request);
- a step that the compiled walk made beforehand (:data:`umpolicy.engine.trail.SHARED`,
  most steps of most requests) is written to text once, and found again in one look-up.

:func:`writing_text` sets a converter to write each trail so, as
:func:`umpolicy.api.to_json` does, and to leave a decision's fields that orjson writes
as they are (its outcome, its texts and lists of text) without a call each.
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import cattrs
import orjson
from cattrs.fns import identity
from cattrs.gen import make_dict_unstructure_fn, override

from umpolicy.dsl.findings import Fact, Finding, Value
from umpolicy.dsl.kept import by_identity, keep
from umpolicy.dsl.quantity import Quantity, format_decimal
from umpolicy.engine.decision import Decision, Reason
from umpolicy.engine.trail import KEPT_STEPS, SHARED, Step, Trail

#: How many entries each cache of the text keeps before it starts anew: bounded memory,
#: whatever the trails written (a trail read back from JSON has objects of its own).
CACHED = 4096

Data = dict[str, object]
#: How a quantity, a finding, are written; in what order a mapping's keys are.
QuantityWriter = Callable[[Quantity], object]
FindingWriter = Callable[[Finding], object]
Order = Callable[[Mapping[str, Any]], Iterable[str]]


def quantity_data(quantity: Quantity) -> dict[str, str]:
    """A quantity as JSON: its value as plain decimal text, and its UCUM code."""
    return {"unit": quantity.unit.code, "value": format_decimal(quantity.value)}


def value_data(value: Value | None, quantity: QuantityWriter = quantity_data) -> object:
    """A fact's value (or an answer's) as JSON: a set as its sorted items, a date as text."""
    if isinstance(value, Quantity):
        return quantity(value)
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def finding_data(
    finding: Finding,
    quantity: QuantityWriter = quantity_data,
    limits: QuantityWriter = quantity_data,
) -> Data:
    """A finding as JSON: its status and facts, and its quantities and note when it has them.

    ``limits`` writes the limit (most often the policy's own quantity), ``quantity`` the
    quantity requested.
    """
    status, facts, requested, limit, note = finding
    data: Data = {"facts": list(facts)}
    if limit is not None:
        data["limit"] = limits(limit)
    if note is not None:
        data["note"] = note
    if requested is not None:
        data["requested"] = quantity(requested)
    data["status"] = status._value_
    return data


def _as_given(mapping: Mapping[str, Any]) -> Iterable[str]:
    """The keys in the mapping's own order: the data keeps the policy's and reading order."""
    return mapping


def facts_data(
    facts: Mapping[str, Fact], quantity: QuantityWriter = quantity_data, order: Order = _as_given
) -> dict[str, Data]:
    """Each fact by name: its value, and its inputs, exact square and partiality when set."""
    written: dict[str, Data] = {}
    for name in order(facts):
        _, value, inputs, square, partial = facts[name]
        if value is not None:  # by its exact kind: a quantity, as it is, or value_data's
            kind = type(value)
            if kind is Quantity:  # the most frequent of the values not as they are
                value = quantity(value)  # type: ignore[arg-type,assignment]  # its JSON
            elif kind is not bool and kind is not str:
                value = value_data(value, quantity)  # type: ignore[assignment]
        if inputs or partial or square is not None:
            fact: Data = {}
            if square is not None:
                fact["exact_square"] = str(square)
            if inputs:
                fact["inputs"] = list(inputs)
            if partial:
                fact["partial"] = True
            fact["value"] = value
            written[name] = fact
        else:
            written[name] = {"value": value}
    return written


def fact_data(fact: Fact) -> Data:
    """One fact as JSON, as a trail writes it."""
    return facts_data({fact.name: fact})[fact.name]


def _trail(
    trail: Trail,
    finding: FindingWriter,
    quantity: QuantityWriter,
    order: Order,
    shared: dict[int, tuple[Step, orjson.Fragment]] | None = None,
) -> Data:
    """The compact trail: every step by label, every fact once by name, defaults left out.

    The one definition of a trail's JSON. Every object's keys are put in sorted order,
    so that :func:`trail_text` need not sort them (the facts and steps too, by
    ``order``); ``finding`` and ``quantity`` write those parts, as data or as text, and
    ``shared`` holds the text of the steps made beforehand, by identity.
    """
    steps = trail.steps
    written: Data = {}
    for label in order(steps):
        each = steps[label]
        if shared is not None:  # a step made beforehand: its text, in one look-up
            text = shared.get(id(each))
            if text is not None:
                written[label] = text[1]
                continue
            if id(each) in SHARED:
                written[label] = _shared_step(each)
                continue
        status, findings, applies, off = each
        if applies and not off:  # most steps: their findings (most often one) and status
            if len(findings) == 1:
                written[label] = {"findings": [finding(findings[0])], "status": status._value_}
            elif findings:
                found = [finding(f) for f in findings]
                written[label] = {"findings": found, "status": status._value_}
            else:
                written[label] = {"status": status._value_}
            continue
        step: Data = {}
        if not applies:
            step["applies"] = False
        if findings:
            step["findings"] = [finding(f) for f in findings]
        if off:
            step["off"] = True
        step["status"] = status._value_
        written[label] = step
    return {"facts": facts_data(trail.facts, quantity, order), "steps": written}


def trail_data(trail: Trail) -> Data:
    """The trail as JSON data: steps in the policy's order, facts in the order read."""
    return _trail(trail, finding_data, quantity_data, _as_given)


#: A finding of status and facts alone, by its status and facts, as JSON text.
_PLAIN: dict[tuple[str, tuple[str, ...]], orjson.Fragment] = {}
#: The sorted keys of a mapping, by its keys in order (a policy's labels come in its order).
_ORDERS: dict[tuple[str, ...], list[str]] = {}


@by_identity
def _limit_text(limit: Quantity) -> orjson.Fragment:
    """A limit's JSON text, written once while it is kept: most are the policy's own."""
    return orjson.Fragment(orjson.dumps(quantity_data(limit)))


def _sorted(mapping: Mapping[str, Any]) -> Iterable[str]:
    """The mapping's keys in sorted order, as canonical JSON writes them."""
    keys = tuple(mapping)
    ordered = _ORDERS.get(keys)
    if ordered is None:
        ordered = keep(_ORDERS, keys, sorted(keys), CACHED)
    return ordered


def _once_per_trail() -> tuple[FindingWriter, QuantityWriter]:
    """Writers of one trail's findings and quantities: what steps share is written once.

    By identity: the trail keeps each of its findings and quantities while it is
    written (a request's own quantities are most often read by several checks, and are
    facts too). A finding of status and facts alone is ready text, made once for all
    trails.
    """
    findings: dict[int, object] = {}
    quantities: dict[int, object] = {}

    def quantity(value: Quantity) -> object:
        data = quantities.get(id(value))
        if data is None:
            data = quantities[id(value)] = quantity_data(value)
        return data

    def finding(found: Finding) -> object:
        text = findings.get(id(found))
        if text is None:
            status, facts, requested, limit, note = found
            if requested is None and limit is None and note is None:
                key = (status._value_, facts)
                text = _PLAIN.get(key)
                if text is None:
                    written = orjson.Fragment(orjson.dumps(finding_data(found)))
                    text = keep(_PLAIN, key, written, CACHED)
            else:
                text = finding_data(found, quantity, _limit_text)
            findings[id(found)] = text
        return text

    return finding, quantity


#: The text of each step made beforehand that has been written, by its identity (and
#: the step, kept with it): a step no longer in :data:`SHARED` is still written so.
_STEPS: dict[int, tuple[Step, orjson.Fragment]] = {}


def _shared_step(step: Step) -> orjson.Fragment:
    """A step made beforehand as JSON text, written once (kept in :data:`_STEPS`)."""
    data = _trail(Trail({"": step}, {}), finding_data, quantity_data, _as_given)
    text = orjson.Fragment(orjson.dumps(data["steps"][""]))  # type: ignore[index]
    keep(_STEPS, id(step), (step, text), KEPT_STEPS)  # as many as the walk shares
    return text


def trail_text(trail: Trail) -> bytes:
    """The trail's canonical JSON text: ``dumps(trail_data(trail))``, encoded, at less cost."""
    finding, quantity = _once_per_trail()
    return orjson.dumps(_trail(trail, finding, quantity, _sorted, _STEPS))


def _trail_fragment(trail: Trail | None) -> orjson.Fragment | None:
    return None if trail is None else orjson.Fragment(trail_text(trail))


def writing_text(converter: cattrs.Converter) -> cattrs.Converter:
    """``converter``, set to unstructure each trail to its text, for orjson to write as is.

    Its data is then for :func:`~umpolicy.io.converter.dumps` only, which writes the same
    text as for the converter's own data. So are a decision's and its reasons' fields
    that orjson writes as they are (see :func:`_as_they_are`).
    """
    converter.register_unstructure_hook(Trail, _trail_fragment)
    converter.register_unstructure_hook(Trail | None, _trail_fragment)  # as a decision says
    for record in (Reason, Decision):  # a decision's hook takes its reasons' as it is made
        converter.register_unstructure_hook(record, _as_they_are(record, converter))
    return converter


def _as_they_are(record: type, converter: cattrs.Converter) -> Callable[[Any], Data]:
    """The record's hook, leaving as they are the fields orjson writes as their data.

    An enumeration of text (orjson writes its value), text or null, a tuple of text
    (orjson writes a list): most of a decision's fields without its trail, each then
    without a call. For the records the engine makes, whose tuples are tuples of text.
    """
    hints = typing.get_type_hints(record)
    native = {
        field.name: override(unstruct_hook=identity)
        for field in attrs.fields(record)
        if _native(hints[field.name])
    }
    return make_dict_unstructure_fn(record, converter, **native)  # type: ignore[arg-type]


def _native(kind: Any) -> bool:
    """Whether orjson writes a value of ``kind`` as it writes the converter's data of it."""
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return all(type(member.value) is str for member in kind)
    return bool(kind == str | None or kind == tuple[str, ...])
