"""Reading FHIR JSON: the resources of a bundle or hook, their references, and every fault.

A :class:`Reading` holds the resources being read, each with the FHIR path it was
found at, resolves references between them, and collects every problem (with its
FHIR path) instead of stopping at the first. It also records where each field of the
request being built came from, so that a problem the request's own checks find later
(an implausible weight) is reported at the FHIR element that gave it.

FHIR JSON is read as parsed by :func:`umpolicy.loads` (numbers as exact
:class:`~decimal.Decimal`); a binary float is refused, as everywhere in umpolicy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from attrs import frozen

from umpolicy.dsl.quantity import to_decimal
from umpolicy.dsl.units import unit
from umpolicy.errors import MAX_ERRORS, FieldError, InputError, did_you_mean, shown
from umpolicy.integrations.fhir.codes import R4_RESOURCE_TYPES, SYSTEM_NAMES, UCUM
from umpolicy.integrations.fhir.paths import at, translated
from umpolicy.io.converter import FLOAT_REFUSED
from umpolicy.io.quantities import QUANTITIES, unknown_unit, wrong_unit

if TYPE_CHECKING:
    from umpolicy.dsl.drug import Drug

#: A FHIR date (YYYY-MM-DD) at the start of a date or dateTime.
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: FHIR's year, or year and month: no year 0000, no month 00 or 13.
_PARTIAL_DATE = re.compile(r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2]))?")


#: How many steps (an element, an item of a list) from the bundle or hook an element may
#: be: far past any resource (a questionnaire's answers nested ten groups deep take 40),
#: far short of where writing it back would recurse past Python's limit.
MAX_DEPTH = 100


def _steps(path: str) -> int:
    """How many steps from the root a FHIR path takes: ``Bundle.entry[0].resource`` 3."""
    return path.count(".") + path.count("[")


@frozen
class Located:
    """A resource and the FHIR path it was found at (``Bundle.entry[3].resource``).

    ``full_url`` is its bundle entry's ``fullUrl``, where it has one.
    """

    resource: Mapping[str, Any]
    path: str
    full_url: str | None = None

    @property
    def type(self) -> str:
        """The resource's type (``Observation``)."""
        return str(self.resource["resourceType"])

    def get(self, name: str) -> Any:
        """The element ``name`` of the resource, or ``None``."""
        return self.resource.get(name)


#: The resources that hold resources of their own besides ``contained``: a Bundle's
#: entries, a Parameters' parameters.
_HOLDERS = frozenset({"Bundle", "Parameters"})
#: The records of the patient umpolicy finds by their type: one contained in another
#: resource is never found so, and is refused rather than passed over (an order
#: contained in the Claim that asks for it is found by the Claim's reference).
_RECORDS = frozenset(
    {
        "Condition",
        "Observation",
        "MedicationStatement",
        "MedicationRequest",
        "MedicationAdministration",
        "MedicationDispense",
        "QuestionnaireResponse",
        "List",
        "CarePlan",
        "RequestGroup",
    }
)


def _first_resource(
    value: Mapping[Any, Any] | list[Any], path: str, depth: int
) -> tuple[str, str] | None:
    """Where the first resource inside ``value`` is, and its type (itself left out).

    A path is written for the objects and lists looked into alone: most values are
    text or numbers, and a bundle is looked into whole.
    """
    if depth > _HIDDEN_DEPTH:
        return None
    pairs: Iterable[tuple[object, object]]
    pairs = value.items() if isinstance(value, Mapping) else enumerate(value)
    for key, item in pairs:
        if not isinstance(item, Mapping | list):
            continue
        # A key of an object (text, as JSON's are), or a list's index.
        where = at(path, key) if type(key) is str or type(value) is list else path
        if isinstance(item, Mapping) and isinstance(item.get("resourceType"), str):
            return where, item["resourceType"]
        found = _first_resource(item, where, depth + 1)
        if found is not None:
            return found
    return None


def _uncontained(resource: Mapping[str, Any]) -> dict[str, Any]:
    """A resource's elements but its ``contained`` list: where no resource may be (FHIR R4).

    A ``contained`` of another shape (an object) is read nowhere, so is looked into too.
    """
    return {
        key: value
        for key, value in resource.items()
        if key != "contained" or not isinstance(value, list)
    }


def _references(value: object, depth: int = 0) -> set[str]:
    """Every ``reference`` a resource (its contained ones too) makes, as written."""
    found: set[str] = set()
    if depth > MAX_DEPTH:
        return found
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                found.add(item)
            elif isinstance(item, Mapping | list):
                found |= _references(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            found |= _references(item, depth + 1)
    return found


def _requested_service(claim: Mapping[str, Any], ident: object) -> bool:
    """Whether a Claim's item asks for the order it contains of this id (``#id``)."""
    wanted = f"#{ident}"
    return any(
        isinstance(item, Mapping)
        and any(
            isinstance(ext, Mapping)
            and isinstance(ext.get("valueReference"), Mapping)
            and ext["valueReference"].get("reference") == wanted
            for ext in listed(item.get("extension"))
        )
        for item in listed(claim.get("item"))
    )


#: How deep :func:`_first_resource` looks: as deep as a reading reads (deeper is refused).
_HIDDEN_DEPTH = MAX_DEPTH


class Reading:
    """The resources being read, what the request took from where, and every problem."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.errors: list[FieldError] = []
        self._said: set[FieldError] = set()
        self.sources: dict[str, str] = {}
        #: Request fields a resource leaves unknown on purpose (a therapy on hold may be in
        #: a history), each with why, naming it: no answer elsewhere may fill them.
        self.unknown: dict[str, str] = {}
        #: Request dates a resource gives only in part (a birth year), each with the part
        #: given and where: an answer elsewhere may give the day, never another year.
        self.imprecise: dict[str, tuple[str, str]] = {}
        self.by_reference: dict[str, Located] = {}
        self.by_type: dict[str, list[Located]] = {}
        #: Each resource by the path it was found at, for the one an element is in.
        self.by_path: dict[str, Located] = {}
        #: Each contained resource by its container's path and its reference (``#med1``).
        self.contained: dict[tuple[str, str], Located] = {}
        #: The container of each contained resource, by the contained one's path.
        self.within: dict[str, Located] = {}
        #: The drug of the policy the caller asked for, when known: what a record's drug is
        #: judged by (a plan of the drug itself).
        self.drug: Drug | None = None

    def fail(self, path: str, reason: str) -> None:
        """Record a problem at a FHIR path, once: an element read twice is wrong once."""
        error = FieldError(path, reason)
        if error not in self._said:  # a set: a bundle of 60,000 faults is no quadratic cost
            self._said.add(error)
            self.errors.append(error)

    def source(self, field: str, path: str) -> None:
        """Record that the request's ``field`` (``$.patient.weight``) came from ``path``."""
        self.sources[field] = path

    def add(self, resource: object, path: str, full_url: object = None) -> Located | None:
        """Take in a resource found at ``path``; a non-resource there is a problem."""
        if not isinstance(resource, Mapping):
            self.fail(path, "expected a resource (a JSON object)")
            return None
        kind = resource.get("resourceType")
        if not isinstance(kind, str) or not kind:
            self.fail(at(path, "resourceType"), "required field missing (the resource's type)")
            return None
        if not self._of_r4(kind, path):
            return None
        self.modifiers(resource, path)
        if kind in _HOLDERS:  # the bundle's own entries are read, not a bundle's inside
            self.hidden_in(resource, path, f"{kind} of the bundle")
        else:  # a resource holds others in ``contained`` alone
            self.hidden_in(_uncontained(resource), path, kind)
        found = Located(resource, path, full_url if isinstance(full_url, str) else None)
        self.by_type.setdefault(kind, []).append(found)
        self.by_path.setdefault(path, found)
        self._contain(found)
        ident = resource.get("id")
        if isinstance(ident, str):
            first = self.by_reference.setdefault(f"{kind}/{ident}", found)
            if first is not found and _told_apart_by_id(first, found):
                self.fail(
                    at(path, "id"),
                    f"{shown(ident)} is also the id of the {kind} at {first.path}, which "
                    "says otherwise: a reference to it cannot say which is meant",
                )
        if isinstance(full_url, str):
            first = self.by_reference.setdefault(full_url, found)
            if first is not found:
                entry = first.path.removesuffix(".resource")
                if version_of(first) == version_of(found):
                    # bdl-7: which of the two a reference means is not said.
                    reason = (
                        ": a bundle names each resource once, or each version of it once (bdl-7)"
                    )
                else:
                    # Valid FHIR, but each version would be read as a record of its own: a
                    # weight, a diagnosis its later version marks entered-in-error.
                    reason = (
                        ", in another version: umpolicy reads a resource as it is now, so a "
                        "bundle holds its current version alone"
                    )
                self.fail(
                    at(path.removesuffix(".resource"), "fullUrl"),
                    f"{shown(full_url)} is the fullUrl of {entry} too{reason}",
                )
        return found

    def hidden_in(self, value: Mapping[str, Any], path: str, what: str) -> None:
        """A problem when ``value`` (a Bundle, a Parameters, an entry's rest) holds a resource.

        umpolicy reads the bundle's own entries (and the resources they contain): a
        record inside another resource would be passed over, and could change the
        decision (a therapy given with the drug, and "as a single agent" met without it).
        """
        found = _first_resource(value, path, 0)
        if found is not None:
            where, inner = found
            self.fail(
                where,
                f"a {inner} inside a {what}: umpolicy reads the bundle's own entries, and a "
                "record passed over could change the decision; give it as an entry of the "
                "bundle",
            )

    def _of_r4(self, kind: str, path: str) -> bool:
        """Whether ``kind`` is a FHIR R4 resource type; a problem at ``path`` if not."""
        if kind in R4_RESOURCE_TYPES:
            return True
        # A suggestion costs a millisecond: none past what an error lists.
        meant = did_you_mean(kind, R4_RESOURCE_TYPES) if len(self.errors) < MAX_ERRORS else ""
        self.fail(at(path, "resourceType"), f"{shown(kind)} is no FHIR R4 resource type{meant}")
        return False

    def _contain(self, container: Located) -> None:
        """Take in the resources ``container`` holds (``contained``), found by ``#id`` alone.

        A contained resource is part of its container, not a resource of the bundle: a
        reference from within the container (``#med1``, the way an EHR most often writes
        an order's medication) finds it; a search by type (the patient's observations)
        never does. Each must be a resource with an id no other of them has (a reference
        to an id two share could mean either, and is refused, as a bundle's is, bdl-7),
        and hold none of its own (dom-2).
        """
        referred = _references(container.resource) if container.get("contained") else set()
        for index, child in enumerate(listed(container.get("contained"))):
            where = at(at(container.path, "contained"), index)
            if not isinstance(child, Mapping) or not isinstance(child.get("resourceType"), str):
                self.fail(where, "expected a resource (a JSON object with its resourceType)")
                continue
            if not self._of_r4(child["resourceType"], where):
                continue
            if child["resourceType"] in _HOLDERS:
                self.hidden_in(child, where, f"{child['resourceType']} contained")
            else:
                self.hidden_in(_uncontained(child), where, child["resourceType"])
            if child["resourceType"] in _RECORDS and not (
                child["resourceType"] == "MedicationRequest"
                and container.type == "Claim"
                and _requested_service(container.resource, child.get("id"))
            ):
                self.fail(
                    at(where, "resourceType"),
                    f"a {child['resourceType']} contained in the {container.type}: a record "
                    "of the patient is read only as an entry of the bundle, and one passed "
                    "over could change the decision (a therapy given with the drug); give it "
                    "as an entry",
                )
                continue
            if child.get("contained") not in (None, []):
                reason = (
                    "a contained resource holds resources of its own, which FHIR forbids (dom-2)"
                )
                self.fail(at(where, "contained"), reason)
                continue
            ident = child.get("id")
            if not isinstance(ident, str) or not ident:
                reason = "required field missing: a contained resource is referred to by its id"
                self.fail(at(where, "id"), reason)
                continue
            key = (container.path, f"#{ident}")
            first = self.contained.get(key)
            if first is not None:
                self.fail(
                    at(where, "id"),
                    f"{shown(ident)} is the id of {first.path} too: a reference to "
                    f"{shown('#' + ident)} could mean either",
                )
                continue
            inner = Located(child, where, container.full_url)  # relative references: its base
            self.contained[key] = inner
            self.within[where] = container
            self.by_path.setdefault(where, inner)
            if f"#{ident}" not in referred and "#" not in _references(child):
                # dom-3: a contained resource its container never refers to is a record
                # of its own, hidden there (a Medication of another drug beside the order's)
                reason = (
                    f"a contained {child['resourceType']} that nothing in its container refers "
                    "to (FHIR's dom-3): what it says would be passed over"
                )
                self.fail(at(where, "id"), reason)

    def modifiers(self, value: object, path: str) -> None:
        """Report every ``modifierExtension`` and ``implicitRules`` in ``value`` at ``path``.

        ``value`` is a resource, a bundle entry or a Bundle. A modifier extension may
        change what its element means (a condition negated, an order not to be given), and
        implicit rules what the whole resource means: FHIR has a reader refuse an element
        whose modifier, or a resource whose rules, it does not understand, and umpolicy
        understands none, so each is a problem, never passed over. Walked without
        recursion: a resource nested deep is no crash. Nested deeper than
        :data:`MAX_DEPTH` steps from the bundle (or hook) is a problem too: no resource
        is, and writing it back (a response copies the patient, the order) would recurse.
        """
        pending: list[tuple[object, str, int]] = [(value, path, _steps(path))]
        while pending:
            here, where, depth = pending.pop()
            if depth >= MAX_DEPTH and isinstance(here, list | Mapping) and here:
                self.fail(where, f"nested deeper than {MAX_DEPTH} levels; no FHIR resource is")
            elif isinstance(here, list):
                pending += [(each, at(where, i), depth + 1) for i, each in enumerate(here)]
            elif isinstance(here, Mapping):
                for name, each in here.items():
                    if name == "implicitRules" and each is not None:
                        self.fail(
                            at(where, name),
                            f"implicit rules umpolicy does not read ({shown(each)}): FHIR has a "
                            "reader that does not understand them not process the resource",
                        )
                    elif name != "modifierExtension":
                        pending.append((each, at(where, str(name)), depth + 1))
                    elif each not in (None, []):
                        urls = [e.get("url") for e in listed(each) if isinstance(e, Mapping)]
                        said = ", ".join(shown(url) for url in urls if isinstance(url, str))
                        named = f" ({said})" if said else ""
                        self.fail(
                            at(where, name),
                            "a modifier extension umpolicy does not read: it may change what "
                            f"its element means{named}",
                        )

    def resolve(self, reference: object, path: str, *kinds: str) -> Located | None:
        """The resource a Reference at ``path`` points to, of one of ``kinds``; else a problem."""
        if not isinstance(reference, Mapping):
            self.fail(path, "expected a Reference (a JSON object)")
            return None
        target = reference.get("reference")
        where = at(path, "reference")
        if not isinstance(target, str):
            self.fail(where, "required field missing: umpolicy reads what a reference points to")
            return None
        bare, version = versioned(target)
        found = self._find(bare, path)  # as lookup() finds it, saying why when it does not
        held = None if found is None else version_of(found)
        if found is not None and version is not None and held != version:
            self.fail(
                where,
                f"the reference {shown(target)} is to version {shown(version)}; the "
                f"{found.type} at {found.path} is "
                + (
                    "of no version said (meta.versionId)"
                    if held is None
                    else f"version {shown(held)}"
                ),
            )
            return None
        if found is None:
            self.fail(where, f"the reference {shown(target)} does not resolve to a resource here")
            return None
        if kinds and found.type not in kinds:
            expected = " or ".join(kinds)
            self.fail(where, f"{shown(target)} is a {found.type}; expected {expected}")
            return None
        return found

    def lookup(self, target: str, path: str) -> Located | None:
        """The resource a reference's text at ``path`` points to (``Patient/1``, a URL), if here.

        A URL is the resource at it: one here by its type and id whose entry's
        ``fullUrl`` is another server's (``https://other.example/fhir/Patient/1``) is
        another record, perhaps another patient's, and not the one referred to. So is
        one a relative reference (``Patient/1``) finds there: FHIR resolves it against
        the base of the ``fullUrl`` of the entry holding it (that entry at
        ``https://ehr.example/fhir/Claim/1`` refers to ``https://ehr.example/fhir/Patient/1``).

        A version-specific reference (``Patient/1/_history/2``) is found as FHIR says:
        without its version, then by the resource's ``meta.versionId``. One of another
        version, or that says none, is not the version referred to, and not found.
        """
        bare, version = versioned(target)
        found = self._find(bare, path)
        if found is None or version is None or version_of(found) == version:
            return found
        return None

    def _find(self, target: str, path: str) -> Located | None:
        """The resource a reference's text without a version points to, if here.

        ``#id`` is a resource the container of the element at ``path`` holds (the
        container itself for ``#`` alone), from the container or another it holds.
        """
        holder = self._holding(path)
        if target.startswith("#"):
            if holder is None:
                return None
            container = self.within.get(holder.path, holder)
            return container if target == "#" else self.contained.get((container.path, target))
        base = None if holder is None else holder.full_url
        if "://" not in target and not target.startswith("urn:") and base and "://" in base:
            target = f"{base.rstrip('/').rsplit('/', 2)[0]}/{target}"
        found = self.by_reference.get(target)
        if found is None and "/" in target:
            found = self.by_reference.get("/".join(target.rstrip("/").split("/")[-2:]))
            url = None if found is None else found.full_url
            if url is not None and "://" in url and "://" in target:
                return found if url.rstrip("/") == target.rstrip("/") else None
        return found

    def _holding(self, path: str) -> Located | None:
        """The resource an element at ``path`` is in: the deepest whose path, and a dot, begin it.

        Looked up by each such beginning of ``path``, deepest first: a reference's
        resolution costs the depth of its path, not a pass over every resource.
        """
        here = path
        while "." in here:
            here = here.rpartition(".")[0]
            found = self.by_path.get(here)
            if found is not None:
                return found
        return None

    def referred(self, reference: object, path: str) -> Located | None:
        """The resource a Reference at ``path`` points to, if here; nothing said of one that is not.

        For a record read leniently (an order other than the one decided): where
        :meth:`resolve` reports a reference that does not resolve, this says nothing.
        """
        target = reference.get("reference") if isinstance(reference, Mapping) else None
        return self.lookup(target, path) if isinstance(target, str) else None

    def of_type(self, kind: str) -> list[Located]:
        """Every resource of this type, in the order found."""
        return self.by_type.get(kind, [])

    def raise_errors(self) -> None:
        """Raise :class:`InputError` listing every problem, if there is any."""
        if self.errors:
            raise InputError(self.errors)

    def translate(self, error: InputError) -> InputError:
        """A request's input error with each request path replaced by the FHIR path it came from."""
        found = []
        for each in error.errors:
            path, field = translated(each.path, self.sources, self.root)
            reason = each.reason if field is None else f"{each.reason} (request field {field})"
            found.append(FieldError(path, reason))
        return InputError(found)


#: The version a version-specific reference names, after its resource's address.
_VERSIONED = re.compile(r"(.+)/_history/([A-Za-z0-9.-]{1,64})")


def _told_apart_by_id(first: Located, second: Located) -> bool:
    """Whether two records of one type and id say different things that only the id names.

    Not when each is another server's record (each a RESTful ``fullUrl``, of two bases):
    a relative reference is then to its own server's. Nor when they are one record sent
    twice, whatever their ``meta`` (a version, when fetched); nor a CRD draft order
    beside its original in the prefetch: the draft, read first, is the order. Any
    other pair (two ``urn:uuid`` entries, none with a ``fullUrl``) differs by content alone,
    and which one a reference means would be the order of the entries.
    """
    urls = (first.full_url, second.full_url)
    if urls[0] is not None and urls[0] == urls[1]:
        return False  # one fullUrl: a problem of its own (bdl-7), said there
    if all(isinstance(url, str) and "://" in url for url in urls):
        bases = {str(url).rstrip("/").rsplit("/", 2)[0] for url in urls}
        if len(bases) == 2:
            return False
    if first.path.startswith("context.") != second.path.startswith("context."):
        return False  # a CRD draft order, and the order as the prefetch has it
    try:
        return _without_meta(first.resource) != _without_meta(second.resource)
    except RecursionError:  # data no JSON text holds: never the same record
        return True


def _without_meta(resource: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in resource.items() if key != "meta"}


def versioned(target: str) -> tuple[str, str | None]:
    """A reference's text without its version (``/_history/2``), and the version, if any."""
    found = _VERSIONED.fullmatch(target)
    return (target, None) if found is None else (found[1], found[2])


def version_of(found: Located) -> str | None:
    """A resource's own version (``meta.versionId``), where it says one."""
    meta = found.get("meta")
    version = meta.get("versionId") if isinstance(meta, Mapping) else None
    return version if isinstance(version, str) else None


def element(reading: Reading, value: object, path: str, kind: type, what: str) -> Any:
    """``value`` when it is of ``kind`` (a JSON type); else ``None`` and a problem."""
    if value is None:
        return None
    if kind is Mapping:
        ok = isinstance(value, Mapping)
    elif kind is list:
        ok = isinstance(value, list)
    else:
        ok = type(value) is kind
    if not ok:
        reading.fail(path, f"expected {what}")
        return None
    return value


def listed(value: object) -> list[Any]:
    """``value`` when it is a JSON list, else no items (what :func:`items` reports, when read)."""
    return value if isinstance(value, list) else []


def codings(concept: object) -> list[Mapping[str, Any]]:
    """The Codings of a CodeableConcept that are JSON objects, whatever else it holds."""
    if not isinstance(concept, Mapping):
        return []
    return [each for each in listed(concept.get("coding")) if isinstance(each, Mapping)]


def items(reading: Reading, value: object, path: str) -> list[tuple[str, Any]]:
    """The elements of a FHIR list at ``path``, each with its path; a non-list is a problem."""
    found = element(reading, value, path, list, "a list")
    return [(at(path, index), item) for index, item in enumerate(found or ())]


def text(reading: Reading, value: object, path: str) -> str | None:
    """A FHIR string at ``path``, or ``None``."""
    found: str | None = element(reading, value, path, str, "text (a JSON string)")
    return found


def full_date(reading: Reading, value: object, path: str) -> str | None:
    """The YYYY-MM-DD of a FHIR date or dateTime; a partial date (``1968``) is not known.

    A partial date is valid FHIR but does not say the day: it stays unknown (``None``),
    never a guess. Text that is no date at all is a problem, as is a day no calendar
    has (``2025-02-30``): what reads the date may count days from it.
    """
    found = date_of(reading, value, path)
    return found if found is not None and len(found) == len("YYYY-MM-DD") else None


def date_of(reading: Reading, value: object, path: str) -> str | None:
    """A FHIR date or dateTime's date, as precise as given: ``1968``, ``1968-05``, ``1968-05-17``.

    A partial date still bounds the day (``2062`` is after every day of 2026); text that
    is no date, a day no calendar has, or a day followed by anything but a FHIR time
    (``2026-03-02junk``), is a problem, as for :func:`full_date`.
    """
    found = text(reading, value, path)
    if found is None:
        return None
    if _FULL_DATE.match(found):
        if len(found) > len("YYYY-MM-DD") and not _TIME.fullmatch(found[10:]):
            reading.fail(path, f"{shown(found)} is not a FHIR date or dateTime")
            return None  # text after the day that is no time of it: 2026-03-02junk
        try:
            dt.date.fromisoformat(found[:10])
        except ValueError:
            reading.fail(path, f"{shown(found)} is not a calendar date")
            return None
        return found[:10]
    if not _PARTIAL_DATE.fullmatch(found):
        reading.fail(path, f"{shown(found)} is not a FHIR date (YYYY-MM-DD)")
        return None
    return found


#: The time of a FHIR dateTime after its date (``T10:30:00Z``), its zone required.
_TIME = re.compile(r"T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})")

#: A FHIR dateTime as precise as given: its date (``2026``, ``2026-03-02``), and its
#: time (aware) when it gives one.
Moment = tuple[str, dt.datetime | None]


def moment(reading: Reading, value: object, path: str) -> Moment | None:
    """A FHIR date, dateTime or instant at ``path`` as a :data:`Moment`; else ``None``.

    Text that is no date, or a time that is not FHIR's (no zone, ``25:00``), is a problem.
    """
    day = date_of(reading, value, path)
    if day is None:
        return None  # not given, or not a date (a problem)
    if len(str(value)) == len(day):
        return day, None
    try:  # date_of took only a FHIR time after the day: a clock must have it too
        return day, dt.datetime.fromisoformat(str(value))
    except ValueError:  # a time no clock has (25:00)
        reading.fail(path, f"{shown(value)} is not a FHIR dateTime")
        return None


def later(one: Moment, other: Moment) -> bool:
    """Whether ``one`` is surely later than ``other``: by their times, else their dates.

    Dates are compared as precise as the less precise is: ``2026`` is not later than
    ``2026-03-02``, nor is it earlier; nor is a day's date than a time on that day.
    """
    if one[1] is not None and other[1] is not None:
        return one[1] > other[1]
    size = min(len(one[0]), len(other[0]))
    return one[0][:size] > other[0][:size]


def decimal(reading: Reading, value: object, path: str) -> Decimal | int | None:
    """A FHIR decimal at ``path``, exactly: a JSON number parsed as Decimal, or an integer.

    It is bounded as every number of a request is (:func:`~umpolicy.dsl.quantity.to_decimal`:
    finite, of bounded digits and exponent) before anything reads it: ``1E+5000`` or a
    NaN is a problem here, not a crash where it is compared or made whole.
    """
    if value is None:
        return None
    if type(value) is float:
        reading.fail(path, FLOAT_REFUSED)
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        reading.fail(path, f"expected a number, got {shown(value)}")
        return None
    try:
        to_decimal(value)
    except ValueError as error:
        reading.fail(path, str(error))
        return None
    return value


def status_of(reading: Reading, found: Located, allowed: tuple[str, ...]) -> str | None:
    """A resource's required ``status``, one of ``allowed`` (its FHIR codes); else ``None``.

    Where FHIR requires a status (1..1) it says what the rest of the resource means (a
    statement of a therapy given, or entered in error): one missing, or not of the
    codes, is a problem at ``<resource>.status``, and the resource is not read.
    """
    return status_in(reading, found.resource, found.path, allowed, found.type)


def status_in(
    reading: Reading,
    element: Mapping[str, Any],
    path: str,
    allowed: tuple[str, ...],
    kind: str,
    whose: str | None = None,
) -> str | None:
    """The required ``status`` of an element at ``path`` (a resource, a CarePlan activity).

    As :func:`status_of` says: ``kind`` names its statuses (``CarePlan activity``),
    ``whose`` the element in the message of one missing (``activity``; ``kind`` unless
    given).
    """
    value = element.get("status")
    where = at(path, "status")
    codes = ", ".join(allowed)
    if value is None:
        reading.fail(where, f"required field missing: the {whose or kind}'s status ({codes})")
    elif not isinstance(value, str) or value not in allowed:
        article = "an" if kind[0] in "AEIOU" else "a"
        reading.fail(
            where, f"{shown(value)} is not {article} {kind} status; expected one of {codes}"
        )
    else:
        return value
    return None


def coded(
    reading: Reading, concept: object, path: str, system: str, what: str
) -> list[tuple[str, str | None, str]]:
    """The codes of a CodeableConcept in ``system``: (code, display, path of the code) each.

    A concept that gives codes, but none in ``system``, is a problem: the code is of an
    unknown or another system, and reading it as nothing would lose what was said.
    A concept with text alone gives no code (``[]``).
    """
    found = element(reading, concept, path, Mapping, "a CodeableConcept (a JSON object)")
    if found is None:
        return []
    codings = items(reading, found.get("coding"), at(path, "coding"))
    codes = []
    systems = []
    for where, coding in codings:
        if not isinstance(coding, Mapping):
            reading.fail(where, "expected a Coding (a JSON object)")
            continue
        systems.append((where, coding.get("system")))
        if coding.get("system") == system:
            if coding.get("code") is None:
                reading.fail(at(where, "code"), "required field missing: the code")
                continue
            code = text(reading, coding.get("code"), at(where, "code"))
            display = coding.get("display")
            if code is not None:
                codes.append(
                    (code, display if isinstance(display, str) else None, at(where, "code"))
                )
    if not codes and systems and all(given != system for _, given in systems):
        where, given = systems[0]
        name = SYSTEM_NAMES.get(system, system)
        if given is None:
            reason = f"a code without a system; {what} is read as {name} ({system})"
        else:
            other = SYSTEM_NAMES.get(given) if isinstance(given, str) else None
            called = (
                f"{shown(given)} ({other})"
                if other
                else f"{shown(given)}, a system umpolicy does not read here"
            )
            reason = f"{called}; {what} is read as {name} ({system})"
        reading.fail(at(where, "system"), reason)
    return codes


def quantity(
    reading: Reading, value: object, path: str, field: str, accepts: str | None = None
) -> dict[str, Any] | None:
    """A FHIR Quantity at ``path`` as the request's ``{"value", "unit"}``, in UCUM.

    ``field`` is the request path it fills (``$.patient.weight``); ``accepts`` names the
    quantity whose units it takes (``patient.weight``, the default being ``field``'s
    own). A unit that is not UCUM, that umpolicy does not read, or that measures
    something else (a weight in cm) is a problem at ``path.code``.
    """
    found = element(reading, value, path, Mapping, "a Quantity (a JSON object)")
    if found is None:
        return None
    if found.get("comparator") is not None:
        reason = f"comparator {shown(found['comparator'])}: umpolicy reads a measured value"
        reading.fail(at(path, "comparator"), reason)
        return None
    number = decimal(reading, found.get("value"), at(path, "value"))
    if found.get("value") is None:
        reading.fail(at(path, "value"), "required field missing")
    system = found.get("system")
    code = found.get("code")
    name = accepts or field.removeprefix("$.")
    if system != UCUM:
        given = "no system" if system is None else f"system {shown(system)}"
        reading.fail(at(path, "system"), f"{given}; umpolicy reads units as UCUM ({UCUM})")
        return None
    if not isinstance(code, str):
        reading.fail(at(path, "code"), "required field missing: the UCUM code of the unit")
        return None
    try:
        read = unit(code)
    except ValueError as exc:
        reading.fail(at(path, "code"), unknown_unit(code, f"$.{name}", exc))
        return None
    fits = QUANTITIES.get(name)
    if fits is not None and not fits.admits(read):
        reading.fail(at(path, "code"), wrong_unit(read, fits))
        return None
    if number is None:
        return None
    reading.source(field, path)
    reading.source(f"{field}.value", at(path, "value"))
    reading.source(f"{field}.unit", at(path, "code"))
    return {"value": number, "unit": code}


def extensions(
    reading: Reading, holder: Mapping[str, Any], path: str, url: str
) -> list[tuple[str, Any]]:
    """The extensions of ``holder`` with this ``url``, each with its path."""
    return [
        (where, each)
        for where, each in items(reading, holder.get("extension"), at(path, "extension"))
        if isinstance(each, Mapping) and each.get("url") == url
    ]
