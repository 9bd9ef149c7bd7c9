"""Cue payload -> plain text and speaker.

Exporters put the speaker in different places: Teams and hand-made WebVTT use ``<v Name>``
voice tags (Teams adds pronoun suffixes such as ``(He/Him)``); Zoom writes ``Name: text`` in every
cue; SubRip exports from editors write ``NAME:`` on the first subtitle of a turn only; ASR
services write ``Speaker 3:``; interview transcripts write ``Name (Role):``.
"""

from __future__ import annotations

import html
import re

__all__ = [
    "analyze_payload",
    "has_inline_timestamps",
    "plain_text",
    "split_speaker_label",
    "strip_tags",
    "voice_of",
]

# A cue-text tag: start/end tags with a letter name (c, i, b, u, v, lang, ruby, rt, with classes
# and annotations) and inline timestamps (<00:00:05.885>, YouTube word timings). A lone "<" that
# starts no tag (e.g. "latency < 5 ms" in a hand-edited file) is kept as text.
_TAG_RE = re.compile(r"<(?:/?[A-Za-z][^<>\n]*|/|\d[\d:.]*)>")
_VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?[ \t\f]+([^>]*)>")
_SPACE_RE = re.compile(r"\s+")
# Invisible format characters (&lrm; &rlm; zero-width space, stray BOM) carry no words.
_SLOW_CHARS = re.compile("[^\x00-\x84\x86-\x9f\xa1-\u167f]")
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\ufeff]")
_TIMESTAMP_TAG_RE = re.compile(r"<\d{1,2}:\d\d")

# "Name: text", "Name (Role): text", "Speaker 3: text", "SPEAKER_01: text".
_LABEL_RE = re.compile(
    r"^(?P<name>[^\W\d_][^:()\n]{0,48}?|[Ss]peaker[ _-]?\w{1,3})\s*"
    r"(?:\((?P<role>[^()\n]{1,80})\)\s*)?:(?:\s+|$)"
)
_GENERIC_SPEAKER_RE = re.compile(r"^(?:speaker|spk|participant|person)[ _-]?(\w{1,3})$", re.I)
_NAME_TOKEN_RE = re.compile(r"^[A-Z][\w'’.\-]*$|^[A-Z][A-Z'’.\-]*$")
# Lower-case words allowed inside names ("Luis de la Cruz", "Ludwig van Beethoven").
_PARTICLES = frozenset(
    """
    de da del della di du la le van von der den ter ten bin ibn al el y st. st dos das
    """.split()
)
# Capitalised words that start a line before a colon but are not people ("Note:", "Agenda:",
# "Company Location:"). A label containing any of them is text, not a speaker.
_NOT_NAMES = frozenset(
    """
    a an the and or but so if then also here there this that these those it its we our you your
    they their he she i me my yes no ok okay well now next first second last step steps note
    notes agenda summary question questions answer answers action actions item items update
    updates example warning important reminder re subject date time location company industry
    name position title role contact email phone product products solution background results
    result goal goals problem problems issue issues status today tomorrow yesterday update q a
    monday tuesday wednesday thursday friday saturday sunday morning afternoon evening january
    february march april may june july august september october november december
    """.split()
)
# Parenthesised suffixes that are not roles (Teams adds pronouns and guest markers).
_NOT_ROLE_RE = re.compile(
    r"^(?:(?:he|she|they|ze|xe)(?:\s*/\s*\w+)+|guest|external|unverified|host|co-host|me)$",
    re.I,
)


def strip_tags(text: str) -> str:
    """Remove WebVTT cue-text tags, keeping the text inside them.

    >>> strip_tags("<v Ann>Hi <i>there</i></v> a<00:00:01.500><c> word</c>")
    'Hi there a word'
    """
    if "<" not in text:
        return text
    return _TAG_RE.sub("", text)


def voice_of(raw: str) -> str | None:
    """The annotation of the first ``<v>`` tag, if any.

    >>> voice_of("<v.loud Sam Lee (He/Him)>hello")
    'Sam Lee (He/Him)'
    """
    if "<v" not in raw:
        return None
    m = _VOICE_RE.search(raw)
    if not m:
        return None
    name = _SPACE_RE.sub(" ", html.unescape(m.group(1))).strip()
    return name or None


def plain_text(raw: str) -> str:
    """Cue payload -> one line of plain text: tags stripped, entities decoded, spaces folded.

    >>> plain_text("<v Ann>Fish &amp; chips&nbsp;&lt;3\\nsecond line</v>")
    'Fish & chips <3 second line'
    """
    text = _TAG_RE.sub("", raw) if "<" in raw else raw
    if "&" in text:
        text = html.unescape(text)
    # Below U+1680 the only non-ASCII whitespace is NBSP/NEL and there are no invisible format
    # characters: most accented text (names like "Tomás") takes the cheap path.
    if (text.isascii() or _SLOW_CHARS.search(text) is None) and (
        "\n" not in text and "  " not in text and "\t" not in text
    ):
        return text.strip()
    return _SPACE_RE.sub(" ", _INVISIBLE_RE.sub("", text)).strip()


def has_inline_timestamps(raw: str) -> bool:
    """True for YouTube-style word timings (``<00:00:05.885>``) in a cue."""
    return "<" in raw and _TIMESTAMP_TAG_RE.search(raw) is not None


def _clean_role(role: str | None) -> str | None:
    if role is None:
        return None
    role = _SPACE_RE.sub(" ", role).strip()
    if not role or _NOT_ROLE_RE.match(role):
        return None
    return role


def _looks_like_name(label: str) -> bool:
    tokens = label.split()
    if not 1 <= len(tokens) <= 5 or len(label) > 48:
        return False
    if any(ch.isdigit() for ch in label):
        return False
    if not (_NAME_TOKEN_RE.match(tokens[0]) and _NAME_TOKEN_RE.match(tokens[-1])):
        return False
    for tok in tokens:
        low = tok.lower().strip(".'’")
        if low in _NOT_NAMES:
            return False
        if not _NAME_TOKEN_RE.match(tok) and tok.lower() not in _PARTICLES:
            return False
    return True


def normalize_speaker(name: str) -> str:
    """Tidy a speaker name: fold spaces; ``GRANT HOLLOWAY`` -> ``Grant Holloway``.

    >>> normalize_speaker("MARY-KATE  O'NEIL")
    "Mary-Kate O'Neil"
    """
    name = _SPACE_RE.sub(" ", name).strip()
    letters = [c for c in name if c.isalpha()]
    if len(letters) > 2 and all(c.isupper() for c in letters):
        name = name.title()
    return name


_label_cache: dict[str, tuple[str, str | None] | None] = {}
_LABEL_CACHE_MAX = 4096  # labels repeat all call long; the bound keeps memory flat


def split_speaker_label(text: str) -> tuple[str | None, str | None, str]:
    """Split a leading speaker label off plain text.

    Returns ``(speaker, role, rest)``; ``speaker`` is ``None`` when the text has no label. A
    label counts only when it looks like a name: short, capitalised, no digits (so
    ``10:30 Meeting:`` and ``Here is the plan:`` stay text).

    >>> split_speaker_label("Dana Okafor (VP Operations): Morning, all.")
    ('Dana Okafor', 'VP Operations', 'Morning, all.')
    >>> split_speaker_label("speaker 2: yeah we got you")
    ('Speaker 2', None, 'yeah we got you')
    >>> split_speaker_label("Here's the plan: we ship it.")
    (None, None, "Here's the plan: we ship it.")
    """
    colon = text.find(":", 0, 140)
    if colon <= 0:
        return None, None, text
    after = colon + 1
    if after < len(text) and not text[after].isspace():
        return None, None, text  # "10:30", "3:1", "https://": a colon inside a token
    key = text[:colon]
    try:
        found = _label_cache[key]
    except KeyError:
        m = _LABEL_RE.match(key + ":")
        found = _judge_label(m.group("name").strip(), m.group("role")) if m else None
        if len(_label_cache) >= _LABEL_CACHE_MAX:
            _label_cache.clear()
        _label_cache[key] = found
    if found is None:
        return None, None, text
    return found[0], found[1], text[after:].strip()


def _judge_label(label: str, role: str | None) -> tuple[str, str | None] | None:
    generic = _GENERIC_SPEAKER_RE.match(label)
    if generic:
        return f"Speaker {generic.group(1).lstrip('0') or '0'}", _clean_role(role)
    if _looks_like_name(label):
        return normalize_speaker(label), _clean_role(role)
    return None


def split_voice(voice: str) -> tuple[str, str | None]:
    """``"Sam Lee (He/Him)"`` -> ``("Sam Lee", None)``; ``"Ann (CFO)"`` -> ``("Ann", "CFO")``.

    >>> split_voice("Sam Lee (He/Him)"), split_voice("Ann Wu (CFO)")
    (('Sam Lee', None), ('Ann Wu', 'CFO'))
    """
    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", voice)
    if m and m.group(1):
        return normalize_speaker(m.group(1)), _clean_role(m.group(2))
    return normalize_speaker(voice), None


def analyze_payload(raw: str) -> tuple[str, str | None, str | None]:
    """Cue payload -> ``(plain text, speaker, role)``; a voice tag wins over a label.

    >>> analyze_payload("<v Ann Wu (CFO)>Ann Wu: we are live</v>")
    ('we are live', 'Ann Wu', 'CFO')
    >>> analyze_payload("RAJ MEHTA: Impressive.")
    ('Impressive.', 'Raj Mehta', None)
    """
    text = plain_text(raw)
    if "<v" in raw:
        voice = voice_of(raw)
        if voice is not None:
            speaker, role = split_voice(voice)
            # A Teams cue may still carry "Name:" inside the voice tag; drop a duplicate label.
            label, _, rest = split_speaker_label(text)
            if label is not None and label.lower() == speaker.lower():
                text = rest
            return text, speaker, role
    speaker2, role2, rest2 = split_speaker_label(text)
    return rest2, speaker2, role2
