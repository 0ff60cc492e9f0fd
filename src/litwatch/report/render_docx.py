"""DOCX with python-docx: headings, lists, tables, references, and the figures as PNG.

python-docx cannot embed SVG, so the PRISMA flow and the charts are turned into PNG with
cairosvg (cairo is already on the machine for WeasyPrint); the PRISMA flow is also written as
a table so the numbers stay text.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from litwatch.report.view import View

__all__ = ["render_docx"]

_WIDTH_CM = 16.0


def _fonts(doc, lang: str) -> None:
    east = {"zh-Hant": "Noto Sans CJK TC", "zh-Hant-HK": "Noto Sans CJK HK"}.get(lang, "Noto Sans CJK SC")
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Title"):
        style = doc.styles[name]
        style.font.name = "Noto Sans" if name == "Normal" else style.font.name
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), east)
    doc.styles["Normal"].font.size = Pt(10.5)


def _picture(doc, svg: str) -> None:
    try:
        import cairosvg
    except (ImportError, OSError):  # no cairo: the tables carry the same numbers
        return
    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=2)
    doc.add_picture(io.BytesIO(png), width=Cm(_WIDTH_CM))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = str(text)
    doc.add_paragraph()


def _muted(doc, text: str) -> None:
    run = doc.add_paragraph().add_run(text)
    run.font.color.rgb = RGBColor(0x5B, 0x64, 0x75)


def render_docx(v: View) -> bytes:
    doc = Document()
    _fonts(doc, v.lang)
    doc.core_properties.title = v.title
    doc.core_properties.language = v.lang
    doc.add_heading(v.title, level=0)
    colon = "：" if v.lang.startswith("zh") else ": "
    _muted(doc, f"{v.t('period')}{colon}{v.period_text} · {v.t('generated')}{colon}{v.generated_text}")
    if v.intro:
        doc.add_paragraph(v.intro)
    _method(doc, v)
    _overview(doc, v)
    _months(doc, v)
    _trials(doc, v)
    doc.add_heading(v.t("section.summary"), level=1)
    for s in v.summary:
        doc.add_paragraph(s)
    doc.add_heading(v.t("section.caveats"), level=2)
    for c in v.caveats:
        doc.add_paragraph(c, style="List Bullet")
    if v.disclaimer:
        doc.add_heading(v.t("section.disclaimer"), level=2)
        doc.add_paragraph(v.disclaimer)
    doc.add_heading(v.t("section.references"), level=1)
    for r in v.references:
        doc.add_paragraph(f"[{r.number}] {r.text}")
    _provenance(doc, v)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _method(doc, v: View) -> None:
    m = v.method
    doc.add_heading(v.t("section.method"), level=1)
    doc.add_paragraph(m["intro"])
    if m["files"]:
        doc.add_heading(v.t("method.files"), level=3)
        _table(doc, [v.t("method.file"), v.t("method.format"), v.t("method.imported"), v.t("method.records")],
               [[f["name"], f["format"], f["imported"], str(f["records"])] for f in m["files"]])
    if m["searches"]:
        doc.add_heading(v.t("method.searches"), level=3)
        _table(doc, [v.t("method.service"), v.t("method.query"), v.t("method.span"), v.t("method.searched"),
                     v.t("method.records")],
               [[s["service"], s["query"], s["span"], s["date"], str(s["records"])] for s in m["searches"]])
    if m["warnings"]:
        doc.add_heading(v.t("method.warnings"), level=3)
        for w in m["warnings"]:
            doc.add_paragraph(w, style="List Bullet")
    doc.add_paragraph(f"{v.t('method.rules')}: {m['rules']}")
    if m["placement"]:
        doc.add_paragraph(m["placement"])
    _muted(doc, m["versions"])
    doc.add_heading(v.t("method.prisma"), level=2)
    _picture(doc, m["prisma_svg"])
    rows = []
    for title, lines, side, side_lines in m["prisma_rows"]:
        rows.append(["\n".join([title] + lines), "\n".join([side] + side_lines) if side else ""])
    _table(doc, ["", ""], rows)


def _overview(doc, v: View) -> None:
    ov = v.overview
    doc.add_heading(v.t("section.overview"), level=1)
    doc.add_paragraph(ov["included_text"])
    for title, rows in ov["tables"]:
        doc.add_heading(title, level=3)
        if rows:
            _table(doc, ["", v.t("overview.count")], [[label, str(n)] for label, n in rows])
        else:
            _muted(doc, v.t("overview.none"))
    _picture(doc, ov["chart_svg"])
    if ov["chart_note"]:
        _muted(doc, ov["chart_note"])
    _picture(doc, ov["map_svg"])


def _paper(doc, v: View, p: dict, level: int) -> None:
    doc.add_heading(f"[{p['citation']}] {p['title']}", level=level)
    if p["gloss"]:
        doc.add_paragraph(p["gloss"])
    _muted(doc, p["byline"])
    if not p["annotated"]:
        _muted(doc, v.t("month.not_annotated"))
        return
    if p["studied"]:
        doc.add_paragraph(p["studied"])
    for f in p["findings"]:
        if f["generated"]:
            doc.add_paragraph(f"{f['generated']} [{p['citation']}]", style="List Bullet")
        else:
            _muted(doc, v.t("month.no_structured"))
        para = doc.add_paragraph(style="Intense Quote")
        para.add_run(f"“{f['text']}”")
    if not p["findings"]:
        _muted(doc, v.t("month.no_findings"))


def _months(doc, v: View) -> None:
    doc.add_heading(v.t("section.months"), level=1)
    for group in v.months:
        level = 2
        if group["heading"]:
            doc.add_heading(group["heading"], level=2)
            level = 3
        for item in group["items"]:
            if item["kind"] == "empty":
                _muted(doc, item["text"])
                continue
            doc.add_heading(item["heading"], level=level)
            for p in item["highlights"]:
                _paper(doc, v, p, min(level + 1, 9))
            if item["others"]:
                doc.add_heading(v.t("month.others"), level=min(level + 1, 9))
                for p in item["others"]:
                    line = f"{p['date_text']}. {p['journal']} {p['title']} {p['gloss']} {p['ids_text']}"
                    doc.add_paragraph(" ".join(line.split()), style="List Bullet")


def _trials(doc, v: View) -> None:
    tr = v.trials
    doc.add_heading(v.t("section.trials"), level=1)
    doc.add_paragraph(tr["intro"])
    keys = tr["columns"]
    for g in tr["groups"]:
        doc.add_heading(g["title"], level=2)
        doc.add_paragraph(g["intro"])
        rows = [[(i["title"] + ("\n" + i["gloss"] if i["gloss"] else "") + ("\n" + i["sponsor"] if i["sponsor"] else ""))
                 if k == "title" else i[k] for k in keys] for i in g["items"]]
        _table(doc, [v.t(f"trials.{k}") for k in keys], rows)
        if g["more"]:
            _muted(doc, g["more"])
    doc.add_heading(v.t("trials.changes"), level=2)
    for c in tr["changes"] or [v.t("trials.no_changes")]:
        doc.add_paragraph(c, style="List Bullet")
    doc.add_heading(v.t("trials.links"), level=2)
    for c in tr["links"] or [v.t("trials.no_links")]:
        doc.add_paragraph(c, style="List Bullet")


def _provenance(doc, v: View) -> None:
    s = v.suggestions
    if s["items"]:
        doc.add_heading(s["title"], level=1)
        doc.add_paragraph(s["intro"])
        _table(doc, [v.t("suggestions.record"), v.t("trials.title"), v.t("suggestions.label"), v.t("suggestions.score"),
                     v.t("suggestions.reason")],
               [[f"#{i['record_id']}", i["title"], i["label"], i["score"], i["reason"]] for i in s["items"]])
    p = v.provenance
    doc.add_heading(v.t("section.provenance"), level=1)
    doc.add_paragraph(v.t("provenance.intro"))
    if p["quotes"]:
        _table(doc, [v.t("provenance.citation"), v.t("provenance.record"), v.t("provenance.sentence"),
                     v.t("provenance.generated"), v.t("provenance.text")],
               [[f"[{q['citation']}]", f"#{q['record_id']}", str(q["sentence_id"]), q["generated_text"], q["text"]]
                for q in p["quotes"]])
    else:
        _muted(doc, v.t("provenance.none"))
    doc.add_heading(v.t("provenance.runs_title"), level=2)
    if p["runs"]:
        _table(doc, [v.t("method.run"), v.t("method.kind"), v.t("method.started"), v.t("method.status")],
               [[f"#{r['id']}", r["kind"], r["started"], r["status"]] for r in p["runs"]])
    _muted(doc, p["versions"])
