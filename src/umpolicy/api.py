"""The application entry points: JSON or objects in, a decision out.

These wrap the converter, validation and :func:`~umpolicy.decide` so that an
application needs one call, and bad input always surfaces as one
:class:`~umpolicy.InputError` listing every field at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from umpolicy.engine.decision import Decision, decide
from umpolicy.errors import FieldError, InputError, UnknownPolicyError
from umpolicy.io.converter import CONVERTER, dumps, loads, text_problems
from umpolicy.io.validation import admit, dated, request_from
from umpolicy.policy import Policy
from umpolicy.registry import load_policy
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
) -> Decision:
    """Decide a request under ``policy`` (a policy, a registered name, or the request's own).

    A request that names a different policy from the one asked for is an input error:
    deciding it under another policy's criteria would be a silent mistake. So is a
    request dated before the policy took effect, or more than a day past ``today``
    (UTC's date unless given; see :func:`umpolicy.io.validation.dated`).
    """
    validated = not isinstance(request, Request)  # by parse_request, on the way in
    if not isinstance(request, Request):
        request = parse_request(request)
    asked = policy.name if isinstance(policy, Policy) else policy
    if asked is not None and request.policy is not None and request.policy != asked:
        reason = f"the request names policy {request.policy!r}, but {asked!r} was asked for"
        raise InputError([FieldError("$.policy", reason)])
    if policy is None:
        if request.policy is None:
            raise InputError([FieldError("$.policy", "required field missing (or name a policy)")])
        try:
            policy = load_policy(request.policy)
        except UnknownPolicyError as error:
            raise InputError([FieldError("$.policy", str(error))]) from None
    if isinstance(policy, str):
        policy = load_policy(policy)
    when = dated(policy, request, today)
    try:
        answers = admit(policy, request, validated=validated)
    except InputError as error:
        raise InputError([*when, *error.errors]) from None
    if when:
        raise InputError(when)
    return decide(policy, request, trail=trail, answers=answers)


def to_json(value: object) -> str:
    """Any umpolicy object (request, decision, policy tree) as canonical JSON text."""
    return dumps(CONVERTER.unstructure(value))
