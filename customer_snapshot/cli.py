"""Command line: thin wrappers that parse, build a :class:`Config`, call the library, map errors.

Importing this module (and ``--help``) must stay fast: spaCy and the other heavy libraries are
imported inside the commands that need them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from customer_snapshot._version import __version__
from customer_snapshot.config import Config, parse_speaker_map
from customer_snapshot.errors import (
    ConfigError,
    InputTooLargeError,
    MemoryLimitExceeded,
    SnapshotError,
)

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_RESOURCE", "EXIT_USAGE", "exit_code_for", "main"]

EXIT_OK = 0
EXIT_FAILURE = 1  # invalid input or processing failure
EXIT_USAGE = 2
EXIT_RESOURCE = 3  # a memory or size limit was hit
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it
EXIT_TERMINATED = 143  # SIGTERM (128 + SIGTERM)

log = logging.getLogger("customer_snapshot")


def exit_code_for(exc: BaseException) -> int:
    """The one place errors become exit codes."""
    if isinstance(exc, ConfigError):
        return EXIT_USAGE
    if isinstance(exc, MemoryLimitExceeded | InputTooLargeError | MemoryError):
        return EXIT_RESOURCE
    return EXIT_FAILURE


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` maps every outcome itself."""

    def error(self, message: str) -> Any:
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(Exception):
    pass


def _open_input(path: str) -> Any:
    """``-`` is standard input (binary); anything else is a path for the reader to open."""
    if path == "-":
        return sys.stdin.buffer
    return path


def _input_name(path: str) -> str:
    return "<stdin>" if path == "-" else path


def _speaker_map(values: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values or ():
        out.update(parse_speaker_map(value))
    return out


def _write_line(out: IO[str], text: str) -> None:
    out.write(text)
    out.write("\n")


# -- commands -------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace, config: Config) -> int:
    """Check a transcript; print problems with line numbers; exit 1 when it is invalid."""
    from customer_snapshot.io import read_cues

    name = _input_name(args.input)
    reader = read_cues(
        _open_input(args.input), strict=config.strict, speaker_map=config.speaker_map, name=name
    )
    fatal: str | None = None
    speakers: dict[str, int] = {}
    start: float | None = None
    end = 0.0
    try:
        for cue in reader:
            if start is None:
                start = cue.start
            end = max(end, cue.end)
            if cue.speaker is not None and (cue.speaker in speakers or len(speakers) < 1000):
                speakers[cue.speaker] = speakers.get(cue.speaker, 0) + 1
    except SnapshotError as exc:
        fatal = str(exc)
    errors = [p for p in reader.problems if p.severity == "error"]
    if fatal is None and reader.cues_read == 0:
        fatal = f"{name}: no cues found"
    valid = fatal is None and not errors
    report = {
        "file": name,
        "valid": valid,
        "format": reader.format,
        "strict": config.strict,
        "cues": reader.cues_read,
        "duration_seconds": round(end - (start or 0.0), 3) if reader.cues_read else 0.0,
        "speakers": speakers,
        "error": fatal,
        "problem_count": reader.problem_count,
        "problems": [
            {"line": p.line, "severity": p.severity, "message": p.message} for p in reader.problems
        ],
    }
    if args.json:
        _write_line(sys.stdout, json.dumps(report, ensure_ascii=False))
    else:
        out = sys.stdout
        verdict = "valid" if valid else "INVALID"
        kind = {"srt": "SubRip", "webvtt": "WebVTT"}.get(reader.format or "", "transcript")
        mode = " (strict)" if config.strict else ""
        _write_line(out, f"{name}: {verdict} {kind}{mode}, {reader.cues_read} cues")
        if fatal:
            _write_line(out, f"  error: {fatal}")
        for p in reader.problems:
            where = f"line {p.line}" if p.line else "file"
            _write_line(out, f"  {where}: {p.severity}: {p.message}")
        if reader.problem_count > len(reader.problems):
            _write_line(out, f"  ... {reader.problem_count - len(reader.problems)} more problems")
        if speakers:
            _write_line(out, "  speakers: " + ", ".join(f"{s} ({n})" for s, n in speakers.items()))
    return EXIT_OK if valid else EXIT_FAILURE


def cmd_cues(args: argparse.Namespace, config: Config) -> int:
    """Print the parsed cues as JSON lines (one object per cue)."""
    from customer_snapshot.io import read_cues

    reader = read_cues(
        _open_input(args.input),
        strict=config.strict,
        speaker_map=config.speaker_map,
        name=_input_name(args.input),
    )
    out = sys.stdout
    dumps = json.dumps
    for cue in reader:
        out.write(dumps(cue.to_dict(), ensure_ascii=False))
        out.write("\n")
    if reader.cues_read == 0:
        raise _NoCues(f"{reader.name}: no cues found")
    return EXIT_OK


class _NoCues(SnapshotError):
    pass


def _clock(seconds: float) -> str:
    whole = round(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def cmd_analyze(args: argparse.Namespace, config: Config) -> int:
    """Statistics only: duration, speakers and talk time, words, topics, entities, phrases."""
    from customer_snapshot.pipeline import run_analysis

    if args.no_progress:
        config.progress = False
    analysis = run_analysis(_open_input(args.input), config=config, name=_input_name(args.input))
    out = sys.stdout
    if args.json:
        _write_line(out, json.dumps(analysis.to_dict(), ensure_ascii=False))
        return EXIT_OK
    src = analysis.source
    _write_line(
        out,
        f"{src.name}: {_clock(src.duration_seconds)}, {src.words:,} words, {src.cues:,} cues "
        f"({src.format}), model {analysis.model}",
    )
    if analysis.participants:
        _write_line(out, "")
        width = max(len("Speaker"), *(len(p.name) for p in analysis.participants))
        _write_line(out, f"{'Speaker':<{width}}  turns   words  talk time  share  questions  role")
        for p in analysis.participants:
            role = ", ".join(x for x in (p.role, p.organization) if x)
            _write_line(
                out,
                f"{p.name:<{width}}  {p.turns:5d}  {p.words:6,d}  {_clock(p.talk_seconds):>9}  "
                f"{p.talk_share:5.0%}  {p.questions:9d}  {role}",
            )
    if analysis.topics:
        _write_line(out, "\nTopics")
        for t in analysis.topics:
            _write_line(out, f"  [{_clock(t.start)}-{_clock(t.end)}] {t.title}")
    if analysis.entities:
        _write_line(out, "\nTop entities")
        for label, items in analysis.entities.items():
            if items and label not in ("CARDINAL", "ORDINAL"):
                shown = ", ".join(f"{e.text} ({e.count})" for e in items[:6])
                _write_line(out, f"  {label:<8} {shown}")
    if analysis.key_phrases:
        _write_line(out, "\nKey phrases")
        _write_line(out, "  " + ", ".join(f"{t} ({c})" for t, c in analysis.key_phrases[:15]))
    m = analysis.metrics
    _write_line(
        out,
        f"\n{m['stages']['analyze']['seconds']:.1f} s, {m['words_per_second']:,.0f} words/s, "
        f"peak RSS {m['peak_rss_mb']:.0f} MB",
    )
    for w in analysis.warnings:
        log.warning("%s", w)
    return EXIT_OK


def _process_target(input_path: str, output: str | None, formats: list[str]) -> str:
    """DESIGN's naming: next to the input, ``DIR/<stem>.snapshot.<ext>``, a file, or ``-``."""
    if output == "-" or (output is None and input_path == "-"):
        if len(formats) > 1:
            raise ConfigError("--output", output or "-", "-f all writes four files: give a folder")
        return "-"
    if output is None:
        return str(Path(input_path).parent) + os.sep
    if len(formats) > 1 and Path(output).exists() and not Path(output).is_dir():
        raise ConfigError("--output", output, "-f all writes four files: give a folder")
    return output


def _below_critical(record: logging.LogRecord) -> bool:
    return record.levelno < logging.CRITICAL


def cmd_process(args: argparse.Namespace, config: Config) -> int:
    """Build the snapshot of one transcript and write it in the chosen formats."""
    from customer_snapshot.ops.metrics import recorded_run
    from customer_snapshot.pipeline import process_file
    from customer_snapshot.render import resolve_formats

    if args.no_progress or args.quiet:
        config.progress = False
    if args.quiet:
        # -q: errors only (the memory monitor's alerts and the reader's warnings are logged).
        logging.getLogger("customer_snapshot").setLevel(logging.ERROR)
    if config.log_level != "DEBUG":
        # Past the limit the run stops with one clear line (exit 3); the monitor's CRITICAL
        # alert about the same moment would be a second one. Its alerts all go to the metrics
        # store (and the dashboard); warnings still show here, and LOG_LEVEL=DEBUG shows all.
        monitor_log = logging.getLogger("customer_snapshot.memory.monitor")
        if _below_critical not in monitor_log.filters:
            monitor_log.addFilter(_below_critical)
    if args.memory_limit is not None:
        config.memory_limit_mb = args.memory_limit
    if args.low_memory:
        from customer_snapshot.memory.sizing import apply_low_memory

        config = apply_low_memory(config)
    formats = resolve_formats(args.format)
    if args.docx_template is not None:
        if not Path(args.docx_template).is_file():
            raise ConfigError("--docx-template", args.docx_template, "no such file")
        if "docx" not in formats:
            raise ConfigError("--docx-template", args.docx_template, "needs -f docx or -f all")
    if args.template_dir is not None and not Path(args.template_dir).is_dir():
        raise ConfigError("--template-dir", args.template_dir, "no such folder")
    target = _process_target(args.input, args.output, formats)
    stem = "snapshot" if args.input == "-" else Path(args.input).name.rsplit(".", 1)[0]
    name = _input_name(args.input)
    # The run (or its failure) goes into the metrics store, with the memory monitor's samples.
    source_path = None if args.input == "-" else args.input
    with recorded_run(config, command="process", source_name=name, source_path=source_path) as run:
        result = run.result = process_file(
            _open_input(args.input),
            formats=formats,
            output=target,
            config=config,
            name=name,
            stem=stem,
            template=args.docx_template,
            template_dir=args.template_dir,
        )
    if not args.quiet:
        for w in result.snapshot.warnings:
            log.warning("%s", w)
        for path in result.outputs:
            print(path, file=sys.stderr)
    return EXIT_OK


# -- parser ---------------------------------------------------------------------------------

Command = Callable[[argparse.Namespace, Config], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the docs test to list every command)."""
    parser = _Parser(
        prog="customer-snapshot",
        description="Turn a customer call transcript (WebVTT or SRT) into an evidence-backed "
        "Customer Solution Snapshot, fully offline.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common_input(p: argparse.ArgumentParser) -> None:
        p.add_argument("input", metavar="INPUT", help="transcript file (.vtt, .srt) or - for stdin")
        p.add_argument(
            "--strict",
            action="store_true",
            help="follow the W3C WebVTT parsing rules exactly (no SRT, no exporter quirks)",
        )
        p.add_argument(
            "--speaker-map",
            action="append",
            metavar='"OLD=NEW"',
            help='rename speakers, e.g. --speaker-map "Speaker 1=Jane Doe" (repeatable)',
        )

    p = sub.add_parser("validate", help="check a transcript; problems with line numbers")
    common_input(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("cues", help="print the parsed cues as JSON lines")
    common_input(p)
    p.set_defaults(func=cmd_cues)

    p = sub.add_parser(
        "analyze", help="statistics: duration, speakers, talk time, topics, entities, phrases"
    )
    common_input(p)
    p.add_argument("--json", action="store_true", help="print the analysis as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("process", help="build the Customer Solution Snapshot of a transcript")
    common_input(p)
    p.add_argument(
        "-o", "--output", metavar="PATH|DIR|-",
        help="output file, folder, or - for stdout (default: next to the input)",
    )  # fmt: skip
    p.add_argument(
        "-f", "--format", choices=["md", "html", "docx", "json", "all"], default="json",
        help="output format: md (Markdown), html (one self-contained file), docx (Word), "
        "json, or all four",
    )  # fmt: skip
    p.add_argument(
        "--docx-template", metavar="FILE",
        help="fill this Word template (docxtpl; context = the snapshot JSON) instead of our layout",
    )  # fmt: skip
    p.add_argument(
        "--template-dir", metavar="DIR",
        help="folder of Jinja templates overriding ours (snapshot.md.j2, snapshot.html.j2, ...)",
    )  # fmt: skip
    p.add_argument("--memory-limit", type=float, metavar="MB", help="memory limit of the run")
    p.add_argument(
        "--low-memory", action="store_true",
        help="one spaCy process and smaller batches: slower, less memory",
    )  # fmt: skip
    p.add_argument("-q", "--quiet", action="store_true", help="no messages on stderr")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=cmd_process)

    import importlib

    from customer_snapshot.commands import COMMAND_MODULES

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def _configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("customer-snapshot: %(levelname)s: %(message)s"))
    root = logging.getLogger("customer_snapshot")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


class Terminated(KeyboardInterrupt):
    """SIGTERM (``docker stop``, a job scheduler): stop like Ctrl-C, so ``finally`` blocks
    run, temporary files go, workers stop and a batch writes its report; exit 143."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_stops() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while a command runs (main thread only).

    Without this a SIGTERM kills the process at once (its temporary files stay behind, a
    batch leaves no report), and as a container's PID 1 it is ignored until Docker kills it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (never raises for expected failures)."""
    with _sigterm_stops():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except _UsageError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_USAGE
        except SystemExit as exc:  # --help and --version exit 0 through argparse
            return int(exc.code or 0)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        config = Config()
        _configure_logging(config.log_level)
        if getattr(args, "strict", False):
            config.strict = True
        if getattr(args, "speaker_map", None):
            config.speaker_map = _speaker_map(args.speaker_map)
        func: Command = args.func
        return func(args, config)
    except SnapshotError as exc:
        print(f"customer-snapshot: error: {exc}", file=sys.stderr)
        return exit_code_for(exc)
    except MemoryError:
        print("customer-snapshot: error: out of memory", file=sys.stderr)
        return EXIT_RESOURCE
    except Terminated:
        print("customer-snapshot: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("customer-snapshot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our stdout went away (``| head``): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # the last line of defence: one line, no traceback
        # A bug of ours, not the user's input. The traceback goes to the log at DEBUG level
        # (LOG_LEVEL=DEBUG shows it); the user gets one line and exit code 1.
        log.debug("internal error", exc_info=True)
        print(
            f"customer-snapshot: internal error: {type(exc).__name__}: {exc} "
            "(run with LOG_LEVEL=DEBUG for the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
