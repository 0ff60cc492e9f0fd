"""What a sentence states about a work: concepts, cue words, dates, journal, places, abbreviations.

Chinese titles and journals are set in 《》: a title follows 名为/题为, a journal precedes 上/杂志/期刊
or follows 在/于; English journals follow "published in" or "in the journal". Journal names
written in Chinese are compared through the stems of their usual English words (前沿 Frontiers,
精神病学 Psychiatry, ...); places through a small gazetteer of countries, cities and the
institutions roundups most often name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from litwatch.audit.article import to_simplified
from litwatch.audit.lexicon import Mention, cues, find_mentions

__all__ = ["Statement", "read_statement", "JOURNAL_WORDS", "PLACES", "places_in", "claim_dates"]

JOURNAL_WORDS: dict[str, tuple[str, ...]] = {
    "前沿": ("frontier",), "精神病学": ("psychiatr",), "精神医学": ("psychiatr",), "精神病": ("psychiatr",),
    "世界": ("world",), "干细胞": ("stem",), "细胞": ("cell",), "神经科学": ("neurosci",), "神经": ("neur",),
    "免疫": ("immun",), "药理学": ("pharmacol",), "药理": ("pharmacol",), "脑": ("brain",), "研究": ("res",),
    "通报": ("bull",), "公报": ("bull",), "生物化学": ("bioch",), "生物物理": ("biophys",), "分子": ("mol",),
    "医学": ("med",), "自然": ("nat",), "科学": ("sci",), "柳叶刀": ("lancet",), "新英格兰": ("engl",),
    "转化": ("transl",), "抑郁": ("depress",), "情感障碍": ("affect",), "生物学": ("biol",), "临床": ("clin",),
    "治疗": ("ther",), "国际": ("int",), "中国": ("chin",), "报告": ("rep",), "通讯": ("commun", "lett"),
    "快报": ("lett",), "进展": ("adv", "prog"), "心理": ("psych",), "行为": ("behav",), "疾病": ("dis",),
    "基础": ("basis",), "学报": (), "杂志": (), "期刊": (), "年鉴": ("annu",), "细胞外囊泡": ("vesicle",),
    "再生": ("regen",), "移植": ("transplant",), "老年": ("geriatr", "aging"), "儿科": ("pediatr", "paediatr"),
}
_JOURNAL_WORD_RX = re.compile("|".join(sorted(map(re.escape, JOURNAL_WORDS), key=len, reverse=True)))

# places and institutions: Chinese name -> English names found in affiliations
PLACES: dict[str, tuple[str, ...]] = {
    "中国科学院": ("Chinese Academy of Sciences", "CAS "), "中科院": ("Chinese Academy of Sciences", "CAS "),
    "复旦大学": ("Fudan",), "北京大学": ("Peking University",), "清华大学": ("Tsinghua",), "浙江大学": ("Zhejiang University",),
    "上海交通大学": ("Shanghai Jiao Tong",), "中山大学": ("Sun Yat-sen",), "四川大学": ("Sichuan University",),
    "武汉大学": ("Wuhan University",), "南京大学": ("Nanjing University",), "苏州大学": ("Soochow University", "Suzhou"),
    "哈佛": ("Harvard",), "斯坦福": ("Stanford",), "牛津": ("Oxford",), "剑桥": ("Cambridge",), "耶鲁": ("Yale",),
    "约翰霍普金斯": ("Johns Hopkins",), "梅奥": ("Mayo",), "拉巴斯医院": ("La Paz",), "卡罗林斯卡": ("Karolinska",),
    "中国": ("China", "P.R.C", "PR China"), "美国": ("USA", "United States", "U.S.A"), "英国": ("UK", "United Kingdom", "England", "Scotland", "Wales"),
    "德国": ("Germany",), "法国": ("France",), "日本": ("Japan",), "韩国": ("Korea",), "伊朗": ("Iran",),
    "印度": ("India",), "葡萄牙": ("Portugal",), "西班牙": ("Spain",), "意大利": ("Italy",), "加拿大": ("Canada",),
    "澳大利亚": ("Australia",), "巴西": ("Brazil",), "荷兰": ("Netherlands",), "瑞典": ("Sweden",), "瑞士": ("Switzerland",),
    "以色列": ("Israel",), "土耳其": ("Turkey", "Türkiye"), "埃及": ("Egypt",), "俄罗斯": ("Russia",), "波兰": ("Poland",),
    "比利时": ("Belgium",), "丹麦": ("Denmark",), "挪威": ("Norway",), "芬兰": ("Finland",), "奥地利": ("Austria",),
    "希腊": ("Greece",), "新加坡": ("Singapore",), "沙特": ("Saudi",), "巴基斯坦": ("Pakistan",), "墨西哥": ("Mexico",),
    "台湾": ("Taiwan",), "香港": ("Hong Kong",), "上海": ("Shanghai",), "北京": ("Beijing",), "大不里士": ("Tabriz",),
    "德黑兰": ("Tehran",), "马德里": ("Madrid",), "里斯本": ("Lisbon", "Lisboa"), "勒克瑙": ("Lucknow",), "广州": ("Guangzhou",),
    "杭州": ("Hangzhou",), "武汉": ("Wuhan",), "成都": ("Chengdu",), "南京": ("Nanjing",), "西安": ("Xi'an", "Xian"),
    "长沙": ("Changsha",), "重庆": ("Chongqing",), "天津": ("Tianjin",), "深圳": ("Shenzhen",),
}
_COUNTRIES_EN = ("China", "USA", "United States", "UK", "United Kingdom", "England", "Germany", "France", "Japan", "Korea",
                 "Iran", "India", "Portugal", "Spain", "Italy", "Canada", "Australia", "Brazil", "Netherlands", "Sweden",
                 "Switzerland", "Israel", "Turkey", "Egypt", "Russia", "Poland", "Belgium", "Denmark", "Norway", "Finland",
                 "Austria", "Greece", "Singapore", "Saudi Arabia", "Pakistan", "Mexico", "Taiwan", "Hong Kong")
_PLACE_RX = re.compile("|".join(sorted(map(re.escape, PLACES), key=len, reverse=True)))
_INSTITUTION_EN = re.compile(
    r"\b(?:(?:University|Institute|Academy|College|School|Hospital|Centre|Center|Laboratory)\s+(?:of|for)\s+"
    r"(?:the\s+)?[A-Z][\w'’\-]+(?:\s+(?:and\s+)?[A-Z][\w'’\-]+){0,3}|"
    r"[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,2}\s+(?:University|Institute|Hospital|College|Academy))\b")
_COUNTRY_EN_RX = re.compile(r"\b(" + "|".join(map(re.escape, _COUNTRIES_EN)) + r")\b")

_ZH_DATE = re.compile(r"(?:(20\d{2}|19\d{2})\s*年\s*)?(1[0-2]|0?[1-9])\s*月(?:\s*(3[01]|[12]\d|0?[1-9])\s*[日号])?")
_EN_MONTHS = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_EN_DATE = re.compile(rf"\b(?:(\d{{1,2}})\s+{_EN_MONTHS}|{_EN_MONTHS}\s+(\d{{1,2}})(?!\d)|{_EN_MONTHS})(?:,?\s+((?:19|20)\d{{2}}))?", re.I)
_PUBLISHED = re.compile(r"发表|刊登|刊发|发布|上线|在线|出版|published|appeared|was released|online|reported", re.I)


@dataclass
class Statement:
    text: str  # the sentence as written
    simple: str  # in Simplified characters, same length
    mentions: list[Mention] = field(default_factory=list)
    concepts: dict[str, set[str]] = field(default_factory=dict)
    cues: set[str] = field(default_factory=set)
    journals: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    places: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (as written, English names)
    dates: list[dict[str, int]] = field(default_factory=list)
    definitions: list[tuple[str, str, set[str]]] = field(default_factory=list)  # (long form, short form, concept ids)

    @property
    def all_concepts(self) -> set[str]:
        return {c for s in self.concepts.values() for c in s}

    def cue_text(self, name: str) -> str:
        from litwatch.audit.lexicon import CUES, mask_preclinical

        m = CUES[name].search(mask_preclinical(self.simple) if name in ("human", "trial") else self.simple)
        return self.text[m.start():m.end()] if m else ""


def read_statement(text: str, *, year: int | None = None) -> Statement:
    simple = to_simplified(text)
    st = Statement(text=text, simple=simple)
    masked = text
    for m in re.finditer(r"《([^》]{1,120})》", simple):
        before, after = simple[max(0, m.start() - 6):m.start()], simple[m.end():m.end() + 3]
        inner = text[m.start(1):m.end(1)]
        if re.search(r"(?:名为|题为|标题为|题目为|名叫|为题)$", before):
            st.titles.append(inner)
        elif re.match(r"(?:上|杂志|期刊|刊物|发表)", after) or re.search(r"(?:在|于|刊登在|发表在|发表于|刊于)$", before) \
                or re.match(r"^[A-Za-z][A-Za-z .&\-:]+$", inner):
            st.journals.append(inner)
            masked = masked[:m.start()] + " " * (m.end() - m.start()) + masked[m.end():]
        else:
            st.titles.append(inner)
    for m in re.finditer(r"\b(?:published|appeared|reported)\s+(?:online\s+)?in\s+(?:the\s+)?(?:journal\s+)?"
                         r"((?:[A-Z][\w.&'\-]*|of|and|in|the|&)(?:\s+(?:[A-Z][\w.&'\-]*|of|and|in|the|&))*)", text):
        name = re.sub(r"\s+(?:of|and|in|the|&)$", "", m.group(1).strip())
        if name and name not in ("January", "February") and not re.fullmatch(r"(?:19|20)\d{2}", name):
            st.journals.append(name)
            masked = masked[:m.start(1)] + " " * len(m.group(1)) + masked[m.end(1):]
    st.mentions = find_mentions(masked)
    for mn in st.mentions:
        st.concepts.setdefault(mn.category, set()).add(mn.concept_id)
    st.cues = cues(simple)
    st.places = places_in(text)
    st.dates = claim_dates(text, year=year) if _PUBLISHED.search(simple) or re.match(r"^\s*\d{1,2}\s*月", simple) else []
    for m in re.finditer(r"[（(]\s*([A-Za-z][A-Za-z0-9\-]{1,9})\s*[）)]", text):
        before = [mn for mn in st.mentions if mn.end <= m.start() and m.start() - mn.end <= 3
                  and mn.text != m.group(1)]
        if before:
            last_end = max(mn.end for mn in before)
            ids = {mn.concept_id for mn in before if mn.end == last_end}
            long_start = min(mn.start for mn in before if mn.end == last_end)
            st.definitions.append((text[long_start:last_end], m.group(1), ids))
    return st


def places_in(text: str) -> list[tuple[str, tuple[str, ...]]]:
    simple = to_simplified(text)
    out = [(text[m.start():m.end()], PLACES[m.group(0)]) for m in _PLACE_RX.finditer(simple)]
    for m in _INSTITUTION_EN.finditer(text):
        out.append((m.group(0), (m.group(0),)))
    for m in _COUNTRY_EN_RX.finditer(text):
        if not any(m.group(1) in names for _, names in out):
            out.append((m.group(1), (m.group(1),)))
    return out


def countries_of(affiliations: list[str]) -> list[str]:
    found: list[str] = []
    for aff in affiliations:
        for m in _COUNTRY_EN_RX.finditer(aff):
            if m.group(1) not in found:
                found.append(m.group(1))
    return found


def claim_dates(text: str, *, year: int | None = None) -> list[dict[str, int]]:
    """Dates a sentence gives ("1月7日", "2025年3月", "7 January 2025", "in March"), year from context."""
    from litwatch.audit.refparse import MONTHS

    out: list[dict[str, int]] = []
    simple = to_simplified(text)
    for m in _ZH_DATE.finditer(simple):
        y = int(m.group(1)) if m.group(1) else year
        if y is None:
            continue
        d = {"year": y, "month": int(m.group(2))}
        if m.group(3):
            d["day"] = int(m.group(3))
        out.append(d)
    for m in _EN_DATE.finditer(text):
        day = m.group(1) or m.group(4)
        mon = m.group(2) or m.group(3) or m.group(5)
        y = int(m.group(6)) if m.group(6) else year
        if mon.lower().rstrip(".") == "may" and not (day or m.group(6)):
            continue  # the verb "may"
        if y is None:
            continue
        d = {"year": y, "month": MONTHS.get(mon.lower().rstrip(".")) or MONTHS[mon.lower()[:3]]}
        if day and 1 <= int(day) <= 31:
            d["day"] = int(day)
        out.append(d)
    return out


def journal_stems(name: str) -> list[str]:
    """The English word stems of a journal name written in Chinese ([] when none is known)."""
    simple = to_simplified(name)
    stems: list[str] = []
    for m in _JOURNAL_WORD_RX.finditer(simple):
        stems.extend(JOURNAL_WORDS[m.group(0)])
    return stems
