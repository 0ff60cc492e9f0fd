"""Every sentence the audit writes, in English and Simplified Chinese (Traditional through OpenCC).

A problem keeps its message code and the values that fill it, so the same Audit renders in any
language; the values themselves (titles, names, quotations) are never translated.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MESSAGES", "UI", "message", "ui", "LANGS"]

LANGS = ("en", "zh-Hans", "zh-Hant")

MESSAGES: dict[str, dict[str, str]] = {
    # -- references -----------------------------------------------------------------------------------
    "placeholder": {"en": "The reference carries the placeholder “{placeholder}”: it was cited before the work had its volume and pages.",
                    "zh-Hans": "参考文献带有占位信息“{placeholder}”：引用时该文尚未分配卷期页码。"},
    "placeholder.now": {"en": "The reference carries the placeholder “{placeholder}”; the work now has volume {volume}, issue {issue}, pages {pages}.",
                        "zh-Hans": "参考文献带有占位信息“{placeholder}”；该文现已有卷 {volume}、期 {issue}、页 {pages}。"},
    "title.run-together": {"en": "Title, authors and journal run together without separators.",
                           "zh-Hans": "题名、作者与刊名连在一起，没有分隔。"},
    "author.encoding.record": {"en": "The author name “{cited}” has characters lost to encoding; the record spells it “{record}”.",
                               "zh-Hans": "作者姓名“{cited}”有字符因编码丢失；记录中的写法是“{record}”。"},
    "author.encoding": {"en": "The author name “{cited}” looks damaged by encoding (“?” stands for a lost letter).",
                        "zh-Hans": "作者姓名“{cited}”疑似因编码受损（“?”代替了丢失的字母）。"},
    "doi.malformed": {"en": "“{doi}” is not a well-formed DOI.", "zh-Hans": "“{doi}”不是格式正确的DOI。"},
    "doi.unknown": {"en": "No service knows the DOI {doi}.", "zh-Hans": "各数据库均查不到DOI {doi}。"},
    "unresolved.online": {"en": "No record of this reference in the store, PubMed, Crossref or Europe PMC.",
                          "zh-Hans": "在本地库、PubMed、Crossref 和 Europe PMC 中都找不到这条参考文献。"},
    "unresolved.failed": {"en": "Not in the store, and the live services could not be asked ({error}).",
                          "zh-Hans": "本地库中没有，且无法查询在线数据库（{error}）。"},
    "unresolved.offline": {"en": "Not found in the store (offline: no live service was asked).",
                           "zh-Hans": "本地库中找不到（离线模式，未查询在线数据库）。"},
    "missing-doi.unknown": {"en": "The reference gives no DOI.", "zh-Hans": "参考文献没有给出DOI。"},
    "missing-doi.record": {"en": "The reference gives no DOI; the work's DOI is {right}.",
                           "zh-Hans": "参考文献没有给出DOI；该文的DOI是 {right}。"},
    "doi.elsewhere": {"en": "The DOI {doi} belongs to another work (“{other}”); this work's DOI is {right}.",
                      "zh-Hans": "DOI {doi} 属于另一篇文献（“{other}”）；本文的DOI是 {right}。"},
    "doi.wrong": {"en": "The DOI {doi} is not the work's DOI ({right}).", "zh-Hans": "DOI {doi} 与该文的DOI（{right}）不符。"},
    "pmid.wrong": {"en": "The PMID {pmid} is not the work's PMID ({right}).", "zh-Hans": "PMID {pmid} 与该文的PMID（{right}）不符。"},
    "title.differs": {"en": "The title differs from the work's title: “{record}”.", "zh-Hans": "题名与该文题名不符：“{record}”。"},
    "title.close": {"en": "The title is not quite the work's title: “{record}”.", "zh-Hans": "题名与该文题名不完全一致：“{record}”。"},
    "journal.differs": {"en": "The journal “{cited}” is not the work's journal ({record}).",
                        "zh-Hans": "刊名“{cited}”与该文所在期刊（{record}）不符。"},
    "year.differs": {"en": "The year {cited} is not the work's year ({record}).", "zh-Hans": "年份 {cited} 与该文年份（{record}）不符。"},
    "year.doi": {"en": "The DOI carries the year {doi_year} while the reference gives {cited} (volume {volume}): the work may have appeared, online, in {doi_year}.",
                 "zh-Hans": "DOI中的年份是 {doi_year}，参考文献给出的是 {cited}（卷 {volume}）：该文可能已于 {doi_year} 年在线发表。"},
    "volume.differs": {"en": "Volume {cited} is not the work's volume ({record}).", "zh-Hans": "卷 {cited} 与该文的卷（{record}）不符。"},
    "volume.missing": {"en": "The reference gives no volume; the work's volume is {record}.",
                       "zh-Hans": "参考文献没有给出卷号；该文的卷号是 {record}。"},
    "volume.missing.unknown": {"en": "The reference gives no volume.", "zh-Hans": "参考文献没有给出卷号。"},
    "issue.differs": {"en": "Issue {cited} is not the work's issue ({record}).", "zh-Hans": "期 {cited} 与该文的期（{record}）不符。"},
    "pages.differs": {"en": "Pages {cited} are not the work's pages ({record}).", "zh-Hans": "页码 {cited} 与该文页码（{record}）不符。"},
    "pages.missing": {"en": "The reference gives no pages or article number; the work's are {record}.",
                      "zh-Hans": "参考文献没有给出页码或文章编号；该文为 {record}。"},
    "author.first": {"en": "The first author “{cited}” is not the work's first author ({record}).",
                     "zh-Hans": "第一作者“{cited}”与该文第一作者（{record}）不符。"},
    "author.count": {"en": "Lists {cited} of the work's {record} authors without “et al.”.",
                     "zh-Hans": "只列出了该文 {record} 位作者中的 {cited} 位，且没有“等”。"},
    "retracted": {"en": "The work has been retracted ({target}).", "zh-Hans": "该文已被撤稿（{target}）。"},
    "concern": {"en": "The journal has published an expression of concern about this work ({target}).",
                "zh-Hans": "期刊已就该文发布关注声明（{target}）。"},
    "corrected": {"en": "The work has a published correction ({target}); check what is cited against it.",
                  "zh-Hans": "该文已发表更正（{target}）；请按更正核对所引内容。"},
    "preprint.published": {"en": "This is a preprint; a peer-reviewed version has been published ({published}): cite that.",
                           "zh-Hans": "这是预印本；经同行评议的版本已经发表（{published}），应引用正式版本。"},
    "preprint": {"en": "This is a preprint (not peer reviewed).", "zh-Hans": "这是预印本（未经同行评议）。"},
    # -- claims ----------------------------------------------------------------------------------------
    "design.human-on-animal": {"en": "Presents as evidence in people (“{cue}”) what {ref} shows in {what}.",
                               "zh-Hans": "把 {ref} 在{what}中的结果当作人体证据（“{cue}”）。"},
    "design.human-on-review": {"en": "Presents as clinical evidence (“{cue}”) what {ref}, a review, reports mainly from {what}.",
                               "zh-Hans": "把综述 {ref} 主要来自{what}的证据当作临床证据（“{cue}”）。"},
    "design.human-via-review": {"en": "Reports human findings (“{cue}”) through {ref}, a review: the studies in people are not cited themselves.",
                                "zh-Hans": "通过综述 {ref} 转述人体研究结果（“{cue}”），原始人体研究本身没有被引用。"},
    "design.safety": {"en": "Claims safety in people (“{cue}”), but {ref} holds no safety data in people ({what}).",
                      "zh-Hans": "声称人体安全性（“{cue}”），但 {ref} 没有人体安全性数据（{what}）。"},
    "design.claimed": {"en": "Calls {ref} {claimed}; the work is {actual}.", "zh-Hans": "称 {ref} 为{claimed}，该文实为{actual}。"},
    "species.differs": {"en": "Says {claimed}; {ref} studied {actual}.", "zh-Hans": "文中说是{claimed}，{ref} 研究的是{actual}。"},
    "condition.abbrev": {"en": "Reads {abbr} as {claimed}; in {ref} {abbr} stands for “{long}”.",
                         "zh-Hans": "把 {abbr} 理解为{claimed}；在 {ref} 中 {abbr} 指的是“{long}”。"},
    "condition.absent": {"en": "Says {ref} concerns {claimed}; the work concerns {actual}.",
                         "zh-Hans": "称 {ref} 涉及{claimed}，该文涉及的是{actual}。"},
    "condition.self-abbrev": {"en": "Writes {claimed} with the abbreviation {abbr}, which stands for {means}.",
                              "zh-Hans": "把{claimed}缩写为 {abbr}，而 {abbr} 指的是{means}。"},
    "model.absent": {"en": "Names the model {claimed}; {ref} used {actual}.", "zh-Hans": "文中的模型是{claimed}，{ref} 使用的是{actual}。"},
    "model.unconfirmed": {"en": "Names the model {claimed}, which the record of {ref} does not mention.",
                          "zh-Hans": "文中提到的模型{claimed}在 {ref} 的记录中没有出现。"},
    "intervention.absent": {"en": "Says {claimed}; {ref} used {actual}.", "zh-Hans": "文中说是{claimed}，{ref} 使用的是{actual}。"},
    "intervention.unconfirmed": {"en": "Names {claimed}, which the record of {ref} does not mention.",
                                 "zh-Hans": "文中提到的{claimed}在 {ref} 的记录中没有出现。"},
    "relation.no-therapy": {"en": "Presents {ref} as evidence for a treatment; the work {what}.",
                            "zh-Hans": "把 {ref} 当作治疗证据，而该文{what}。"},
    "date.mismatch": {"en": "Dates the work {claimed}; its dates are {dates}.", "zh-Hans": "文中的日期是{claimed}，该文的日期为{dates}。"},
    "date.kind": {"en": "Gives the {which} date ({claimed}) of {ref}; {other}.", "zh-Hans": "给出的是 {ref} 的{which}日期（{claimed}）；{other}。"},
    "journal.claim": {"en": "Names the journal {claimed}; {ref} appeared in {actual}.",
                      "zh-Hans": "文中的期刊是{claimed}，{ref} 发表在 {actual}。"},
    "institution.differs": {"en": "Names {claimed}; the affiliations of {ref}'s authors name {actual}.",
                            "zh-Hans": "文中说是{claimed}，{ref} 的作者单位为{actual}。"},
    "uncited.clinical": {"en": "States a clinical benefit or safety (“{cue}”) without citing a source.",
                         "zh-Hans": "陈述临床疗效或安全性（“{cue}”），但没有引用来源。"},
    "overgeneralisation.none": {"en": "Claims what studies in people show (“{cue}”), but none of the {n} cited works is a study in people.",
                                "zh-Hans": "声称人体研究的结论（“{cue}”），但所引的 {n} 篇文献中没有一篇是人体研究。"},
    "overgeneralisation.proven": {"en": "“{cue}” claims more than {refs} can carry ({what}).",
                                  "zh-Hans": "“{cue}”超出了 {refs} 所能支持的程度（{what}）。"},
    "citation.implicit": {"en": "Describes reference [{n}] without citing it.", "zh-Hans": "描述了参考文献 [{n}]，但没有标注引用。"},
    "citation.unknown": {"en": "Cites [{n}], which the reference list does not have.", "zh-Hans": "引用了 [{n}]，但参考文献列表中没有这一条。"},
    "trials.unnamed.claim": {"en": "Mentions trials without naming one (no registry number, no citation).",
                             "zh-Hans": "提到了临床试验，但没有指明任何一项（无注册号，无引用）。"},
    # -- the article as a whole ------------------------------------------------------------------------
    "period.missing": {"en": "Claims to cover {claimed} but has nothing for {missing}.",
                       "zh-Hans": "声称涵盖{claimed}，但没有{missing}的内容。"},
    "trials.unnamed": {"en": "Mentions trials without naming any; {count} registered trial(s) in the store match its topic: {trials}.",
                       "zh-Hans": "提到临床试验却没有指明；本地库中有 {count} 项登记试验与主题相符：{trials}。"},
    "trials.unnamed.none": {"en": "Mentions trials without naming any; no registered trial in the store matches its topic.",
                            "zh-Hans": "提到临床试验却没有指明；本地库中没有与主题相符的登记试验。"},
    "missed": {"en": "{count} paper(s) of its period and topic in the store are not cited: {papers}.",
               "zh-Hans": "本地库中有 {count} 篇同期同主题的论文没有被引用：{papers}。"},
    "date-kinds.mixed": {"en": "Dates works inconsistently: online dates for {online}, issue dates for {issue}.",
                         "zh-Hans": "日期口径不一致：{online} 用的是在线发表日期，{issue} 用的是期刊出版日期。"},
}

UI: dict[str, dict[str, str]] = {
    "title": {"en": "Audit of “{title}”", "zh-Hans": "《{title}》核查报告"},
    "title.untitled": {"en": "Audit of the article", "zh-Hans": "文章核查报告"},
    "store": {"en": "store", "zh-Hans": "本地库"},
    "summary": {"en": "Summary", "zh-Hans": "概要"},
    "line.references": {"en": "References: {references}, resolved {resolved} ({sources}); {ref_errors} errors, {ref_warnings} warnings.",
                        "zh-Hans": "参考文献：{references} 条，已核对到记录 {resolved} 条（{sources}）；错误 {ref_errors} 处，警告 {ref_warnings} 处。"},
    "line.claims": {"en": "Claims: {claims} sentences ({cited} tied to citations): {verdicts}.",
                    "zh-Hans": "论述：{claims} 句（其中 {cited} 句有引用）：{verdicts}。"},
    "line.problems": {"en": "Problems: {error} errors, {warning} warnings, {info} notes ({kinds}).",
                      "zh-Hans": "问题：错误 {error} 处，警告 {warning} 处，提示 {info} 处（{kinds}）。"},
    "line.period": {"en": "Period: claims {claimed}; covers {covered}; missing {missing}.",
                    "zh-Hans": "时间范围：声称{claimed}；实际涵盖{covered}；缺少{missing}。"},
    "line.period.none": {"en": "Period: the article names no period.", "zh-Hans": "时间范围：文章没有说明时间范围。"},
    "line.trials": {"en": "Trials: {mentions} sentence(s) mention trials without naming one; {candidates} matching registered trial(s) in the store.",
                    "zh-Hans": "临床试验：{mentions} 句提到试验却未指明；本地库中相符的登记试验 {candidates} 项。"},
    "line.missed": {"en": "Missed: {count} paper(s) of its period and topic “{topic}” in the store are not cited.",
                    "zh-Hans": "遗漏：本地库中主题“{topic}”同期论文有 {count} 篇未被引用。"},
    "line.missed.none": {"en": "Missed papers: not checked (give --topic).", "zh-Hans": "遗漏论文：未检查（需指定 --topic）。"},
    "article_section": {"en": "The article, sentence by sentence", "zh-Hans": "逐句核查"},
    "references": {"en": "References", "zh-Hans": "参考文献"},
    "coverage": {"en": "The article as a whole", "zh-Hans": "全文层面"},
    "resolved": {"en": "Resolved to", "zh-Hans": "核对到"},
    "unresolved": {"en": "Not resolved", "zh-Hans": "未能核对"},
    "score": {"en": "match {score}", "zh-Hans": "匹配度 {score}"},
    "evidence": {"en": "Evidence", "zh-Hans": "依据"},
    "verdict": {"en": "Verdict", "zh-Hans": "结论"},
    "no_problems": {"en": "No problems found.", "zh-Hans": "未发现问题。"},
    "sentence": {"en": "sentence", "zh-Hans": "句"},
    "line": {"en": "line", "zh-Hans": "行"},
    "cites": {"en": "cites", "zh-Hans": "引用"},
    "context": {"en": "passage cites", "zh-Hans": "段落引用"},
    "candidates": {"en": "Registered trials in the store that match", "zh-Hans": "本地库中相符的登记试验"},
    "missed_list": {"en": "Papers of its period and topic not cited", "zh-Hans": "未被引用的同期同主题论文"},
    "months": {"en": "Months", "zh-Hans": "月份"},
    "footer": {"en": "Written by litwatch audit from the records in {store}; every problem points at the article's own sentence, and every piece of evidence at its record and sentence.",
               "zh-Hans": "由 litwatch audit 根据 {store} 中的记录生成；每个问题都指向文章原句，每条依据都指向记录及其句子。"},
    "error": {"en": "error", "zh-Hans": "错误"},
    "warning": {"en": "warning", "zh-Hans": "警告"},
    "info": {"en": "note", "zh-Hans": "提示"},
    "supported": {"en": "supported", "zh-Hans": "有依据"},
    "partly": {"en": "partly supported", "zh-Hans": "部分有依据"},
    "unsupported": {"en": "unsupported", "zh-Hans": "无依据"},
    "contradicted": {"en": "contradicted", "zh-Hans": "与来源矛盾"},
    "unverifiable": {"en": "unverifiable", "zh-Hans": "无法核实"},
    "online": {"en": "online", "zh-Hans": "在线发表"},
    "issue": {"en": "issue", "zh-Hans": "期刊出版"},
    "none": {"en": "none", "zh-Hans": "无"},
}


def _zh_hant(text: str) -> str:
    """Taiwan's characters and words (臨床, 為, 核對), as the report writes them: plain s2t gives the
    older forms (臨牀, 爲, 覈對) that readers in Taiwan and Hong Kong do not write."""
    from litwatch.annotate.vocab import to_traditional

    return to_traditional(text, "zh-Hant")


def _pick(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    entry = table.get(key)
    if entry is None:
        return key
    if lang == "zh-Hant":
        return _zh_hant(entry.get("zh-Hans") or entry["en"])
    return entry.get(lang) or entry["en"]


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def message(code: str, lang: str, params: dict[str, Any]) -> str:
    return _pick(MESSAGES, code, lang).format_map(_Safe({k: show(v, lang) for k, v in params.items()}))


def ui(key: str, lang: str, **params: Any) -> str:
    return _pick(UI, key, lang).format_map(_Safe({k: show(v, lang) for k, v in params.items()}))


def show(v: Any, lang: str = "en") -> str:
    """A message value in `lang`: {"concept": id} and {"concepts": [...]} are named from the
    vocabulary, {"ui": key} from the table above, {"en": ..., "zh-Hans": ...} picked; the rest as is."""
    sep = "、" if lang.startswith("zh") else ", "
    if isinstance(v, dict):
        if "concept" in v:
            from litwatch.audit.lexicon import label

            return label(v["concept"], lang)
        if "concepts" in v:
            from litwatch.audit.lexicon import label

            return sep.join(label(c, lang) for c in v["concepts"]) or ui("none", lang)
        if "ui" in v:
            return ui(v["ui"], lang)
        if "en" in v:
            text = v.get(lang) or (v.get("zh-Hans") and lang == "zh-Hant" and _zh_hant(v["zh-Hans"])) or v["en"]
            return text
        return str(v)
    if isinstance(v, (list, tuple)):
        return sep.join(show(x, lang) for x in v)
    return str(v)
