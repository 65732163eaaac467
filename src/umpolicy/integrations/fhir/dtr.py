"""DTR: a Questionnaire for exactly the facts a decision still needs, and its answers back.

For an insufficient-information decision, :func:`questionnaire` asks for each fact of
``decision.facts_needed`` and nothing else: a question the policy declares is asked in
its own words, with its type, its choices or units; a fact of the shared vocabulary in
the words of the fact catalog (:func:`umpolicy.engine.catalog.catalog`), with its
units. Each item's ``linkId`` is the fact's name, so the answered
QuestionnaireResponse, fed back alone or in the PAS bundle, is read by the same table
that wrote the question (:data:`ASKED`): generated from the policy, never per policy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, cast

from attrs import frozen

from umpolicy.dsl.quantity import Quantity, compare
from umpolicy.dsl.questions import AnswerType, Question
from umpolicy.engine.catalog import catalog
from umpolicy.engine.decision import Decision
from umpolicy.errors import shown
from umpolicy.integrations.fhir import codes
from umpolicy.integrations.fhir.bundle import _measured_after, _subject
from umpolicy.integrations.fhir.paths import at
from umpolicy.integrations.fhir.reading import (
    Located,
    Moment,
    Reading,
    full_date,
    items,
    later,
    moment,
    quantity,
    status_of,
    text,
)
from umpolicy.io.converter import MAX_ITEMS, too_many
from umpolicy.io.quantities import QUANTITIES
from umpolicy.io.validation import FUTURE_TOLERANCE
from umpolicy.policy import Policy
from umpolicy.registry import history_of, load_policy, policy_by_hash
from umpolicy.vocabulary.facts import HISTORIES, FactSpec
from umpolicy.vocabulary.request import RequestKind, Sex, TherapyOutcome

Data = dict[str, Any]


@frozen
class Asked:
    """How a fact of the shared vocabulary is asked in a Questionnaire and read back.

    ``field`` is where the answer goes in the request (its JSON path, dotted);
    ``type`` the Questionnaire item type; ``repeats`` whether it takes several answers.
    """

    field: str
    type: str
    repeats: bool = False


#: The facts of the shared vocabulary a Questionnaire may ask for, by fact name.
ASKED: dict[str, Asked] = {
    "request.kind": Asked("kind", "choice"),
    "patient.birth_date": Asked("patient.birth_date", "date"),
    "patient.sex": Asked("patient.sex", "choice"),
    "patient.weight": Asked("patient.weight", "quantity"),
    "patient.height": Asked("patient.height", "quantity"),
    "patient.bsa": Asked("patient.bsa", "quantity"),
    "diagnoses": Asked("diagnoses", "open-choice", repeats=True),
    "medication.code": Asked("medication.code", "string"),
    "medication.route": Asked("medication.route", "open-choice"),
    "medication.dose": Asked("medication.dose", "quantity"),
    "medication.frequency": Asked("medication.frequency", "quantity"),
    "medication.schedule.doses_per_cycle": Asked("medication.schedule.doses_per_cycle", "integer"),
    "medication.schedule.cycles_per_course": Asked(
        "medication.schedule.cycles_per_course", "integer"
    ),
    "medication.schedule.rest_between_cycles": Asked(
        "medication.schedule.rest_between_cycles", "quantity"
    ),
    "medication.schedule.course_number": Asked("medication.schedule.course_number", "integer"),
    "medication.schedule.rest_before_course": Asked(
        "medication.schedule.rest_before_course", "quantity"
    ),
    "therapies.prior": Asked("therapies.prior", "group", repeats=True),
    "therapies.concomitant": Asked("therapies.concomitant", "group", repeats=True),
    "therapies.time_on_drug": Asked("therapies.time_on_drug", "quantity"),
    "prescriber.specialties": Asked("prescriber.specialties", "string", repeats=True),
    "prescriber.affiliations": Asked("prescriber.affiliations", "string", repeats=True),
    "consultants": Asked("consultants", "group", repeats=True),
}

#: The choices of the vocabulary's coded facts, by fact name.
_CHOICES: dict[str, tuple[str, ...]] = {
    "request.kind": tuple(kind.value for kind in RequestKind),
    "patient.sex": tuple(sex.value for sex in Sex),
}

#: The parts of a therapy and of a physician, as a group item's children ask them.
_THERAPY = (
    ("name", "The therapy's name.", "string", False),
    ("codes", "Its ATC codes (such as L01FF02).", "string", True),
    (
        "outcome",
        "What happened: failure, intolerance or response; contraindication if never given.",
        "choice",
        False,
    ),
    ("duration", "How long it was given.", "quantity", False),
)
_PHYSICIAN = (
    ("specialties", "NUCC taxonomy codes (such as 207RX0202X).", "string", True),
    ("affiliations", "Affiliations (the plan's codes, such as transplant-center).", "string", True),
)
_PARTS = {"therapies.prior": _THERAPY, "therapies.concomitant": _THERAPY, "consultants": _PHYSICIAN}


#: The Questionnaire item type that asks, and reads back, an answer of each type but a
#: list (a repeating ``group`` of its fields' items): a list's fields are of these too.
_ITEM_TYPES = {
    AnswerType.BOOLEAN: "boolean",
    AnswerType.CHOICE: "choice",
    AnswerType.QUANTITY: "quantity",
    AnswerType.DATE: "date",
}


def canonical(policy: Policy) -> str:
    """The Questionnaire's canonical URL for a policy: ``urn:umpolicy:questionnaire:<name>``."""
    return f"{codes.QUESTIONNAIRE_PREFIX}{policy.name}"


def _choice_system(policy: Policy, fact: str) -> str:
    return f"{codes.UMPOLICY}:{policy.name}:{fact}"


def _options(system: str, values: tuple[tuple[str, str], ...]) -> list[Data]:
    return [
        {"valueCoding": {"system": system, "code": code, "display": words}}
        for code, words in values
    ]


def _units(units: tuple[str, ...]) -> list[Data]:
    return [
        {
            "url": codes.QUESTIONNAIRE_UNIT_OPTION,
            "valueCoding": {"system": codes.UCUM, "code": code},
        }
        for code in units
    ]


def _question_item(policy: Policy, question: Question, link: str) -> Data:
    """An item asking a policy's own question, in its words, type, choices and units."""
    kind = "group" if question.type is AnswerType.LIST else _ITEM_TYPES[question.type]
    item: Data = {"linkId": link, "text": question.text, "type": kind}
    if question.values:
        item["answerOption"] = _options(_choice_system(policy, link), question.values)
    if question.units:
        item["extension"] = _units(question.units)
    if question.type is AnswerType.LIST:
        item["repeats"] = True
        item["item"] = [
            {**_question_item(policy, each, f"{link}.{each.id}"), "required": True}
            for each in question.fields
        ]
    return item


def _fact_item(policy: Policy, spec: FactSpec) -> Data:
    """An item asking a vocabulary fact, in the catalog's words, with its units or choices."""
    asked = ASKED[spec.name]
    item: Data = {"linkId": spec.name, "text": spec.description, "type": asked.type}
    if asked.repeats:
        item["repeats"] = True
    if asked.type == "quantity":
        fits = QUANTITIES.get(spec.name)
        units = spec.units or (fits.codes if fits is not None else ())
        item["extension"] = _units(units)
    if spec.name in _CHOICES:
        values = tuple((value, value) for value in _CHOICES[spec.name])
        item["answerOption"] = _options(_choice_system(policy, spec.name), values)
    for name, words, kind, repeats in _PARTS.get(spec.name, ()):
        part: Data = {"linkId": f"{spec.name}.{name}", "text": words, "type": kind}
        if repeats:
            part["repeats"] = True
        if name == "outcome":
            values = tuple((o.value, o.value) for o in TherapyOutcome)
            part["answerOption"] = _options(_choice_system(policy, part["linkId"]), values)
        item.setdefault("item", []).append(part)
    return item


def asked_facts(policy: Policy, needed: tuple[str, ...]) -> tuple[str, ...]:
    """The facts a Questionnaire asks for ``needed``: each, or (derived) what it comes from."""
    specs = catalog(policy)
    found: dict[str, None] = {}

    def add(name: str) -> None:
        if name.startswith("answers.") or name in ASKED:
            found[name] = None
        else:
            for each in specs[name].inputs:
                add(each)

    for name in needed:
        add(name)
    return tuple(found)


def decided_under(decision: Decision, name: str) -> Policy:
    """The version of the policy ``name`` that made ``decision`` (by its content hash).

    A name that is not the decision's policy is a mistake: its questions are not the
    ones the decision needs answered. So is a version no installed release has (a
    decision stored by another release, or under a policy built elsewhere): the
    version in force today may ask other questions than the ones it needs.
    """
    if name != decision.policy.name:
        raise ValueError(f"the decision was made under {decision.policy.name!r}, not {name!r}")
    found = policy_by_hash(name, decision.policy.content_hash)
    if found.content_hash != decision.policy.content_hash:
        raise ValueError(
            f"the decision was made under {name} version {decision.policy.version} "
            f"({decision.policy.content_hash[:12]}), which no installed version of {name!r} "
            "is: its questions are not known here"
        )
    return found


def questionnaire(decision: Decision, policy: Policy | str) -> dict[str, Any]:
    """A DTR Questionnaire asking exactly for the facts ``decision`` still needs.

    Without items when the decision needs nothing (it was decided): FHIR JSON has no
    empty list. Its ``url`` names the policy and its ``version`` the policy's, so its
    answers are read under it.
    """
    if isinstance(policy, str) or policy.content_hash != decision.policy.content_hash:
        # the version that decided: another version's questions are not the ones it needs
        policy = decided_under(decision, policy if isinstance(policy, str) else policy.name)
    questions = {q.fact: q for q in policy.questions}
    specs = catalog(policy)
    asked = asked_facts(policy, decision.facts_needed)
    found: list[Data] = []
    for name in asked:
        question = questions.get(name)
        if question is not None:
            found.append(_question_item(policy, question, name))
        else:
            found.append(_fact_item(policy, specs[name]))
    written: Data = {
        "resourceType": "Questionnaire",
        "id": f"umpolicy-{policy.name}-{decision.request_fingerprint[:16]}",
        "url": canonical(policy),
        "version": policy.version,
        "name": f"umpolicy_{policy.name}".replace("-", "_"),
        "title": f"{policy.drug}: what the decision still needs",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            f"Generated by {decision.policy.engine} from the policy {policy.name!r} "
            f"(version {policy.version}, content {policy.content_hash[:12]}) for the facts "
            "its decision still needs; answer them and send the QuestionnaireResponse back "
            "with the request."
        ),
    }
    if found:
        written["item"] = found
    return written


def _in_force(name: str, date: object) -> Policy:
    """The version of ``name`` in force on the request's date (its answers are to it).

    Without a date, or on a date no version covers (the request's checks say so), the
    policy's current version.
    """
    # the date is read by full_date: a calendar day, or not given
    on = dt.date.fromisoformat(date) if isinstance(date, str) else None
    if on is not None:
        try:
            return load_policy(name, on=on)
        except LookupError:
            pass
    return load_policy(name)


#: QuestionnaireResponse statuses (FHIR R4, required), and those whose answers are read:
#: DTR persists the response it sends as completed; one in progress (a draft), stopped
#: or entered in error gives no answer, and what it would say stays unknown.
_RESPONSE = ("in-progress", "completed", "amended", "entered-in-error", "stopped")
_ANSWERED = ("completed", "amended")


def read_responses(reading: Reading, data: Data, patient: Located | None) -> None:
    """Read every umpolicy QuestionnaireResponse among the resources into the request.

    A response to another publisher's Questionnaire is not umpolicy's to read and is
    left alone; one to umpolicy's names the policy whose questions it answers, and is
    read when its status says it is answered (:data:`_ANSWERED`) and its ``subject`` is
    the request's patient (or it does not say), as every resource's is. The answers of
    every response read are taken together: an item answered more than once (two
    answers, the item twice, two responses) is read once when they agree, and is a
    problem where one differs: umpolicy never chooses among answers. But when each
    response read says when it was ``authored``, a later one's answer to an item
    supersedes an earlier one's (:func:`_latest`), item by item: a CRD prefetch returns
    every response the patient ever gave, and a later response may answer only some.
    """
    read: tuple[Policy, dict[str, Question]] | None = None
    grouped: dict[str, Given] = {}
    responses: list[Located] = []
    for found in reading.of_type("QuestionnaireResponse"):
        target = found.get("questionnaire")
        if not isinstance(target, str) or not target.startswith(codes.QUESTIONNAIRE_PREFIX):
            continue
        if status_of(reading, found, _RESPONSE) not in _ANSWERED:
            continue  # not given as answered (in progress, stopped, in error): unknown
        if patient is not None and not _subject(reading, found, patient):
            continue  # another patient's answers (a problem), or of a subject not here
        authored = _authored(reading, found)
        date = data.get("date")
        if authored is not None and _measured_after(authored[0], date):
            # As a measure dated after the request: not what was known when it was made,
            # and "the latest" would let it supersede the answers given by then.
            reading.fail(
                at(found.path, "authored"),
                f"{authored[0]} is after the request's date ({date}), by more than the "
                f"{FUTURE_TOLERANCE.days} day time zones may put between them: umpolicy reads "
                "the answers given by then",
            )
            continue
        responses.append(found)
    when = _when_authored(reading, responses)
    for found in responses:
        target = found.get("questionnaire")
        name = target.removeprefix(codes.QUESTIONNAIRE_PREFIX).split("|")[0]
        where = at(found.path, "questionnaire")
        if data.get("policy", name) != name:
            reading.fail(
                where, f"answers the questions of {name!r}; the request is under {data['policy']!r}"
            )
            continue
        data["policy"] = name
        reading.source("$.policy", where)
        try:
            policy = _in_force(name, data.get("date"))
        except LookupError as error:
            reading.fail(where, str(error))
            continue
        # Another version's questions too: an answer to the questionnaire of the version
        # in force on another date (--as-of) is read, and checked as the JSON's is.
        other = history_of(policy).asked_elsewhere(policy)
        questions = {q.fact: q for q in (*policy.questions, *other)}
        read = policy, questions
        for path, item in items(reading, found.get("item"), at(found.path, "item")):
            link = item.get("linkId") if isinstance(item, Mapping) else None
            if not isinstance(link, str):
                reading.fail(at(path, "linkId"), "required field missing")
            elif link not in questions and link not in ASKED:
                reading.fail(
                    at(path, "linkId"), f"{shown(link)} is not an item umpolicy asks for {name!r}"
                )
            else:
                grouped.setdefault(link, []).append((found.path, path, item))
    if read is None:
        return  # no response read, so no item either
    policy, questions = read
    for link, given in grouped.items():
        given = _latest(given, when)
        question = questions.get(link)
        if question is not None:
            _answer(reading, data, policy, question, given)
        else:
            _fact(reading, data, ASKED[link], link, given)


def _authored(reading: Reading, found: Located) -> Moment | None:
    """When ``found`` was authored; ``None`` when it does not say (or says wrongly, a problem)."""
    return moment(reading, found.get("authored"), at(found.path, "authored"))


def _when_authored(reading: Reading, responses: list[Located]) -> dict[str, Moment] | None:
    """When each response was authored, by its path; ``None`` when one does not say.

    When one does not say when, none is preferred (:func:`_latest`): all are read.
    """
    authored = [_authored(reading, found) for found in responses]
    if any(when is None for when in authored):
        return None
    return {found.path: when for found, when in zip(responses, authored, strict=True) if when}


def _latest(given: Given, when: dict[str, Moment] | None) -> Given:
    """The items of one linkId to read: those of the latest response answering it (or ties).

    A later response supersedes an earlier one for what it answers: last year's "not
    steroid-refractory" is not today's. What it does not answer, the earlier still says.
    """
    if when is None:
        return given
    answering = {response for response, _, _ in given}
    latest = {
        one for one in answering if not any(later(when[other], when[one]) for other in answering)
    }
    return [each for each in given if each[0] in latest]


#: The items of one linkId in the responses read: each response's path, the item's path
#: and the item, in the order given.
Given = list[tuple[str, str, Mapping[str, Any]]]


def _by_response(given: Given) -> list[list[tuple[str, Mapping[str, Any]]]]:
    """The items of ``given``, response by response (a repeating group's members, each)."""
    found: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for response, path, item in given:
        found.setdefault(response, []).append((path, item))
    return list(found.values())


def _agreed(
    reading: Reading, link: str, given: list[tuple[str, object]]
) -> tuple[str, object] | None:
    """The one answer ``given`` (with where it is) when every answer given is the same.

    An element answered more than once is read once when the answers agree; one that
    differs is a problem where it is, for choosing either could approve on the wrong
    one. Not answered, or an answer without a value (a problem already, or none), leaves
    it unknown.
    """
    if not given or any(value is None for _, value in given):
        return None
    first_path, first = given[0]
    for path, value in given[1:]:
        if value != first:
            reading.fail(
                path,
                f"{link} is answered twice, differently: here and at {first_path}; "
                "umpolicy reads one answer",
            )
            return None
    return given[0]


def _answers(
    reading: Reading, path: str, item: Mapping[str, Any]
) -> list[tuple[str, Mapping[str, Any]]]:
    """An item's answers, each with its path; one umpolicy cannot read is a problem.

    An answer is an object of one ``value[x]`` (FHIR: 0..1), and umpolicy asks nothing
    under one (``answer.item``): what it would say there is never passed over.
    """
    found = []
    for where, answer in items(reading, item.get("answer"), at(path, "answer")):
        if not isinstance(answer, Mapping):
            reading.fail(where, "expected an answer (a JSON object)")
            continue
        values = [key for key in answer if isinstance(key, str) and key.startswith("value")]
        if len(values) > 1:
            reading.fail(where, f"an answer gives one value, not {', '.join(values)}")
            continue
        if "item" in answer:
            reading.fail(at(where, "item"), "umpolicy asks nothing under an answer")
            continue
        found.append((where, answer))
    return found


def _values(
    reading: Reading, kind: str, given: list[tuple[str, Mapping[str, Any]]], field: str
) -> list[tuple[str, object]]:
    """Every answer of the items ``given``, each with its path, as :func:`_value` reads it.

    A choice coded in another system than the one its options are offered in is a
    problem, left unknown: the same code there may mean something else. So are items
    nested in one that takes answers: umpolicy asks nothing there.
    """
    for path, item in given:
        if "item" in item:
            reading.fail(at(path, "item"), "umpolicy asks nothing under an item it asks for")
    return [
        (
            where,
            _value(reading, kind, where, answer, field)
            if kind != "choice" or _offered(reading, where, answer, item.get("linkId"))
            else None,
        )
        for path, item in given
        for where, answer in _answers(reading, path, item)
    ]


def _offered(reading: Reading, path: str, answer: Mapping[str, Any], link: object) -> bool:
    """Whether a choice's coding is of the system its item's options are (or names none)."""
    coding = answer.get("valueCoding")
    system = coding.get("system") if isinstance(coding, Mapping) else None
    if system is None or (
        isinstance(system, str)
        and system.startswith(f"{codes.UMPOLICY}:")
        and system.endswith(f":{link}")
    ):
        return True
    reading.fail(
        at(path, "valueCoding", "system"),
        f"{shown(system)} is not the system umpolicy offers the answers to {link} in "
        f"({codes.UMPOLICY}:<policy>:{link})",
    )
    return False


def _value(reading: Reading, kind: str, path: str, answer: Mapping[str, Any], field: str) -> object:
    """One answer's value as the request's JSON holds it."""
    if kind == "boolean":
        value = answer.get("valueBoolean")
        if type(value) is not bool:
            reading.fail(at(path, "valueBoolean"), "expected a boolean answer (valueBoolean)")
            return None
        return value
    if kind in ("choice", "open-choice", "string"):
        if "valueCoding" in answer and isinstance(answer["valueCoding"], Mapping):
            system = answer["valueCoding"].get("system")
            expected = _CODED_IN.get(re.sub(r"\[[0-9]+\]", "", field.removeprefix("$.")))
            if system is not None and expected is not None and system != expected:
                # ICD-9's C64.9 or an EHR's 47625008 is not ICD-10-CM's, nor SNOMED's.
                reading.fail(
                    at(path, "valueCoding", "system"),
                    f"{shown(system)} is not the system umpolicy reads {field.removeprefix('$.')} "
                    f"in ({expected})",
                )
                return None
            return text(reading, answer["valueCoding"].get("code"), at(path, "valueCoding", "code"))
        if "valueString" in answer:
            return text(reading, answer["valueString"], at(path, "valueString"))
        reading.fail(path, "expected a coded or text answer (valueCoding or valueString)")
        return None
    if kind == "date":
        if "valueDate" not in answer:
            reading.fail(path, "expected a date answer (valueDate)")
            return None
        return full_date(reading, answer["valueDate"], at(path, "valueDate"))
    if kind == "integer":
        value = answer.get("valueInteger")
        if type(value) is not int:
            reading.fail(at(path, "valueInteger"), "expected a whole-number answer (valueInteger)")
            return None
        return value
    return quantity(
        reading, answer.get("valueQuantity"), at(path, "valueQuantity"), field, _quantity_of(field)
    )


#: The system a coded answer of each field is read in: a coding of another says nothing.
_CODED_IN = {
    "diagnoses": codes.ICD10CM,
    "medication.route": codes.SNOMED,
    "prescriber.specialties": codes.NUCC,
    "consultants.specialties": codes.NUCC,
    "therapies.prior.codes": codes.ATC,
    "therapies.concomitant.codes": codes.ATC,
}


def _quantity_of(field: str) -> str | None:
    """The quantity whose units an answer at ``field`` takes, when the request has one there."""
    name = field.removeprefix("$.")
    return name if name in QUANTITIES else "answer"


def _answer(
    reading: Reading,
    data: Data,
    policy: Policy,
    question: Question,
    given: Given,
) -> None:
    """A policy question's answer into ``answers.<policy>.<id>``.

    A list question's items are its repeating group's members, in one response; each
    other question takes one answer.
    """
    field = f"$.answers.{policy.name}.{question.id}"
    answers: Data = data.setdefault("answers", {}).setdefault(policy.name, {})
    if question.type is AnswerType.LIST:
        lists: list[tuple[str, object]] = []
        for members in _by_response(given):
            listed: list[Data] = []
            for path, item in members:
                if item.get("answer") and not item.get("item"):
                    reading.fail(
                        at(path, "answer"), "a list is answered by its items (one group per item)"
                    )
                    continue
                reading.source(f"{field}[{len(listed)}]", path)
                listed.append(
                    _group(
                        reading,
                        question.fields,
                        f"{field}[{len(listed)}]",
                        path,
                        item,
                        question.fact,
                    )
                )
            lists.append((members[0][0], listed))
        agreed = _agreed(reading, question.fact, lists)
        if agreed is not None:
            answers[question.id] = agreed[1]
            reading.source(field, agreed[0])
        return
    kind = _ITEM_TYPES[question.type]
    found = _agreed(
        reading, question.fact, _values(reading, kind, [(p, i) for _, p, i in given], field)
    )
    if found is not None:  # else asked, not answered (still unknown), or a problem
        answers[question.id] = found[1]
        reading.source(field, found[0])


def _group(
    reading: Reading,
    fields: tuple[Question, ...],
    field: str,
    path: str,
    item: Mapping[str, Any],
    link: str,
) -> Data:
    """One item of a list question: each field's answer, by the field's id."""
    _no_answer(reading, path, item, link)
    parts = {f"{link}.{f.id}": f for f in fields}
    given: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for where, child in items(reading, item.get("item"), at(path, "item")):
        name = child.get("linkId") if isinstance(child, Mapping) else None
        if not isinstance(name, str) or name not in parts:
            reading.fail(at(where, "linkId"), f"{shown(name)} is not a part of {link!r}")
            continue
        given.setdefault(name, []).append((where, child))
    found: Data = {}
    for name, children in given.items():
        part = parts[name]
        kind = _ITEM_TYPES[part.type]
        agreed = _agreed(reading, name, _values(reading, kind, children, f"{field}.{part.id}"))
        if agreed is not None:
            found[part.id] = agreed[1]
            reading.source(f"{field}.{part.id}", agreed[0])
    return found


def _no_answer(reading: Reading, path: str, item: Mapping[str, Any], link: str) -> None:
    """A group's item is answered by its parts' items: an answer of its own is a problem."""
    if "answer" in item:
        reading.fail(at(path, "answer"), f"{link} is answered by its parts' items, not here")


def _fact(
    reading: Reading,
    data: Data,
    asked: Asked,
    link: str,
    given: Given,
) -> None:
    """A vocabulary fact's answer into its request field; a field the bundle gave is a conflict.

    But a therapy history the records give (:data:`_HISTORIES`) may be completed by an
    answer that contradicts none of it (:func:`_completes`): it then replaces theirs.
    Records given in part, the answer is the whole history; records a List gives whole,
    it says more of each (an outcome) but lists no more therapies.
    A field the bundle leaves unknown on purpose (:attr:`Reading.unknown`) is a conflict
    too: a therapy on hold may be in the history an answer lists. A group fact's items
    are its members, in one response; any other fact is one item, of one or several
    answers.
    """
    *parents, last = asked.field.split(".")
    holder = data
    for step in parents:
        holder = holder.setdefault(step, {})
    field = f"$.{asked.field}"
    path = given[0][1]
    records: list[tuple[str, Data]] = []
    partial: list[str] = holder.get("partial", [])
    whole = reading.sources.get(field)  # the List that gives the history whole, if one does
    if last in holder and link in _HISTORIES and holder[last]:
        # the records' therapies, each where it was read (their parts' sources are theirs)
        records = [(reading.sources[f"{field}[{i}]"], t) for i, t in enumerate(holder[last])]
        for key in [k for k in reading.sources if k.startswith(f"{field}[")]:
            del reading.sources[key]
    elif last in holder:
        reading.fail(
            path,
            f"{link} is given twice: here and at {reading.sources.get(field, 'another element')}",
        )
        return
    if field in reading.unknown:
        reading.fail(path, f"{link} cannot be answered: {reading.unknown[field]}")
        return
    answers: list[tuple[str, object]] = []
    if asked.type == "group":
        parts = _PARTS[link]
        for members in _by_response(given):
            value = [
                _parts(reading, parts, link, f"{field}[{i}]", where, item)
                for i, (where, item) in enumerate(members)
            ]
            answers.append((members[0][0], value))
    elif asked.repeats:
        for _, where, item in given:
            each = _values(reading, "string", [(where, item)], field)
            if each:
                answers.append((each[0][0], [_coded(link, value) for _, value in each]))
    else:
        each = _values(reading, asked.type, [(p, i) for _, p, i in given], field)
        answers = [(where, _coded(link, value)) for where, value in each]
    agreed = _agreed(reading, link, answers)
    if agreed is None or (isinstance(agreed[1], list) and None in agreed[1]):
        return
    if records:
        listed = cast(list[Data], agreed[1])
        # A request holds at most MAX_ITEMS therapies: past that, refused before each record
        # is matched with each entry (a cost that grows as their product).
        if len(listed) > MAX_ITEMS:
            reading.fail(path, f"{link}: {too_many(len(listed))}")
            return
        if len(records) > MAX_ITEMS:
            reading.fail(
                path,
                f"{link}: the records beside it give {len(records)} therapies; a request "
                f"holds at most {MAX_ITEMS}",
            )
            return
        if not _completes(reading, link, path, records, listed):
            return
    imprecise = reading.imprecise.get(field)
    if imprecise is not None and not str(agreed[1]).startswith(imprecise[0]):
        reading.fail(
            path,
            f"{link} is {agreed[1]}, but the record at {imprecise[1]} gives {imprecise[0]}: an "
            "answer may give the day a record leaves out, never another",
        )
        return
    if last in partial:  # the answer gives the whole history
        partial.remove(last)
        if not partial:
            del holder["partial"]
    elif records and len(given_therapies := _given(cast(list[Data], agreed[1]))) > len(records):
        reading.fail(
            path,
            f"{link} lists {len(given_therapies)} therapies given, but the List at {whole} "
            f"gives the whole history, {len(records)}: an answer may complete what they "
            "say, never add a therapy given",
        )
        return
    holder[last] = agreed[1]
    reading.source(field, agreed[0])


def _given(therapies: list[Data]) -> list[Data]:
    """The therapies an answer lists that were given: all but those never given."""
    return [each for each in therapies if each.get("outcome") != "contraindication"]


#: The therapy histories an answer may complete when the records give part of them: an
#: order coded for ordering (RxNorm) has no ATC code, a statement no outcome. Every
#: history of the vocabulary.
_HISTORIES = frozenset(HISTORIES.values())


def _completes(
    reading: Reading, link: str, path: str, records: list[tuple[str, Data]], listed: list[Data]
) -> bool:
    """Whether the answer at ``path`` lists every therapy of the ``records`` (a problem if not).

    Fail closed: an answer replacing the records' history may add to it and complete
    what they leave out (codes, an outcome), never drop or change what they say. Each
    therapy they read is in the answer: one with ATC codes by a code in common, one
    without by its name (an answer's name of the record's words alone:
    ``ondansetron 4 MG Oral Tablet`` is named by ``ondansetron``); and no entry
    of the answer that is it calls it never given (a contraindication), which a record
    of a therapy given contradicts. Nor does it list fewer therapies than the records
    give. What a record says of its therapy is kept: the entries that are it hold every
    ATC code it gives (an answer may not drop pembrolizumab from a record of it) and no
    other, but one that makes one of its codes more precise (ondansetron's A04AA01 may
    not become pembrolizumab's L01FF02 too; a group's L04A may be L04AX03), and
    each record is one entry of its own that gives its duration, or none, and then takes
    the record's (:func:`_paired`): an answer may not make a record's 31 days of
    methotrexate the 4 months a step-therapy trial needs.
    """
    options: list[list[int]] = []
    for where, therapy in records:
        entries = [i for i, each in enumerate(listed) if _same_therapy(therapy, each)]
        found = [listed[i] for i in entries]
        shown_as = ", ".join(therapy["codes"]) or repr(therapy["name"])
        if not found:
            reading.fail(
                path,
                f"{link} leaves out the therapy at {where} ({shown_as}): an answer beside "
                "the records lists every therapy they give",
            )
            return False
        if any(each.get("outcome") == "contraindication" for each in found):
            reading.fail(
                path,
                f"{link} says the therapy at {where} ({shown_as}) was never given "
                "(contraindication): the record gives it",
            )
            return False
        held = {code for each in found for code in each.get("codes") or ()}
        dropped = [code for code in therapy["codes"] if code not in held]
        if dropped:
            reading.fail(
                path,
                f"{link} leaves out {', '.join(dropped)} of the therapy at {where} "
                f"({shown_as}): an answer beside the records keeps every code they give",
            )
            return False
        added = sorted(
            code
            for code in held
            if therapy["codes"] and not any(code.startswith(own) for own in therapy["codes"])
        )
        if added:
            reading.fail(
                path,
                f"{link} gives the therapy at {where} ({shown_as}) another code, "
                f"{', '.join(added)}: an answer beside the records may make a code more "
                "precise (L04A as L04AX03), never add another",
            )
            return False
        agreeing = [i for i in entries if _lasted(therapy, listed[i])]
        if not agreeing:
            reading.fail(
                path,
                f"{link} gives the therapy at {where} ({shown_as}) another duration than the "
                f"record's {_shown_duration(therapy)}: an answer beside the records never "
                "changes what they say",
            )
            return False
        options.append(agreeing)
    if len(listed) < len(records):
        reading.fail(
            path,
            f"{link} lists {len(listed)} therapies, the records {len(records)}: it leaves out "
            f"one of those at {', '.join(where for where, _ in records)}",
        )
        return False
    pairs = _paired(options)
    if pairs is None:
        reading.fail(
            path,
            f"{link} gives one entry for two of the therapies at "
            f"{', '.join(where for where, _ in records)}: an answer beside the records lists "
            "each therapy they give, as long as they give it",
        )
        return False
    for entry, record in pairs.items():  # what an entry leaves out, its record says
        if "duration" in records[record][1] and listed[entry].get("duration") is None:
            listed[entry]["duration"] = records[record][1]["duration"]
    return True


def _lasted(record: Data, answer: Data) -> bool:
    """Whether an answer's entry gives the record's duration, or none (it takes the record's).

    A duration that is no quantity umpolicy reads is the request's checks' to report.
    """
    given, recorded = answer.get("duration"), record.get("duration")
    if not isinstance(given, Mapping) or recorded is None:
        return True
    try:
        said = Quantity(str(given.get("value")), str(given.get("unit")))
        return compare(said, Quantity(str(recorded["value"]), str(recorded["unit"]))) == 0
    except (ValueError, ArithmeticError):
        return True


def _shown_duration(record: Data) -> str:
    recorded = record.get("duration")
    return "(none)" if recorded is None else f"{recorded['value']} {recorded['unit']}"


def _paired(options: list[list[int]]) -> dict[int, int] | None:
    """Each record's entry of its own among its ``options``: the record of each entry paired.

    ``None`` when some record has none left. Greedy, the records with fewest options
    first: no search, for a bundle of thousands of records, and fail closed, for a
    pairing it misses is a problem, never an approval.
    """
    taken: dict[int, int] = {}
    for record in sorted(range(len(options)), key=lambda each: len(options[each])):
        free = next((i for i in options[record] if i not in taken), None)
        if free is None:
            return None
        taken[free] = record
    return taken


#: The words of a drug's name that name no drug: its dose form and route (RxNorm's
#: ``Oral Tablet``, HCPCS's ``Injection``), its release, its pack and its units.
_NO_DRUG = frozenset(
    """
    oral tablet tablets capsule capsules injection injectable solution suspension syrup
    elixir liquid cream ointment gel jelly lotion paste foam shampoo patch transdermal
    topical system spray nasal inhalant inhalation inhaler aerosol powder metered dose
    ophthalmic otic rectal vaginal suppository enema film lozenge chewable disintegrating
    sublingual buccal effervescent enteric coated extended delayed release prefilled
    syringe pen injector auto cartridge vial kit pack granules pellet implant drops drop
    emulsion mouthwash rinse strip infusion intravenous subcutaneous intramuscular
    intrathecal intravesical intradermal product for and with in of
    mg ml mcg g l kg unt unit units iu meq mmol hr actuat
    """.split()  # noqa: SIM905 - a list of words reads as words
)


def _same_therapy(record: Data, answer: Data) -> bool:
    """Whether an answer's therapy is the record's: a code in common, or, uncoded, its name.

    An uncoded record (an order coded for ordering, ``10 ML nivolumab 10 MG/ML
    Injection``, ``Injection, nivolumab, 1 mg``) is named by an answer that says nothing
    the record's name does not, and that names its drug: a word of letters that is no
    form, route or unit (:data:`_NO_DRUG`: ``Oral Tablet`` names none), ``nivolumab``.
    A combination (RxNorm's ``acetaminophen 325 MG / oxycodone 5 MG Oral Tablet``, a
    label's ``hydrocodone bitartrate and acetaminophen``, ``sulfamethoxazole/trimethoprim``)
    is named only by an answer naming a drug of each of its parts (:func:`_components`),
    or its brand: ``acetaminophen`` alone would drop the oxycodone. Which of the record's
    words is its drug is not known (a quantity's unit, ``ML``, or a form,
    ``Injection``, may come first), so an answer
    naming another drug beside a word in common (``dexamethasone 4 MG/ML Injection``)
    is not it.
    """
    if record["codes"]:
        return bool(set(record["codes"]) & set(answer.get("codes") or ()))
    said = _words(answer.get("name"))
    name = record.get("name")
    drugs = _drugs(said)
    return (
        bool(drugs)
        and set(said) <= set(_words(name))  # so the record has a name (a str)
        and all(drugs & part for part in _components(str(name)))
    )


def _drugs(words: list[str]) -> set[str]:
    """The words that may name a drug: of letters, and no form, route or unit."""
    return {word for word in words if word.isalpha() and word not in _NO_DRUG}


def _components(name: str) -> list[set[str]]:
    """The words that may name each drug of a record's name: each part's, with its brand's.

    A combination's parts are parted by a slash (RxNorm's `` / ``, a label's
    ``sulfamethoxazole/trimethoprim``), ``and`` or ``with``; a part that names no drug is
    no drug (``MG/ML Injection``'s ``ML Injection``). A brand in brackets (RxNorm's
    ``[Percocet]``) names the product, so it names each of its parts too.
    """
    brand = _drugs(_words(" ".join(re.findall(r"\[([^\]]*)\]", name))))
    plain = re.sub(r"\[[^\]]*\]", " ", name)
    parts = re.split(r"/|\s(?:and|with)\s", plain, flags=re.IGNORECASE)
    return [found | brand for part in parts if (found := _drugs(_words(part)))]


def _words(name: object) -> list[str]:
    return re.findall(r"[0-9a-z]+", name.casefold()) if isinstance(name, str) else []


def _coded(link: str, value: object) -> object:
    """Diagnoses and the route are coded objects in the request; other facts are plain."""
    if value is not None and link in ("diagnoses", "medication.route"):
        return {"code": value}
    return value


def _parts(
    reading: Reading,
    parts: tuple[tuple[str, str, str, bool], ...],
    link: str,
    field: str,
    path: str,
    item: Mapping[str, Any],
) -> Data:
    """One therapy or physician of a group answer.

    A part given twice (two answers to one that takes one, or the part twice) is read
    once when they agree, and is a problem where one differs.
    """
    _no_answer(reading, path, item, link)
    kinds = {f"{link}.{name}": (name, kind, repeats) for name, _, kind, repeats in parts}
    given: dict[str, list[tuple[str, object]]] = {}
    found: Data = {}
    for where, child in items(reading, item.get("item"), at(path, "item")):
        name = child.get("linkId") if isinstance(child, Mapping) else None
        part = kinds.get(name) if isinstance(name, str) else None
        if part is None:
            reading.fail(at(where, "linkId"), f"{shown(name)} is not a part of {link!r}")
            continue
        key, kind, repeats = part
        values = _values(reading, kind, [(where, child)], f"{field}.{key}")
        answers = given.setdefault(key, [])
        if repeats:
            answers.append((where, [value for _, value in values]))
        else:
            answers += values
        if key not in found:
            reading.source(f"{field}.{key}", where)
        found[key] = None
    for key, answers in given.items():
        agreed = _agreed(reading, f"{link}.{key}", answers)
        if agreed is not None:
            found[key] = agreed[1]
    if link.startswith("therapies."):
        found.setdefault("codes", [])
    reading.source(field, path)
    return found


__all__ = ["ASKED", "Asked", "asked_facts", "canonical", "questionnaire", "read_responses"]
