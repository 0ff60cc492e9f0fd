"""Reference strings of many styles, written for these tests in the shapes journals and roundups use."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litwatch.audit.refparse import damaged_name, parse_reference

# (reference, expected fields); "authors" lists family names, "first" only the first author
CASES = [
    # Vancouver / NLM with PMID, PMCID, an issue date and an Epub date
    ("Liu H, Yan XJ, Hu JL, Pan H, Mao X, Cheng Y. Exosomes from bone marrow stromal cells prevent LPS-induced "
     "depressive-like behaviour. Brain Res Bull. 2025 Oct 15;231:111527. doi: 10.1016/j.brainresbull.2025.111527. "
     "Epub 2025 Aug 28. PMID: 40885451; PMCID: PMC12345678.",
     {"authors": ["Liu", "Yan", "Hu", "Pan", "Mao", "Cheng"], "journal": "Brain Res Bull", "year": 2025,
      "volume": "231", "pages": "111527", "doi": "10.1016/j.brainresbull.2025.111527", "pmid": "40885451",
      "pmcid": "PMC12345678", "date": {"year": 2025, "month": 10, "day": 15}, "epub": {"year": 2025, "month": 8, "day": 28},
      "title": "Exosomes from bone marrow stromal cells prevent LPS-induced depressive-like behaviour"}),
    # Vancouver with an issue, multi-word family names and accents
    ("Simão AL, Sá Santos S, Ferreira Moreira JA, Solá S. Stress-related stimuli and neural stem cell activity. "
     "Biochim Biophys Acta Mol Basis Dis. 2025 Nov;1871(8):167997.",
     {"authors": ["Simão", "Sá Santos", "Ferreira Moreira", "Solá"], "journal": "Biochim Biophys Acta Mol Basis Dis",
      "volume": "1871", "issue": "8", "pages": "167997", "date": {"year": 2025, "month": 11}}),
    # AMA: et al., an e-article number
    ("Chen Y, Zhao Q, Sun L, et al. Mesenchymal stromal cells for late-life depression: a pilot trial. "
     "JAMA Psychiatry. 2023;80(4):e231234. doi:10.1001/jamapsychiatry.2023.1234",
     {"first": "Chen", "et_al": True, "journal": "JAMA Psychiatry", "year": 2023, "volume": "80", "issue": "4",
      "pages": "e231234", "doi": "10.1001/jamapsychiatry.2023.1234"}),
    # APA 7 with & and a DOI URL
    ("Smith, J. A., O'Neill, P., & van der Berg, K. (2020). Exosomes in depression: A review. "
     "Journal of Affective Disorders, 265(2), 123–130. https://doi.org/10.1016/j.jad.2020.01.001",
     {"authors": ["Smith", "O'Neill", "van der Berg"], "year": 2020, "title": "Exosomes in depression: A review",
      "journal": "Journal of Affective Disorders", "volume": "265", "issue": "2", "pages": "123-130",
      "doi": "10.1016/j.jad.2020.01.001"}),
    # Nature / Springer: volume, article number (year)
    ("Tanaka, H., Suzuki, K. & Sato, M. Intranasal exosomes relieve depression-like behaviour in mice. "
     "Nat. Commun. 14, 2231 (2023).",
     {"authors": ["Tanaka", "Suzuki", "Sato"], "journal": "Nat. Commun", "year": 2023, "volume": "14", "pages": "2231"}),
    # Frontiers: author (year) title. Journal volume:article number
    ("Villanueva R (2025) Stem cell therapy for psychiatric disorders: a real hope. Front. Psychiatry 15:1492415. "
     "doi: 10.3389/fpsyt.2024.1492415",
     {"authors": ["Villanueva"], "year": 2025, "journal": "Front. Psychiatry", "volume": "15", "pages": "1492415",
      "doi": "10.3389/fpsyt.2024.1492415"}),
    # GB/T 7714, Chinese authors and title, 等
    ("王晓明, 李华, 张伟, 等. 人脐带间充质干细胞治疗抑郁症的研究进展[J]. 中国组织工程研究, 2024, 28(5): 812-818.",
     {"authors": ["王晓明", "李华", "张伟"], "et_al": True, "title": "人脐带间充质干细胞治疗抑郁症的研究进展",
      "journal": "中国组织工程研究", "year": 2024, "volume": "28", "issue": "5", "pages": "812-818", "lang": "zh"}),
    # GB/T 7714 with full-width punctuation and an English work in capitals
    ("LIU H，YAN X J，HU J L，等．Exosome derived from bone marrow stromal cells prevents depressive behaviours［J］．"
     "Brain Research Bulletin，2025，231：111527．",
     {"authors": ["LIU", "YAN", "HU"], "journal": "Brain Research Bulletin", "year": 2025, "volume": "231",
      "pages": "111527"}),
    # IEEE: given names first, title in quotes, vol./no./pp.
    ('G. Liu, L. Miao, and H. Niu, "Umbilical cord cells in stress models," Neurosci. Lett., vol. 12, no. 3, '
     'pp. 1-10, 2021.',
     {"authors": ["Liu", "Miao", "Niu"], "title": "Umbilical cord cells in stress models", "volume": "12", "issue": "3",
      "pages": "1-10", "year": 2021}),
    # in press, no volume
    ("Kim S, Park J. Adipose stem cells in a rat model of depression. Stem Cell Res Ther. In press.",
     {"authors": ["Kim", "Park"], "journal": "Stem Cell Res Ther", "placeholders": ["In press"]}),
    # Cell Press web copy: title, author and journal run together, Volume 0 placeholder
    ("Human stem cell-derived dopaminergic neurons improve depression-like behaviorsYan, Wei et al.Cell Stem Cell, "
     "Volume 0, Issue 0",
     {"authors": ["Yan"], "et_al": True, "journal": "Cell Stem Cell", "placeholders": ["Volume 0, Issue 0"],
      "title": "Human stem cell-derived dopaminergic neurons improve depression-like behaviors", "notes": ["run-together"]}),
    # names with a letter lost to encoding
    ("Sim?o AL, Sebasti?o AM. Neural stem cells and exercise. Biochim Biophys Acta. 2025;1871:167997.",
     {"authors": ["Sim?o", "Sebasti?o"], "volume": "1871", "pages": "167997"}),
    # a DOI with parentheses, [Epub ahead of print], a season
    ("Park J, Lee H. Exosome therapy in depression. Lancet Psychiatry. 2023 Spring;10(4):250-60. "
     "doi:10.1016/S2215-0366(23)00099-9. [Epub ahead of print]",
     {"doi": "10.1016/s2215-0366(23)00099-9", "placeholders": ["Epub ahead of print"], "volume": "10", "issue": "4",
      "pages": "250-60", "journal": "Lancet Psychiatry"}),
    # Harvard with "and", pp.
    ("Brown, A. and Green, C. (2019) Hippocampal neurogenesis after stem cell grafts. Neuroscience, 401, pp. 12-20.",
     {"authors": ["Brown", "Green"], "year": 2019, "journal": "Neuroscience", "volume": "401", "pages": "12-20"}),
    # a hyphenated initial and a particle
    ("Nguyen T-L, de Souza MJ. Bone marrow MSCs and hippocampal neurogenesis. Neuropharmacology 2019; 150: 1-9.",
     {"authors": ["Nguyen", "de Souza"], "journal": "Neuropharmacology", "year": 2019, "volume": "150", "pages": "1-9"}),
    # no DOI, PMID only; a Chinese Vancouver reference written by a roundup
    ("Zhang W, Li N. Umbilical cord MSC infusion for treatment-resistant depression. J Affect Disord. 2024;350:210-9. "
     "PMID: 39990001.",
     {"authors": ["Zhang", "Li"], "pmid": "39990001", "pages": "210-9", "doi": None}),
]


@pytest.mark.parametrize("text, want", CASES, ids=[c[0][:40] for c in CASES])
def test_reference_styles(text, want):
    got = parse_reference(text).to_dict()
    got.setdefault("et_al", False)
    for key, value in want.items():
        if key == "authors":
            assert [a["family"] for a in got["authors"]] == value
        elif key == "first":
            assert got["authors"][0]["family"] == value
        else:
            assert got.get(key) == value, key


def test_damaged_names():
    assert damaged_name("Sim?o") and damaged_name("Sebasti\ufffdo") and damaged_name("SimÃ£o")
    assert not damaged_name("Simão") and not damaged_name("O'Byrne") and not damaged_name("Sá Santos")


# -- properties ------------------------------------------------------------------------------------

FAMILIES = ["Liu", "Zhang", "Müller", "O'Byrne", "Sá Santos", "van der Berg", "Nguyen", "Babaeian Roshani", "Kowalski",
            "Ferreira", "Tanaka", "Okafor", "García-López"]
WORDS = ["stem", "cells", "depression", "exosomes", "mice", "trial", "mesenchymal", "stromal", "hippocampal",
         "neurogenesis", "effects", "of", "in", "and", "umbilical", "cord", "anxiety", "model", "chronic", "stress"]
JOURNALS = ["J Affect Disord", "Stem Cell Res Ther", "Mol Psychiatry", "Neuropharmacology", "Transl Psychiatry",
            "Brain Behav Immun"]

refs = st.fixed_dictionaries({
    "authors": st.lists(st.tuples(st.sampled_from(FAMILIES), st.sampled_from(["H", "XJ", "AM", "J", "MFB"])),
                        min_size=1, max_size=6, unique_by=lambda a: a[0]),
    "title": st.lists(st.sampled_from(WORDS), min_size=4, max_size=14).map(lambda w: " ".join(w).capitalize()),
    "journal": st.sampled_from(JOURNALS),
    "year": st.integers(1990, 2026),
    "volume": st.integers(1, 999),
    "issue": st.one_of(st.none(), st.integers(1, 12)),
    "first": st.integers(1, 9000),
    "span": st.integers(0, 30),
    "doi": st.one_of(st.none(), st.from_regex(r"10\.[0-9]{4}/[a-z]{2,6}\.[0-9]{4}\.[0-9]{3,6}", fullmatch=True)),
})


def _vancouver(r):
    authors = ", ".join(f"{f} {i}" for f, i in r["authors"])
    issue = f"({r['issue']})" if r["issue"] else ""
    doi = f" doi:{r['doi']}" if r["doi"] else ""
    return f"{authors}. {r['title']}. {r['journal']}. {r['year']};{r['volume']}{issue}:{r['first']}-{r['first'] + r['span']}.{doi}"


def _apa(r):
    names = [f"{f}, {'. '.join(i)}." for f, i in r["authors"]]
    authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]
    issue = f"({r['issue']})" if r["issue"] else ""
    doi = f" https://doi.org/{r['doi']}" if r["doi"] else ""
    return f"{authors} ({r['year']}). {r['title']}. {r['journal']}, {r['volume']}{issue}, {r['first']}-{r['first'] + r['span']}.{doi}"


def _gbt(r):
    authors = ", ".join(f"{f.upper()} {' '.join(i)}" for f, i in r["authors"])
    issue = f"({r['issue']})" if r["issue"] else ""
    doi = f" DOI: {r['doi']}." if r["doi"] else ""
    return f"{authors}. {r['title']}[J]. {r['journal']}, {r['year']}, {r['volume']}{issue}: {r['first']}-{r['first'] + r['span']}.{doi}"


@pytest.mark.parametrize("style", [_vancouver, _apa, _gbt], ids=["vancouver", "apa", "gbt7714"])
@settings(max_examples=60, deadline=None)
@given(r=refs)
def test_written_fields_are_read_back(style, r):
    p = parse_reference(style(r))
    assert p.title == r["title"]
    assert p.journal == r["journal"]
    assert p.year == r["year"] and p.volume == str(r["volume"])
    assert p.issue == (str(r["issue"]) if r["issue"] else None)
    assert p.first_page == str(r["first"])
    assert p.doi == (r["doi"].lower() if r["doi"] else None)
    assert [a["family"].lower() for a in p.authors] == [f.lower() for f, _ in r["authors"]]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_without_error(text):
    p = parse_reference(text)
    assert isinstance(p.to_dict(), dict)
