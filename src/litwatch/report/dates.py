"""Dates as each language writes them: 7 January 2025 / 2025年1月7日."""

from __future__ import annotations

from datetime import date

__all__ = ["format_date", "format_month", "format_month_short", "format_period", "format_iso"]

_MONTHS_EN = (
    "January February March April May June July August September October November December".split()
)


def format_date(iso: str | None, lang: str, precision: str = "day") -> str:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) at the given precision, written for `lang`."""
    if not iso:
        return ""
    parts = iso.split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 and precision != "year" else None
    day = int(parts[2]) if len(parts) > 2 and precision == "day" else None
    if lang.startswith("zh"):
        out = f"{year}年"
        if month:
            out += f"{month}月"
        if month and day:
            out += f"{day}日"
        return out
    if month and day:
        return f"{day} {_MONTHS_EN[month - 1]} {year}"
    if month:
        return f"{_MONTHS_EN[month - 1]} {year}"
    return str(year)


def format_month(ym: str, lang: str) -> str:
    """'2025-01' -> 'January 2025' / '2025年1月'."""
    return format_date(ym, lang, "month")


def format_period(start: str, end: str, lang: str) -> str:
    """'2025-01'..'2025-12' -> 'January 2025 – December 2025' / '2025年1月至2025年12月'."""
    from litwatch.report.texts import t

    if start == end:
        return format_month(start, lang)
    return format_month(start, lang) + t("months_joiner", lang) + format_month(end, lang)


def format_iso(ts: str | None, lang: str) -> str:
    """An ISO timestamp's date part, written for `lang`."""
    if not ts:
        return ""
    return format_date(date.fromisoformat(ts[:10]).isoformat(), lang)


def format_month_short(ym: str, lang: str) -> str:
    """'2025-01' -> 'Jan 2025' / '2025年1月' (chart axes)."""
    if lang.startswith("zh"):
        return format_month(ym, lang)
    y, m = ym.split("-")[:2]
    return f"{_MONTHS_EN[int(m) - 1][:3]} {y}"
