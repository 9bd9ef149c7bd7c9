"""Who is the customer and who is the vendor.

Evidence, strongest first: organisations people name when they introduce themselves ("I'm
Dana, Director of Analytics at Northwind"); product names built on an organisation's name
("Brightwell Insight" makes Brightwell the vendor); who asks the questions (the vendor runs
discovery calls, kickoffs and reviews); who says "our team" about the engagement; in a
vendor's case study (a webinar), the organisation it calls "the customer". Customer facts come
only from the customer side, or from the vendor speaking of the customer.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from customer_snapshot.nlp.analysis import Analysis
from customer_snapshot.nlp.types import Candidate

__all__ = ["Sides", "detect_sides", "org_key", "same_org"]

_ORG_SUFFIX = re.compile(
    r"\s+(?:inc|llc|ltd|corp|corporation|co|company|group|systems|software|labs|technologies)\.?$",
    re.I,
)


def org_key(name: str) -> str:
    """Comparable form of an organisation name ("Brightwell Systems, Inc." -> "brightwell")."""
    name = re.sub(r"[,.]", " ", name).strip()
    prev = None
    while prev != name:
        prev = name
        name = _ORG_SUFFIX.sub("", name).strip()
    return " ".join(name.casefold().split())


def _same_key(ka: str, kb: str) -> bool:
    """Two organisation keys name one organisation: equal, or one starts the other."""
    return bool(ka and kb) and (ka == kb or ka.startswith(kb + " ") or kb.startswith(ka + " "))


def same_org(a: str, b: str) -> bool:
    """ "Hollis & Vine" and "Hollis & Vine Grocers" are the same organisation."""
    return _same_key(org_key(a), org_key(b))


@dataclass
class Sides:
    """The two sides of the call."""

    customer_org: str | None = None
    vendor_org: str | None = None
    customer_speakers: set[str] = field(default_factory=set)
    vendor_speakers: set[str] = field(default_factory=set)
    org_of: dict[str, str] = field(default_factory=dict)  # speaker label -> organisation
    # The customer was named in a story the vendor tells ("the customer is X") and does not
    # speak for itself: the vendor's third-person statements ("they're a grocery chain",
    # "their headquarters is in Columbus") are about the customer.
    case_study: bool = False

    def is_customer(self, speaker: str | None) -> bool:
        """True when ``speaker`` is on the customer side (unknown speakers are not)."""
        return speaker is not None and speaker in self.customer_speakers

    def is_vendor(self, speaker: str | None) -> bool:
        """True when ``speaker`` is on the vendor side."""
        return speaker is not None and speaker in self.vendor_speakers


def _product_prefix_counts(analysis: Analysis) -> Counter[str]:
    """How often each first word starts a multi-word product/organisation entity."""
    counts: Counter[str] = Counter()
    for label in ("ORG", "PRODUCT", "PERSON", "GPE", "FAC", "WORK_OF_ART"):
        for ent in analysis.entities.get(label, []):
            words = ent.text.split()
            if len(words) >= 2 and words[0][:1].isupper():
                counts[words[0].casefold()] += ent.count
    return counts


def _self_mentions(analysis: Analysis, k: str) -> int:
    """How often the organisation ``k`` itself was tagged as a multi-word entity."""
    return sum(
        ent.count
        for label in ("ORG", "PRODUCT", "PERSON", "GPE", "FAC", "WORK_OF_ART")
        for ent in analysis.entities.get(label, [])
        if len(ent.text.split()) >= 2 and _same_key(org_key(ent.text), k)
    )


def _merge_orgs(org_of: dict[str, str]) -> dict[str, str]:
    """Organisation key -> display name; "Redgum" and "Redgum Valley Water" are one (the longer
    name is shown)."""
    orgs: dict[str, str] = {}
    for org in sorted(org_of.values(), key=len, reverse=True):
        k = org_key(org)
        if not k:
            continue
        same = _canonical(k, orgs)
        if same not in orgs or len(org) > len(orgs[same]):
            orgs[same] = org
    return orgs


def _canonical(k: str, orgs: dict[str, str]) -> str:
    """The key in ``orgs`` that ``k`` names (itself, or a longer name it is the start of)."""
    if k in orgs:
        return k
    return next((other for other in orgs if _same_key(k, other)), k)


def _customer_from_mentions(
    mentions: list[Candidate],
    sides: Sides,
    prefixes: Counter[str],
    speaker_names: list[str],
    person_entities: list[str],
) -> str | None:
    """The customer organisation when nobody introduced themselves with it: the organisation
    the vendor side addresses ("our review with Blue Heron", "on the Blue Heron side") or a
    speaker calls their own, and that is not the vendor or a product brand."""
    vkey = org_key(sides.vendor_org or "")
    vendor_labels = {lbl for lbl, org in sides.org_of.items() if vkey and org_key(org) == vkey}
    people = {w.casefold() for name in speaker_names for w in name.split()}
    person_words = {w.casefold() for name in person_entities for w in name.split()[:1]}
    scores: dict[str, float] = {}
    names: dict[str, str] = {}
    for cand in mentions:
        k = org_key(cand.value)
        first = k.split(maxsplit=1)[0] if k else ""
        if not k or k == vkey or (vkey and first == vkey.split()[0]) or prefixes.get(first, 0) >= 3:
            continue  # the vendor itself, or a product family's brand
        if first in people or (" " not in k and k in person_words):
            continue  # "working with Dwayne": a person
        label = cand.evidence.speaker
        relation = cand.attrs.get("relation", "")
        if relation == "own":
            weight = 0.5 if label in vendor_labels else 2.0
        elif relation == "host":
            weight = 2.0  # "thanks for having me at X", "I look after the X account"
        elif relation == "described":
            weight = 1.5
        elif relation == "side":
            weight = 1.0  # "on the Blue Heron side" (but also "on the IT side")
        else:
            # "our review with X": one such mention is not enough on its own.
            weight = 1.0 if label in vendor_labels or label not in sides.org_of else 0.5
        k = _canonical(k, names)
        scores[k] = scores.get(k, 0.0) + weight
        if k not in names or len(cand.value) > len(names[k]):
            names[k] = cand.value
    if not scores:
        return None
    best = max(scores, key=lambda k: scores[k])
    return names[best] if scores[best] >= 1.5 else None


def _apply_rosters(analysis: Analysis, sides: Sides, by_label: dict[str, Any]) -> None:
    """ "On our side it's me and Hana" said by a speaker on a known side puts Hana there too;
    "on your side, Ingrid and Femi" puts them on the other side. Only speakers whose side is
    still unknown are placed."""
    first_names: dict[str, str] = {}
    for label, p in by_label.items():
        words = p.name.split()
        if len(words) >= 2 and not p.name.startswith("Speaker "):
            first_names[words[0].casefold()] = label
    for cand in analysis.candidates.get("side_roster", []):
        by = cand.evidence.speaker
        if by in sides.vendor_speakers:
            ours, theirs = sides.vendor_speakers, sides.customer_speakers
        elif by in sides.customer_speakers:
            ours, theirs = sides.customer_speakers, sides.vendor_speakers
        else:
            continue
        target = ours if cand.attrs.get("side") == "our" else theirs
        for word in re.findall(r"[A-Za-z][\w'-]*", cand.value):
            named = first_names.get(word.casefold().removesuffix("'s"))
            if (
                named
                and named != by
                and named not in sides.vendor_speakers | sides.customer_speakers
            ):
                target.add(named)


def detect_sides(analysis: Analysis) -> Sides:
    """Work out the customer and vendor organisations and speakers."""
    sides = Sides()
    by_label = {p.label: p for p in analysis.participants}
    for p in analysis.participants:
        if p.organization:
            sides.org_of[p.label] = p.organization
    mentions = analysis.candidates.get("org_mention", [])
    for cand in mentions:
        # "I run lab operations here at Kestrel Bioscience": the speaker's own organisation.
        label = cand.evidence.speaker
        if cand.attrs.get("relation") == "own" and label in by_label and label not in sides.org_of:
            sides.org_of[label] = cand.value
    orgs = _merge_orgs(sides.org_of)
    for label, org in list(sides.org_of.items()):
        sides.org_of[label] = orgs.get(_canonical(org_key(org), orgs), org)
    prefixes = _product_prefix_counts(analysis)
    for brand, members in analysis.brands:
        # A product family ("Acme Vault", "Acme Flow") marks its brand as the vendor.
        prefixes[brand.casefold()] += 3 * len(members)
    questions: Counter[str] = Counter()
    for p in analysis.participants:
        k = org_key(sides.org_of.get(p.label, ""))
        if k:
            questions[k] += p.questions

    def vendor_score(k: str) -> float:
        first = k.split(maxsplit=1)[0] if k else ""
        # Names built on it ("Acme Vault"), not mentions of the organisation itself.
        built_on = max(0, prefixes.get(first, 0) - _self_mentions(analysis, k))
        return 2.0 * built_on + 0.5 * questions.get(k, 0)

    if len(orgs) >= 2:
        ranked = sorted(orgs, key=vendor_score, reverse=True)
        sides.vendor_org = orgs[ranked[0]]
        # The customer: the other organisation with the most speakers.
        speakers_per_org = Counter(org_key(o) for o in sides.org_of.values())
        rest = [k for k in ranked[1:]]
        rest.sort(key=lambda k: speakers_per_org[k], reverse=True)
        sides.customer_org = orgs[rest[0]]
    elif len(orgs) == 1:
        (k,) = orgs
        first = k.split()[0]
        # Its name starts other names ("Acme Vault", "Acme Flow"): the vendor. Mentions of
        # the organisation itself ("Larkspur Foods" said twice) do not count.
        if prefixes.get(first, 0) - _self_mentions(analysis, k) >= 2:
            sides.vendor_org = orgs[k]
        else:
            sides.customer_org = orgs[k]
    if sides.vendor_org is None and analysis.brands:
        brand, members = analysis.brands[0]
        if len(members) >= 2 and org_key(sides.customer_org or "").split()[:1] != [
            brand.casefold()
        ]:
            sides.vendor_org = brand
    named = Counter(c.value for c in analysis.candidates.get("customer", []))
    if sides.customer_org is None and named:
        value = named.most_common(1)[0][0]
        if org_key(value) != org_key(sides.vendor_org or ""):
            sides.customer_org = value
            sides.case_study = True
    if sides.customer_org is None:
        people_names = [p.name for p in analysis.participants] + [
            c.attrs.get("name", "") for c in analysis.candidates.get("introduction", [])
        ]
        persons = [e.text for e in analysis.entities.get("PERSON", [])]
        sides.customer_org = _customer_from_mentions(
            mentions, sides, prefixes, people_names, persons
        )
    vkey = org_key(sides.vendor_org or "")
    ckey = org_key(sides.customer_org or "")
    if vkey:
        # A speaker who names the vendor when introducing themselves works for it.
        brand = vkey.split()[0]
        for cand in analysis.candidates.get("introduction", []):
            label = cand.evidence.speaker
            if (
                cand.attrs.get("who") == "self"
                and label in by_label
                and label not in sides.org_of
                and re.search(rf"\b{re.escape(brand)}\b", cand.value, re.I)
            ):
                sides.org_of[label] = sides.vendor_org or brand
    for label in by_label:
        k = org_key(sides.org_of.get(label, ""))
        if k and k == vkey:
            sides.vendor_speakers.add(label)
        elif k and k == ckey:
            sides.customer_speakers.add(label)
    # "Toby is our solutions engineer", said by someone on a known side: Toby is on it too.
    names = {p.name.casefold(): lbl for lbl, p in by_label.items()}
    for cand in analysis.candidates.get("introduction", []):
        intro_by = cand.evidence.speaker or ""
        target = names.get(cand.attrs.get("name", "").casefold())
        if cand.attrs.get("who") != "other" or target is None or target == intro_by:
            continue
        if target in sides.vendor_speakers | sides.customer_speakers:
            continue
        if not re.search(r"\b(our|my)\b", cand.value, re.I):
            continue
        if intro_by in sides.vendor_speakers:
            sides.vendor_speakers.add(target)
        elif intro_by in sides.customer_speakers:
            sides.customer_speakers.add(target)
    _apply_rosters(analysis, sides, by_label)
    unknown = [
        lbl for lbl in by_label if lbl not in sides.vendor_speakers | sides.customer_speakers
    ]
    if unknown:
        if sides.vendor_speakers and not sides.customer_speakers:
            sides.customer_speakers.update(unknown)
        elif sides.customer_speakers and not sides.vendor_speakers:
            # The vendor asks the questions: the unknown speaker who asks most is the vendor.
            asker = max(unknown, key=lambda lbl: by_label[lbl].questions)
            sides.vendor_speakers.add(asker)
            sides.customer_speakers.update(u for u in unknown if u != asker)
        elif not sides.vendor_speakers and not sides.customer_speakers:
            asker = max(unknown, key=lambda lbl: by_label[lbl].questions)
            if by_label[asker].questions > 0 and len(unknown) > 1:
                sides.vendor_speakers.add(asker)
                sides.customer_speakers.update(u for u in unknown if u != asker)
        else:
            # Both sides known: an unknown speaker is on the side whose members they answer.
            sides.customer_speakers.update(unknown)
    return sides
