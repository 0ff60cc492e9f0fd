"""Reading articles (txt, md, html, docx), their reference lists, citations and claim sentences."""

from __future__ import annotations

import docx
import pytest

from litwatch.audit.article import article_from_text, read_article
from litwatch.audit.citations import expand_numbers, find_citations, find_reference_list
from litwatch.audit.claims import split_body
from litwatch.errors import ParseError, UsageError

REFS = ("References\n"
        "1. Liu H, Yan XJ. Exosomes in mice. Brain Res Bull. 2025;231:111527.\n"
        "2. Smith J, Jones K. Cells in rats. Neuropharmacology. 2023;238:109650.\n"
        "3. Kim S. A cohort. Transl Psychiatry. 2022;12:88.\n"
        "4. Ito T. Neurons in monkeys. J Neurosci Res. 2023;101:700-712.\n")


def _cites(body_text: str, refs: str = REFS):
    text = body_text + "\n\n" + refs
    entries, start, _ = find_reference_list(text)
    return find_citations(text[:start], entries, {}), entries


@pytest.mark.parametrize("written, refs", [
    ("[1]", [1]), ("[1,3]", [1, 3]), ("[2-4]", [2, 3, 4]), ("[1, 3–4]", [1, 3, 4]), ("［2］", [2]), ("【3】", [3]),
    ("¹", [1]), ("¹˒³", [1, 3]), ("¹,³", [1, 3]), ("²⁻⁴", [2, 3, 4]), ("^3", [3]), ("[1；2]", [1, 2]),
])
def test_numeric_citation_forms(written, refs):
    cites, _ = _cites(f"Stem cells helped {written}. Nothing else here.")
    got = [n for c in cites for n in c.refs]
    assert got == refs


def test_numbers_the_list_lacks_are_reported_not_dropped():
    cites, _ = _cites("A claim [7].")
    assert cites and cites[0].refs == [] and cites[0].unknown == [7]


def test_author_year_citations_are_tied_to_entries_by_first_author_and_year():
    refs = ("References\n"
            "Liu, H., & Yan, X. (2025). Exosomes in mice. Brain Research Bulletin, 231, 111527.\n"
            "Smith, J. (2023). Cells in rats. Neuropharmacology, 238, 109650.\n")
    text = "Exosomes helped (Liu & Yan, 2025; Smith 2023). Smith (2023) used rats. Wang et al. (2020) did not.\n\n" + refs
    entries, start, _ = find_reference_list(text)
    firsts = {1: ("Liu", 2025, None), 2: ("Smith", 2023, None)}
    cites = find_citations(text[:start], entries, firsts)
    assert [c.refs for c in cites] == [[1, 2], [2]]


def test_the_reference_list_ends_where_a_disclaimer_begins():
    text = ("Body [1].\n\n参考文献：\n[1] Liu H. Title. J X. 2020;1:2.\n[2] Kim S. Title two. J Y. 2021;3:4.\n"
            "免责声明：仅供参考。\n扫码关注")
    entries, start, end = find_reference_list(text)
    assert [e.n for e in entries] == [1, 2] and text[end:].strip().startswith("免责声明")
    assert text[start:].startswith("参考文献")


def test_a_numbered_list_without_a_heading_is_found_at_the_end():
    text = "Claim one [1]. Claim two [2].\n\n[1] Liu H. Title. J X. 2020;1:2.\n[2] Kim S. Another. J Y. 2021;3:4."
    entries, start, _ = find_reference_list(text)
    assert [e.n for e in entries] == [1, 2] and text[:start].strip().endswith("[2].")


def test_expand_numbers():
    assert expand_numbers("1,3, 5-7") == [1, 3, 5, 6, 7] and expand_numbers("2–2") == [2]


def test_chinese_sentences_keep_a_citation_written_after_the_full_stop():
    body = "2025年1月进展\n1月7日，某研究所发表了研究成果。[1]\n本综述评估了进展；结果显示有效！是否可靠？\n1.将细胞注射到小鼠体内，可以减少抑郁样行为。"
    cites, _ = _cites(body)
    sections, sentences = split_body(body, cites)
    texts = [s.text for s in sentences if not s.heading]
    assert texts == ["1月7日，某研究所发表了研究成果。[1]", "本综述评估了进展；", "结果显示有效！", "是否可靠？",
                     "将细胞注射到小鼠体内，可以减少抑郁样行为。"]
    assert sentences[1].refs == [1] and sections[1].title == "2025年1月进展"


def test_english_sentences_do_not_end_at_et_al_or_initials():
    body = "Liu et al. found fewer symptoms in mice [1]. J. Smith disagreed (e.g. in rats).² Both used MSCs."
    cites, _ = _cites(body)
    _, sentences = split_body(body, cites)
    assert [s.text for s in sentences] == ["Liu et al. found fewer symptoms in mice [1].",
                                           "J. Smith disagreed (e.g. in rats).²", "Both used MSCs."]
    assert [s.refs for s in sentences] == [[1], [2], []]


def test_markdown_html_and_docx_become_the_same_plain_text(tmp_path):
    md = tmp_path / "a.md"
    md.write_text("# Title\n\nMice improved **a lot**^1^ and [see](http://x.org) more.\n\n## References\n\n"
                  "1. Liu H. Title. J X. 2020;1:2.\n", "utf-8")
    html = tmp_path / "a.html"
    html.write_text("<html><head><title>T</title><script>alert(1)</script></head><body><h1>Title</h1>"
                    "<p>Mice improved <b>a lot</b><sup>1</sup> and <a href='x'>see</a> more.</p><h2>References</h2>"
                    "<ol><li>Liu H. Title. J X. 2020;1:2.</li></ol></body></html>", "utf-8")
    dx = tmp_path / "a.docx"
    d = docx.Document()
    d.add_heading("Title", level=1)
    p = d.add_paragraph("Mice improved a lot")
    p.add_run("1").font.superscript = True
    p.add_run(" and see more.")
    d.add_paragraph("References")
    d.add_paragraph("Liu H. Title. J X. 2020;1:2.", style="List Number")
    d.save(str(dx))
    for path in (md, html, dx):
        art = read_article(path)
        assert art.title == "Title"
        assert "Mice improved a lot¹ and see more." in art.text, path
        assert "1. Liu H. Title." in art.text and "alert" not in art.text


def test_languages_are_detected():
    assert article_from_text("Stem cells may help. " * 20).lang == "en"
    assert article_from_text("干细胞治疗抑郁症的研究进展。" * 5).lang == "zh-Hans"
    assert article_from_text("幹細胞治療抑鬱症的研究進展。" * 5).lang == "zh-Hant"


def test_bad_input_is_a_clear_error(tmp_path):
    with pytest.raises(UsageError):
        read_article(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    with pytest.raises(ParseError):
        read_article(empty)
    with pytest.raises(UsageError):
        read_article("https://example.org/a", offline=True)


def test_a_narrative_author_year_citation_opens_its_own_sentence():
    refs = ("References\nLiu, H. (2025). Exosomes in mice. Brain Research Bulletin, 231, 111527.\n"
            "Oliveira, R., & Costa, J. (2022). Stem cells in rats. Behavioural Brain Research, 425, 113812.\n")
    body = "Exosomes helped mice (Liu, 2025). Oliveira and Costa (2022) found that stem cells helped rats."
    text = body + "\n\n" + refs
    entries, start, _ = find_reference_list(text)
    cites = find_citations(text[:start], entries, {1: ("Liu", 2025, None), 2: ("Oliveira", 2022, None)})
    _, sentences = split_body(text[:start], cites)
    assert [(s.text, s.refs) for s in sentences if s.text.strip()] == [
        ("Exosomes helped mice (Liu, 2025).", [1]),
        ("Oliveira and Costa (2022) found that stem cells helped rats.", [2])]
