"""A per-topic gate: which of a profile's concepts could match a record at all, found cheaply.

Almost every record of PubMed names none of a topic's concepts, and the rules' decision for such a
record is fixed ("no intervention concept and no condition concept", or "nothing to judge"). The
gate lets `screen.rules.rule_decision` and `screen.reading.read` skip the matchers of every concept
the record cannot contain: such a record costs tens of microseconds instead of the whole reading,
and the decision is the very one the full path gives (the same code runs; only matchers proven to
find nothing are skipped).

The text the gate reads (`GateView`, made once per record and shared by the topics): the fields'
UTF-8 bytes, lower-cased, with every byte that is not an ASCII letter, digit or underscore made a
space. Its words are the ASCII word tokens of the lower-cased text (a non-ASCII letter next to
one only splits more, which lets more records through, never fewer); `phrases` is those tokens
one space apart.

What each term needs there (topics/terms.py's `TermMatcher` is what must not be missed):

    Latin terms   matched on the lower-cased text at a word boundary, words joined by spaces or
                  hyphens, a plural ending after the last word, `*` = any further letters: the
                  term's words (up to a `*`) stand in `phrases` one space apart, and every run of
                  word characters bounded on both sides is a whole token (the rarest-looking one
                  is the key the gate indexes the term by); runs that are not ASCII ask nothing
    case terms    matched with their case at a word boundary, no word character after: the same,
                  in the text as written
    Chinese terms match only where the text has Chinese characters: such a record always passes
    patterns      (regexes, any case) run as they are, unless the text lacks a literal run every
                  match must contain (read from the parsed pattern); IGNORECASE lets four
                  non-ASCII letters match ASCII ones (İ ı ſ K), so a text holding one of them
                  always runs the pattern
    rejects       the rules look for a reject concept in the title only, and so does the gate

`tests/screen/test_gate.py` runs both paths on all the shared data and on generated records and
asserts identical decisions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from litwatch.topics import Topic
from litwatch.topics.terms import CJK, lowered

try:  # Python 3.11+: the parser behind re.compile
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]

__all__ = ["Gate", "GateView", "Terms", "topic_gate", "build_gate", "rule_out_keys", "FOLDS_TO_ASCII"]

# Non-ASCII letters that re.IGNORECASE matches with an ASCII letter (found by trying every code
# point; tests/screen/test_gate.py checks it again)
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"
_KEEP = set(range(48, 58)) | set(range(65, 91)) | set(range(97, 123)) | {95}
_TABLE = bytes(b if b in _KEEP else 32 for b in range(256))
# ... with ASCII letters lowered; and with the UTF-8 lead bytes of U+3000-U+9FFF and U+F000-U+FFFF
# (every CJK character the matchers know) marked \x01, so one look tells whether there may be Chinese
_TABLE_LOWER = bytes(b + 32 if 65 <= b <= 90 else x for b, x in enumerate(_TABLE))
_TABLE_LOWER_CJK = bytes(1 if 0xE3 <= b <= 0xE9 or b == 0xEF else x for b, x in enumerate(_TABLE_LOWER))
_WORD_RUN = re.compile(r"\w+")
_JOIN = "\n"  # fields are joined with a character no term can match across


# One requirement of a term: ("tok", alternatives) a whole token of the lower-cased text;
# ("ctok", token) a whole token of the text as written (case terms); ("sub", text) a substring of
# the lower-cased text; ("csub", text) a substring of the text as written.
Req = tuple[str, object]


@dataclass
class _Term:
    concept: str
    part: str  # "long" (terms, patterns) | "case" (case_terms)
    reqs: tuple[Req, ...]
    term: str = ""  # the term as the profile writes it


@dataclass(eq=False)  # hashed by identity (screen.rules caches the union of several topics' keys)
class Gate:
    """For one topic: what each gated concept's terms need in a text, indexed by one key each."""

    concepts: tuple[str, ...]  # the gated concepts: include groups' and rejects'
    needs_long: frozenset[str] = frozenset()  # concepts whose case terms count only with a long form
    keyed: dict[bytes, list[_Term]] = field(default_factory=dict)  # key token -> terms it stands for
    unkeyed: list[_Term] = field(default_factory=list)  # terms with no whole-token requirement
    patterns: list[tuple[str, re.Pattern[str], tuple[str, ...] | None]] = field(default_factory=list)
    # (concept, its compiled patterns, literals one of which every match holds; None: always run)
    open: frozenset[str] = frozenset()  # concepts the gate cannot bound: always matched in full
    title_only: frozenset[str] = frozenset()  # reject concepts: the rules look for them in the title only

    def __post_init__(self) -> None:
        self._keys = frozenset(self.keyed)
        self._open = {cid: None for cid in self.open}
        self._all = {cid: None for cid in self.concepts}

    def candidates(self, view: "GateView | dict[str, str]") -> dict[str, "Terms | None"]:
        """The gated concepts that may match somewhere in these fields (a superset of those that
        do), each with the terms and case terms that may (None: any of them, e.g. in Chinese text)."""
        if not isinstance(view, GateView):
            view = GateView(view)
        if not view.fields:
            return self._open
        if view.cjk:
            return self._all  # Chinese terms, and text converted to Simplified
        if view.shared is not None and self in view.shared[0]:
            hits = self._keys & view.shared[1]  # the union of several topics' keys was looked for already
        else:
            hits = () if self._keys.isdisjoint(view.tokens) else self._keys.intersection(view.tokens)
        if not hits and not self.unkeyed and not self.patterns:
            return self._open
        seen: dict[str, tuple[set[str], set[str]]] = {}  # concept -> (terms, case terms) that may match
        patterned: set[str] = set()
        title_only = self.title_only
        for t in [t for key in hits for t in self.keyed[key]] + self.unkeyed:
            where = view.title_view() if t.concept in title_only else view
            if where.has_all(t.reqs):
                seen.setdefault(t.concept, (set(), set()))[t.part == "case"].add(t.term)
        for cid, rx, literals in self.patterns:
            where = view.title_view() if cid in title_only else view
            if literals is not None and not where.folds and not any(where.has(lit) for lit in literals):
                continue
            if any(rx.search(v) for v in where.fields.values()):
                patterned.add(cid)
        if not seen and not patterned:
            return self._open
        found: dict[str, Terms | None] = dict(self._open)
        for cid in set(seen) | patterned:
            terms, case = seen.get(cid, (set(), set()))
            if terms or cid in patterned or cid not in self.needs_long:
                # case terms alone count only where the concept needs no long form
                found[cid] = Terms(frozenset(terms), frozenset(case))
        return found


@dataclass(frozen=True)
class Terms:
    """The terms (and case terms) of one concept that may match a record; its patterns always run."""

    terms: frozenset[str]
    case_terms: frozenset[str]


class GateView:
    """One record's fields as every topic's gate reads them (made once, shared by the topics).

    `data` is the text's UTF-8 bytes with ASCII letters lowered and every byte that is not an
    ASCII letter, digit or underscore made a space: its words are the ASCII word tokens of the
    lower-cased text, and an ASCII word run is in the lower-cased text exactly where it is in
    `data`. (Only the Kelvin sign lowers to an ASCII letter; a text holding one is lowered with
    `lowered` first, as the matchers do. The matchers lower field by field, the gate the joined
    fields: the two differ only in how a Greek capital sigma lowers, and the gate reads ASCII.)"""

    __slots__ = ("fields", "text", "data", "tokens", "cjk", "folds", "shared", "_low", "_padded", "_case", "_phrases", "_case_phrases", "_title")

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        self.text = text = _JOIN.join(fields.values())
        self._low: str | None = None
        self._padded: bytes | None = None
        self._case: bytes | None = None
        self._phrases: bytes | None = None  # the tokens one space apart, a space before and after
        self._case_phrases: bytes | None = None  # the same of the text as written
        self._title: GateView | None = None
        self.shared: tuple[tuple[Gate, ...], frozenset[bytes]] | None = None  # (gates, their key tokens here)
        self.cjk = self.folds = False
        if text.isascii():
            self.data = data = text.encode().translate(_TABLE_LOWER)
        else:
            self.folds = any(ch in text for ch in FOLDS_TO_ASCII)
            source = lowered(text) if "\u212a" in text else text
            data = source.encode("utf-8", "surrogatepass").translate(_TABLE_LOWER_CJK)
            if b"\x01" in data:  # a lead byte of U+3000-U+9FFF or U+F000-U+FFFF: look closer
                self.cjk = CJK.search(text) is not None
                data = data.replace(b"\x01", b" ")
            self.data = data
        self.tokens = data.split()

    @property
    def low(self) -> str:
        if self._low is None:
            self._low = lowered(self.text)
        return self._low

    def title_view(self) -> "GateView":
        """The title alone, as a view of its own (for concepts the rules read in the title only)."""
        if self._title is None:
            self._title = GateView({"title": self.fields["title"]} if "title" in self.fields else {})
        return self._title

    def has(self, literal: str) -> bool:
        """Whether the lower-cased text holds this lower-case ASCII literal."""
        if literal.isalnum() and literal.isascii():
            return literal.encode() in self.data
        return literal in self.low

    def has_all(self, reqs: tuple[Req, ...]) -> bool:
        for kind, value in reqs:
            if kind == "phrase":  # value: alternatives, each to be found in the collapsed tokens
                if self._phrases is None:
                    self._phrases = b" " + b" ".join(self.tokens) + b" "
                if not any(alt in self._phrases for alt in value):  # type: ignore[union-attr]
                    return False
            elif kind == "cphrase":
                if self._case_phrases is None:
                    self._case_phrases = b" " + _collapsed(self.text, _TABLE) + b" "
                if not any(alt in self._case_phrases for alt in value):  # type: ignore[union-attr]
                    return False
            elif kind == "tok":  # value: the alternatives, each padded with a space on both sides
                if self._padded is None:
                    self._padded = b" " + self.data + b" "
                if not any(alt in self._padded for alt in value):  # type: ignore[union-attr]
                    return False
            elif kind == "ctok":  # value: the token as written, padded
                if self._case is None:
                    self._case = b" " + self.text.encode("utf-8", "surrogatepass").translate(_TABLE) + b" "
                if value not in self._case:  # type: ignore[operator]
                    return False
            elif kind == "sub":
                if not self.has(value):  # type: ignore[arg-type]
                    return False
            elif value not in self.text:  # csub
                return False
        return True


def rule_out_keys(gates: tuple[Gate, ...], view: GateView) -> None:
    """Look for the key tokens of several gates in one pass over the text's tokens; each gate
    then picks its own from the few found (`view.shared`)."""
    if len(gates) > 1:
        union = _union_of(gates)
        view.shared = (gates, frozenset() if union.isdisjoint(view.tokens) else union.intersection(view.tokens))


@lru_cache(maxsize=32)
def _union_of(gates: tuple[Gate, ...]) -> frozenset[bytes]:
    return frozenset().union(*(g._keys for g in gates))


def topic_gate(topic: Topic) -> Gate:
    """The topic's gate, built once and kept on the Topic."""
    g = topic.__dict__.get("_gate")
    if g is None:
        g = topic.__dict__["_gate"] = build_gate(topic)
    return g


def build_gate(topic: Topic) -> Gate:
    ids: list[str] = []
    for g in topic.include:
        ids += [c for c in g.any if c not in ids]
    title_only = frozenset(e.concept for e in topic.exclude if e.mode == "reject" and e.concept not in ids)
    ids += [e.concept for e in topic.exclude if e.mode == "reject" and e.concept not in ids]
    keyed: dict[bytes, list[_Term]] = {}
    unkeyed: list[_Term] = []
    patterns = []
    open_: set[str] = set()
    needs_long = set()
    for cid in ids:
        c = topic.concepts[cid]
        if c.needs_long_form and c.case_terms:
            needs_long.add(cid)
        terms = [_Term(cid, "long", _with_phrase(r, _latin_phrase(t)), t) for t in c.terms + c.zh
                 if (r := _latin_reqs(t)) != ()]
        terms += [_Term(cid, "case", _with_phrase(_case_reqs(t), _case_phrase(t)), t) for t in c.case_terms]
        if any(t.reqs is None for t in terms):
            open_.add(cid)
            continue
        for t in terms:
            key = _key(t.reqs)
            # the whole phrase first (it says most), then what it leaves out; the key is met already
            # (a title-only concept keeps its key: the key was found in the whole record)
            rest = tuple(_checkable(r) for r in t.reqs if r[1] is not key or cid in title_only)
            if key is None:
                unkeyed.append(_Term(t.concept, t.part, rest, t.term))
            else:
                for alt in key:
                    keyed.setdefault(alt, []).append(_Term(t.concept, t.part, rest, t.term))
        if c.patterns:
            rx = c.matcher()._patterns
            lits = [_required_literal(p) for p in c.patterns]
            patterns.append((cid, rx, None if any(x is None for x in lits) else tuple(lits)))
    return Gate(tuple(ids), frozenset(needs_long), keyed, unkeyed, patterns, frozenset(open_), title_only)


# Words too common in biomedical abstracts to stand for a term in the gate's index (when a term
# has a rarer word); they change how fast the gate is, never what it lets through.
_COMMON = frozenset(b"""treatment treatments therapy therapies expression blood chronic disorder disorders
derived cellular cell cells based social behavioral behavioural sensitive variable signaling signalling short
chain fatty acid acids brain major small rating scale scales test tests time stress model models factor
factors human humans patient patients disease diseases clinical effect effects study studies response
responses activity level levels system systems function functions growth tissue tissues type types high low
early late long term group groups protein proteins gene genes analysis associated related induced isolated
primary secondary total free fluid medium media marrow bone cord adult adults a an and or of the in on at to
by for from with as is are was were be not no""".split())


def _with_phrase(reqs: tuple[Req, ...] | None, phrase: Req | None) -> tuple[Req, ...] | None:
    if reqs is None:
        return None
    return ((phrase,) if phrase is not None else ()) + reqs


def _collapsed(text: str, table: bytes) -> bytes:
    return b" ".join(text.encode("utf-8", "surrogatepass").translate(table).split())


def _latin_phrase(term: str) -> Req | None:
    """The term as it must stand in `GateView.phrases`: its words (up to a `*`, which leaves the
    end open) as the gate's tokens, one space apart; a space before it unless it starts with "_"
    (the boundary check is skipped then), and after it a space, "s " or "es " (the plural)."""
    lower = term.strip().lower()
    if not lower or CJK.search(lower):
        return None
    words, prefix = [], False
    for w in (w for w in re.split(r"[\s\-]+", lower) if w):
        if w.endswith("*"):
            words.append(w[:-1])
            prefix = True
            break
        words.append(w)
    body = _collapsed(" ".join(words), _TABLE_LOWER)
    if not body:
        return None
    body = (b"" if lower[0] == "_" else b" ") + body
    if prefix:
        return ("phrase", (body,))
    return ("phrase", (body + b" ", body + b"s ", body + b"es "))


def _case_phrase(term: str) -> Req | None:
    """A case-kept term as it must stand in `GateView.case_phrases` (no plural, no wildcard)."""
    body = _collapsed(term, _TABLE)
    if not term or not body:
        return None
    return ("cphrase", ((b"" if term[0] == "_" else b" ") + body + b" ",))


def _checkable(req: Req) -> Req:
    """A requirement as `GateView.has_all` checks it: tokens padded with a space on both sides."""
    kind, value = req
    if kind == "tok":
        return kind, tuple(b" " + a + b" " for a in sorted(value))  # type: ignore[union-attr]
    if kind == "ctok":
        return kind, b" " + value + b" "  # type: ignore[operator]
    return req


def _key(reqs: tuple[Req, ...]) -> frozenset[bytes] | None:
    """The token alternatives of the term's rarest-looking whole-token requirement: the longest
    word that is not a common one (the longest of all when every word is common)."""
    toks = [v for k, v in reqs if k == "tok"]
    if not toks:
        return None
    return max(toks, key=lambda alts: (not (alts & _COMMON), min(len(a) for a in alts)))  # type: ignore[operator]


def _latin_reqs(term: str) -> tuple[Req, ...] | None:
    """What a Latin term (matched on lower-cased text: words joined by spaces or hyphens, `*` = any
    further letters, a plural ending after the last word, a word boundary before the first) needs.
    () for a Chinese term (only text with Chinese characters, which always passes, can match it);
    None when nothing can be said."""
    term = term.strip()
    if CJK.search(term):
        return ()
    words = [w for w in re.split(r"[\s\-]+", term.lower()) if w]
    if not words:
        return None
    reqs: list[Req] = []
    for i, w in enumerate(words):
        star = w.endswith("*")
        core = w[:-1] if star else w
        first, last = i == 0, i == len(words) - 1
        reqs += _runs(core, left_bounded=not first or (bool(core) and core[0].isalnum()),
                      right=("prefix" if star else "plural" if last else "exact"), case=False)
    return tuple(reqs) if reqs else None


def _case_reqs(term: str) -> tuple[Req, ...] | None:
    """What a case-kept term (literal, a word boundary before it, no word character after) needs."""
    core = term
    if not core:
        return None
    reqs = _runs(core, left_bounded=core[0].isalnum(), right="exact", case=True)
    return tuple(reqs) if reqs else None


def _runs(core: str, *, left_bounded: bool, right: str, case: bool) -> list[Req]:
    """Requirements from the word-character runs of one literal word. A run bounded on both sides
    (by the word's own non-word characters, the separator between words, the boundary before the
    term or the end after it) is a whole token; any other run is a substring. Apostrophes match
    ' or ’, so a run never spans one."""
    out: list[Req] = []
    runs = list(_WORD_RUN.finditer(core))
    for j, m in enumerate(runs):
        run = m.group(0)
        lb = m.start() > 0 or left_bounded
        at_end = m.end() == len(core)
        rb = not at_end or right != "prefix"
        if not run.isascii():
            continue  # the gate reads ASCII only: a non-ASCII run asks nothing
        if not (lb and rb):
            out.append(("csub" if case else "sub", run))
            continue
        if case:
            out.append(("tok", frozenset({lowered(run).encode()})))
            out.append(("ctok", run.encode()))
        elif at_end and right == "plural":
            out.append(("tok", frozenset({run.encode(), (run + "s").encode(), (run + "es").encode()})))
        else:
            out.append(("tok", frozenset({run.encode()})))
    return out


def _required_literal(pattern: str) -> str | None:
    """A lower-case ASCII literal of 3+ characters that every match of `pattern` (IGNORECASE)
    contains, read from its parse: leading anchors (\\b, ^) skipped, then literal characters."""
    try:
        parsed = _sre_parse.parse(pattern, re.IGNORECASE)
    except Exception:  # noqa: BLE001 - any pattern we cannot read is simply run
        return None
    if parsed.state.flags & re.VERBOSE:
        return None
    literal = []
    for op, av in parsed:
        name = str(op)
        if not literal and name == "AT":
            continue
        if name == "LITERAL":
            ch = chr(av)
            if not ch.isascii():
                break
            literal.append(ch.lower())
            continue
        break
    text = "".join(literal)
    return text if len(text) >= 3 else None
