"""The distribution ships every package of the source tree, under the names users import."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


def _setuptools() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        table: dict[str, object] = tomllib.load(file)["tool"]["setuptools"]
    return table


class TestPackages:
    def test_every_source_package_is_listed(self) -> None:
        """A new subpackage of src/umpolicy cannot be left out of the wheel by accident."""
        found = {
            ".".join(init.parent.relative_to(ROOT / "src").parts)
            for init in (ROOT / "src" / "umpolicy").rglob("__init__.py")
        }
        listed = set(_setuptools()["packages"])  # type: ignore[call-overload]
        assert found <= listed

    def test_policies_install_as_umpolicy_policies(self) -> None:
        """policies/ is importable as umpolicy_policies, editable or not."""
        package_dir = _setuptools()["package-dir"]
        assert package_dir == {"": "src", "umpolicy_policies": "policies"}
        import umpolicy_policies.proleukin

        assert Path(umpolicy_policies.proleukin.__file__).name == "proleukin.py"
