"""The health check: is this install able to do its job, here, now?

Four checks, in this order (each with a name, a status and one line of detail):

``nlp``
    the configured spaCy pipeline loads (and which one it is); the blank rules-only fallback is
    a ``warn``, a pipeline that cannot be loaded a ``fail``.
``render``
    a tiny transcript embedded here goes through the whole pipeline (read, analyse, build) and
    every renderer (Markdown, HTML, Word, JSON), in memory.
``data_folder``
    ``SNAPSHOT_HOME`` exists or can be made, a file can be written and removed there, and the
    metrics store in it (if any) can be read.
``memory``
    this process, having just done a small run, is within ``MEMORY_LIMIT_MB``; in a container
    the container's whole usage is also measured against its cgroup limit (the spec's alert
    levels: above 80 % warns, above 90 % fails).

The install is healthy when no check fails (``warn`` is healthy). Nothing here touches the
network. It takes about as long as loading the model plus one tiny run (docs/operations.md
has the measured time), which suits a container ``HEALTHCHECK``.
"""

from __future__ import annotations

import functools
import io
import json
import os
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from customer_snapshot.config import Config

__all__ = ["FAIL", "OK", "WARN", "Check", "HealthReport", "run_health_checks"]

OK = "ok"
WARN = "warn"
FAIL = "fail"

# A tiny call: two speakers, a company, a product, a date and a number, so every section
# builder and renderer has something to do.
_TRANSCRIPT = """WEBVTT

00:00:01.000 --> 00:00:05.000
<v Dana Reyes>Thanks for joining. I'm Dana Reyes, operations director at Northwind Foods.

00:00:05.500 --> 00:00:10.000
<v Sam Patel>Great to meet you. How has the Contoso Scheduler rollout gone so far?

00:00:10.500 --> 00:00:16.000
<v Dana Reyes>We went live on March 3, 2024 and cut planning time by 40 percent.

00:00:16.500 --> 00:00:21.000
<v Sam Patel>That's great. What are the next steps for your team?

00:00:21.500 --> 00:00:27.000
<v Dana Reyes>Next quarter we plan to roll it out to our two other plants.
"""


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one check.

    Attributes:
        name: ``nlp``, ``render``, ``data_folder`` or ``memory``.
        status: ``ok``, ``warn`` or ``fail``.
        detail: one line for a person.
        seconds: how long the check took.
    """

    name: str
    status: str
    detail: str
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class HealthReport:
    """Every check, and the verdict."""

    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def healthy(self) -> bool:
        """True when no check failed."""
        return all(c.status != FAIL for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report (what ``health --json`` prints)."""
        from customer_snapshot._version import __version__

        return {
            "status": "healthy" if self.healthy else "unhealthy",
            "healthy": self.healthy,
            "version": __version__,
            "seconds": round(self.seconds, 3),
            "checks": [c.to_dict() for c in self.checks],
        }

    def to_text(self) -> str:
        """The report for a person: the verdict, then one line per check."""
        verdict = "healthy" if self.healthy else "UNHEALTHY"
        lines = [f"customer-snapshot {verdict} ({self.seconds:.1f} s)"]
        width = max((len(c.name) for c in self.checks), default=0)
        lines += [f"  {c.status:<4}  {c.name:<{width}}  {c.detail}" for c in self.checks]
        return "\n".join(lines) + "\n"


def _timed(name: str, check: Callable[[], tuple[str, str]]) -> Check:
    t0 = time.perf_counter()
    try:
        status, detail = check()
    except Exception as exc:  # noqa: BLE001 (a check that breaks is a failed check, not a crash)
        status, detail = FAIL, f"{type(exc).__name__}: {exc}".strip()
    return Check(name, status, detail.splitlines()[0] if detail else "", time.perf_counter() - t0)


def check_nlp(config: Config) -> tuple[str, str]:
    """The configured spaCy pipeline loads; which one, and with which components."""
    from customer_snapshot.nlp.model import load_model

    loaded = load_model(config.spacy_model)
    components = ", ".join(loaded.nlp.pipe_names) or "none"
    if not loaded.trained:
        return WARN, f"{loaded.name}: no trained pipeline installed, rules only"
    if loaded.warning:
        return WARN, f"{loaded.name} (components: {components}); {loaded.warning}"
    return OK, f"{loaded.name} (components: {components})"


def check_render(config: Config) -> tuple[str, str]:
    """The embedded transcript goes through the pipeline and every renderer."""
    from customer_snapshot.pipeline import generate_snapshot
    from customer_snapshot.render import FORMATS, render_bytes

    snapshot = generate_snapshot(
        io.BytesIO(_TRANSCRIPT.encode()), config=config.replace(progress=False), name="health.vtt"
    )
    data = snapshot.to_dict()
    sizes = {}
    for fmt in FORMATS:
        payload = render_bytes(data, fmt)
        sizes[fmt] = len(payload)
        if fmt == "json":
            if len(json.loads(payload)["sections"]) != 11:
                return FAIL, "the JSON snapshot does not have 11 sections"
        elif fmt == "docx":
            with zipfile.ZipFile(io.BytesIO(payload)) as z:
                if "word/document.xml" not in z.namelist():
                    return FAIL, "the Word document has no word/document.xml"
        elif data["sections"][0]["title"] not in payload.decode():
            return FAIL, f"the {fmt} output lacks the first section's title"
    facts = sum(
        sum(1 for v in s["fields"].values() if v) + sum(len(v) for v in s["items"].values())
        for s in data["sections"]
    )
    shown = ", ".join(f"{f} {n / 1024:.0f} KB" for f, n in sizes.items())
    return OK, f"{data['source']['cues']}-cue transcript: {facts} facts; {shown}"


def check_data_folder(config: Config) -> tuple[str, str]:
    """SNAPSHOT_HOME is writable and its metrics store readable."""
    from customer_snapshot.ops.metrics import MetricsStore

    home = config.snapshot_home
    home.mkdir(parents=True, exist_ok=True)
    fd, probe = tempfile.mkstemp(dir=home, prefix=".health-", suffix=".tmp")
    try:
        os.write(fd, b"ok")
        os.fsync(fd)
    finally:
        os.close(fd)
        os.unlink(probe)
    store = MetricsStore.for_config(config)
    runs = store.count()
    plural = "" if runs == 1 else "s"
    what = f"metrics store: {runs} run{plural}" if store.path.exists() else "no metrics store yet"
    return OK, f"{home} is writable; {what}"


def check_memory(config: Config) -> tuple[str, str]:
    """This process (after a small run) within the limit; a container within its cgroup."""
    from customer_snapshot.memory.monitor import AlertThresholds
    from customer_snapshot.memory.rss import (
        MB,
        cgroup_memory_limit,
        cgroup_memory_usage,
        effective_limit_mb,
        rss_mb,
    )

    thresholds = AlertThresholds()
    info = effective_limit_mb(config.memory_limit_mb)
    rss = rss_mb()
    ratio = rss / info.limit_mb if info.limit_mb > 0 else 0.0
    parts = [f"RSS {rss:.0f} MB of {info.limit_mb:.0f} MB ({info.source}), {ratio:.0%}"]
    status = OK
    if ratio > 1.0:
        status = FAIL
        parts[0] += ": over the limit"
    elif ratio > thresholds.usage_critical:
        status = FAIL
    elif ratio > thresholds.usage_warning:
        status = WARN
    limit = cgroup_memory_limit()
    used = cgroup_memory_usage() if limit is not None else None
    if limit is not None and used is not None:
        share = used / limit
        parts.append(f"container {used / MB:.0f} MB of {limit / MB:.0f} MB, {share:.0%}")
        if share > thresholds.usage_critical:
            status = FAIL
        elif share > thresholds.usage_warning and status == OK:
            status = WARN
    else:
        parts.append("no container memory limit")
    return status, "; ".join(parts)


def run_health_checks(config: Config | None = None) -> HealthReport:
    """Run every check (in order: nlp, render, data_folder, memory) and return the report."""
    config = config or Config()
    t0 = time.perf_counter()
    report = HealthReport()
    for name, check in (
        ("nlp", check_nlp),
        ("render", check_render),
        ("data_folder", check_data_folder),
        ("memory", check_memory),
    ):
        report.checks.append(_timed(name, functools.partial(check, config)))
    report.seconds = time.perf_counter() - t0
    return report
