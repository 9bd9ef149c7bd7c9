"""``batch``: many transcripts at once, in worker processes or on a Dask cluster.

A thin wrapper over :func:`customer_snapshot.batch.run_batch`: parse, set up the
:class:`~customer_snapshot.config.Config`, run, print the summary table on stderr, return 0 when
every input succeeded and 1 otherwise (the report is in ``OUT_DIR/batch_report.json``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from customer_snapshot.config import Config, parse_size
from customer_snapshot.errors import ConfigError

__all__ = ["cmd_batch", "register"]

# executors.DEFAULT_RECYCLE_AFTER, written out so that --help does not import the batch package
# (a test keeps the two equal).
RECYCLE_AFTER_HELP = 100


def _positive(value: str) -> int:
    """A whole number >= 1 (``--batch-size``, ``--recycle-after``, ``--workers``)."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _workers(value: str) -> int | str:
    """``--workers``: a whole number >= 1, or ``auto``."""
    if value.strip().lower() == "auto":
        return "auto"
    try:
        return _positive(value)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (or auto)") from None


def _seconds(value: str) -> float:
    """``--timeout-per-file``: seconds, more than 0."""
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, not {value!r}") from None
    if not n > 0 or n == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {value}")
    return n


def _size(value: str) -> int:
    try:
        n = parse_size(value, name="--memory-limit-per-worker", default_unit="m")
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(exc.reason) from None
    if n <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return n


def register(subparsers: Any) -> None:
    """Add the ``batch`` sub-command."""
    p = subparsers.add_parser(
        "batch",
        help="process every transcript in folders (recursively) and files; a report at the end",
    )
    p.add_argument(
        "inputs", nargs="+", metavar="DIR|FILE",
        help="folders (searched recursively for .vtt and .srt) and transcript files",
    )  # fmt: skip
    p.add_argument(
        "-o", "--output", required=True, metavar="OUT_DIR",
        help="output folder; sub-folders of the inputs are mirrored; batch_report.json goes here",
    )  # fmt: skip
    p.add_argument(
        "-f", "--format", action="append", choices=["md", "html", "docx", "json", "all"],
        help="output format (repeatable; default json)",
    )  # fmt: skip
    p.add_argument(
        "--workers", type=_workers, metavar="N|auto",
        help="worker processes (default auto: available memory / memory limit per worker, "
        "capped by CPUs and MAX_WORKERS)",
    )  # fmt: skip
    p.add_argument(
        "--batch-size", type=_positive, metavar="N",
        help="files handed to a worker at a time (default BATCH_SIZE, 8)",
    )  # fmt: skip
    p.add_argument(
        "--low-memory", action="store_true",
        help="half the workers (auto) and batch size, smaller NLP batches",
    )  # fmt: skip
    p.add_argument(
        "--memory-limit-per-worker", type=_size, metavar="SIZE",
        help='memory limit of each worker, e.g. "512MB", "2GB" (default MEMORY_LIMIT_PER_WORKER)',
    )  # fmt: skip
    p.add_argument(
        "--recycle-after", type=_positive, metavar="N",
        help=f"replace a worker process after N files (default {RECYCLE_AFTER_HELP})",
    )  # fmt: skip
    p.add_argument(
        "--timeout-per-file", type=_seconds, metavar="SECONDS",
        help="fail a file that takes longer than this (its worker is replaced; default: no "
        "limit; local executor)",
    )  # fmt: skip
    p.add_argument(
        "--no-cache", action="store_true",
        help="analyse every file again, even unchanged ones (fresh results are still stored)",
    )  # fmt: skip
    p.add_argument(
        "--executor", choices=["local", "dask"], default="local",
        help="local worker processes, or a Dask distributed cluster (needs --scheduler)",
    )  # fmt: skip
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address (tcp://host:8786)")
    p.add_argument(
        "--strict", action="store_true",
        help="follow the W3C WebVTT parsing rules exactly (no SRT, no exporter quirks)",
    )  # fmt: skip
    p.add_argument(
        "--speaker-map", action="append", metavar='"OLD=NEW"',
        help='rename speakers in every file, e.g. --speaker-map "Speaker 1=Jane Doe"',
    )  # fmt: skip
    p.add_argument("-q", "--quiet", action="store_true", help="no summary table on stderr")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=cmd_batch)


def cmd_batch(args: argparse.Namespace, config: Config) -> int:
    """Run the batch; print the summary; 0 when every input succeeded, else 1."""
    from customer_snapshot.batch import format_summary, run_batch
    from customer_snapshot.batch.executors import DEFAULT_RECYCLE_AFTER
    from customer_snapshot.memory.sizing import apply_low_memory

    if args.no_progress or args.quiet:
        config.progress = False
    if args.quiet:  # failures are still in the report and the exit code
        logging.getLogger("customer_snapshot").setLevel(logging.ERROR)
    if args.batch_size is not None:
        config.batch_size = args.batch_size
    if args.memory_limit_per_worker is not None:
        config.memory_limit_per_worker = args.memory_limit_per_worker
    if args.low_memory:
        config = apply_low_memory(config)
    if args.executor == "dask" and args.workers is not None:
        raise ConfigError("--workers", args.workers, "the Dask cluster decides its workers")
    report = run_batch(
        args.inputs,
        args.output,
        formats=args.format or ["json"],
        config=config,
        workers=args.workers,
        executor=args.executor,
        scheduler=args.scheduler,
        use_cache=not args.no_cache,
        recycle_after=args.recycle_after or DEFAULT_RECYCLE_AFTER,
        timeout=args.timeout_per_file,
    )
    if not args.quiet:
        format_summary(report, sys.stderr)
    return report.exit_code
