"""Sentences for readers, made from annotation elements, the vocabulary's labels and one template
per language: a finding ("Human umbilical cord MSCs given intravenously reduced depression-like
behaviour in mice exposed to chronic unpredictable mild stress"), what a study did, and a Chinese
gloss of a title ("【动物研究】人脐带间充质干细胞对CUMS小鼠抑郁样行为的作用").

Each sentence names only the elements it is given, and each element came with its span; an element
the annotator left out is simply not said. Simplified Chinese is written here and the Traditional
variants are converted from it (texts.to_lang), so the Chinese editions say the same thing.
"""

from __future__ import annotations

from typing import Any, Callable

from litwatch.report.texts import LANGS, is_zh, to_lang

__all__ = ["Phraser", "finding_sentences", "studied_sentences", "title_glosses"]

_ORIGIN = {"en": {"human": "human", "rat": "rat", "mouse": "mouse"},
           "zh-Hans": {"human": "人", "rat": "大鼠", "mouse": "小鼠"}}
_EN_VERB = {"reduced": "reduced", "increased": "increased", "improved": "improved", "prevented": "prevented",
            "no_effect": "did not change"}
_EN_HEDGED = {"reduced": "may reduce", "increased": "may increase", "improved": "may improve",
              "prevented": "may prevent", "no_effect": "did not change"}
_ZH_VERB = {
    "reduced": {"condition": "减轻", "mechanism": "减轻", "biomarker": "降低", "outcome_measure": "降低"},
    "increased": {"condition": "加重", "mechanism": "促进", "biomarker": "提高", "outcome_measure": "提高"},
    "improved": {"*": "改善"},
    "prevented": {"*": "预防"},
    "no_effect": {"*": "未改变"},
}
_REVIEWS = {"design:meta-analysis", "design:systematic-review", "design:narrative-review", "design:editorial-comment"}


def _vocabulary_label(cid: str, lang: str) -> str:
    try:
        from litwatch.annotate import concept_label

        return concept_label(cid, lang)
    except Exception:  # a concept an older vocabulary had
        return cid.split(":", 1)[-1].replace("-", " ")


class Phraser:
    """Labels and phrases of concepts in en and zh-Hans (cached), the build's one door to the vocabulary."""

    def __init__(self, label: Callable[[str, str], str] | None = None) -> None:
        self.label = label or _vocabulary_label
        self._phrases: dict[tuple[str, str, str], str | None] = {}

    def phrase(self, cid: str | None, form: str, lang: str) -> str | None:
        if not cid:
            return None
        key = (cid, form, lang)
        if key not in self._phrases:
            try:
                from litwatch.annotate import concept_phrase

                self._phrases[key] = concept_phrase(cid, form, lang)
            except Exception:  # a concept an older vocabulary had
                self._phrases[key] = None
        return self._phrases[key]

    def name(self, cid: str, lang: str, *forms: str) -> str:
        for form in forms:
            p = self.phrase(cid, form, lang)
            if p:
                return p
        return self.label(cid, lang)

    # -- pieces -----------------------------------------------------------------------------
    def cell(self, cid: str, origin: str | None, lang: str) -> str:
        text = self.name(cid, lang, "plain")
        word = _ORIGIN[lang].get(origin or "")
        if not word:
            return text
        return f"{word} {text}" if lang == "en" else f"{word}{text}"

    def intervention(self, el: dict[str, Any], lang: str) -> str:
        cid, origin = el["concept"], el.get("origin")
        if "+" in cid:
            product, cell = cid.split("+", 1)
            p, c = self.name(product, lang, "plain"), self.cell(cell, origin, lang)
            return f"{p} from {c}" if lang == "en" else f"{c}来源的{p}"
        return self.cell(cid, origin, lang)

    def interventions(self, els: list[dict[str, Any]], routes: list[dict[str, Any]], dose: dict | None,
                      lang: str) -> str:
        names = join([self.intervention(e, lang) for e in els], lang)
        given = [self.phrase(r["concept"], "given", lang) for r in routes]
        given = [g for g in given if g]
        if lang == "en":
            out = names + (" " + " or ".join(given) if given else "")
            return out + (f" ({dose['text']})" if dose else "")
        out = ("或".join(g.rstrip("的") for g in given) + "的" if given else "") + names
        return out + (f"（{dose['text']}）" if dose else "")

    def species_plural(self, cid: str, lang: str) -> str:
        return self.name(cid, lang, "plural")

    def subject(self, species: dict | None, model: dict | None, population: dict | None, lang: str,
                short: bool = False) -> str:
        """'mice exposed to chronic unpredictable mild stress' / 'CUMS小鼠' / 'patients with TRD' / ''."""
        if species and species.get("concept") == "species:human":
            cond = self.label(population["concept"], lang) if population else None
            if lang == "en":
                return f"patients with {cond}" if cond else "patients"
            return f"{cond}患者" if cond else "患者"
        plural = self.species_plural(species["concept"], lang) if species else None
        if model:
            template = self.phrase(model["concept"], "short" if short else "subject", lang)
            if template and plural:
                return template.replace("{species}", plural)
            label = self.label(model["concept"], lang)
            if plural:
                return f"{plural} ({label})" if lang == "en" else f"{label}{plural}"
            return f"animals ({label})" if lang == "en" else f"{label}动物模型"
        return plural or ""

    def target(self, ef: dict[str, Any], lang: str) -> str:
        t = ef["target"]
        cid, cat = t["concept"], ef["category"]
        if cat == "condition":
            text = self.name(cid, lang, t.get("form") or "", "plain") if t.get("form") else self.label(cid, lang)
        elif cat == "outcome_measure":
            text = self.name(cid, lang, "measure")
        elif cat == "biomarker":
            text = self.name(cid, lang, "short")
        else:
            text = self.name(cid, lang, "plain")
        return text

    def region(self, ef: dict[str, Any], lang: str) -> str:
        r = ef.get("region")
        return self.name(r["concept"], lang, "adjective") if r else ""


def join(items: list[str], lang: str) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    if lang == "en":
        return ", ".join(items[:-1]) + " and " + items[-1]
    return "、".join(items[:-1]) + "和" + items[-1]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# -- findings ---------------------------------------------------------------------------------------
def _groups(effects: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    order: list[str] = []
    by: dict[str, list[dict[str, Any]]] = {}
    for ef in effects:
        if ef["direction"] not in by:
            order.append(ef["direction"])
            by[ef["direction"]] = []
        by[ef["direction"]].append(ef)
    return [(d, by[d]) for d in order]


def _zh_verb(direction: str, category: str) -> str:
    verbs = _ZH_VERB[direction]
    return verbs.get(category) or verbs.get("*") or "改变"


def _zh_groups(effects: list[dict[str, Any]]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Effects grouped by direction, then by the Chinese verb their kind takes (降低 levels, 减轻 stress)."""
    out: list[tuple[str, str, list[dict[str, Any]]]] = []
    for d, g in _groups(effects):
        for ef in g:
            verb = _zh_verb(d, ef["category"])
            for entry in out:
                if entry[0] == d and entry[1] == verb:
                    entry[2].append(ef)
                    break
            else:
                out.append((d, verb, [ef]))
    return out


def _en_targets(ph: Phraser, effects: list[dict[str, Any]]) -> str:
    parts, k = [], 0
    while k < len(effects):
        ef = effects[k]
        region = ph.region(ef, "en")
        run = [ef]
        while k + len(run) < len(effects) and effects[k + len(run)].get("region") == ef.get("region") and region:
            run.append(effects[k + len(run)])
        names = join([ph.target(e, "en") for e in run], "en")
        parts.append(f"{region} {names}" if region else names)
        k += len(run)
    return join(parts, "en") if len(parts) > 1 else parts[0]


def _zh_targets(ph: Phraser, effects: list[dict[str, Any]]) -> str:
    parts, k = [], 0
    while k < len(effects):
        ef = effects[k]
        run = [ef]
        while (k + len(run) < len(effects) and effects[k + len(run)].get("region") == ef.get("region")
               and effects[k + len(run)]["category"] == ef["category"] == "biomarker"):
            run.append(effects[k + len(run)])
        region = ph.region(ef, "zh-Hans")
        names = "、".join(ph.target(e, "zh-Hans") for e in run)
        if ef["category"] == "biomarker":
            names += "水平"
        parts.append(region + names)
        k += len(run)
    return "、".join(parts[:-1]) + ("和" if len(parts) > 1 else "") + parts[-1]


def _size(f: dict[str, Any], lang: str, human: bool) -> tuple[str, str]:
    """(prefix number for people, suffix for animals)."""
    size = f.get("size") or {}
    if not size:
        return "", ""
    if human and size.get("unit") == "participants":
        return (f"{size['n']} " if lang == "en" else f"{size['n']}名"), ""
    if size.get("unit") == "animals_per_group":
        return "", (f" ({size['n']} per group)" if lang == "en" else f"（每组{size['n']}只）")
    return "", ""


def finding_sentence(ph: Phraser, f: dict[str, Any], lang: str) -> str | None:
    """One sentence in `lang` (en or zh-Hans) from a StructuredFinding dict; None when it has no effects."""
    effects = [e for e in f.get("effects") or [] if e["direction"] in _EN_VERB or e["direction"] == "not_observed"]
    if not effects or not f.get("interventions"):
        return None
    agent = ph.interventions(f["interventions"], f.get("routes") or [], f.get("dose"), lang)
    human = bool(f.get("species") and f["species"].get("concept") == "species:human")
    subject = ph.subject(f.get("species"), f.get("model"), f.get("population"), lang)
    number, per_group = _size(f, lang, human)
    if subject:
        subject = number + subject + per_group
    comparator = ph.label(f["comparator"]["concept"], lang) if f.get("comparator") else None
    hedged = bool(f.get("hedged"))
    changes = [e for e in effects if e["direction"] != "not_observed"]
    unseen = [e for e in effects if e["direction"] == "not_observed"]
    out = []
    if lang == "en":
        if changes:
            clauses = [f"{(_EN_HEDGED if hedged else _EN_VERB)[d]} {_en_targets(ph, g)}" for d, g in _groups(changes)]
            s = _cap(agent) + " " + join(clauses, "en")
            if subject:
                s += f" in {subject}"
            if comparator:
                s += f", compared with {comparator}"
            out.append(s + ".")
        if unseen:
            s = f"No {_en_targets(ph, unseen)} were observed with {agent}"
            out.append(s + (f" in {subject}." if subject else "."))
        return " ".join(out)
    if changes:
        clauses = []
        for k, (d, verb, g) in enumerate(_zh_groups(changes)):
            if d != "no_effect":
                verb = ("可能" + verb) if hedged else (verb + "了")
            obj = _zh_targets(ph, g)
            if k == 0 and subject:
                obj = f"{subject}的{obj}"
            clauses.append(verb + obj)
        joined = clauses[0] if len(clauses) == 1 else "，".join(clauses[:-1]) + "，并" + clauses[-1]
        s = (f"与{comparator}相比，" if comparator else "") + agent + joined
        out.append(s + "。")
    if unseen:
        who = subject or ""
        out.append(f"{who}接受{agent}后未观察到{_zh_targets(ph, unseen)}。")
    return "".join(out)


def finding_sentences(ph: Phraser, f: dict[str, Any]) -> dict[str, str]:
    """The finding in every language ({} when nothing can be said)."""
    en = finding_sentence(ph, f, "en")
    zh = finding_sentence(ph, f, "zh-Hans")
    if not en or not zh:
        return {}
    return {lang: (en if lang == "en" else to_lang(zh, lang)) for lang in LANGS}


# -- what was studied -----------------------------------------------------------------------------
def _profile_subject(ph: Phraser, p: dict[str, Any], lang: str, short: bool = False) -> str:
    species = p.get("species") or []
    models = p.get("models") or []
    human = [s for s in species if s["concept"] == "species:human"]
    animals = [s for s in species if s["concept"] != "species:human"]
    if animals:
        return ph.subject(animals[0], models[0] if models else None, None, lang, short)
    if human:
        conds = p.get("conditions") or []
        return ph.subject(human[0], None, conds[0] if conds else None, lang, short)
    return ""


def studied_sentence(ph: Phraser, p: dict[str, Any], design: str | None, lang: str) -> str:
    design = design or "design:other"
    head = ph.name(design, lang, "short")
    inter = ph.interventions(p.get("interventions") or [], p.get("routes") or [], None, lang) \
        if p.get("interventions") else ""
    conds = join([ph.name(c["concept"], lang, c.get("form") or "plain", "plain") for c in p.get("conditions") or []], lang)
    if design in _REVIEWS:
        if lang == "en":
            s = head + (f" on {inter}" if inter else "") + (f" in {conds}" if conds else "")
            return s + "."
        inter_zh = "、".join(ph.intervention(e, lang) for e in p.get("interventions") or [])
        conds_zh = "、".join(ph.name(c["concept"], lang, c.get("form") or "plain", "plain")
                            for c in p.get("conditions") or [])
        body = "与".join(x for x in (inter_zh, conds_zh) if x)
        return head + (f"：围绕{body}" if body else "") + "。"
    subject = _profile_subject(ph, p, lang)
    if design in ("design:animal", "design:in-vitro") and subject and not [
            s for s in p.get("species") or [] if s["concept"] != "species:human"]:
        subject = ""  # an animal or cell study names no people as its subjects
    size = p.get("size") or {}
    comparators = join([ph.label(c["concept"], lang) for c in p.get("comparators") or []], lang)
    outcomes = join([ph.name(o["concept"], lang, "short", "measure") if o["concept"].startswith("biomarker:")
                     else ph.label(o["concept"], lang) for o in p.get("outcomes") or []], lang)
    if lang == "en":
        s = head
        if subject:
            s += f" in {subject}"
        if size.get("unit") == "animals_per_group":
            s += f" ({size['n']} per group)"
        elif size.get("unit") == "participants":
            s += f" ({size['n']} participants)"
        if inter:
            s += f" testing {inter}"
        if comparators:
            s += f" against {comparators}"
        if outcomes:
            s += f"; outcomes measured: {outcomes}"
        return s + "."
    size_zh = ""
    if size.get("unit") == "animals_per_group":
        size_zh = f"（每组{size['n']}只）"
    elif size.get("unit") == "participants":
        size_zh = f"（{size['n']}名受试者）"
    compared = f"（对照：{comparators}）" if comparators else ""
    human = any(s["concept"] == "species:human" for s in p.get("species") or []) and not [
        s for s in p.get("species") or [] if s["concept"] != "species:human"]
    # "在…中检验…" rather than "以…为对象": OpenCC's Taiwan phrases turn 对象 into 物件 (an object in software)
    if subject and inter:
        body = f"在{subject}中{size_zh}检验{inter}{compared}"
    elif subject:
        body = ("受试者：" if human else "实验动物：" if design == "design:animal" else "研究样本：") + subject + size_zh
    elif inter:
        body = f"检验{inter}{compared}"
    else:
        body = ""
    s = head + ("：" + body if body else "")
    if outcomes:
        s += f"；测量指标：{outcomes}"
    return s + "。"


def studied_sentences(ph: Phraser, p: dict[str, Any], design: str | None) -> dict[str, str]:
    en = studied_sentence(ph, p, design, "en")
    zh = studied_sentence(ph, p, design, "zh-Hans")
    return {lang: (en if lang == "en" else to_lang(zh, lang)) for lang in LANGS}


# -- title gloss ----------------------------------------------------------------------------------
def title_gloss(ph: Phraser, p: dict[str, Any], design: str | None, kind: str = "paper") -> str | None:
    """The title's concepts as a short Chinese gloss, or None when the title names none we know."""
    title = p.get("title") or {}
    tag = "注册试验" if kind == "trial" else ph.name(design or "design:other", "zh-Hans", "short")
    inter_els = title.get("interventions") or []
    if not inter_els and p.get("interventions"):
        # "Cell therapy for ..." names no cell we know; the abstract's first intervention stands in
        inter_els = (p.get("interventions") or [])[:1]
    inter = "、".join(ph.intervention(e, "zh-Hans") for e in inter_els[:2])
    conds_els = title.get("conditions") or []
    conds = "、".join(ph.name(c["concept"], "zh-Hans", c.get("form") or "", "plain") if c.get("form")
                     else ph.label(c["concept"], "zh-Hans") for c in conds_els[:2])
    effects = "、".join(ph.name(o["concept"], "zh-Hans", "plain", "short", "measure")
                       for o in (title.get("outcomes") or []) + (title.get("mechanisms") or []))
    if design in _REVIEWS:
        body = "与".join(x for x in (inter, conds or effects) if x)
        return f"【{tag}】{body}" if body else None
    species = title.get("species") or p.get("species") or []
    models = title.get("models") or (p.get("models") if not title.get("species") else []) or []
    human = bool(species) and species[0]["concept"] == "species:human"
    if kind == "trial" or human:
        cond = conds_els[0] if conds_els else ((p.get("conditions") or [None])[0])
        who = (ph.label(cond["concept"], "zh-Hans") + "患者") if cond else ""
        what = effects
    else:
        animal = next((s for s in species if s["concept"] != "species:human"), None)
        who = ph.subject(animal, models[0] if models else None, None, "zh-Hans", short=True) if animal else ""
        what = conds or effects
    if inter and (who or what) and p.get("title_relation") == "effect":
        return f"【{tag}】{inter}对{who}{what}的作用"
    if inter and what:
        return f"【{tag}】{inter}与{who}{what}"  # the title does not say which acts on which
    if inter and who:
        return f"【{tag}】{inter}在{who}中的研究"
    if inter:
        return f"【{tag}】{inter}的研究"
    if what:
        return f"【{tag}】{who}{what}的研究"
    return None


def title_glosses(ph: Phraser, p: dict[str, Any], design: str | None, kind: str = "paper") -> dict[str, str]:
    zh = title_gloss(ph, p, design, kind)
    if not zh:
        return {}
    return {lang: to_lang(zh, lang) for lang in LANGS if is_zh(lang)}
