"""The WebVTT file-parsing algorithm (W3C), run over a stream of lines.

Strict mode is the spec's algorithm step for step ("collect a WebVTT block", signature rules,
timestamp syntax, cue settings); the comments quote its steps. Lenient mode widens it only where
real exporters break the spec, and says so in a comment at each place.

The parser holds one block at a time: what it yields are :class:`RawCue` tuples; turning the
payload into plain text and speakers is :mod:`customer_snapshot.io.text`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, cast

from customer_snapshot.errors import TranscriptFormatError
from customer_snapshot.io.lines import LineSource

__all__ = ["MAX_CUE_CHARS", "Problem", "RawCue", "parse_blocks", "parse_settings", "parse_timing"]

MAX_CUE_CHARS = 1 << 20  # a real cue is a few hundred characters; bound memory on garbage input

_WS = " \t\n\f\r"  # ASCII whitespace as the spec defines it
_WS_SPLIT = re.compile(r"[ \t\n\f\r]+")

# Spec timestamp: hours (any digits, optional), 2-digit minutes and seconds, '.', 3 digits. The
# first group is hours unless it is exactly two digits <= 59 and no third group follows.
_TS = r"(\d+):(\d\d)(?::(\d\d))?\.(\d\d\d)(?!\d)"
_STRICT_TIMING = re.compile(rf"[{_WS}]*{_TS}[{_WS}]*-->[{_WS}]*{_TS}")
# Lenient: Teams writes 0:0:13.540, SubRip writes 00:00:01,000, some tools drop the fraction or
# write 1-2 digit fractions ("00:00:01.5").
_LTS = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d+))?"
_LENIENT_TIMING = re.compile(rf"\s*{_LTS}\s*-->\s*{_LTS}")
# Fast path: one ordinary cue block (optional id line, timing line, text lines, blank line(s))
# matched at once. Anything it does not match exactly goes through the full algorithm.
_FAST_BODY = r"""(?:([^\n]+)\n)?[ \t\f]*{ts}[ \t\f]*-->[ \t\f]*{ts}([^\n]*)\n((?:[^\n]+\n)*)\n+"""
_FAST_STRICT = re.compile(_FAST_BODY.format(ts=r"(\d+):(\d\d)(?::(\d\d))?\.(\d\d\d)(?!\d)"))
# SubRip's comma before the milliseconds is common enough to deserve the fast path too.
_FAST_LENIENT = re.compile(_FAST_BODY.format(ts=r"(\d+):(\d\d)(?::(\d\d))?[.,](\d\d\d)(?!\d)"))
# Lookup tables for the fixed-width fields of hh:mm:ss.ttt: a dict lookup is several times
# cheaper than int(), and a missing key is exactly the spec's "value > 59: fail".
_HOURS: dict[str | None, int] = {f"{i:02d}": i * 3600 for i in range(100)}
_MINUTES: dict[str | None, int] = {f"{i:02d}": i * 60 for i in range(60)}
_SECONDS: dict[str | None, int] = {f"{i:02d}": i for i in range(60)}
_MILLIS: dict[str | None, float] = {f"{i:03d}": i / 1000 for i in range(1000)}
_PERCENT = re.compile(r"^\d+(?:\.\d+)?%$")
_LINE_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$|^-?\.\d+$|^-?\d+\.$")


# A cue as the block parser found it, before text analysis: (identifier, start, end, payload,
# settings, line). A plain tuple: it is made once per cue, and tuples are the cheapest to make.
RawCue = tuple[str, float, float, str, dict[str, str], int]


class Problem(NamedTuple):
    """Something the reader skipped or repaired, with where it was."""

    line: int | None
    severity: str  # "error" | "warning"
    message: str


def _strict_seconds(h: str, m: str, s: str | None, frac: str) -> float | None:
    """Steps 5-12 of "collect a WebVTT timestamp" given the regex groups."""
    if s is None:
        # Two parts: the first is minutes, so it must be exactly two digits and <= 59.
        if len(h) != 2 or int(h) > 59:
            return None
        hours, minutes, seconds = 0, int(h), int(m)
    else:
        hours, minutes, seconds = int(h), int(m), int(s)
        if minutes > 59:
            return None
    if seconds > 59:
        return None
    return hours * 3600 + minutes * 60 + seconds + int(frac) / 1000


def _lenient_seconds(h: str | None, m: str, s: str, frac: str | None) -> float | None:
    minutes, seconds = int(m), int(s)
    if minutes > 59 or seconds > 59:
        return None
    value = (int(h) * 3600 if h else 0) + minutes * 60 + seconds
    if frac:
        value += int(frac) / 10 ** len(frac)
    return float(value)


def parse_timing(
    line: str, *, strict: bool, regions: dict[str, None] | None = None
) -> tuple[float, float, dict[str, str]] | None:
    """Parse a cue timing line: ``(start, end, settings)``, or ``None`` when it is not one.

    >>> parse_timing("00:01.000 --> 00:02.500 align:start bogus", strict=True)
    (1.0, 2.5, {'align': 'start'})
    >>> parse_timing("0:0:13.540 --> 0:0:15.2", strict=True) is None
    True
    >>> parse_timing("0:0:13.540 --> 0:0:15.2", strict=False)[:2]
    (13.54, 15.2)
    """
    m = _STRICT_TIMING.match(line)
    if m is not None:
        start = _strict_seconds(m.group(1), m.group(2), m.group(3), m.group(4))
        end = _strict_seconds(m.group(5), m.group(6), m.group(7), m.group(8))
        if start is not None and end is not None:
            return start, end, parse_settings(line[m.end() :], regions)
        if strict:
            return None
    elif strict:
        return None
    lm = _LENIENT_TIMING.match(line)
    if lm is None:
        return None
    start = _lenient_seconds(*lm.group(1, 2, 3, 4))
    end = _lenient_seconds(*lm.group(5, 6, 7, 8))
    if start is None or end is None:
        return None
    return start, end, parse_settings(line[lm.end() :], regions)


def _percentage(value: str) -> float | None:
    """The spec's "parse a percentage string"."""
    if not _PERCENT.match(value):
        return None
    number = float(value[:-1])
    return number if 0 <= number <= 100 else None


def _valid_line(value: str) -> bool:
    pos, _, align = value.partition(",")
    if "," in value and align not in ("start", "center", "end"):
        return False
    if not any(c.isdigit() for c in pos):
        return False
    if pos.endswith("%"):
        return _percentage(pos) is not None
    return _LINE_NUMBER.match(pos) is not None


def _valid_position(value: str) -> bool:
    pos, _, align = value.partition(",")
    if "," in value and align not in ("line-left", "center", "line-right"):
        return False
    return _percentage(pos) is not None


def parse_settings(remainder: str, regions: dict[str, None] | None = None) -> dict[str, str]:
    """The spec's "parse the WebVTT cue settings": valid settings only, last one wins.

    >>> parse_settings(" line:-1,end position:50%,center size:110% vertical:lr")
    {'line': '-1,end', 'position': '50%,center', 'vertical': 'lr'}
    """
    out: dict[str, str] = {}
    for token in _WS_SPLIT.split(remainder):
        colon = token.find(":")
        if colon <= 0 or colon == len(token) - 1:
            continue
        name, value = token[:colon], token[colon + 1 :]
        if name == "region":
            if regions is not None and value in regions:
                out[name] = value
        elif name == "vertical":
            if value in ("rl", "lr"):
                out[name] = value
        elif name == "line":
            if _valid_line(value):
                out[name] = value
        elif name == "position":
            if _valid_position(value):
                out[name] = value
        elif name == "size":
            if _percentage(value) is not None:
                out[name] = value
        elif name == "align" and value in ("start", "center", "end", "left", "right"):
            out[name] = value
    if "vertical" in out:
        # "If cue's WebVTT cue writing direction is not horizontal, let cue's region be null."
        out.pop("region", None)
    return out


def _region_id(lines: list[str]) -> str | None:
    """The ``id`` of a REGION block ("collect WebVTT region settings", id only)."""
    ident = None
    for line in lines:
        for token in _WS_SPLIT.split(line):
            name, sep, value = token.partition(":")
            if sep and name == "id" and value and "-->" not in value:
                ident = value
    return ident


def _is_keyword_block(first: str, keyword: str) -> bool:
    return first.startswith(keyword) and not first[len(keyword) :].strip(_WS)


def parse_blocks(
    src: LineSource,
    *,
    strict: bool,
    path: str,
    problem: Callable[[Problem], None],
) -> Iterator[RawCue]:
    """Run the WebVTT file-parsing algorithm over ``src`` and yield cues.

    Strict mode raises :class:`TranscriptFormatError` for a bad signature. Lenient mode also
    reads header-less files (SubRip, WebVTT without ``WEBVTT``) and times that exporters write
    outside the spec.
    """
    first = src.next()
    if first is None:
        raise TranscriptFormatError(path, 1, "empty file: no WEBVTT signature and no cues")
    if first.startswith("WEBVTT") and (len(first) == 6 or first[6] in " \t"):
        pass
    elif strict:
        raise TranscriptFormatError(
            path,
            1,
            "not a WebVTT file: the first line must be 'WEBVTT', alone or followed by a space "
            f"or tab (found {first[:40]!r})",
        )
    elif first[:6].upper() == "WEBVTT":
        # Lenient: "webvtt", "WEBVTT-FILE" and the like from hand-written files.
        problem(Problem(1, "warning", f"non-standard WebVTT signature {first[:40]!r}"))
    else:
        # Lenient: no header at all (SubRip, or WebVTT whose header an editor dropped). The
        # first block must then hold a cue timing line, or this is not a transcript.
        src.push_back(first)
        _check_headerless_start(src, path)
        yield from _block_loop(src, strict=strict, problem=problem)
        return
    # Steps 8-12: after the signature line, an optional header block.
    line = src.next()
    if line is None:
        return
    if line != "":
        src.push_back(line)
        _collect_block(src, in_header=True, strict=strict, state=_State(), problem=problem)
    yield from _block_loop(src, strict=strict, problem=problem)


def _check_headerless_start(src: LineSource, path: str) -> None:
    taken: list[str] = []
    found = False
    try:
        while True:
            line = src.next()
            if line is None:
                break
            taken.append(line)
            if line.strip(_WS) == "" and len(taken) == 1:
                continue
            if "-->" in line:
                found = True
                break
            if len([t for t in taken if t.strip(_WS)]) >= 3 or line.strip(_WS) == "":
                break
    finally:
        for line in reversed(taken):
            src.push_back(line)
    if not found:
        raise TranscriptFormatError(
            path,
            1,
            "not a WebVTT or SRT transcript: no 'WEBVTT' signature and no cue timing "
            "('00:00:01.000 --> 00:00:04.000') at the start",
        )


class _State:
    __slots__ = ("regions", "seen_cue")

    def __init__(self) -> None:
        self.seen_cue = False
        self.regions: dict[str, None] = {}


def _block_loop(
    src: LineSource, *, strict: bool, problem: Callable[[Problem], None]
) -> Iterator[RawCue]:
    state = _State()
    # Pattern.scanner (CPython's re, used by re.Scanner) is not in typeshed.
    fast = cast(Any, _FAST_STRICT if strict else _FAST_LENIENT).scanner
    while True:
        if not src.has_pending:
            # Fast path over the current block of input; it stops at the first block that is
            # not an ordinary cue, or at the end of the buffered input.
            buf = src.buf
            pos = src.pos
            lineno = src.lineno
            hours, minutes, seconds, millis = _HOURS, _MINUTES, _SECONDS, _MILLIS
            seen = state.seen_cue
            # A scanner's match() continues where the previous match ended: consecutive blocks.
            next_match = fast(buf, pos).match
            m = next_match()
            try:
                while m is not None:
                    ident, h1, m1, s1, f1, h2, m2, s2, f2, rest, text = m.groups()
                    if (ident is not None and "-->" in ident) or "-->" in text:
                        break  # the full algorithm decides what these lines are
                    try:
                        # "Collect a WebVTT timestamp" for the usual hh:mm:ss.ttt pair by table
                        # lookup; a missing key (value > 59, no hours, 3+ digit hours) falls
                        # back to the general code.
                        start = hours[h1] + minutes[m1] + seconds[s1] + millis[f1]
                        end = hours[h2] + minutes[m2] + seconds[s2] + millis[f2]
                    except KeyError:
                        start_ = _strict_seconds(h1, m1, s1, f1)
                        end_ = _strict_seconds(h2, m2, s2, f2)
                        if start_ is None or end_ is None:
                            break
                        start, end = start_, end_
                    line = lineno + 2 if ident is not None else lineno + 1
                    end_pos = m.end()
                    lineno += buf.count("\n", pos, end_pos)
                    pos = end_pos
                    if end < start:
                        problem(Problem(line, "warning", "cue ends before it starts"))
                    settings = (
                        parse_settings(rest, state.regions) if rest and not rest.isspace() else {}
                    )
                    if not seen:
                        state.seen_cue = seen = True
                    yield (ident or "", start, end, text[:-1], settings, line)
                    m = next_match()
            finally:
                # Hand the position back to the line-based algorithm (or to nobody, if the
                # consumer stopped reading at a yield).
                src.pos = pos
                src.lineno = lineno
        # "Collect a sequence of code points that are U+000A LINE FEED (LF) characters."
        line_text = src.next()
        while line_text == "":
            line_text = src.next()
        if line_text is None:
            return
        src.push_back(line_text)
        cue = _collect_block(src, in_header=False, strict=strict, state=state, problem=problem)
        if cue is not None:
            yield cue


def _collect_block(
    src: LineSource,
    *,
    in_header: bool,
    strict: bool,
    state: _State,
    problem: Callable[[Problem], None],
) -> RawCue | None:
    """The spec's "collect a WebVTT block"; returns a cue or ``None``."""
    line_count = 0
    buffer: list[str] = []
    size = 0
    seen_arrow = False
    cue: tuple[str, float, float, dict[str, str], int] | None = None
    region = False
    first_line = src.lineno + 1
    while True:
        line = src.next()
        if line is None:  # seen EOF
            break
        line_count += 1
        if "-->" in line:
            if not in_header and (line_count == 1 or (line_count == 2 and not seen_arrow)):
                seen_arrow = True
                timing = parse_timing(line, strict=strict, regions=state.regions)
                if timing is None:
                    cue = None
                    problem(Problem(src.lineno, "error", f"bad cue timing line {line[:60]!r}"))
                else:
                    start, end, settings = timing
                    if end < start:
                        problem(Problem(src.lineno, "warning", "cue ends before it starts"))
                    cue = ("\n".join(buffer), start, end, settings, src.lineno)
                    buffer = []
                    size = 0
                    state.seen_cue = True
            else:
                # "Let position be previous position and break out of loop": the line starts
                # the next block.
                src.push_back(line)
                break
        elif line == "":
            break
        else:
            if not in_header and line_count == 2 and not state.seen_cue and buffer:
                if _is_keyword_block(buffer[0], "STYLE"):
                    buffer = []
                elif _is_keyword_block(buffer[0], "REGION"):
                    region = True
                    buffer = []
            # Only a cue's text, a REGION's settings and a possible cue identifier (line 1) are
            # ever used: other lines (NOTE, header, STYLE) are not kept, so memory stays bounded.
            if cue is not None or region or line_count == 1:
                if size + len(line) <= MAX_CUE_CHARS:
                    buffer.append(line)
                    size += len(line) + 1
                elif cue is not None and size <= MAX_CUE_CHARS:
                    size = MAX_CUE_CHARS + 1
                    problem(Problem(src.lineno, "warning", "cue text truncated at 1 MiB"))
    if cue is not None:
        identifier, start, end, settings, line_no = cue
        return (identifier, start, end, "\n".join(buffer), settings, line_no)
    if region:
        ident = _region_id(buffer)
        if ident is not None:
            state.regions.pop(ident, None)
            state.regions[ident] = None
    elif seen_arrow is False and not in_header and line_count > 0 and buffer:
        head = buffer[0]
        if not (head.startswith("NOTE") and (len(head) == 4 or head[4] in _WS)) and not (
            _is_keyword_block(head, "STYLE") or _is_keyword_block(head, "REGION")
        ):
            problem(
                Problem(
                    first_line, "error", f"text block without a cue timing skipped: {head[:50]!r}"
                )
            )
    return None
