"""Worker helpers: how a worker reports its figures."""

from __future__ import annotations

from customer_snapshot.batch.worker import _up, one_line


def test_peaks_are_rounded_up_so_a_peak_past_a_limit_never_reads_as_within_it() -> None:
    assert _up(350.01) == 350.1
    assert _up(350.0) == 350.0
    assert _up(211.44) == 211.5


def test_one_line_keeps_the_first_and_last_lines_and_caps_the_length() -> None:
    assert one_line("E1: failed\n\nTraceback\n  File x\nValueError: bad") == (
        "E1: failed ... ValueError: bad"
    )
    assert one_line(" \n") == ""
    long = one_line("x" * 1000)
    assert len(long) == 400 and long.endswith("…")
