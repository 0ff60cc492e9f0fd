"""Concepts in an article's sentences, in Chinese and English, and the cue words of claims.

English words are found by the annotation vocabulary's own tagger. Chinese words come from the
vocabulary's zh-Hans labels (Traditional text is read through OpenCC, offsets unchanged) plus
the small lexicon below, which adds the everyday Chinese names a roundup uses that the
vocabulary does not list (脐带干细胞, 小鼠, 综述, ...) and a few concepts the vocabulary lacks
altogether (psychiatric disorders as a class, which "PDs" stands for in some papers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from litwatch.annotate.tagger import get_tagger
from litwatch.annotate.vocab import concept_label, default_vocabulary
from litwatch.audit.article import to_simplified

__all__ = ["Mention", "find_mentions", "label", "EXTRA_CONCEPTS", "CUES", "cue", "cues", "mask_preclinical",
           "blank_cjk", "definitions"]

# concepts the vocabulary lacks: id -> (category, en label, zh-Hans label, English forms)
EXTRA_CONCEPTS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "audit:psychiatric": ("condition", "psychiatric disorders", "精神疾病",
                          ("psychiatric disorders", "psychiatric disorder", "psychiatric illness", "psychiatric illnesses",
                           "psychiatric diseases", "mental disorders", "mental disorder", "mental illness",
                           "mental illnesses", "psychiatric conditions")),
    "audit:neurological": ("condition", "neurological disorders", "神经系统疾病",
                           ("neurological disorders", "neurodegenerative diseases", "neurodegenerative disease",
                            "neurodegeneration")),
}

# Chinese forms (Simplified) the vocabulary's labels do not give
_ZH: dict[str, tuple[str, ...]] = {
    "condition:depression": ("抑郁症", "抑郁", "抑郁样行为", "抑郁样", "抑郁障碍", "抑郁状态", "抗抑郁"),
    "condition:mdd": ("重度抑郁症", "重度抑郁障碍", "重性抑郁", "重度抑郁", "严重抑郁症"),
    "condition:trd": ("难治性抑郁症", "难治性抑郁", "耐药性抑郁", "抗药性抑郁", "难治型抑郁"),
    "condition:bipolar-depression": ("双相情感障碍", "双相障碍", "双相抑郁", "躁郁症"),
    "condition:postpartum-depression": ("产后抑郁症", "产后抑郁"),
    "condition:anxiety": ("焦虑症", "焦虑", "焦虑样行为", "焦虑样", "抗焦虑"),
    "condition:ptsd": ("创伤后应激障碍",),
    "condition:schizophrenia": ("精神分裂症",),
    "condition:autism": ("自闭症", "孤独症", "孤独症谱系障碍"),
    "condition:parkinson": ("帕金森病", "帕金森氏病", "帕金森"),
    "condition:alzheimer": ("阿尔茨海默病", "阿尔茨海默症", "老年痴呆"),
    "condition:stroke": ("脑卒中", "中风", "缺血性卒中"),
    "condition:post-stroke-depression": ("卒中后抑郁",),
    "condition:stress": ("慢性应激", "心理应激"),
    "audit:psychiatric": ("精神疾病", "精神障碍", "精神类疾病", "心理疾病", "精神病"),
    "audit:neurological": ("神经退行性疾病", "神经系统疾病"),
    "cell:msc": ("间充质干细胞", "间充质基质细胞", "间质干细胞"),
    "cell:uc-msc": ("人脐带间充质干细胞", "脐带间充质干细胞", "脐带干细胞", "脐带来源的间充质干细胞", "脐带MSC"),
    "cell:bm-msc": ("骨髓间充质干细胞", "骨髓来源的间充质干细胞", "骨髓干细胞", "骨髓MSC", "骨髓单核细胞", "骨髓基质细胞"),
    "cell:ad-msc": ("脂肪间充质干细胞", "脂肪来源的干细胞", "脂肪来源干细胞", "脂肪干细胞", "脂肪来源MSC",
                    "脂肪来源的间充质干细胞"),
    "cell:dp-msc": ("牙髓干细胞",),
    "cell:placenta-msc": ("胎盘间充质干细胞", "胎盘干细胞"),
    "cell:nsc": ("神经干细胞", "神经祖细胞", "神经前体细胞"),
    "cell:esc": ("胚胎干细胞",),
    "cell:ipsc": ("诱导多能干细胞", "人多能干细胞", "多能干细胞"),
    "cell:psc-neuron": ("多巴胺能神经元",),
    "cell:nk": ("NK细胞", "自然杀伤细胞"),
    "cell:stem-cell": ("干细胞", "干细胞疗法", "干细胞治疗", "细胞疗法", "细胞治疗", "干细胞移植"),
    "product:exosome": ("外泌体",),
    "product:ev": ("细胞外囊泡", "胞外囊泡", "细胞外小泡", "外囊泡"),
    "product:secretome": ("分泌组",),
    "product:mitochondria": ("线粒体移植", "线粒体疗法", "外源性线粒体", "线粒体"),
    "product:conditioned-medium": ("条件培养基",),
    "model:cums": ("慢性不可预测温和应激", "慢性不可预测性轻度应激", "慢性不可预测的轻度应激", "慢性轻度应激",
                   "慢性温和应激", "慢性不可预见性应激", "慢性不可预知温和应激", "慢性不可预测应激"),
    "model:lps": ("脂多糖",),
    "model:corticosterone": ("皮质酮",),
    "model:social-defeat": ("社会挫败",),
    "model:restraint": ("束缚应激",),
    "model:maternal-separation": ("母婴分离",),
    "model:reserpine": ("利血平",),
    "model:learned-helplessness": ("习得性无助",),
    "species:mouse": ("小鼠",),
    "species:rat": ("大鼠",),
    "species:nonhuman-primate": ("猕猴", "灵长类", "猴"),
    "species:zebrafish": ("斑马鱼",),
    "species:human": ("患者", "病人", "受试者", "志愿者", "人体", "人类", "儿童", "青少年", "成人"),
    "design:narrative-review": ("综述", "述评", "文献回顾"),
    "design:systematic-review": ("系统综述", "系统评价"),
    "design:meta-analysis": ("荟萃分析", "元分析", "Meta分析", "meta分析"),
    "design:rct": ("随机对照试验", "随机对照研究", "随机双盲"),
    "design:nonrandomised-trial": ("临床试验", "开放标签试验", "单臂试验"),
    "design:pilot-case-series": ("试点研究", "先导研究", "病例系列", "预试验"),
    "design:case-report": ("病例报告", "个案报告"),
    "design:animal": ("动物实验", "动物模型", "动物研究", "临床前研究", "临床前动物实验"),
    "design:in-vitro": ("体外实验", "体外研究", "细胞实验"),
    "route:intravenous": ("静脉输注", "静脉注射", "静脉输入", "尾静脉"),
    "route:icv": ("侧脑室",),
    "route:intranasal": ("鼻内", "经鼻"),
    "route:intraperitoneal": ("腹腔注射",),
    "route:intracerebral": ("海马内", "脑内注射", "伏隔核"),
}

CUES: dict[str, re.Pattern[str]] = {k: re.compile(v, re.I) for k, v in {
    # claims about people: trials, patients, clinical results (preclinical masked first)
    "human": r"临床试验|临床研究|临床实验|临床证据|临床结果|临床数据|临床应用中|人体试验|人类试验|人体证据|人体研究|"
             r"临床案例|早期临床|初步临床|\bclinical (?:trials?|stud(?:y|ies)|evidence|data|results?|outcomes?|research|reports?)\b|"
             r"\bin (?:human|patient)s?\b|\bhuman (?:trials?|stud(?:y|ies)|evidence|subjects|participants)\b|"
             r"\bpatients?\b|\bparticipants\b|患者|病人|受试者|\bclinically\b|\bfirst-in-human\b|\bvolunteers\b",
    "trial": r"临床试验|人体试验|人类试验|随机对照|\b(?:clinical |randomi[sz]ed |controlled |human |phase [I1-4]+ )trials?\b|\bRCTs?\b",
    "benefit": r"改善|缓解|疗效|有效|减轻|恢复|好转|获益|治愈|见效|提升认知|\bimprov(?:e[sd]?|ement|ing)\b|\beffective(?:ness)?\b|"
               r"\befficacy\b|\bbenefit(?:s|ed)?\b|\brelie(?:ve[sd]?|f)\b|\balleviat\w+|\breduc(?:e[sd]?|tion) (?:in )?symptoms\b|"
               r"\bremission\b|\bcure[sd]?\b|\bameliorat\w+",
    "safety": r"安全性|安全有效|不良反应(?:较少|少|轻微|罕见)?|副作用少|副作用较少|耐受性|未观察到明显的不良|无明显不良|"
              r"\bsafe(?:ty|ly)?\b|\bwell[- ]tolerated\b|\btolerab\w+|\badverse (?:events?|effects?|reactions?)\b|\bside[- ]effects?\b",
    "proven": r"已经证实|已证实|证实了|证明了|已证明|充分(?:显示|证明|表明)|一致(?:显示|表明|证实)|都表明|均表明|均显示|"
              r"毫无疑问|确切证据|已被证明|\bprove[sdn]?\b|\bproven\b|\bestablished\b|\bconclusive(?:ly)?\b|"
              r"\bconsistently (?:show|shown|demonstrate)\w*|\bleave(?:s)? no doubt\b|\bunequivocal(?:ly)?\b|\bdefinitive(?:ly)?\b|"
              r"\ball (?:studies|trials)\b|\bhave (?:shown|demonstrated) (?:that )?(?:stem|msc|cell)",
    "ongoing": r"正在进行|进行中|正在开展|陆续开展|正在招募|\bunder ?way\b|\bongoing\b|\bin progress\b|\bcurrently (?:recruiting|running)\b|"
               r"\bbeing (?:tested|conducted|run)\b|\bare recruiting\b",
    "several": r"多项|多个|一些|若干|大量|数项|\bseveral\b|\bnumerous\b|\bmany\b|\bmultiple\b|\ba number of\b|\bvarious\b",
    "treatment": r"治疗|疗法|疗效|治疗策略|治疗方案|治疗手段|\btreat(?:s|ed|ing|ment|ments)?\b|\btherap(?:y|ies|eutic)\b|\bcure\b",
    "animal": r"小鼠|大鼠|动物|啮齿|猕猴|斑马鱼|\bmice\b|\bmouse\b|\brats?\b|\brodents?\b|\banimals?\b|\bmurine\b|\bin vivo\b|\bpreclinical\b",
    "review": r"综述|述评|\breview(?:s|ed)?\b",
    "hedge": r"或可|可能|有望|或许|提示|潜在|潜力|前景|希望|\bmay\b|\bmight\b|\bcould\b|\bsuggest\w*|\bpotential(?:ly)?\b|"
             r"\bpromis\w+|\bhope\b|\bpossibl\w+",
    "predictor": r"(?<!不可)(?<!不可的)预测(?!性)|生物标志|风险因素|相关性|关联|\bpredict\w*|\bbiomarkers?\b|\brisk factors?\b|\bassociat\w+ with\b|\bcorrelat\w+",
    "preclinical": r"临床前|非临床|\bpre-?clinical\b|\bnon-?clinical\b",
}.items()}


def cue(text: str, name: str) -> re.Match[str] | None:
    return CUES[name].search(text)


def cues(text: str) -> set[str]:
    """The cue names present in `text` (already Simplified; preclinical words masked for 'human')."""
    masked = mask_preclinical(text)
    out = {name for name, rx in CUES.items() if name not in ("human", "trial") and rx.search(text)}
    if CUES["human"].search(masked):
        out.add("human")
    if CUES["trial"].search(masked):
        out.add("trial")
    return out


def mask_preclinical(text: str) -> str:
    return CUES["preclinical"].sub(lambda m: "_" * len(m.group(0)), text)


@dataclass(slots=True, frozen=True)
class Mention:
    concept_id: str
    category: str
    start: int
    end: int
    text: str


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def blank_cjk(text: str) -> str:
    """Chinese characters and punctuation as spaces (same length): English words stand alone."""
    return _CJK.sub(" ", text)


@lru_cache(maxsize=1)
def _zh_matcher() -> tuple[re.Pattern[str], dict[str, set[str]]]:
    vocab = default_vocabulary()
    forms: dict[str, set[str]] = {}
    for c in vocab:
        zh = c.labels.get("zh-Hans") or ""
        if c.id == "design:other":
            continue
        for extra in (getattr(c, "synonyms_zh", None) or [], getattr(c, "zh_synonyms", None) or []):
            for form in extra:
                forms.setdefault(form, set()).add(c.id)
        if c.category == "route":
            continue  # "脑内" alone says nothing about a route: the lexicon below names routes
        base = re.sub(r"[（(][^）)]*[）)]", "", zh)
        for part in re.split(r"[/、]", base):
            part = part.strip()
            if len(part) >= 3 and re.search(r"[\u4e00-\u9fff]", part):
                forms.setdefault(part, set()).add(c.id)
    for cid, zh_forms in _ZH.items():
        for form in zh_forms:
            forms.setdefault(form, set()).add(cid)
    for cid, (_, _, zh, _) in EXTRA_CONCEPTS.items():
        forms.setdefault(zh, set()).add(cid)
    alts = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(alts, re.I), forms


@lru_cache(maxsize=1)
def _extra_en() -> re.Pattern[str]:
    forms = {f: cid for cid, (_, _, _, fs) in EXTRA_CONCEPTS.items() for f in fs}
    return re.compile(r"\b(" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + r")\b", re.I)


def _category(cid: str) -> str:
    if cid in EXTRA_CONCEPTS:
        return EXTRA_CONCEPTS[cid][0]
    return default_vocabulary().category_of(cid) or ""


def find_mentions(text: str) -> list[Mention]:
    """Concept mentions in a sentence or a record text, Chinese or English, with their offsets."""
    out: list[Mention] = []
    latin = blank_cjk(text)
    tagger = get_tagger()
    for m in tagger.tag_text(latin, "claim"):
        out.append(Mention(m.concept_id, m.category, m.start, m.end, text[m.start:m.end]))
    for m in _extra_en().finditer(latin):
        cid = next(c for c, (_, _, _, fs) in EXTRA_CONCEPTS.items() if m.group(1).lower() in (f.lower() for f in fs))
        out.append(Mention(cid, EXTRA_CONCEPTS[cid][0], m.start(), m.end(), m.group(0)))
    if re.search(r"[\u4e00-\u9fff\u3400-\u4dbf]", text):
        simple = to_simplified(text)
        rx, forms = _zh_matcher()
        for m in rx.finditer(simple):
            ids = forms.get(m.group(0)) or forms.get(m.group(0).lower()) or set()
            for cid in sorted(ids):
                out.append(Mention(cid, _category(cid), m.start(), m.end(), text[m.start():m.end()]))
    out.sort(key=lambda x: (x.start, -x.end))
    return out


def label(concept_id: str, lang: str = "en") -> str:
    if concept_id in EXTRA_CONCEPTS:
        _, en, zh, _ = EXTRA_CONCEPTS[concept_id]
        if lang == "en":
            return en
        return zh if lang == "zh-Hans" else _hant(zh)
    try:
        return concept_label(concept_id, lang)
    except Exception:  # noqa: BLE001 - an id from an older vocabulary: show it as it is
        return concept_id


def _hant(text: str) -> str:
    from litwatch.annotate.vocab import to_traditional

    return to_traditional(text, "zh-Hant")


_DEF = re.compile(r"([^\s()（）,，。;；:：]{2,40}?)\s*[（(]\s*([A-Za-z][A-Za-z0-9\-]{1,9}s?)\s*[）)]")


def definitions(text: str) -> list[tuple[str, str, int, int]]:
    """"帕金森病 (PD)" / "Parkinson's disease (PD)": (long form, short form, start, end) pairs."""
    out = []
    for m in _DEF.finditer(text):
        out.append((m.group(1), m.group(2), m.start(1), m.end(2)))
    return out
