"""The seam between the docs build and umpolicy: what each policy page says and which labels it must show."""

from __future__ import annotations

POLICY_NAMES: tuple[str, ...] = ("proleukin",)

_PLACEHOLDER_LABELS: tuple[str, ...] = ("1.A.i", "Dosing 1.A.i", "2.A", "3.D")

_PLACEHOLDER_PAGE = """\
# Proleukin (aldesleukin)

!!! note "Placeholder"
    The docs build writes this page. For now it is a stand-in with the page's
    shape; the real criteria, labels and limits will be generated from the
    umpolicy policy objects.

## Decision flow

```mermaid
flowchart TD
    request([Request]) --> c1{"1.A.i"}
    c1 -- met --> dose["Dosing 1.A.i"]
    c1 -- not met --> c2{"2.A"}
    c2 -- met --> dose
    c2 -- not met --> c3{"3.D"}
    c3 -- met --> dose
    c3 -- not met --> deny([Not approved])
    dose --> approve([Approved])
```

## Initial authorization

### 1.A.i

Placeholder for criterion 1.A.i.

### Dosing 1.A.i

Placeholder for the dosing limit that goes with 1.A.i.

### 2.A

Placeholder for criterion 2.A.

## Continued therapy

### 3.D

Placeholder for criterion 3.D.
"""


def render_policy_page(name: str) -> str:
    """Return the Markdown of the page for the policy called name."""
    _check_known(name)
    return _PLACEHOLDER_PAGE


def policy_labels(name: str) -> list[str]:
    """Return every criterion, dosing and limit label the page for name must show."""
    _check_known(name)
    return list(_PLACEHOLDER_LABELS)


def _check_known(name: str) -> None:
    """Raise KeyError when name is not a policy the docs know about."""
    if name not in POLICY_NAMES:
        raise KeyError(f"no policy page for {name!r}; known: {', '.join(POLICY_NAMES)}")
