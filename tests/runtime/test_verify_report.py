"""verify's verdict: a probe counts only where the original passes it; equal failures prove nothing."""

from __future__ import annotations

from jettison.runtime.probes import Probe
from jettison.runtime.verify import ProbeRow, Started, VerifyReport

UP = Started("up", "listening on 8000", 8000)


def report(*rows: tuple[str, str], new: Started = UP) -> VerifyReport:
    probes = [ProbeRow(Probe("http", f"/p{i}", "urls.py"), old, now) for i, (old, now) in enumerate(rows)]
    return VerifyReport(True, original=UP, new=new, rows=probes)


def test_a_probe_the_original_passes_and_the_new_image_fails_is_a_failure() -> None:
    result = report(("200", "200"), ("302", "500"))
    assert result.failed and result.verdict().startswith("verify failed: 1 probe(s)")


def test_probes_the_original_fails_too_do_not_count_as_proof() -> None:
    result = report(("400", "400"), ("400", "400"))
    assert not result.failed
    assert result.verdict().startswith("nothing was verified: the original passes none of the 2 probes")


def test_a_pass_names_how_many_probes_carried_it() -> None:
    assert report(("200", "200"), ("400", "400"), ("exit 0", "exit 0")).verdict() == (
        "verified: the new image passes every probe the original passes (2 of 3 probes pass on the original)"
    )


def test_a_new_image_that_does_not_come_up_fails_even_without_probes() -> None:
    result = report(new=Started("crashed", "exited 1 on start", None))
    assert result.failed and "crashed" in result.verdict()
