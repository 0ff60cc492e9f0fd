"""Reading an article to audit: plain text, Markdown, HTML or DOCX (or a web page), in Chinese or English.

Every format becomes one plain text with lines for paragraphs, so offsets, line numbers and the
renderers' quotations all refer to the same characters. Superscript citation numbers (HTML
<sup>, DOCX superscript runs, Markdown ^1^) become Unicode superscript digits, which the citation
finder reads like [1]. Numbered list items keep their number ("3. ..."), so a reference list
written as an <ol> or a numbered Word list keeps its numbering.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from litwatch.errors import ParseError, UsageError
from litwatch.text.chinese import converter

__all__ = ["Article", "read_article", "article_from_text", "detect_language", "to_simplified", "SUPERSCRIPT"]

SUPERSCRIPT = str.maketrans("0123456789,-–", "⁰¹²³⁴⁵⁶⁷⁸⁹,⁻⁻")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_SUP_OK = re.compile(r"^\s*\[?\s*\d+(?:\s*[,\-–]\s*\d+)*\s*\]?\s*$")
_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "blockquote", "section", "article",
           "header", "footer", "dd", "dt", "pre", "table", "ul", "ol", "figcaption", "caption"}


@dataclass
class Article:
    text: str
    source: str
    fmt: str  # txt | md | html | docx
    lang: str  # en | zh-Hans | zh-Hant
    title: str | None = None

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def to_dict(self) -> dict:
        return {"source": self.source, "format": self.fmt, "lang": self.lang, "title": self.title,
                "chars": len(self.text), "lines": self.text.count("\n") + 1}


def read_article(source: str | Path, *, offline: bool = False, fetch_page=None) -> Article:
    """The article at `source` (a file path, or an http(s) URL when not offline)."""
    src = str(source)
    if re.match(r"^https?://", src, re.I):
        if offline:
            raise UsageError(f"{src} is a URL and --offline forbids fetching it", hint="save the page and audit the file")
        if fetch_page is None:
            from litwatch.sources.lookup import fetch_page
        body, ctype = fetch_page(src)
        if "html" in ctype or body.lstrip()[:1] == b"<":
            text, title = _html_text(body)
            return article_from_text(text, source=src, fmt="html", title=title)
        return article_from_text(_decode(body, src), source=src, fmt="txt")
    path = Path(src)
    if not path.exists():
        raise UsageError(f"no such file: {src}", hint="give the path of a .txt, .md, .html or .docx file, or a URL")
    if path.is_dir():
        raise UsageError(f"{src} is a folder, not an article")
    data = path.read_bytes()
    if not data.strip():
        raise ParseError("empty file", path=src)
    suffix = path.suffix.lower()
    if suffix == ".docx" or data[:2] == b"PK":
        text, title = _docx_text(path)
        return article_from_text(text, source=src, fmt="docx", title=title)
    if suffix in (".html", ".htm", ".xhtml") or re.match(rb"\s*(<!doctype html|<html)", data[:200], re.I):
        text, title = _html_text(data)
        return article_from_text(text, source=src, fmt="html", title=title)
    text = _decode(data, src)
    if suffix in (".md", ".markdown"):
        text, title = _markdown_text(text)
        return article_from_text(text, source=src, fmt="md", title=title)
    return article_from_text(text, source=src, fmt="txt")


def article_from_text(text: str, *, source: str = "<text>", fmt: str = "txt", title: str | None = None) -> Article:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u3000", " ")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    if not text.strip():
        raise ParseError("the article has no text", path=source)
    if title is None:
        first = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")
        sentence_like = re.search(r"[。！？；]|[.!?;:,，]$", first)
        title = first if len(first) <= 100 and not sentence_like else None
    return Article(text=text, source=source, fmt=fmt, lang=detect_language(text), title=title)


# -- languages ------------------------------------------------------------------------------


def detect_language(text: str) -> str:
    """en, zh-Hans or zh-Hant, from the share of Chinese characters and which script they use."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk < 20 or cjk < latin * 0.15:
        return "en"
    sample = "".join(_CJK.findall(text))[:20000]
    traditional = sum(1 for a, b in zip(sample, converter("t2s").convert(sample)) if a != b)
    simplified = sum(1 for a, b in zip(sample, converter("s2t").convert(sample)) if a != b)
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def to_simplified(text: str) -> str:
    """The text in Simplified characters, of the same length (offsets stay valid)."""
    if not _CJK.search(text):
        return text
    out = converter("t2s").convert(text)
    if len(out) == len(text):
        return out
    return "".join(c if len(s := converter("t2s").convert(c)) != 1 else s for c in text)


# -- formats --------------------------------------------------------------------------------


def _decode(data: bytes, where: str) -> str:
    for enc in ("utf-8-sig", "gb18030", "big5"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _sup(text: str) -> str:
    inner = text.strip().strip("[]").replace(" ", "")
    return inner.translate(SUPERSCRIPT)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_MD_SUP = re.compile(r"\^\[?(\d+(?:[,\-–]\d+)*)\]?\^|<sup>\s*([^<]{1,30}?)\s*</sup>", re.I)
_MD_EMPH = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


def _markdown_text(md: str) -> tuple[str, str | None]:
    title = None
    out = []
    for line in md.replace("\r\n", "\n").split("\n"):
        m = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if m:
            line = m.group(2)
            if title is None and len(m.group(1)) == 1:
                title = line
        line = re.sub(r"^\s{0,3}>\s?", "", line)
        line = re.sub(r"^\s*[-*+]\s+(?=\S)", "", line)
        line = _MD_LINK.sub(lambda mm: mm.group(1), line)
        line = _MD_SUP.sub(lambda mm: _sup(mm.group(1) or mm.group(2)) if _SUP_OK.match(mm.group(1) or mm.group(2)) else mm.group(0), line)
        line = re.sub(r"\[\^(\d+)\]:\s*", r"[\1] ", line)  # a footnote definition is a reference entry
        line = re.sub(r"\[\^(\d+)\]", r"[\1]", line)
        line = _MD_EMPH.sub(lambda mm: mm.group(2), line)
        line = line.replace("`", "")
        out.append(line)
    return "\n".join(out), title


def _html_text(data: bytes) -> tuple[str, str | None]:
    from lxml import etree, html

    try:
        root = html.fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not readable as HTML ({exc})") from None
    for bad in root.xpath("//script|//style|//noscript|//template|//head/*[not(self::title)]"):
        bad.drop_tree()
    title = (root.findtext(".//title") or "").strip() or None
    h1 = root.find(".//h1")
    if h1 is not None and h1.text_content().strip():
        title = " ".join(h1.text_content().split())
    parts: list[str] = []

    def walk(el, ol_counter: list[int] | None) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in ("title",):
            return
        if tag == "sup" and _SUP_OK.match(el.text_content() or ""):
            parts.append(_sup(el.text_content()))
            if el.tail:
                parts.append(el.tail)
            return
        block = tag in _BLOCKS
        if block:
            parts.append("\n")
        if tag == "li" and ol_counter is not None:
            ol_counter[0] += 1
            parts.append(f"{ol_counter[0]}. ")
        if tag == "br":
            parts.append("\n")
        counter = [int(el.get("start", "1")) - 1] if tag == "ol" else (None if tag == "ul" else ol_counter)
        if el.text and tag != "br":
            parts.append(el.text)
        for child in el:
            walk(child, counter)
        if block:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    body = root.find(".//body")
    walk(body if body is not None else root, None)
    text = "".join(parts)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip(), title


def _docx_text(path: Path) -> tuple[str, str | None]:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise UsageError("reading .docx needs python-docx") from exc
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ParseError(f"not a readable .docx file ({exc})", path=str(path)) from None
    title = (document.core_properties.title or "").strip() or None
    lines: list[str] = []
    counter = 0
    for para in document.paragraphs:
        text = "".join(_sup(r.text) if r.font.superscript and _SUP_OK.match(r.text or "") else (r.text or "")
                       for r in para.runs)
        style = (para.style.name if para.style is not None else "") or ""
        numbered = para._p.pPr is not None and para._p.pPr.numPr is not None or style.startswith("List Number")
        if numbered and text.strip():
            counter += 1
            text = f"{counter}. {text}"
        elif text.strip():
            counter = 0
        if title is None and (style.startswith("Title") or style.startswith("Heading 1")) and text.strip():
            title = text.strip()
        lines.append(text)
    return "\n".join(lines), title


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)
