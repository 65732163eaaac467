"""The replay on Dask equals the local one: a local cluster on the loopback interface."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from umpolicy.history import DifferentPoliciesError
from umpolicy.replay import replay
from umpolicy.replay_dask import replay_dask
from umpolicy_policies.proleukin import POLICY as CURRENT
from umpolicy_policies.proleukin_2022 import POLICY as EARLIER
from umpolicy_quellimab.policy import POLICY as QUELLIMAB

CORPUS = Path(__file__).parent.parent / "examples" / "proleukin" / "corpus.jsonl"


def lines(count: int = 400) -> list[bytes]:
    with CORPUS.open("rb") as corpus:
        found = [line for _, line in zip(range(count), corpus, strict=False)]
    return [*found, b"{not json\n", b"\n"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A scheduler and one worker of two threads, on 127.0.0.1 over TCP, in this process."""
    with LocalCluster(
        host="127.0.0.1",
        protocol="tcp",
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        dashboard_address=None,
    ) as started:
        yield started


class TestDask:
    """Chunks decided on the cluster merge to exactly the local replay's report."""

    def test_equals_local(self, cluster: LocalCluster) -> None:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        local = replay(lines(), EARLIER, CURRENT, jobs=1)
        seen: list[int] = []
        with Client(cluster) as client:
            remote = replay_dask(lines(), EARLIER, CURRENT, client, chunk=37, advance=seen.append)
        assert remote == local
        assert sum(seen) == len(lines())
        assert local.changed > 0
        assert any(cell.old == "invalid" for cell in local.cells)

    def test_by_address_through_the_command(self, cluster: LocalCluster, tmp_path: Path) -> None:
        import io

        from umpolicy.cli import main

        path = tmp_path / "requests.jsonl"
        path.write_bytes(b"".join(lines(120)))
        argv = ["replay", str(path), "--from", "proleukin@2024-06-01"]
        argv += ["--to", "proleukin@2025-03-01", "--format", "json"]
        out = io.StringIO()
        assert main([*argv, "--dask", cluster.scheduler_address, "--quiet"], out=out) == 0
        local = io.StringIO()
        assert main([*argv, "--jobs", "1", "--quiet"], out=local) == 0
        assert json.loads(out.getvalue()) == json.loads(local.getvalue())


class TestOnePolicy:
    """Versions of two different policies are refused as the local replay refuses them."""

    def test_refused_before_connecting(self) -> None:
        nowhere = "tcp://127.0.0.1:9"  # the discard port: connecting would fail, or hang
        with pytest.raises(DifferentPoliciesError, match="replay compares two versions of one"):
            replay_dask(lines(3), QUELLIMAB, CURRENT, nowhere)
