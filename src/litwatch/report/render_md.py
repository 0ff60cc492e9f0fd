"""Markdown: the report as plain text that reads well in a terminal, a diff or a Git host.

Every string that comes from a record (titles, journals, institutions, quoted sentences, queries,
file names) is escaped: HTML shows as text (`<script>`, `<img onerror=...>`) and Markdown syntax
(links, emphasis, headings, tables) is inert, so a record cannot inject markup or a link. Links
are written only for http(s) URLs.
"""

from __future__ import annotations

import re

from litwatch.report.view import View

__all__ = ["render_md", "md_text", "md_link"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]~|])")
_LINE_START = re.compile(r"^([#>+\-=]|\d+[.)])")


def md_text(s: str | None) -> str:
    """A record's text as inert Markdown: HTML escaped, Markdown punctuation backslash-escaped."""
    if not s:
        return ""
    s = re.sub(r"&(?=#?\w+;)", "&amp;", s).replace("<", "&lt;").replace(">", "&gt;")
    s = re.sub(r"[\r\n]+", " ", s)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    # "# x", "> x", "1. x" where the text starts a line: no heading, quote or list
    return _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], s)


def md_link(text: str, url: str | None) -> str:
    """[text](url) for an http(s) URL; the escaped text alone otherwise."""
    label = md_text(text)
    if url and re.match(r"https?://[^\s<>\"']+$", url, re.I):
        return f"[{label}](<{url}>)"
    return label


def _code(s: str) -> str:
    """Inline code that no backtick in `s` can close early."""
    s = re.sub(r"[\r\n]+", " ", s or "")
    ticks = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (ticks + 1)
    return f"{fence} {s} {fence}" if ticks else f"`{s}`"


def _cell(s: str) -> str:
    return re.sub(r"(?<!\\)\|", r"\\|", s).replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out + [""]


def render_md(v: View) -> str:
    colon = "：" if v.lang.startswith("zh") else ": "
    out = [f"# {md_text(v.title)}", "", f"**{v.t('period')}**{colon}{v.period_text}  ",
           f"**{v.t('generated')}**{colon}{v.generated_text}", ""]
    if v.intro:
        out += [md_text(v.intro), ""]
    out += _method(v) + _overview(v) + _months(v) + _trials(v)
    out += [f"## {v.t('section.summary')}", ""] + v.summary + [""]
    out += [f"### {v.t('section.caveats')}", ""] + [f"- {c}" for c in v.caveats] + [""]
    if v.disclaimer:
        out += [f"## {v.t('section.disclaimer')}", "", md_text(v.disclaimer), ""]
    out += [f"## {v.t('section.references')}", ""]
    out += [f"{r.number}. {md_text(r.text)}" for r in v.references] + [""]
    out += _suggestions(v) + _provenance(v)
    return "\n".join(out).rstrip() + "\n"


def _method(v: View) -> list[str]:
    m = v.method
    out = [f"## {v.t('section.method')}", "", m["intro"], ""]
    if m["files"]:
        out += [f"**{v.t('method.files')}**", ""]
        out += _table([v.t("method.file"), v.t("method.format"), v.t("method.imported"), v.t("method.records")],
                      [[md_text(f["name"]), f["format"], f["imported"], str(f["records"])] for f in m["files"]])
    if m["searches"]:
        out += [f"**{v.t('method.searches')}**", ""]
        out += _table([v.t("method.service"), v.t("method.query"), v.t("method.span"), v.t("method.searched"),
                       v.t("method.records")],
                      [[s["service"], _code(s["query"]), s["span"], s["date"], str(s["records"])] for s in m["searches"]])
    if m["warnings"]:
        out += [f"**{v.t('method.warnings')}**", ""] + [f"- {md_text(w)}" for w in m["warnings"]] + [""]
    colon = "：" if v.lang.startswith("zh") else ": "
    out += [f"**{v.t('method.rules')}**{colon}{md_text(m['rules'])}", ""]
    if m["placement"]:
        out += [m["placement"], ""]
    out += [m["versions"], "", f"### {v.t('method.prisma')}", ""]
    sep = "；" if v.lang.startswith("zh") else "; "
    for title, lines, side, side_lines in m["prisma_rows"]:
        out.append(f"- **{title}**" + "".join(f"{sep}{md_text(ln)}" for ln in lines))
        if side:
            out.append(f"  - {side}" + "".join(f"{sep}{ln}" for ln in side_lines))
    return out + [""]


def _overview(v: View) -> list[str]:
    ov = v.overview
    out = [f"## {v.t('section.overview')}", "", ov["included_text"], ""]
    sep = "；" if v.lang.startswith("zh") else "; "
    colon = "：" if v.lang.startswith("zh") else ": "
    for title, rows in ov["tables"]:
        body = sep.join(f"{label} {n}" for label, n in rows) or v.t("overview.none")
        out += [f"**{title}**{colon}{body}", ""]
    emap = ov["map"]
    if emap["rows"]:
        out += [f"**{ov['map_title']}**", ""]
        out += _table([""] + emap["cols"], [[r] + [str(c) for c in row] for r, row in zip(emap["rows"], emap["counts"])])
    return out


def _paper_lines(v: View, p: dict, level: str) -> list[str]:
    out = [f"{level} \\[{p['citation']}\\] {md_link(p['title'], p['url'])}", ""]
    if p["gloss"]:
        out += [f"*{md_text(p['gloss'])}*", ""]
    out += [md_text(p["byline"]), ""]
    if not p["annotated"]:
        return out + [f"_{v.t('month.not_annotated')}_", ""]
    if p["studied"]:
        out += [md_text(p["studied"]), ""]
    for f in p["findings"]:
        if f["generated"]:
            out += [f"- {md_text(f['generated'])} \\[{p['citation']}\\]", ""]
            out += [f"  > “{md_text(f['text'])}”", ""]
        else:
            out += [f"- {v.t('month.no_structured')}", "", f"  > “{md_text(f['text'])}” \\[{p['citation']}\\]", ""]
    if not p["findings"]:
        out += [f"_{v.t('month.no_findings')}_", ""]
    return out


def _other_line(v: View, p: dict) -> str:
    title = md_link(p["title"], p["url"])
    gloss = f" {md_text(p['gloss'])}" if p["gloss"] else ""
    ids = f" {md_text(p['ids_text'])}" if p["ids_text"] else ""
    if v.lang.startswith("zh"):
        journal = f"，{md_text(p['journal'])}" if p["journal"] else ""
        return f"- {md_text(p['date_text'])}{journal}：{title}{gloss}{ids}"
    journal = f" *{md_text(p['journal'])}*." if p["journal"] else ""
    return f"- {md_text(p['date_text']).capitalize()}. {title}{gloss}{journal}{ids}"


def _months(v: View) -> list[str]:
    out = [f"## {v.t('section.months')}", ""]
    for group in v.months:
        level = "###"
        if group["heading"]:
            out += [f"### {group['heading']}", ""]
            level = "####"
        for item in group["items"]:
            if item["kind"] == "empty":
                out += [f"_{item['text']}_", ""]
                continue
            out += [f"{level} {item['heading']}", ""]
            for p in item["highlights"]:
                out += _paper_lines(v, p, level + "#")
            if item["others"]:
                out += [f"**{v.t('month.others')}**", ""]
                out += [_other_line(v, p) for p in item["others"]] + [""]
    return out


def _trials(v: View) -> list[str]:
    tr = v.trials
    out = [f"## {v.t('section.trials')}", "", tr["intro"], ""]
    keys = tr["columns"]
    for g in tr["groups"]:
        out += [f"### {g['title']}", "", g["intro"], ""]
        rows = []
        for i in g["items"]:
            title = md_text(i["title"]) + (f" {md_text(i['gloss'])}" if i["gloss"] else "")
            if i["sponsor"]:
                title += f" ({md_text(i['sponsor'])})"
            cells = {**{k: md_text(i[k]) for k in keys}, "title": title, "nct": md_link(i["nct"], i["url"])}
            rows.append([cells[k] for k in keys])
        out += _table([v.t(f"trials.{k}") for k in keys], rows)
        if g["more"]:
            out += [g["more"], ""]
    out += [f"### {v.t('trials.changes')}", ""]
    out += ([f"- {md_text(c)}" for c in tr["changes"]] or [v.t("trials.no_changes")]) + [""]
    out += [f"### {v.t('trials.links')}", ""]
    out += ([f"- {md_text(c)}" for c in tr["links"]] or [v.t("trials.no_links")]) + [""]
    return out


def _suggestions(v: View) -> list[str]:
    s = v.suggestions
    if not s["items"]:
        return []
    out = [f"## {s['title']}", "", s["intro"], ""]
    out += _table([v.t("suggestions.record"), v.t("trials.title"), v.t("suggestions.label"), v.t("suggestions.score"),
                   v.t("suggestions.reason")],
                  [[f"#{i['record_id']}", md_text(i["title"]), i["label"], i["score"], md_text(i["reason"])]
                   for i in s["items"]])
    return out


def _provenance(v: View) -> list[str]:
    p = v.provenance
    out = [f"## {v.t('section.provenance')}", "", v.t("provenance.intro"), ""]
    if p["quotes"]:
        out += _table(
            [v.t("provenance.citation"), v.t("provenance.record"), v.t("provenance.sentence"),
             v.t("provenance.generated"), v.t("provenance.text")],
            [[f"\\[{q['citation']}\\]", f"#{q['record_id']}", str(q["sentence_id"]), md_text(q["generated_text"]),
              md_text(q["text"])] for q in p["quotes"]],
        )
    else:
        out += [v.t("provenance.none"), ""]
    out += [f"### {v.t('provenance.runs_title')}", ""]
    if p["runs"]:
        out += _table([v.t("method.run"), v.t("method.kind"), v.t("method.started"), v.t("method.status"), ""],
                      [[f"#{r['id']}", r["kind"], r["started"], r["status"], md_text(r["params"])] for r in p["runs"]])
    else:
        out += [v.t("method.no_runs"), ""]
    return out + [p["versions"], ""]
