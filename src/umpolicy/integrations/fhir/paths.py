"""FHIRPath-like locations in a resource, for input errors (``Bundle.entry[3].resource.code``).

An input error from a FHIR bundle names where the fault is as the FHIR specification
would (element names joined by dots, list positions in brackets), so that an
integrator finds it in the bundle it sent, not in umpolicy's own request.
"""

from __future__ import annotations


def at(path: str, *steps: str | int) -> str:
    """``path`` followed by each step: a name as ``.name``, a list position as ``[3]``.

    >>> at("Bundle", "entry", 3, "resource", "valueQuantity", "code")
    'Bundle.entry[3].resource.valueQuantity.code'
    """
    for step in steps:
        path = f"{path}[{step}]" if isinstance(step, int) else f"{path}.{step}"
    return path


def translated(path: str, known: dict[str, str], root: str) -> tuple[str, str | None]:
    """A request path (``$.patient.weight.unit``) as the FHIR path it was read from.

    ``known`` maps request paths to FHIR paths; the longest request path that is a
    prefix of ``path`` wins and the rest of ``path`` is kept (``$.answers.p.sites[0]``
    under the answer's item). A path nothing was read from (a field the bundle never
    gave) is the bundle's ``root``, with the request path returned to say which field.
    A path that is no request path (``as_of``: an argument of the call) stays as it is.
    """
    if not path.startswith("$"):
        return path, None
    here = path
    while True:
        found = known.get(here)
        if found is not None:
            return found + path[len(here) :], None
        cut = max(here.rfind("."), here.rfind("["))
        if cut <= 0:
            return root, path
        here = here[:cut]
