"""``build_snapshot(analysis, *, config) -> Snapshot``: choose, for each section, the facts the
call supports, each with its evidence. An empty field beats an invented one."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from customer_snapshot._version import __version__
from customer_snapshot.config import Config
from customer_snapshot.nlp.analysis import Analysis
from customer_snapshot.nlp.types import Candidate, Evidence
from customer_snapshot.snapshot.model import SECTIONS, Fact, Section, Snapshot
from customer_snapshot.snapshot.sides import Sides, detect_sides, org_key, same_org

__all__ = ["build_snapshot"]

MAX_ITEMS = 8  # bullets per list: a snapshot is read in two minutes
MAX_CHARS = 300
_START_WORDS = re.compile(
    r"\b(kick[- ]?off|kicked off|start(?:ed|s|ing)?|began|begin|launch(?:ed)? the project)\b", re.I
)
_END_WORDS = re.compile(
    r"\b(go[- ]live|went live|live by|complet(?:e|ed|ion)|finish(?:ed)?|wrap(?:ped)? up|"
    r"cut ?over|launch)\b",
    re.I,
)
# A start of one phase is not the start of the engagement ("the pilot starts May 16th").
_SUB_PHASE = re.compile(r"\b(pilot|uat|testing|training|phase|wave|sprint|trial|poc)\b", re.I)
_NOT_ENGAGEMENT = re.compile(
    r"\b(contract|renewal|renew|outage|conference|summit|budget|fiscal|board meeting|expir)", re.I
)
_IMPLEMENTATION = re.compile(
    r"\b(configur|install|integrat|migrat|train(?:ing)?|pilot|roll(?:ing)? ?out|deploy|onboard|"
    r"set(?:ting)? up|phase (?:one|1|two|2)|workshop|connector|pipeline|uat|cutover|go-live|"
    r"sprint)\w*",
    re.I,
)
# A part in the project, not a job title: "I'm the sponsor on our side".
_PROJECT_ROLE = re.compile(
    r"^(?:the |our |your |an? )?(?:executive |project |business |main |primary )?(?:sponsor|"
    r"champion|point of contact|contact|owner|stakeholder|decision maker|lead)$",
    re.I,
)
_LOCATION_CUE = re.compile(r"\b(based|headquartered|located|offices?|out of|hq)\b", re.I)
_INDUSTRY_LEAD = re.compile(
    r"^(?:(?:so|well|sure|yeah|yes|um|uh|okay|right)[,.]?\s+)*"
    r"(?:we(?:'re| are)|it's|it is|i'd say|we're basically|we are basically)\s+"
    r"(?:in\s+)?(?:an?\s+|the\s+)?",
    re.I,
)


# Words that put a person named in passing on the engagement ("on the core team were Curtis
# Yoon, their energy analyst", "my main partner on their side was Rosa Delgado, ...").
_TEAM_CUE = re.compile(
    r"\b(?:team|partner|contact|point person|side|project|led|leads?|worked with|working with|"
    r"champion|sponsor|owner|owns|rollout|implementation|deployment)\b",
    re.I,
)


def _trim(text: str, limit: int = MAX_CHARS) -> str:
    text = " ".join(text.split())
    # A quote mark left over from a sentence cut out of a longer quotation.
    if text.count('"') == 1 and (text.startswith('"') or text.endswith('"')):
        text = text.strip('"').strip()
    if text.count("“") != text.count("”"):
        text = text.replace("“", "").replace("”", "")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9%$]+", text.casefold()))


def _dedupe(
    cands: Iterable[Candidate],
    limit: int = MAX_ITEMS,
    text: Callable[[Candidate], str] = lambda c: c.value,
) -> list[Candidate]:
    """Drop near-repeats (the same fact said twice), keep the order given."""
    kept: list[Candidate] = []
    seen: list[set[str]] = []
    for c in cands:
        w = _words(text(c))
        if not w:
            continue
        if any(len(w & s) / max(1, min(len(w), len(s))) > 0.8 for s in seen):
            continue
        kept.append(c)
        seen.append(w)
        if len(kept) >= limit:
            break
    return kept


def _facts(cands: Iterable[Candidate], limit: int = MAX_ITEMS) -> list[Fact]:
    chosen = _dedupe(sorted(cands, key=lambda c: -c.confidence), limit)
    chosen.sort(key=lambda c: c.evidence.start)
    return [Fact.from_candidate(c, value=_trim(c.value)) for c in chosen]


class _Context:
    def __init__(self, analysis: Analysis, config: Config) -> None:
        self.analysis = analysis
        self.config = config
        self.sides: Sides = detect_sides(analysis)
        self.cands = analysis.candidates
        names = analysis.speaker_names

        # Evidence speakers and owners ("Speaker 1", of a phone or a promise): resolved names
        # for generic labels.
        def rename(c: Candidate) -> Candidate:
            sp = c.evidence.speaker
            if sp in names:
                ev = c.evidence
                c.evidence = Evidence(ev.start, ev.end, names[sp], ev.text)
            owner = c.attrs.get("owner")
            if owner in names:
                c.attrs["owner"] = names[owner]
            return c

        for items in self.cands.values():
            for c in items:
                rename(c)
        self.label_of = {p.name: p.label for p in analysis.participants}
        if len(analysis.participants) == 1 and not any(
            c.evidence.speaker
            for items in self.cands.values()
            for c in items
            if c.evidence.speaker != analysis.participants[0].name
        ):
            # One voice and no labels (a webinar): everything unlabelled was said by it.
            only = analysis.participants[0].name
            for items in self.cands.values():
                for c in items:
                    if c.evidence.speaker is None:
                        ev = c.evidence
                        c.evidence = Evidence(ev.start, ev.end, only, ev.text)

    def kind(self, kind: str) -> list[Candidate]:
        return list(self.cands.get(kind, []))

    def said_by_customer(self, c: Candidate) -> bool:
        sp = c.evidence.speaker
        label = self.label_of.get(sp or "", sp)
        if not self.sides.customer_speakers:
            return True  # sides unknown: do not filter
        return self.sides.is_customer(label)

    def said_by_vendor(self, c: Candidate) -> bool:
        sp = c.evidence.speaker
        label = self.label_of.get(sp or "", sp)
        return self.sides.is_vendor(label)


# -- customer information ---------------------------------------------------------------------


def _customer_information(ctx: _Context) -> Section:
    sec = Section("customer_information", "Customer Information")
    intros = ctx.kind("introduction")
    org = ctx.sides.customer_org
    company = None
    if org:
        ev = next(
            (c for c in intros if org_key(c.attrs.get("organization", "")) == org_key(org)), None
        )
        said = next((c for c in ctx.kind("org_mention") if same_org(c.value, org)), None)
        if ev is not None:
            company = Fact(org, [ev.evidence], None, 0.8)
        elif said is not None:  # "here at Kestrel Bioscience", "our review with Blue Heron"
            company = Fact(org, [said.evidence], None, 0.7)
        elif ctx.sides.case_study:
            named = next((c for c in ctx.kind("customer") if c.value == org), None)
            if named is not None:
                company = Fact(org, [named.evidence], None, 0.6)
    sec.fields["company_name"] = company
    sec.fields["industry"] = _industry(ctx)
    sec.fields["location"] = _location(ctx)
    contact = _primary_contact(ctx)
    sec.fields["primary_contact"] = contact
    position = None
    if contact is not None:
        p = next((p for p in ctx.analysis.participants if p.name == contact.value), None)
        intro = next(
            (c for c in intros if c.attrs.get("name") == contact.value and c.attrs.get("title")),
            None,
        )
        if intro is not None and not _PROJECT_ROLE.match(intro.attrs["title"]):
            position = Fact(intro.attrs["title"], [intro.evidence], None, 0.75)
        elif p is not None and p.role and not _PROJECT_ROLE.match(p.role):
            position = Fact(p.role, list(contact.evidence), None, 0.6)
    sec.fields["position"] = position
    sec.fields["contact_information"] = _contact_info(ctx, contact.value if contact else None)
    filled = [k for k, v in sec.fields.items() if v]
    if company is not None:
        sec.summary = f"{company.value}" + (
            f", {sec.fields['location'].value}" if sec.fields.get("location") else ""  # type: ignore[union-attr]
        )
    elif filled:
        sec.summary = ""
    return sec


def _customer_side_first(ctx: _Context, kind: str) -> Candidate | None:
    """The first candidate of ``kind`` that is about the customer's organisation.

    Said by the customer side, or by the vendor when it addresses the customer ("your main
    plant is in …") or names the customer organisation ("Acme is a logistics company").
    """
    org = org_key(ctx.sides.customer_org or "")
    for c in ctx.kind(kind):
        if ctx.said_by_vendor(c):
            text = c.evidence.text.casefold()
            if re.search(r"\b(your|you're|you are)\b", text) or (org and org in text):
                return c
            if ctx.sides.case_study and re.search(r"\b(their|they're|they are)\b", text):
                return c  # the vendor's story about the customer
            continue
        if ctx.said_by_customer(c):
            return c
    return None


def _industry(ctx: _Context) -> Fact | None:
    c = _customer_side_first(ctx, "industry")
    if c is not None:
        return Fact(c.value, [c.evidence], None, c.confidence)
    for c in ctx.kind("qa"):
        if c.attrs.get("field") != "industry" or not ctx.said_by_customer(c):
            continue
        text = _INDUSTRY_LEAD.sub("", c.value).strip()
        text = re.split(r"[,.;!?]| so | and we | but ", text)[0].strip()
        text = re.sub(
            r"\s+(?:company|business|firm|organization|organisation)$", "", text, flags=re.I
        )
        if 2 <= len(text) <= 60:
            return Fact(text[:1].upper() + text[1:], [c.evidence], None, 0.5)
    return None


def _location(ctx: _Context) -> Fact | None:
    c = _customer_side_first(ctx, "location")
    if c is None:
        return None
    return Fact(c.value, [c.evidence], None, c.confidence)


def _case_study_contact(ctx: _Context) -> Fact | None:
    """In a vendor's story the customer's contact does not speak: the person the vendor names
    with a title at the customer ("Rosa Delgado, Director of Facilities at Hollis & Vine")."""
    org = ctx.sides.customer_org or ""
    for c in ctx.kind("introduction"):
        named = c.attrs.get("who") == "other" and c.attrs.get("name") and c.attrs.get("title")
        if named and same_org(c.attrs.get("organization", ""), org):
            return Fact(c.attrs["name"], [c.evidence], None, 0.6)
    return None


def _primary_contact(ctx: _Context) -> Fact | None:
    customers = [p for p in ctx.analysis.participants if p.label in ctx.sides.customer_speakers]
    if not customers:
        return _case_study_contact(ctx) if ctx.sides.case_study else None
    if not ctx.sides.vendor_speakers and len(ctx.analysis.participants) > 1:
        return None  # the sides are not known: naming the wrong person is worse than none
    # The customer who talks most; a stated role (an introduction) counts for half as much again.
    main = max(customers, key=lambda p: p.words * (1.5 if p.role else 1.0))
    intro = next((c for c in ctx.kind("introduction") if c.attrs.get("name") == main.name), None)
    if intro is not None:
        ev = [intro.evidence]
    else:
        said = [c for items in ctx.cands.values() for c in items if c.evidence.speaker == main.name]
        if not said:
            return None
        ev = [min(said, key=lambda c: c.evidence.start).evidence]
    return Fact(main.name, ev, None, 0.7)


def _contact_info(ctx: _Context, contact: str | None) -> Fact | None:
    cands = ctx.kind("contact")
    if not cands:
        return None
    first = contact.split()[0].casefold() if contact else None

    def belongs(c: Candidate) -> bool:
        owner = c.attrs.get("owner", "")
        if contact and (owner == contact or (c.evidence.speaker == contact and not owner)):
            return True
        return bool(first and first in (c.normalized or c.value).casefold())

    mine = [c for c in cands if belongs(c)]
    if not mine:
        return None
    c = max(mine, key=lambda c: c.confidence)
    return Fact(c.normalized or c.value, [c.evidence], c.normalized, c.confidence)


# -- the other sections -----------------------------------------------------------------------


def _background(ctx: _Context) -> Section:
    sec = Section("background", "Background")
    problems = [c for c in ctx.kind("problem") if ctx.said_by_customer(c)]
    ranked = _dedupe(sorted(problems, key=lambda c: -c.confidence), MAX_ITEMS)
    sec.items["problems"] = [Fact.from_candidate(c, value=_trim(c.value)) for c in ranked]
    return sec


def _vendor_products(ctx: _Context) -> list[tuple[str, int, list[Evidence]]]:
    """The vendor's products in use: its brand family, minus what is only planned."""
    vendor = ctx.sides.vendor_org
    if not vendor:
        return []
    brand = org_key(vendor).split()[0]
    plans = " ".join(c.value for c in ctx.kind("future_plan")).casefold()
    members = next((m for b, m in ctx.analysis.brands if b.casefold() == brand), [])
    # Mentions of the bare product name ("Vault") count towards "Acme Vault".
    bare: dict[str, tuple[int, list[Evidence]]] = {}
    for label, ents in ctx.analysis.entities.items():
        if label in ("DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"):
            continue
        for ent in ents:
            k = ent.text.casefold()
            n, ev = bare.get(k, (0, []))
            bare[k] = (n + ent.count, ev + list(ent.samples))
    found: list[tuple[str, int, list[Evidence]]] = []
    phrase_counts = dict(ctx.analysis.key_phrases)
    for name, count in members:
        rank_extra = 0
        key = name.casefold()
        if org_key(name) == org_key(vendor) or org_key(name) != key:
            continue  # the company itself ("Acme Systems"), not a product
        short = key.split(maxsplit=1)[1] if " " in key else key
        n_full, ev_full = bare.get(key, (0, []))
        n_short, ev_short = bare.get(short, (0, []))
        total = max(count, n_full) + n_short
        planned = plans.count(key)
        if n_full or n_short:
            planned += plans.count(f" {short} ")
        else:
            # Lower-case ASR has no entities: the bare "forecast" is only a key phrase. It
            # ranks the family's members; it cannot be weighed against the plans.
            rank_extra = phrase_counts.get(short, 0)
        if planned and planned >= total and plans.count(key) >= max(count, n_full):
            # Only ever mentioned as a later phase: a future plan, not the solution. (Its full
            # name said outside any plan keeps it, even if a proposal names it again.)
            continue
        said = ev_full + ev_short
        first = ctx.analysis.brand_evidence.get(name)
        if not said and first is not None:
            said = [first]  # lower-case ASR: no entities, but the pair itself was said
        found.append((name, total + rank_extra, said[:3]))
    return sorted(found, key=lambda t: -t[1])


def _main_product(
    ctx: _Context, products: list[tuple[str, int, list[Evidence]]], facts: dict[str, Fact]
) -> Fact | None:
    """The product the customer's story is about: mentions, plus the sentences that credit it
    with a result or a pain it solved, minus those that only plan it. Named only when it
    clearly leads the next one (empty beats wrong)."""
    plans = [c.value.casefold() for c in ctx.kind("future_plan")]
    credited = [
        c.value.casefold() for k in ("outcome", "testimonial", "problem") for c in ctx.kind(k)
    ]

    def said_in(texts: list[str], name: str) -> int:
        key = name.casefold()
        short = key.split(maxsplit=1)[1] if " " in key else key
        return sum(1 for t in texts if key in t or f" {short} " in f" {t} ")

    ranked = sorted(
        (
            (n + 2 * said_in(credited, name) - 2 * said_in(plans, name), name)
            for name, n, _ in products
        ),
        reverse=True,
    )
    if not ranked or ranked[0][1] not in facts:
        return None
    if len(ranked) > 1 and ranked[0][0] < 1.5 * max(ranked[1][0], 0.1):
        return None
    return facts[ranked[0][1]]


def _solution(ctx: _Context) -> Section:
    sec = Section("solution", "Solution")
    products = _vendor_products(ctx)
    facts = [
        Fact(name, samples[:2] or [], None, min(0.9, 0.4 + 0.1 * n))
        for name, n, samples in products
        if samples
    ]
    sec.items["products"] = facts[:MAX_ITEMS]
    sec.fields["product"] = _main_product(ctx, products, {f.value: f for f in facts})
    steps = [
        c
        for c in ctx.kind("commitment") + ctx.kind("date")
        if _IMPLEMENTATION.search(c.value) and not _NOT_ENGAGEMENT.search(c.value)
    ]
    sec.items["implementation_process"] = _facts(steps, 5)
    return sec


def _dated(ctx: _Context) -> list[Candidate]:
    out = []
    for c in ctx.kind("date"):
        if not c.normalized or c.attrs.get("precision") != "day":
            continue
        context = c.attrs.get("context", "") + " " + c.value
        if _NOT_ENGAGEMENT.search(c.attrs.get("context", "")):
            continue
        if not c.attrs.get("context"):
            continue
        out.append(c)
        del context
    return out


def _engagement(ctx: _Context) -> Section:
    sec = Section("engagement", "Engagement Timeline")
    dated = _dated(ctx)

    def year_ok(c: Candidate) -> bool:
        # A year said with the date, or the year the call is about (resolved by the analysis).
        return c.attrs.get("year_explicit") == "true" or ctx.analysis.reference_year is not None

    def best(cands: list[Candidate]) -> Candidate | None:
        # Prefer a date said with its year, then the most confident.
        return max(
            cands,
            key=lambda c: (c.attrs.get("year_explicit") == "true", c.confidence),
            default=None,
        )

    start = best(
        [
            c
            for c in dated
            if _START_WORDS.search(c.attrs.get("context", ""))
            and not _SUB_PHASE.search(c.attrs.get("context", ""))
            and year_ok(c)
        ]
    )
    end = best([c for c in dated if _END_WORDS.search(c.attrs.get("context", "")) and year_ok(c)])
    completion = end.normalized if end is not None else None
    if (
        start is not None
        and end is not None
        and completion
        and start.normalized
        and completion < start.normalized
        and end.attrs.get("year_explicit") != "true"
    ):
        # Said without a year and resolved to a date before the start: the year after.
        completion = f"{int(completion[:4]) + 1}{completion[4:]}"
    sec.fields["start_date"] = (
        Fact(start.normalized or "", [start.evidence], start.normalized, start.confidence)
        if start
        else None
    )
    sec.fields["completion_date"] = (
        Fact(completion or "", [end.evidence], completion, end.confidence) if end else None
    )
    if start is not None and start.normalized:
        # A milestone said without a year and resolved to before the engagement began is in
        # the following year (the same rule as the completion date).
        for c in dated:
            if (
                c.normalized
                and c.normalized < start.normalized
                and c.attrs.get("year_explicit") != "true"
                and c is not start
            ):
                c.normalized = f"{int(c.normalized[:4]) + 1}{c.normalized[4:]}"
    # One milestone per event and day (a plan and its recap say "pilot starts May 16th"
    # twice), the eight most confident, shown in date order.
    by_event: dict[tuple[str, str], Candidate] = {}
    for c in dated:
        key = (c.normalized or "", c.attrs.get("context", ""))
        if key not in by_event or c.confidence > by_event[key].confidence:
            by_event[key] = c
    ranked = sorted(by_event.values(), key=lambda c: (-c.confidence, c.evidence.start))
    milestones = sorted(_dedupe(ranked, 8), key=lambda c: c.normalized or "")
    sec.items["milestones"] = [
        Fact.from_candidate(c, value=_trim(c.value), normalized=c.normalized) for c in milestones
    ]
    team: list[Fact] = []
    names: set[str] = set()
    for p in ctx.analysis.participants:
        if p.name.startswith("Speaker ") or p.name == "Other speakers":
            continue
        ev = next(
            (
                c.evidence
                for items in ctx.cands.values()
                for c in items
                if c.evidence.speaker == p.name
            ),
            None,
        )
        if ev is None:
            continue
        team.append(Fact(p.name, [ev], None, 0.9))
        names.add(p.name.casefold())
    full_names = [
        e.text for e in ctx.analysis.entities.get("PERSON", []) if len(e.text.split()) == 2
    ]
    for c in ctx.kind("introduction"):
        name = c.attrs.get("name", "")
        if c.attrs.get("who") != "other" or not name:
            continue
        if c.attrs.get("in_passing") and not _TEAM_CUE.search(c.evidence.text):
            continue  # "Gerald Pike, our CFO, put it at 3.1x": mentioned, not on the team
        if len(name.split()) == 1:
            # Introduced by first name ("Carl is our executive sponsor"): the full name said
            # elsewhere in the call, when exactly one person has that first name.
            matches = {n for n in full_names if n.split()[0].casefold() == name.casefold()}
            if len(matches) != 1:
                continue
            name = matches.pop()
        if name.casefold() not in names:
            team.append(Fact(name, [c.evidence], None, 0.6))
            names.add(name.casefold())
    for name, ev in _named_on_the_team(ctx):
        if name.casefold() not in names:
            team.append(Fact(name, [ev], None, 0.55))
            names.add(name.casefold())
    sec.items["team"] = team
    return sec


# A sentence that puts a person it names on the engagement's work: "on your side it was Arjun
# Menon", "plus Josh Patel, who's our validation specialist", "Noor Haddad, who will run the
# end user training", "Curtis Boone is on the project team too", "Imogen Tait would lead the
# implementation".
_ON_THE_WORK = re.compile(
    r"\b(?:on (?:our|your|their) side|(?:project|core|implementation|poc|pilot|"
    r"rollout|deployment|onboarding|delivery|account) team|(?:lead|leads|led|run|runs|ran|"
    r"running|leading|manage|manages|managed|managing|own|owns|owned|drove|drive|handle|"
    r"handles|handled|did|do|does|support|supports|supported) (?:the |our |your |all the |"
    r"most of the )?(?:implementation|rollout|roll-out|project|pilot|training|poc|migration|"
    r"integration|configuration|deployment|onboarding|data science|end user training|"
    r"go-live|cutover|testing|validation)|project manager|implementation lead|(?:it|technical|"
    r"project|training|validation) (?:lead|specialist|manager)|on the (?:project|core|"
    r"implementation) team)\b",
    re.I,
)


# "on the IT side", "on the Blue Heron side" (capitalised: not "on the money side").
_ON_NAMED_SIDE = re.compile(r"\bon the (?:[A-Z][\w&-]*\s){1,3}side\b")


def _named_on_the_team(ctx: _Context) -> list[tuple[str, Evidence]]:
    """People who never speak, named with full name in a sentence that puts them on the work.

    Names come from spaCy's PERSON entities (two words, not a product or an organisation);
    the sentence that names them must say what they do on the engagement.
    """
    brands = {b.casefold() for b, _ in ctx.analysis.brands}
    orgs = [o for o in (ctx.sides.customer_org, ctx.sides.vendor_org) if o]
    out: list[tuple[str, Evidence]] = []
    for ent in ctx.analysis.entities.get("PERSON", []):
        words = ent.text.split()
        if len(words) != 2 or not all(w[:1].isupper() and w.isalpha() for w in words):
            continue
        if words[0].casefold() in brands or any(same_org(ent.text, o) for o in orgs):
            continue
        for ev in ent.samples:
            text = ev.text
            at = text.find(ent.text)
            if at < 0:
                continue
            # The cue in the sentence-like stretch that names them.
            start = max((m.end() for m in re.finditer(r"[.;!?]\s", text[:at])), default=0)
            end = re.search(r"[.;!?](?:\s|$)", text[at:])
            clause = text[max(start, at - 80) : at + (end.end() if end else len(text))]
            if _ON_THE_WORK.search(clause) or _ON_NAMED_SIDE.search(clause):
                out.append((ent.text, ev))
                break
    return out


def _by_category(ctx: _Context, category: str) -> list[Candidate]:
    return [c for c in ctx.kind("outcome") if c.attrs.get("category") == category]


def _results(ctx: _Context) -> Section:
    sec = Section("results", "Results")
    sec.items["quantifiable_improvements"] = _facts(_by_category(ctx, "improvement"))
    sec.items["achievements"] = []
    quotes = [c for c in ctx.kind("testimonial") if ctx.said_by_customer(c)]
    ranked = _dedupe(sorted(quotes, key=lambda c: -c.confidence), 4)
    sec.items["testimonials"] = [Fact.from_candidate(c, value=_trim(c.value)) for c in ranked[1:]]
    sec.fields["testimonial"] = (
        Fact.from_candidate(ranked[0], value=_trim(ranked[0].value)) if ranked else None
    )
    return sec


def _adoption(ctx: _Context) -> Section:
    sec = Section("adoption", "Adoption")
    items = _facts(_by_category(ctx, "adoption"))
    sec.items["usage_metrics"] = items
    rate = next((f for f in items if (f.normalized or "").endswith("%")), None)
    sec.fields["adoption_rate"] = rate
    return sec


def _financial(ctx: _Context) -> Section:
    sec = Section("financial_impact", "Financial Impact")
    sec.items["cost_savings"] = _facts(_by_category(ctx, "cost_savings"))
    sec.items["revenue_increase"] = _facts(_by_category(ctx, "revenue"))
    sec.items["roi"] = _facts(_by_category(ctx, "roi"))
    return sec


def _long_term(ctx: _Context) -> Section:
    sec = Section("long_term_impact", "Long-Term Impact")
    sec.items["future_plans"] = _facts(ctx.kind("future_plan"))
    sec.items["strategic_benefits"] = []
    return sec


def _visuals(ctx: _Context, engagement: Section) -> Section:
    sec = Section("visuals", "Visuals")
    sec.items["timeline"] = [
        Fact(f.value, f.evidence, f.normalized, f.confidence, extra={"date": f.normalized})
        for f in engagement.items["milestones"]
        if f.normalized
    ]
    charts: list[Fact] = []
    parts = ctx.analysis.participants
    if parts:
        charts.append(
            Fact(
                "Talk time by speaker",
                [],
                None,
                1.0,
                extra={
                    "type": "bar",
                    "series": [
                        {
                            "name": p.name,
                            "seconds": round(p.talk_seconds, 1),
                            "share": round(p.talk_share, 4),
                        }
                        for p in parts
                    ],
                },
            )
        )
    if ctx.analysis.topics:
        charts.append(
            Fact(
                "Topics across the call",
                [],
                None,
                1.0,
                extra={"type": "timeline", "series": [t.to_dict() for t in ctx.analysis.topics]},
            )
        )
    sec.items["charts"] = charts
    return sec


def _commentary(ctx: _Context) -> Section:
    sec = Section("additional_commentary", "Additional Commentary")
    asked = [
        c
        for c in ctx.kind("qa")
        if c.attrs.get("question")
        and ctx.sides.is_customer(ctx.label_of.get(c.attrs.get("asker", ""), c.attrs.get("asker")))
    ]
    notes = [
        Fact(
            _trim(c.attrs["question"]),
            [Evidence(c.evidence.start, c.evidence.end, c.attrs.get("asker"), c.attrs["question"])],
            None,
            0.5,
        )
        for c in asked[:4]
    ]
    sec.items["notes"] = notes
    return sec


def _centrality(ctx: _Context) -> dict[str, float]:
    """Weights of the call's central words: key phrases (by count) and topic keywords."""
    weights: dict[str, float] = {}
    for text, count in ctx.analysis.key_phrases:
        for w in _words(text):
            weights[w] = weights.get(w, 0.0) + float(count)
    for topic in ctx.analysis.topics:
        for w in topic.keywords:
            weights[w.casefold()] = weights.get(w.casefold(), 0.0) + 2.0
    return weights


def _executive_summary(ctx: _Context, sections: dict[str, Section]) -> Section:
    """3-5 sentences from the call: per section its most central fact, best first.

    Centrality is how much of a sentence is made of the call's key phrases and topic words;
    coverage takes at most one sentence per section, so the summary spans the story
    (problem, result, adoption, money, plans).
    """
    sec = Section("executive_summary", "Executive Summary")
    weights = _centrality(ctx)

    def central(f: Fact) -> float:
        words = _words(f.value)
        if not words:
            return 0.0
        density = sum(weights.get(w, 0.0) for w in words) / math.sqrt(len(words))
        return density + 2.0 * f.confidence

    picks: list[tuple[float, Fact]] = []
    for key, name in (
        ("background", "problems"),
        ("results", "quantifiable_improvements"),
        ("adoption", "usage_metrics"),
        ("financial_impact", "cost_savings"),
        ("financial_impact", "roi"),
        ("long_term_impact", "future_plans"),
        ("solution", "implementation_process"),
    ):
        items = [f for f in sections[key].items.get(name) or [] if 40 <= len(f.value) <= 240]
        if items:
            best = max(items, key=central)
            picks.append((central(best), best))
    picks.sort(key=lambda t: -t[0])
    chosen: list[Fact] = []
    for _, f in picks:
        # One sentence can serve two sections (a go-live date that is also adoption): once.
        if len(chosen) < 5 and all(f.value != c.value for c in chosen):
            chosen.append(f)
    chosen.sort(key=lambda f: f.evidence[0].start if f.evidence else 0.0)
    sec.items["highlights"] = chosen
    sec.summary = " ".join(_sentence(f.value) for f in chosen) if len(chosen) >= 3 else ""
    return sec


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _start_iso(engagement: Section) -> str | None:
    start = engagement.fields.get("start_date")
    return start.normalized if start is not None else None


# Words that do not say what will be done: pronouns, particles, "after this call", "today".
_VAGUE_OBJECT = frozenset(
    """it that this them those these one him her us you me along over out back again then
    after before today tomorrow now later soon call meeting week""".split()
)


def _commitment_weight(c: Candidate) -> float:
    """Confidence, less when the action names nothing ("send it", "pass that along")."""
    words = re.findall(r"[a-z0-9'-]+", (c.attrs.get("action") or c.value).casefold())
    content = [w for w in words[1:] if w not in _VAGUE_OBJECT and len(w) > 2]
    return c.confidence - (0.2 if len(content) < 2 else 0.0)


# The call managing itself, not a commitment: "then I'll let you all go".
_MEETING_TALK = re.compile(
    r"^(?:let (?:you|everyone)(?: all| guys)? go|get out of your way|hand (?:it )?(?:back|over)|"
    r"wrap (?:it |this )?up|stop (?:sharing|the recording)|share my screen)\b",
    re.I,
)


def _action(c: Candidate) -> str:
    """What a commitment promises ("send the SOP list"), else its sentence."""
    return c.attrs.get("action") or c.value


def _action_items(ctx: _Context, start: str | None) -> list[Fact]:
    """Commitments with owner and due date; ``start`` is the engagement's start (ISO) if known."""
    out = []
    # The most confident and specific commitments (the recap at the end of a call, "send Tom
    # the API documentation by Friday"), not the first twelve "I'll pass that along"s; shown
    # in call order.
    commitments = [
        c for c in ctx.kind("commitment") if not _MEETING_TALK.match(c.attrs.get("action", ""))
    ]
    ranked = sorted(commitments, key=lambda c: -_commitment_weight(c))
    # Two promises in one sentence ("I'll confirm the attendees by Wednesday, and I'll send
    # our SOP list") are two items: near-repeats are judged on the action, not the sentence.
    chosen = sorted(_dedupe(ranked, 12, _action), key=lambda c: c.evidence.start)
    for c in chosen:
        owner = c.attrs.get("owner") or c.evidence.speaker
        f = Fact.from_candidate(c, value=_trim(_action(c)))
        f.owner = owner or None
        f.due = c.attrs.get("due") or None
        if f.due and start and f.due < start and c.attrs.get("year_from") == "reference":
            # A due date said without a year, resolved to before the engagement even began:
            # a promise made in the call is due after it, so it is next year's.
            f.due = f"{int(f.due[:4]) + 1}{f.due[4:]}"
        out.append(f)
    return out


def build_snapshot(analysis: Analysis, *, config: Config) -> Snapshot:
    """Assemble the 11 sections from an analysis."""
    ctx = _Context(analysis, config)
    built: dict[str, Section] = {}
    built["customer_information"] = _customer_information(ctx)
    built["background"] = _background(ctx)
    built["solution"] = _solution(ctx)
    built["engagement"] = _engagement(ctx)
    built["results"] = _results(ctx)
    built["adoption"] = _adoption(ctx)
    built["financial_impact"] = _financial(ctx)
    built["long_term_impact"] = _long_term(ctx)
    built["visuals"] = _visuals(ctx, built["engagement"])
    built["additional_commentary"] = _commentary(ctx)
    built["executive_summary"] = _executive_summary(ctx, built)
    sections = []
    for key, title, fields, items in SECTIONS:
        sec = built[key]
        sec.title = title
        sec.fields = {name: sec.fields.get(name) for name in fields}
        sec.items = {name: sec.items.get(name, []) for name in items}
        sections.append(sec)
    participants: list[dict[str, Any]] = [p.to_dict() for p in analysis.participants]
    return Snapshot(
        generator={"name": "customer-snapshot", "version": __version__, "model": analysis.model},
        source=analysis.source.to_dict(),
        participants=participants,
        sections=sections,
        action_items=_action_items(ctx, _start_iso(built["engagement"])),
        topics=[t.to_dict() for t in analysis.topics],
        key_phrases=[{"text": t, "count": c} for t, c in analysis.key_phrases],
        entities={k: [e.to_dict() for e in v] for k, v in analysis.entities.items()},
        warnings=list(analysis.warnings),
        metrics=dict(analysis.metrics),
    )
