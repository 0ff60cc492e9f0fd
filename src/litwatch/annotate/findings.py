"""Structured findings: what a result or conclusion sentence says was given, to whom, and what changed.

From one key-finding sentence: the intervention (a cell or cell product, with its donor species),
its dose and route; the species, animal model or population and its size; each outcome or
mechanism with its direction (reduced, increased, improved, prevented, no effect) and the
comparator. Every element keeps the characters it came from.

The extractor is built to be wrong by omission, never by invention:
- a change counts only when a direction word governs the outcome grammatically: before it with
  nothing but fillers, lists or places between ("reduced hippocampal IL-1β and IL-6"), or after it
  in the passive ("IL-6 levels were reduced");
- a change a disease model made ("CUMS decreased sucrose preference") is not the treatment's; a
  reversal of one ("attenuated the CUMS-induced decrease in ...") is, with the direction turned;
- an element from another sentence of the record (the intervention of "Treated mice showed ...")
  is taken only when the record names exactly one such concept, and is marked `context`;
- a sentence with no intervention to attribute its changes to gives no finding at all.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from litwatch.annotate.model import Mention, Sentence

__all__ = ["Element", "Effect", "StructuredFinding", "extract_findings", "is_finding_sentence",
           "DIRECTIONS", "EFFECT_CATEGORIES"]

DIRECTIONS = ("reduced", "increased", "improved", "prevented", "no_effect", "not_observed")
EFFECT_CATEGORIES = ("condition", "outcome_measure", "biomarker", "mechanism")
_INTERVENTION = ("cell_source", "product")
_SAFETY = ("outcome:adverse-events", "outcome:serious-adverse-events")
_ANIMALS = ("species:mouse", "species:rat", "species:nonhuman-primate", "species:zebrafish")

# direction words; the first group that matches at a position wins (so "did not reduce" is no effect)
_CUES = [
    ("no_effect", r"(?:did|does|do)\s+not\s+(?:significantly\s+|markedly\s+|further\s+)?(?:affect|alter|change|modify|"
                  r"influence|reduce|decrease|increase|improve|worsen)|"
                  r"had\s+no\s+(?:significant\s+|measurable\s+|detectable\s+)?(?:effect|impact|influence)s?\s+on|"
                  r"failed\s+to\s+(?:affect|alter|change|reduce|improve|increase|prevent)|"
                  r"(?:was|were|remained)\s+(?:not\s+(?:significantly\s+)?(?:affected|altered|changed|different)|"
                  r"unchanged|unaltered|unaffected)"),
    ("prevented", r"prevent(?:ed|s|ing)?|protect(?:ed|s|ing)?\s+against"),
    ("improved", r"improv(?:e|ed|es|ing|ements?)|restor(?:e|ed|es|ing|ation)|normali[sz](?:e|ed|es|ing|ation)|"
                 r"rescu(?:e|ed|es|ing)|revers(?:e|ed|es|ing|al)"),
    ("reduced", r"reduc(?:e|ed|es|ing|tions?)|decreas(?:e|ed|es|ing)|lower(?:ed|s|ing)?|attenuat(?:e|ed|es|ing|ion)|"
                r"alleviat(?:e|ed|es|ing|ion)|ameliorat(?:e|ed|es|ing|ion)|reliev(?:e|ed|es|ing)|mitigat(?:e|ed|es|ing|ion)|"
                r"suppress(?:ed|es|ing|ion)?|inhibit(?:ed|s|ing|ion)?|diminish(?:ed|es|ing)?|"
                r"down-?regulat(?:e|ed|es|ing|ion)|shorten(?:ed|s|ing)?|lessen(?:ed|s|ing)?|less|fewer|declin(?:e|ed|es)|fell|"
                r"dropped|damp(?:ed|ens|ing)|curb(?:ed|s|ing)?"),
    ("increased", r"increas(?:e|ed|es|ing)|elevat(?:e|ed|es|ing|ion)|enhanc(?:e|ed|es|ing|ement)|"
                  r"up-?regulat(?:e|ed|es|ing|ion)|rais(?:e|ed|es|ing)|boost(?:ed|s|ing)?|promot(?:e|ed|es|ing)|"
                  r"augment(?:ed|s|ing|ation)?|higher|stimulat(?:e|ed|es|ing)|prolong(?:ed|s|ing)?|rose|support(?:ed|s|ing)?|strengthen(?:ed|s|ing)?"),
]
_CUE_RX = re.compile(r"\b(?:" + "|".join(f"(?P<{name}>{rx})" for name, rx in _CUES) + r")\b", re.I)
# what may stand between a direction word and its outcome ("reduced the hippocampal levels of ...")
_FILLER = set("""
the a an its their both all these those this that significantly markedly remarkably notably substantially
dramatically strongly greatly partially partly effectively considerably further also slightly obviously clearly
robustly level levels score scores expression expressions concentration concentrations content contents production release
secretion activity activities number numbers amount amounts density signaling signalling mrna protein proteins
of in on and or as well to
""".split())
# what may stand between an outcome and a passive direction word ("IL-6 levels were significantly reduced")
_PASSIVE = set("""
level levels expression expressions concentration concentrations content production release secretion activity
number numbers amount amounts density score scores mrna protein proteins was were is are been be had have has significantly
markedly remarkably notably substantially dramatically strongly greatly partially partly effectively considerably
further also all both the in of and or
""".split())
_IN_VITRO = re.compile(r"\bin\s+vitro\b|\bcultured\b|\bco-?cultur\w*|\bcell\s+lines?\b|\bprimary\s+(?:\w+\s+)?cultures?\b",
                       re.I)
_INDUCED_MODIFIER = re.compile(r"\b[\w]+-(?:induced|related|associated)\b", re.I)
_INTRANSITIVE = re.compile(r"fell|dropped|rose|declined|declines", re.I)
_INDUCED = re.compile(r"(?:induced|caused|evoked|triggered|provoked|related|associated)[\s\-]+(?:the\s+)?$", re.I)
_TREATMENT = re.compile(
    r"\b(?:(?:pre)?treat(?:ed|ment|ments)?|administ\w+|transplant\w*|inject\w*|infus\w*|therap\w+|graft\w*|engraft\w*|"
    r"implant\w*|the cells|these cells|the vesicles|the exosomes|intervention)\b", re.I)
# what says a cell or product was given (so it is an intervention, not the biology being studied)
_GIVEN = re.compile(
    r"\b(?:(?:pre)?treat\w*|administ\w+|transplant\w*|inject\w*|infus\w*|therap\w+|graft\w*|engraft\w*|implant\w*|"
    r"deliver\w*|gave|given|giving|received|receiving|dos(?:e|ed|es|ing)|co-?cultur\w*|incubat\w*|exposed\s+to|"
    r"supplement\w*|applied|applying)\b", re.I)
_CELL_LINE = re.compile(r"\b[A-Z][A-Za-z]*-?\d+[A-Za-z]?\s+(?:cells|microglia|macrophages)\b|"
                        r"\b(?:LPS|lipopolysaccharide)-(?:stimulated|treated|activated)\s+(?:\w+\s+){0,2}(?:cells|microglia|macrophages)\b")
_COMPARISON = re.compile(
    r"\b(?:compared\s+(?:with|to)|in\s+comparison\s+(?:with|to)|versus|vs\.?|relative\s+to|than|against)\s+"
    r"(?:those\s+(?:of|in)\s+|that\s+(?:of|in)\s+|in\s+)?(?:the\s+|a\s+|an\s+)?", re.I)
_HEDGE = re.compile(r"\b(?:may|might|could|suggest\w*|possibl\w*|potential(?:ly)?|likely|appear\w*\s+to|"
                    r"seem\w*\s+to|hypothes\w+|speculat\w+|promising)\b", re.I)
_CLAUSE_BREAK = re.compile(r";|,?\s+(?:whereas|while|but|although|though|however)\b|,\s+which\b", re.I)
_DOSE = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:[×x]\s*10\s*(?:\^|e)?\s*\d+|million|billion)\s*(?:cells|MSCs?|particles)?(?:\s*/\s*(?:kg|mouse|rat|animal))?|"
    r"\b\d+(?:\.\d+)?\s*(?:µg|μg|ug|mg|ng|mL|ml|µL|μL|ul)(?:\s*/\s*(?:kg|day|d|mouse|rat))?(?![\w/])", re.I)
_POPULATION = re.compile(r"\b(?:(?:patients|participants|women|men|adults|children|adolescents|individuals|people|"
                         r"subjects|veterans|outpatients|inpatients)\s+with|in)\s+(?:the\s+)?$", re.I)
_RESULT = re.compile(
    r"\b(?:significant(?:ly)?|show(?:ed|s|n)?|found|observed|demonstrat\w+|reveal\w+|indicat\w+|suggest\w+|"
    r"associated|correlat\w+|effective(?:ly)?|efficacy|safe|safety|tolerated|benefit\w*|conclu\w+|"
    r"exhibit\w*|displayed|resulted|led\s+to)\b|\b[pP]\s*[<=≤]", re.I)
_METHOD_LIKE = re.compile(
    r"\b(?:was|were)\s+(?:then\s+)?(?:conducted|performed|carried\s+out|randomi[sz]ed|assigned|divided|allocated|"
    r"enrolled|recruited|collected|measured|assessed|evaluated|analy[sz]ed|used|obtained|administered|given|"
    r"injected|treated|pretreated|subjected|exposed|housed|sacrificed|killed|examined|tested|labelled|labeled)\b|"
    r"\b(?:we|this\s+study|the\s+(?:present\s+)?study|the\s+aim|our\s+aim)\s+(?:aim\w*|investigat\w+|examin\w+|"
    r"explor\w+|assess\w+|evaluat\w+|sought|concerns?|was\s+to)\b", re.I)


@dataclass(slots=True)
class Element:
    """One thing a finding names, with where it was written."""

    concept: str | None  # vocabulary id (None for a dose, which is shown as written)
    field: str
    start: int
    end: int
    text: str
    context: bool = False  # from another sentence of the record: the finding's own sentence names none
    origin: str | None = None  # a cell's donor species ("human" for hUC-MSCs)
    form: str | None = None  # a condition named as a "behaviour" or as "symptoms"

    @classmethod
    def of(cls, m: Mention, context: bool = False) -> "Element":
        form = None
        if m.category == "condition":
            low = m.text.lower()
            form = "behaviour" if "like" in low else "symptoms" if "symptom" in low else None
        return cls(m.concept_id, m.field, m.start, m.end, m.text, context, m.origin, form)


@dataclass(slots=True)
class Effect:
    """An outcome or mechanism and which way the intervention moved it."""

    target: Element
    category: str
    direction: str  # one of DIRECTIONS
    cue: Element  # the direction word(s) as written
    region: Element | None = None  # where it was measured ("hippocampal")


@dataclass(slots=True)
class StructuredFinding:
    sentence_id: int
    interventions: list[Element]
    effects: list[Effect]
    routes: list[Element] = field(default_factory=list)
    dose: Element | None = None
    species: Element | None = None
    model: Element | None = None
    population: Element | None = None  # the condition of the people studied ("patients with TRD")
    size: dict[str, Any] | None = None  # {"n", "unit": participants | animals_per_group, "field", "start", "end", "text"}
    comparator: Element | None = None
    hedged: bool = False  # the sentence says it only suggests ("may", "suggest")

    def elements(self) -> list[Element]:
        out = list(self.interventions) + list(self.routes)
        out += [e for e in (self.dose, self.species, self.model, self.population, self.comparator) if e]
        for ef in self.effects:
            out += [ef.target, ef.cue] + ([ef.region] if ef.region else [])
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "StructuredFinding":
        def el(x):
            return Element(**x) if x else None

        return cls(
            sentence_id=d["sentence_id"],
            interventions=[Element(**e) for e in d.get("interventions", [])],
            effects=[Effect(Element(**e["target"]), e["category"], e["direction"], Element(**e["cue"]), el(e.get("region")))
                     for e in d.get("effects", [])],
            routes=[Element(**e) for e in d.get("routes", [])],
            dose=el(d.get("dose")), species=el(d.get("species")), model=el(d.get("model")),
            population=el(d.get("population")), size=d.get("size"), comparator=el(d.get("comparator")),
            hedged=bool(d.get("hedged")),
        )


# -- which sentences are findings ---------------------------------------------------------------
def is_finding_sentence(text: str, labelled: bool = False) -> bool:
    """A result or conclusion sentence that states a result, not one that describes the methods.

    `labelled`: the abstract's own heading put it under results or conclusions; then only a
    methods-like sentence is left out. Otherwise (the role model's guess) it must say what changed,
    was shown or was found."""
    if _CUE_RX.search(text):
        return True
    if _METHOD_LIKE.search(text):
        return False
    return labelled or bool(_RESULT.search(text))


# -- extraction ---------------------------------------------------------------------------------
def extract_findings(text: str, sentences: list[Sentence], mentions: list[Mention], sentence_ids: Iterable[int],
                     species: list[str], sample_size: dict[str, int], sample_cue: dict | None,
                     design: str | None = None, vocab: Any = None) -> list[StructuredFinding]:
    """Structured findings of the abstract sentences `sentence_ids` (in that order); `text` is the abstract."""
    if vocab is None:
        from litwatch.annotate.vocab import default_vocabulary

        vocab = default_vocabulary()
    by_id = {s.id: s for s in sentences}
    live = [m for m in mentions if m.field == "abstract"]
    record = _RecordContext(text, sentences, [m for m in mentions if m.field in ("title", "abstract")], species,
                            sample_size, sample_cue, design, vocab)
    out = []
    for sid in sentence_ids:
        s = by_id.get(sid)
        if s is None or s.field != "abstract" or s.role not in ("results", "conclusions"):
            continue
        here = [m for m in live if s.start <= m.start and m.end <= s.end]
        found = _one(text, s, here, record)
        if found is not None:
            out.append(found)
    return out


class _RecordContext:
    """What the rest of the record says, for elements a finding's own sentence leaves implicit."""

    def __init__(self, text, sentences, mentions, species, sample_size, sample_cue, design, vocab) -> None:
        self.vocab = vocab
        self._given: dict[str, bool] = {}
        self.text = text
        self.sentences = sentences
        self.mentions = mentions
        self.species = [s for s in species if s != "species:cell-line"]
        self.sample_size = sample_size
        self.sample_cue = sample_cue
        self.design = design

    def unique(self, categories: tuple[str, ...], exclude_parts: bool = True) -> Mention | None:
        """The first mention of the only concept of `categories` the record names (None if 0 or 2+)."""
        ms = [m for m in self.mentions if m.category in categories and not m.negated]
        if exclude_parts:
            ms = _without_parts(ms)
        ids = {m.concept_id for m in ms}
        if len(ids) != 1:
            return None
        return sorted(ms, key=lambda m: (m.field != "title", m.start))[0]

    def given(self, concept_id: str) -> bool:
        """Does the record say this cell or product was given (transplanted, injected, received ...)?
        Natural killer cells the study only measures are no intervention."""
        if concept_id not in self._given:
            parts = set(concept_id.split("+"))
            self._given[concept_id] = False
            for m in self.mentions:
                if m.concept_id != concept_id and m.concept_id not in parts:
                    continue
                s = self.sentence_of(m)
                body = self.text[s.start : s.end] if s is not None and s.field == "abstract" else (m.text if s is None else "")
                if s is not None and s.field == "title":
                    body = ""
                if _GIVEN.search(body) or re.match(r"[\s\-]*(?:treated|treatment|therapy|transplantation|injection|"
                                                   r"infusion|administration|grafts?)\b",
                                                   self.text[m.end : m.end + 20] if m.field == "abstract" else "", re.I):
                    self._given[concept_id] = True
                    break
        return self._given[concept_id]

    def sentence_of(self, m: Mention) -> Sentence | None:
        for s in self.sentences:
            if s.field == m.field and s.start <= m.start < s.end:
                return s
        return None


def _without_parts(ms: list[Mention]) -> list[Mention]:
    """Composite products stand for the product and cell they span: drop those parts."""
    composites = [m for m in ms if "+" in m.concept_id]
    return [m for m in ms if "+" in m.concept_id
            or not any(c.field == m.field and c.start <= m.start and m.end <= c.end for c in composites)]


def _clauses(text: str, s: Sentence) -> list[tuple[int, int]]:
    out, start = [], s.start
    for m in _CLAUSE_BREAK.finditer(text, s.start, s.end):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    out.append((start, s.end))
    return out


def _tokens_ok(gap: str, allowed: set[str], blanks: list[tuple[int, int]], offset: int, limit: int) -> bool:
    chars = list(gap)
    for a, b in blanks:
        for i in range(max(a - offset, 0), min(b - offset, len(chars))):
            chars[i] = " "
    words = re.findall(r"[A-Za-z0-9µμ]+", "".join(chars))
    return len(words) <= limit and all(w.lower() in allowed for w in words)


def _cues(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    out = []
    for m in _CUE_RX.finditer(text, start, end):
        out.append((m.start(), m.end(), next(k for k, v in m.groupdict().items() if v)))
    return out


_TURN = {("reduced", "reduced"): "increased", ("reduced", "increased"): "reduced",
         ("improved", "reduced"): "increased", ("improved", "increased"): "reduced",
         ("prevented", "reduced"): "prevented", ("prevented", "increased"): "prevented",
         ("no_effect", "reduced"): "no_effect", ("no_effect", "increased"): "no_effect"}


def _governing(text: str, clause: tuple[int, int], m: Mention, cues, blanks) -> tuple[int, int, str] | None:
    """The direction cue that governs mention `m` in its clause, turned through "X-induced" chains."""
    before = [c for c in cues if c[1] <= m.start]
    for k in range(len(before) - 1, -1, -1):
        c = before[k]
        gap = _INDUCED_MODIFIER.sub(lambda x: " " * len(x.group(0)), text[c[1] : m.start])
        if not _tokens_ok(gap, _FILLER, blanks, c[1], 10):
            continue
        last_end = max([b for a, b in blanks if c[1] <= a and b <= m.start] + [c[1]])
        if last_end > c[1] and re.search(r"\b(?:in|of|on|during|at|among|from|to|by|with)\b",
                                         _blank(text[last_end : m.start], blanks, last_end), re.I):
            continue  # "reduced X in Y": Y is where (or in whom) X changed, not a second change
        first = min([a for a, _ in blanks if c[1] <= a <= m.start] + [m.start])
        if _INTRANSITIVE.fullmatch(text[c[0] : c[1]]) or re.search(r"\b(?:and|or)\b|,", text[c[1] : first]):
            continue  # "IL-6 fell and BDNF rose": a cue followed by a conjunction has no object
        lead_start = max(clause[0], c[0] - 30)
        if _INDUCED.search(text[lead_start : c[0]]):
            # "the CUMS-induced decrease in X" is the model's change; an outer cue may reverse it
            for o in reversed(before[:k]):
                gap = re.sub(r"(?:induced|caused|evoked|triggered|provoked)", " ",
                             _blank(text[o[1] : c[0]], blanks, o[1]), flags=re.I)
                if _tokens_ok(gap, _FILLER, [], 0, 6):
                    turned = _TURN.get((o[2], c[2]))
                    return (o[0], c[1], turned) if turned else None
            return None
        return c
    after = [c for c in cues if c[0] >= m.end]
    if after:
        c = after[0]
        gap = text[m.end : c[0]]
        if (_tokens_ok(gap, _PASSIVE, blanks, m.end, 6)
                and re.search(r"\b(?:was|were|is|are|been)\b|^[\s\-]*(?:(?:levels?|scores?|expression|concentrations?|content)\s*)?$", _blank(gap, blanks, m.end), re.I)
                and not re.match(r"(?:increase|decrease|reduction|elevation|improvement)s?\b", text[c[0] : c[1]], re.I)):
            return c
    return None


def _blank(s: str, blanks: list[tuple[int, int]], offset: int) -> str:
    chars = list(s)
    for a, b in blanks:
        for i in range(max(a - offset, 0), min(b - offset, len(chars))):
            chars[i] = " "
    return "".join(chars)


def _agent_ok(text: str, s: Sentence, clause: tuple[int, int], cue_start: int, interventions: list[Mention],
              models: list[Mention], comparator_spans: list[tuple[int, int]]) -> bool:
    """Is the change at `cue_start` the intervention's (not the disease model's)?"""
    def outside_comparator(a: int) -> bool:
        return not any(x <= a < y for x, y in comparator_spans)

    marks: list[tuple[int, str]] = []
    for m in interventions:
        if m.start < cue_start and outside_comparator(m.start):
            marks.append((m.end, "intervention"))
    for t in _TREATMENT.finditer(text, s.start, cue_start):
        if outside_comparator(t.start()):
            marks.append((t.end(), "intervention"))
    for m in models:
        # "in CUMS mice" names where the change was seen; only a model standing as subject made it
        where = re.search(r"\b(?:in|of|from|to|into|on|among|for|with|than)\s+(?:the\s+|a\s+|an\s+)?(?:[\w\-]+\s+)?$",
                          text[max(s.start, m.start - 30) : m.start], re.I)
        if m.end <= cue_start and outside_comparator(m.start) and not where:
            treated_before = any(0 <= m.start - e <= 25 for e, kind in marks if kind == "intervention")
            marks.append((m.end, "intervention" if treated_before else "model"))
    if marks:
        return max(marks)[1] == "intervention"
    # "IL-6 was reduced by hUC-MSC treatment", "... after transplantation of the cells"
    tail = text[cue_start : clause[1]]
    return bool(re.search(r"\b(?:by|after|following|upon|with)\b", tail, re.I)) and (
        any(m.start >= cue_start for m in interventions) or bool(_TREATMENT.search(tail)))


def _region(text: str, target: Mention, anatomy: list[Mention]) -> Mention | None:
    for a in anatomy:
        if a.end <= target.start and re.fullmatch(r"[\s\-]*", text[a.end : target.start]):
            return a  # "hippocampal IL-6", "serum BDNF"
        if a.start >= target.end and re.fullmatch(r"\s*(?:levels?\s+|expression\s+)?in\s+(?:the\s+)?",
                                                  text[target.end : a.start], re.I):
            return a  # "IL-6 in the hippocampus"
    return None


def _comparator(text: str, s: Sentence, here: list[Mention]) -> tuple[Mention | None, list[tuple[int, int]]]:
    spans: list[tuple[int, int]] = []
    found = None
    for c in _COMPARISON.finditer(text, s.start, s.end):
        end = c.end()
        nxt = sorted((m for m in here if m.start >= end and m.start - end <= 30), key=lambda m: m.start)
        comp = next((m for m in nxt if m.category == "comparator"
                     and re.fullmatch(r"[\w\s\-]*", text[end : m.start])), None)
        model = next((m for m in nxt if m.category == "animal_model"), None)
        if comp is None and model is not None:
            after = re.match(r"[\s\-]*(?:exposed\s+|treated\s+|induced\s+)?(?:model\s+)?(?:group|mice|rats|animals)\b",
                             text[model.end : s.end], re.I)
            if after:  # "compared with the CUMS group": untreated model animals
                comp = Mention("comparator:model-group", "comparator", model.field, model.start,
                               model.end + after.end(), text[model.start : model.end + after.end()])
        # the comparison phrase runs to the next comma or "and", or to where the intervention is named
        stop = re.search(r"[,;]|\band\b", text[end : s.end])
        limit = end + (stop.start() if stop else 40)
        named = [m.start for m in here if m.category in _INTERVENTION and end <= m.start < limit]
        spans.append((c.start(), min(named) if named else limit))
        if comp is not None and found is None:
            found = comp
            spans[-1] = (c.start(), max(spans[-1][1], comp.end))
    return found, spans


def _one(text: str, s: Sentence, here: list[Mention], rec: _RecordContext) -> StructuredFinding | None:
    interventions = [_resolved(m, text, rec) for m in _without_parts([m for m in here if m.category in _INTERVENTION])
                     if not m.negated]
    interventions = [m for m in interventions if rec.given(m.concept_id)
                     and not _SOURCE_OF_UNKNOWN.match(text, m.end)]
    models = [m for m in here if m.category == "animal_model" and not m.negated]
    anatomy = [m for m in here if m.category == "anatomy"]
    comparator, comparator_spans = _comparator(text, s, here)
    sentence_text = text[s.start : s.end]
    effects: list[Effect] = []
    regions: list[Mention | None] = []
    seen: set[str] = set()
    blanks_all = [(m.start, m.end) for m in here if m.category in EFFECT_CATEGORIES + ("anatomy", "species", "animal_model")]
    for clause in _clauses(text, s):
        cues = _cues(text, *clause)
        if not cues:
            continue
        for m in sorted((m for m in here if m.category in EFFECT_CATEGORIES and clause[0] <= m.start < clause[1]),
                        key=lambda m: m.start):
            if m.concept_id in seen or any(a <= m.start < b for a, b in comparator_spans):
                continue
            if re.match(r"anti-?|non-?", m.text, re.I) or _not_effect(rec.vocab, m):
                continue  # "enhanced the anti-inflammatory effect", "raised SOD": not the concept's own way
            if m.category == "outcome_measure" and "measure" not in getattr(rec.vocab.get(m.concept_id), "phrases", {}):
                continue  # a behavioural test ("the FST") is where a change was seen, not the change
            if m.category == "outcome_measure" and effects and re.fullmatch(
                    r"[\s\-]*(?:\([^()]*\)\s*)?(?:in|on|during|of|by)\s+(?:the\s+|a\s+)?",
                    text[effects[-1].target.end : m.start], re.I):
                continue  # "reduced immobility in the FST": the test is where it was measured
            g = _governing(text, clause, m, cues, blanks_all)
            if g is None:
                continue
            start, end, direction = g
            if m.negated and direction != "no_effect":
                continue  # "without ...", "no ...": not a change this sentence claims
            if direction == "improved" and m.category == "biomarker":
                continue  # "improved IL-6" says no direction
            if not _agent_ok(text, s, clause, start, interventions, models, comparator_spans):
                continue
            region = _region(text, m, anatomy)
            if region is None and effects and effects[-1].region is not None and effects[-1].cue.start == start \
                    and re.fullmatch(r"\s*(?:,\s*|,?\s*and\s+|,?\s*or\s+)", text[effects[-1].target.end : m.start]):
                region = regions[-1]  # "hippocampal IL-1β and IL-6": both measured there
            effects.append(Effect(Element.of(m), m.category, direction,
                                  Element(None, "abstract", start, end, text[start:end]),
                                  Element.of(region) if region else None))
            regions.append(region)
            seen.add(m.concept_id)
    for m in here:
        if m.concept_id in _SAFETY and m.negated and m.concept_id not in seen:
            # only "no adverse events" as such: "no treatment-related adverse events" says less
            lead = re.search(r"\b(?:no|without(?:\s+any)?)\s+$", text[max(s.start, m.start - 30) : m.start], re.I)
            seen_verb = re.match(r"\s*(?:\([^()]*\)\s*)?(?:(?:were|was)\s+)?(?:observed|reported|occurred|noted|recorded|"
                                 r"seen|detected|found)\b", text[m.end : s.end], re.I)
            if lead and (seen_verb or lead.group(0).lower().startswith("without")):
                a = m.start - len(lead.group(0))
                b = m.end + (seen_verb.end() if seen_verb else 0)
                effects.append(Effect(Element.of(m), m.category, "not_observed", Element(None, "abstract", a, b, text[a:b])))
                seen.add(m.concept_id)
    if not effects:
        return None
    context = False
    safety_only = all(e.direction == "not_observed" for e in effects)
    if not interventions:
        if not _bare_treatment(text, s) and not safety_only:
            return None  # changes with no treatment named: nothing to attribute them to
        only = rec.unique(_INTERVENTION)
        if only is None or not rec.given(only.concept_id):
            return None
        interventions, context = [only], True
    finding = StructuredFinding(s.id, [Element.of(m, context) for m in _first_per_concept(interventions)], effects,
                                comparator=Element.of(comparator) if comparator else None,
                                hedged=bool(_HEDGE.search(sentence_text)))
    dish = _IN_VITRO.search(text, s.start, s.end) or _CELL_LINE.search(text, s.start, s.end)
    if dish or rec.design == "design:in-vitro":
        # "In vitro, EVs lowered IL-6 release by cultured microglia": cells in a dish, whatever the
        # record's animals, routes and doses were; nothing is taken from the rest of the record
        if dish:
            finding.species = Element("species:cell-line", "abstract", dish.start(), dish.end(), dish.group(0))
        routes = [m for m in here if m.category == "route" and not m.negated]
        finding.routes = [Element.of(m) for m in _first_per_concept(routes)]
        doses = list(_DOSE.finditer(text, s.start, s.end))
        if len(doses) == 1:
            finding.dose = Element(None, "abstract", doses[0].start(), doses[0].end(), doses[0].group(0))
        return finding
    _subject(finding, text, s, here, models, rec)
    _route_and_dose(finding, text, s, here, interventions, context, rec)
    return finding


# what follows a cell named as the source of something the vocabulary does not know ("hUCB-derived
# plasma", "MSC lysates"): the cell itself was not what was given
_SOURCE_OF_UNKNOWN = re.compile(r"[\s\-]*(?:derived|lysates?|extracts?|secreted|plasma|serum|sera|homogenates?)\b",
                                re.I)
# the only words that may stand before "treatment" / "transplantation" for it to mean the record's one
# intervention: "the treatment", "after transplantation", "Treated mice"; "ABX treatment" names another
_BARE_BEFORE = re.compile(r"(?:^|\b(?:the|this|these|such|after|following|with|by|of|and|in|that|upon|its|their|a|an|"
                          r"single|repeated|first|second|third|fourth|fifth|final|last|initial|two|three|four|five|"
                          r"\d+(?:st|nd|rd|th)?)\s+|[,(;:]\s*)$", re.I)


def _bare_treatment(text: str, s: Sentence) -> bool:
    for t in _TREATMENT.finditer(text, s.start, s.end):
        before = text[max(s.start, t.start() - 20) : t.start()]
        if t.start() > s.start and not _BARE_BEFORE.search(before):
            continue
        after = text[t.end() : s.end]
        if re.match(r"\s+(?:with|of|using)\s+(?!the\s+cells|these\s+cells|them\b|the\s+(?:exosomes|vesicles))", after, re.I):
            continue  # "transplantation with hUCB-derived plasma": another agent, named
        return True
    return False


def _not_effect(vocab: Any, m: Mention) -> bool:
    c = vocab.get(m.concept_id)
    if c is None or not c.not_effects:
        return False
    key = re.sub(r"[\s\-]+", " ", m.text.lower()).rstrip("s")
    return any(key == re.sub(r"[\s\-]+", " ", f.lower()).rstrip("s") for f in c.not_effects)


def _resolved(m: Mention, text: str, rec: _RecordContext) -> Mention:
    """"The exosomes" after "exosomes from BMSCs": the record's only composite of that product."""
    if m.category != "product" or "+" in m.concept_id:
        return m
    if not re.search(r"\b(?:the|these|such|those)\s+$", text[max(0, m.start - 8) : m.start], re.I):
        return m
    composites = {c.concept_id: c for c in rec.mentions if c.concept_id.startswith(m.concept_id + "+")}
    if len(composites) != 1:
        return m
    c = next(iter(composites.values()))
    return Mention(c.concept_id, c.category, c.field, c.start, c.end, c.text, source="context", origin=c.origin)


def _first_per_concept(ms: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for m in sorted(ms, key=lambda m: (m.field != "abstract", m.start)):
        if m.concept_id not in seen:
            seen.add(m.concept_id)
            out.append(m)
    return out[:2]


def _subject(f: StructuredFinding, text: str, s: Sentence, here: list[Mention], models: list[Mention],
             rec: _RecordContext) -> None:
    species = [m for m in here if m.category == "species" and m.concept_id != "species:cell-line" and not m.negated]
    if species:
        f.species = Element.of(species[0])
    elif len(rec.species) == 1:
        first = next((m for m in rec.mentions if m.concept_id == rec.species[0]), None)
        if first is not None:
            f.species = Element.of(first, context=True)
    if f.species is not None and f.species.concept != "species:human":
        # a model is said only of animals ("LPS-stimulated THP-1 cells" are no LPS model)
        in_vivo = [m for m in models if getattr(rec.vocab.get(m.concept_id), "in_vivo", False)]
        if models and (in_vivo or f.species.concept in _ANIMALS):
            f.model = Element.of(models[0])
        elif not models:
            only = rec.unique(("animal_model",))
            if only is not None and getattr(rec.vocab.get(only.concept_id), "in_vivo", False):
                f.model = Element.of(only, context=True)
    else:
        for m in here:
            if m.category == "condition" and _POPULATION.search(text[max(s.start, m.start - 40) : m.start]):
                f.population = Element.of(m)
                break
    if rec.sample_size and rec.sample_cue and rec.sample_cue.get("field") == "abstract":
        unit, n = next(iter(rec.sample_size.items()))
        human = f.species is not None and f.species.concept == "species:human"
        if (unit == "participants") == human and f.species is not None:
            cue = rec.sample_cue
            f.size = {"n": n, "unit": unit, "field": "abstract", "start": cue["start"], "end": cue["end"],
                      "text": cue["text"], "context": not (s.start <= cue["start"] < s.end)}


def _route_and_dose(f: StructuredFinding, text: str, s: Sentence, here: list[Mention], interventions: list[Mention],
                    context: bool, rec: _RecordContext) -> None:
    routes = [m for m in here if m.category == "route" and not m.negated]
    if routes:
        f.routes = [Element.of(m) for m in _first_per_concept(routes)]
    else:
        # the record's only route, where a sentence names it together with this intervention
        only = rec.unique(("route",), exclude_parts=False)
        ids = {m.concept_id for m in interventions}
        if only is not None:
            where = rec.sentence_of(only)
            if where is not None and any(m.concept_id in ids and where.start <= m.start < where.end and m.field == where.field
                                         for m in rec.mentions):
                f.routes = [Element.of(only, context=True)]
    doses = list(_DOSE.finditer(text, s.start, s.end))
    if len(doses) == 1:
        d = doses[0]
        f.dose = Element(None, "abstract", d.start(), d.end(), d.group(0))
    elif not doses:
        everywhere = list(_DOSE.finditer(rec.text))
        if len(everywhere) == 1:
            d = everywhere[0]
            where = next((x for x in rec.sentences if x.field == "abstract" and x.start <= d.start() < x.end), None)
            ids = {m.concept_id for m in interventions}
            if where is not None and any(m.field == "abstract" and m.concept_id in ids and where.start <= m.start < where.end
                                         for m in rec.mentions):
                f.dose = Element(None, "abstract", d.start(), d.end(), d.group(0), context=True)
