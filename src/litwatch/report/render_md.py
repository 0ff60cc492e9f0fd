"""Markdown: the report as plain text that reads well in a terminal, a diff or a Git host."""

from __future__ import annotations

from litwatch.report.view import View

__all__ = ["render_md"]


def _esc(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_esc(c) for c in row) + " |" for row in rows]
    return out + [""]


def render_md(v: View) -> str:
    out = [f"# {v.title}", "", f"**{v.t('period')}:** {v.period_text}  ", f"**{v.t('generated')}:** {v.generated_text}", ""]
    if v.intro:
        out += [v.intro, ""]
    out += _method(v) + _overview(v) + _months(v) + _trials(v)
    out += [f"## {v.t('section.summary')}", ""] + v.summary + [""]
    out += [f"### {v.t('section.caveats')}", ""] + [f"- {c}" for c in v.caveats] + [""]
    if v.disclaimer:
        out += [f"## {v.t('section.disclaimer')}", "", v.disclaimer, ""]
    out += [f"## {v.t('section.references')}", ""]
    out += [f"{r.number}. {r.text}" for r in v.references] + [""]
    out += _provenance(v)
    return "\n".join(out).rstrip() + "\n"


def _method(v: View) -> list[str]:
    m = v.method
    out = [f"## {v.t('section.method')}", "", v.t("method.intro"), ""]
    if m["sources"]:
        out += _table([v.t("method.source"), v.t("method.query")], [[s["source"], f"`{s['query']}`"] for s in m["sources"]])
    if m["runs"]:
        out += _table(
            [v.t("method.run"), v.t("method.kind"), v.t("method.started"), v.t("method.status"), ""],
            [[f"#{r['id']}", r["kind"], r["started"], r["status"], r["params"]] for r in m["runs"]],
        )
    else:
        out += [v.t("method.no_runs"), ""]
    out += [f"### {v.t('method.prisma')}", ""]
    for title, lines, side, side_lines in m["prisma_rows"]:
        out.append(f"- **{title}**" + "".join(f"; {ln}" for ln in lines))
        if side:
            out.append(f"  - {side}" + "".join(f"; {ln}" for ln in side_lines))
    return out + [""]


def _overview(v: View) -> list[str]:
    ov = v.overview
    out = [f"## {v.t('section.overview')}", "", ov["included_text"], ""]
    for title, rows in ov["tables"]:
        out += [f"**{title}:** " + ("; ".join(f"{label} {n}" for label, n in rows) or v.t("overview.none")), ""]
    emap = ov["map"]
    if emap["rows"]:
        out += [f"**{ov['map_title']}**", ""]
        out += _table([""] + emap["cols"], [[r] + [str(c) for c in row] for r, row in zip(emap["rows"], emap["counts"])])
    return out


def _months(v: View) -> list[str]:
    out = [f"## {v.t('section.months')}", ""]
    for m in v.months:
        out += [f"### {m['heading']}", ""]
        if not m["count"]:
            out += [v.t("month.none"), ""]
            continue
        for p in m["highlights"]:
            out += [f"#### [{p['citation']}] {p['title']}", "", p["byline"], ""]
            out += [p["studied"], ""]
            for f in p["findings"]:
                out += [f"> “{f['text']}” [{p['citation']}]", ""]
            if not p["findings"]:
                out += [f"_{v.t('month.no_findings')}_", ""]
        if m["others"]:
            out += [f"**{v.t('month.others')}**", ""]
            out += [f"- {p['date_text']}. {p['title']} *{p['journal']}*. {p['ids_text']}".rstrip() for p in m["others"]]
            out += [""]
    return out


def _trials(v: View) -> list[str]:
    tr = v.trials
    out = [f"## {v.t('section.trials')}", "", tr["intro"], ""]
    if tr["items"]:
        keys = ["nct", "title", "phase", "status", "enrollment", "sponsor", "countries", "start"]
        out += _table([v.t(f"trials.{k}") for k in keys], [[i[k] for k in keys] for i in tr["items"]])
        if tr["more"]:
            out += [tr["more"], ""]
    out += [f"### {v.t('trials.changes')}", ""]
    out += ([f"- {c}" for c in tr["changes"]] or [v.t("trials.no_changes")]) + [""]
    out += [f"### {v.t('trials.links')}", ""]
    out += ([f"- {c}" for c in tr["links"]] or [v.t("trials.no_links")]) + [""]
    return out


def _provenance(v: View) -> list[str]:
    p = v.provenance
    out = [f"## {v.t('section.provenance')}", "", v.t("provenance.intro"), ""]
    if p["quotes"]:
        out += _table(
            [v.t("provenance.citation"), v.t("provenance.record"), v.t("provenance.sentence"), v.t("provenance.text")],
            [[f"[{q['citation']}]", f"#{q['record_id']}", str(q["sentence_id"]), q["text"]] for q in p["quotes"]],
        )
    else:
        out += [v.t("provenance.none"), ""]
    return out + [p["versions"], "", p["runs"], ""]
