"""Batch mode: many transcripts, worker processes (or a Dask cluster), a result cache, a report.

::

    run_batch(["calls/"], "out/", formats="all")   # -> BatchReport; out/batch_report.json

Modules: :mod:`~customer_snapshot.batch.discover` (finding inputs, naming outputs),
:mod:`~customer_snapshot.batch.cache` (the SQLite result cache in ``SNAPSHOT_HOME``),
:mod:`~customer_snapshot.batch.worker` (one file in a worker), :mod:`~customer_snapshot.batch.
executors` (local worker processes, Dask), :mod:`~customer_snapshot.batch.report` (the JSON report
and the summary table) and :mod:`~customer_snapshot.batch.runner` (the whole batch).
"""

from __future__ import annotations

from customer_snapshot.batch.cache import ResultCache, cache_key, settings_fingerprint
from customer_snapshot.batch.discover import BatchInput, discover
from customer_snapshot.batch.report import REPORT_FILE, BatchReport, format_summary
from customer_snapshot.batch.runner import resolve_workers, run_batch

__all__ = [
    "REPORT_FILE",
    "BatchInput",
    "BatchReport",
    "ResultCache",
    "cache_key",
    "discover",
    "format_summary",
    "resolve_workers",
    "run_batch",
    "settings_fingerprint",
]
