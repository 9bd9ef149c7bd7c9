"""Find the transcripts of a batch and decide where each one's outputs go.

Folders are searched recursively for ``.vtt`` and ``.srt`` files (any case); a file named on the
command line is taken whatever its extension (the user asked for it). Each input gets a *name*
(its path relative to the folder it was found in, or its file name when named directly), which
is also the name the snapshot shows, and an output folder that mirrors its sub-folder under
``OUT_DIR``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["TRANSCRIPT_SUFFIXES", "BatchInput", "discover", "is_transcript_name"]

TRANSCRIPT_SUFFIXES = (".vtt", ".srt")


def is_transcript_name(name: str) -> bool:
    """Whether a file name looks like a transcript we search folders for.

    >>> [is_transcript_name(n) for n in ("a.vtt", "B.SRT", "c.txt", ".hidden.vtt", "vtt")]
    [True, True, False, False, False]
    """
    return not name.startswith(".") and name.lower().endswith(TRANSCRIPT_SUFFIXES)


@dataclass(frozen=True, slots=True)
class BatchInput:
    """One input of a batch.

    Attributes:
        index: position in the batch (discovery order).
        path: the file, as found (the user's argument joined with what was found under it).
        name: what the report and the snapshot call it: the path relative to the folder it was
            found in (``sub/call.vtt``), or the file name when the file was named directly.
        out_dir: the folder its outputs are written to (``OUT_DIR`` plus the sub-folder).
        stem: the outputs' file name stem (``<stem>.snapshot.<ext>``).
        error: why the input cannot be processed at all (a path that does not exist).
    """

    index: int
    path: str
    name: str
    out_dir: str
    stem: str
    error: str | None = None


def _walk(root: Path, skip: Path | None) -> Iterator[Path]:
    """Transcripts under ``root``, sorted, not following links to folders, skipping hidden
    folders and ``skip`` (the output folder, when it sits inside the input folder)."""
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and (skip is None or (here / d).resolve() != skip)
        )
        for name in sorted(files):
            if is_transcript_name(name):
                yield here / name


def _stem(file_name: str) -> str:
    return file_name.rsplit(".", 1)[0] if "." in file_name.lstrip(".") else file_name


def discover(
    paths: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str]
) -> list[BatchInput]:
    """The inputs of a batch over ``paths`` (folders and files), writing under ``out_dir``.

    A path that does not exist becomes an input with an ``error`` (reported as failed, the rest
    go on). A file found twice (named directly and inside a named folder) is taken once. Two
    inputs that would write the same outputs (``call.vtt`` and ``call.srt`` side by side) keep
    them apart: the second one's stem keeps its extension (``call.srt.snapshot.json``), and a
    number is added if that is taken too.
    """
    out = Path(out_dir)
    skip = out.resolve() if out.exists() else None
    found: list[tuple[str, str, Path, str | None]] = []  # path, name, sub-folder, error
    seen: set[Path] = set()
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            for f in _walk(p, skip):
                real = f.resolve()
                if real in seen:
                    continue
                seen.add(real)
                rel = f.relative_to(p)
                found.append((str(f), PurePosixPath(*rel.parts).as_posix(), rel.parent, None))
        elif p.exists():
            real = p.resolve()
            if real in seen:
                continue
            seen.add(real)
            found.append((str(p), p.name, Path(), None))
        else:
            found.append((str(p), p.name or str(p), Path(), "no such file or folder"))

    inputs: list[BatchInput] = []
    taken: set[tuple[str, str]] = set()
    for index, (path, name, sub, error) in enumerate(found):
        folder = out / sub
        file_name = PurePosixPath(name).name
        stem = _stem(file_name)
        for candidate in _stem_candidates(stem, file_name):
            key = (str(folder), candidate.casefold())  # case-insensitive file systems too
            if key not in taken:
                taken.add(key)
                stem = candidate
                break
        inputs.append(BatchInput(index, path, name, str(folder), stem, error))
    return inputs


def _stem_candidates(stem: str, file_name: str) -> Iterator[str]:
    """``call``, then ``call.srt``, then ``call.srt-2``, ``call.srt-3``, ...

    >>> from itertools import islice
    >>> list(islice(_stem_candidates("call", "call.srt"), 4))
    ['call', 'call.srt', 'call.srt-2', 'call.srt-3']
    """
    yield stem
    if file_name != stem:
        yield file_name
    n = 2
    while True:
        yield f"{file_name}-{n}"
        n += 1
