"""Policies load by name from the installed package, not from the repository."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

import umpolicy
import umpolicy.registry as registry
import umpolicy_policies
from umpolicy import UnknownPolicyError, load_policy, policy_names
from umpolicy.registry import BUNDLED, GROUP
from umpolicy_policies.proleukin import POLICY


class TestRegistry:
    """load_policy finds installed policies and names them all when it cannot."""

    def test_load(self) -> None:
        assert load_policy("proleukin") is POLICY
        names = policy_names()
        assert "proleukin" in names
        assert names == tuple(sorted(set(names)))
        assert names == tuple(sorted({ep.name for ep in registry.entry_points(group=GROUP)}))

    def test_unknown(self) -> None:
        installed = ", ".join(policy_names())
        with pytest.raises(UnknownPolicyError) as info:
            load_policy("x")
        assert str(info.value) == f"no policy named 'x' is installed (installed: {installed})"

    def test_from_installed_wheel(self, tmp_path: Path) -> None:
        code = (
            "import umpolicy, umpolicy_policies; p = umpolicy.load_policy('proleukin'); "
            "print(p.name, umpolicy.__file__, umpolicy_policies.__file__)"
        )
        done = subprocess.run(
            [sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        name, package, policies = done.stdout.split()
        assert name == "proleukin"
        # Run from elsewhere, in isolated mode: the packages come from the interpreter's own
        # path (the installed wheel, or the environment's .pth), not from the working directory.
        assert package == umpolicy.__file__
        assert policies == umpolicy_policies.__file__
        assert not package.startswith(str(tmp_path))

    def test_loading_leaves_the_converter_and_the_generator_for_later(self) -> None:
        """Startup stays quick: the converter, decisions and the generator load on first use."""
        code = (
            "import sys, umpolicy; umpolicy.load_policy('proleukin'); "
            "print(' '.join(sorted(sys.modules)))"
        )
        done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        loaded = set(done.stdout.split())
        later = {
            "cattrs",
            "hashlib",
            "umpolicy.engine.decision",
            "umpolicy.engine.trail",
            "umpolicy.io.converter",
            "umpolicy.io.validation",
            "importlib.metadata",  # a bundled policy loads without scanning packages
        }
        assert loaded & later == set()
        assert "umpolicy_policies.proleukin" in loaded

    def test_not_a_policy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from importlib.metadata import EntryPoint

        import umpolicy.registry as registry

        fake = EntryPoint("fake", "umpolicy:__all__", registry.GROUP)
        monkeypatch.setattr(registry, "entry_points", lambda **_: [fake])
        registry.load_policy.cache_clear()
        try:
            with pytest.raises(
                UnknownPolicyError, match="entry point umpolicy:__all__ is not a Policy"
            ):
                registry.load_policy("fake")
        finally:
            registry.load_policy.cache_clear()

    def test_none_installed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import umpolicy.registry as registry

        monkeypatch.setattr(registry, "entry_points", lambda **_: [])
        with pytest.raises(UnknownPolicyError, match=r"\(installed: none\)"):
            registry.load_policy("other")


class TestBundled:
    """A policy umpolicy ships loads from its own module; any other, by its entry point."""

    @pytest.fixture(autouse=True)
    def fresh(self) -> Iterator[None]:
        registry.load_policy.cache_clear()
        yield
        registry.load_policy.cache_clear()

    def test_bundled_policies_are_registered_as_they_load(self) -> None:
        """Each shipped module is a policy registered under its own name, and loads as one."""
        shipped = [
            ep for ep in registry.entry_points(group=GROUP) if ep.module.startswith(f"{BUNDLED}.")
        ]
        modules = [m.name for m in pkgutil.iter_modules(umpolicy_policies.__path__)]
        # A policy's history and earlier versions live beside it: <name>_history, <name>_2022.
        versions = tuple(f"{ep.name}_" for ep in shipped)
        policies = [name for name in modules if not name.startswith(versions)]
        assert sorted(ep.name for ep in shipped) == sorted(policies) == ["proleukin"]
        for ep in shipped:
            assert (ep.module, ep.attr) == (f"{BUNDLED}.{ep.name}", "POLICY")
            assert ep.load() is load_policy(ep.name)

    def test_a_package_policy_loads_by_its_entry_point(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A name umpolicy does not ship is looked up among the installed packages."""
        other = EntryPoint("other", "umpolicy_policies.proleukin:POLICY", GROUP)
        monkeypatch.setattr(registry, "entry_points", lambda **_: [other])
        assert load_policy("other") is POLICY

    @pytest.mark.parametrize("name", ["__init__", "_private", "a-b", "../proleukin", "os.path"])
    def test_only_a_plain_name_is_looked_for_among_the_bundled(
        self, name: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Names that are no module of the package go straight to the entry points."""
        monkeypatch.setattr(registry, "import_module", _unexpected)
        with pytest.raises(UnknownPolicyError, match=r"^no policy named"):
            load_policy(name)

    def test_a_module_whose_policy_has_another_name_is_not_it(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A bundled module must hold the policy of its own name."""
        monkeypatch.setattr(registry, "import_module", lambda _: SimpleNamespace(POLICY=POLICY))
        monkeypatch.setattr(registry, "entry_points", lambda **_: [])
        with pytest.raises(UnknownPolicyError, match=r"no policy named 'melanoma'"):
            load_policy("melanoma")

    @pytest.mark.parametrize("missing", [BUNDLED, f"{BUNDLED}.melanoma"])
    def test_without_the_bundled_module_the_entry_points_decide(
        self, missing: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """No such module (or no bundled policies at all): the entry points are asked."""

        def absent(_module: str) -> ModuleType:
            raise ModuleNotFoundError(f"No module named {missing!r}", name=missing)

        other = EntryPoint("melanoma", "umpolicy_policies.proleukin:POLICY", GROUP)
        monkeypatch.setattr(registry, "import_module", absent)
        monkeypatch.setattr(registry, "entry_points", lambda **_: [other])
        assert load_policy("melanoma") is POLICY

    def test_a_broken_bundled_policy_is_not_hidden(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A shipped policy that fails to import (a missing dependency) raises, as it is."""

        def broken(_module: str) -> ModuleType:
            raise ModuleNotFoundError("No module named 'somedep'", name="somedep")

        monkeypatch.setattr(registry, "import_module", broken)
        with pytest.raises(ModuleNotFoundError, match="somedep"):
            load_policy("proleukin")


def _unexpected(module: str) -> ModuleType:
    raise AssertionError(f"imported {module}")


class TestPublicApi:
    """__all__ is sorted and every name in it is importable."""

    def test_sorted(self) -> None:
        """Sorted isort-style (ruff RUF022): CONSTANTS, then Classes, then functions."""

        def key(name: str) -> tuple[int, str]:
            return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

        assert umpolicy.__all__ == sorted(umpolicy.__all__, key=key)
        assert len(set(umpolicy.__all__)) == len(umpolicy.__all__)

    def test_importable(self) -> None:
        for name in umpolicy.__all__:
            assert getattr(umpolicy, name) is not None, name

    def test_dir_lists_every_public_name_before_first_use(self) -> None:
        """``dir`` and help show the names imported on first use, in a fresh interpreter."""
        code = "import umpolicy; print(' '.join(dir(umpolicy)))"
        done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert set(umpolicy.__all__) <= set(done.stdout.split())
        assert set(umpolicy.__all__) <= set(dir(umpolicy))

    def test_module_entry_point(self) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "umpolicy", "policies"], capture_output=True, text=True
        )
        assert (done.returncode, done.stdout) == (0, "".join(f"{n}\n" for n in policy_names()))
