"""The application entry points: JSON or objects in, a decision out.

These wrap the converter, validation and :func:`~umpolicy.decide` so that an
application needs one call, and bad input always surfaces as one
:class:`~umpolicy.InputError` listing every field at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from attrs import evolve

from umpolicy.engine.decision import Decision, decide
from umpolicy.errors import FieldError, InputError, UnknownPolicyError
from umpolicy.io.converter import dumps, loads, make_converter, text_problems
from umpolicy.io.decision_json import writing_text
from umpolicy.io.validation import admit, dated, request_from
from umpolicy.policy import Policy
from umpolicy.registry import history_of, load_history
from umpolicy.vocabulary.request import Request


def parse_request(data: str | bytes | Mapping[str, Any]) -> Request:
    """A validated request from JSON text or already-parsed JSON data."""
    if isinstance(data, str | bytes):
        parsed = loads(data)
    else:  # data parsed elsewhere: its text is checked as loads checks JSON text
        parsed = data
        found = text_problems(parsed)
        if found:
            raise InputError(found)
    if not isinstance(parsed, Mapping):
        raise InputError([FieldError("$", "expected a JSON object")])
    return request_from(parsed)


def evaluate(
    request: Request | str | bytes | Mapping[str, Any],
    policy: Policy | str | None = None,
    *,
    trail: bool = True,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> Decision:
    """Decide a request under ``policy`` (a policy, a registered name, or the request's own).

    A policy named (here or by the request) decides in the version in force on the
    request's date, or on ``as_of`` when given (an audit or an appeal: "what would the
    policy have said then?"); the decision's :class:`~umpolicy.PolicyRef` records the
    version, the dates it is in force and the date it was chosen for. A
    :class:`~umpolicy.Policy` given decides as it is: the caller chose the version (the
    record's ``as_of`` is the request's date, or ``as_of`` when given, and null when that
    date is outside the version's own dates).

    A request that names a different policy from the one asked for is an input error:
    deciding it under another policy's criteria would be a silent mistake. So is a
    date no version of the policy is in force on (saying which dates are covered), or a
    request dated more than a day past ``today`` (UTC's date unless given; see
    :func:`umpolicy.io.validation.dated`), or a ``today`` or ``as_of`` that is not a
    plausible date (text, a datetime, 9999-12-31), named as the argument. A policy
    name that no installed policy has raises :class:`~umpolicy.UnknownPolicyError`.
    """
    validated = not isinstance(request, Request)  # by parse_request, on the way in
    if not isinstance(request, Request):
        request = parse_request(request)
    # A name asked for that no policy has is said so, not as a request naming another.
    history = load_history(policy) if isinstance(policy, str) else None
    asked = policy.name if isinstance(policy, Policy) else policy
    if asked is not None and request.policy is not None and request.policy != asked:
        reason = f"the request names policy {request.policy!r}, but {asked!r} was asked for"
        raise InputError([FieldError("$.policy", reason)])
    if isinstance(policy, Policy):
        history = history_of(policy)
    elif history is None:
        if request.policy is None:
            raise InputError([FieldError("$.policy", "required field missing (or name a policy)")])
        try:
            history = load_history(request.policy)
        except UnknownPolicyError as error:
            raise InputError([FieldError("$.policy", str(error))]) from None
    when = dated(history, request, today, as_of=as_of)
    on = request.date if as_of is None else as_of
    if isinstance(policy, Policy):
        version = policy
    else:  # the version in force on the date; none when dated() refused it
        chosen = history.on(on) if type(on) is dt.date else None
        version = (chosen or history.current).policy  # its answers are still checked
    try:
        elsewhere = history.asked_elsewhere(version)  # a request made under another version
        answers = admit(version, request, validated=validated, elsewhere=elsewhere)
    except InputError as error:
        raise InputError([*when, *error.errors]) from None
    if when:
        raise InputError(when)
    decision = decide(version, request, trail=trail, answers=answers)
    if as_of is None:
        return decision  # decide() records the request's date, when the version holds it
    # The record answers for the date asked for, not the request's: as_of when the
    # version that decided (the one chosen for it, or the one given) is in force then.
    entry = history.of(version)
    assert entry is not None  # the history is the version's own, or the one it was chosen from
    held = as_of if entry.holds(as_of) else None
    return evolve(decision, policy=evolve(decision.policy, as_of=held))


#: The converter, with each trail unstructured to its text (see :mod:`~umpolicy.io.decision_json`).
_WRITER = writing_text(make_converter())


def to_json(value: object) -> str:
    """Any umpolicy object (request, decision, policy tree) as canonical JSON text.

    ``dumps(CONVERTER.unstructure(value))``, byte for byte, for objects whose fields hold
    their declared types (as the engine and the converter make them); a trail, the
    largest part of a decision, is written straight to its text, and the decision's
    text and enumeration fields go to orjson as they are.
    """
    return dumps(_WRITER.unstructure(value))
