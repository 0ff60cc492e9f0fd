"""Dates as sources write them, turned into `DateValue`s (ISO start date + precision + raw text).

Two entry points, shared by every reader (PubMed XML, MEDLINE text, JATS, RIS, BibTeX, Crossref):

- `date_from_parts(year, month, day, season=None, raw=None)`: a date given in pieces, as PubMed's
  <Year>/<Month>/<Day>/<Season> or Crossref's date-parts;
- `parse_date_text(text)`: a date written as one string: MedlineDate ("2007 Jan-Feb",
  "1998 Dec-1999 Jan", "2016 Winter", "2000 Spring-Summer"), MEDLINE text DP ("2007 Jan 15"),
  "2025/01/07", "2025-01", ISO date-times, "January 2020", "15 Jan 2020", "Jan 15, 2020".

A range keeps its start: "2007 Jan-Feb" is 2007-01-01 with month precision, the raw text kept.

Seasons map to the first month of the season *in the same year* (no shift to December of the
previous year, so a date never leaves its printed year): Winter -> 01, Spring -> 03,
Summer -> 06, Fall/Autumn -> 09. Precision is then "season".
"""

from __future__ import annotations

import re

from litwatch.records import DateValue

__all__ = ["MONTHS", "SEASONS", "month_number", "date_from_parts", "parse_date_text"]

_MONTH_NAMES = (
    ("jan", "january", "janv", "jän", "janeiro", "enero"),
    ("feb", "february", "febr", "fev", "févr"),
    ("mar", "march", "mär", "mars"),
    ("apr", "april", "avr", "abr"),
    ("may", "mai", "mayo"),
    ("jun", "june", "juin"),
    ("jul", "july", "juil"),
    ("aug", "august", "aout", "août", "ago"),
    ("sep", "sept", "september"),
    ("oct", "october", "okt", "out"),
    ("nov", "november"),
    ("dec", "december", "dez", "dic"),
)

# lower-case month name, abbreviation or number ("01", "1") -> month number
MONTHS: dict[str, int] = {}
for _n, _names in enumerate(_MONTH_NAMES, start=1):
    for _name in _names:
        MONTHS[_name] = _n
    MONTHS[str(_n)] = _n
    MONTHS[f"{_n:02d}"] = _n

# season -> first month of the season in the same year (see module docstring)
SEASONS: dict[str, int] = {
    "winter": 1,
    "spring": 3,
    "summer": 6,
    "fall": 9,
    "autumn": 9,
}

_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_number(value: str | int | None) -> int | None:
    """1..12 for 'Jan', 'january', '01', '1', 1; None when it is not a month."""
    if value is None:
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 12 else None
    key = value.strip().lower().rstrip(".")
    return MONTHS.get(key)


def _valid_day(year: int, month: int, day: int) -> bool:
    if day < 1 or day > _DAYS[month - 1]:
        return False
    if month == 2 and day == 29:
        return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return True


def _year(value: str | int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        y = value
    else:
        v = value.strip()
        if len(v) != 4 or not v.isdigit():
            return None
        y = int(v)
    return y if 1000 <= y <= 2999 else None


def date_from_parts(
    year: str | int | None,
    month: str | int | None = None,
    day: str | int | None = None,
    season: str | None = None,
    raw: str | None = None,
) -> DateValue | None:
    """A DateValue from pieces; None without a usable year.

    `month` may be a name ('Jan'), a number ('01', '1') or a season name. A day that does not
    exist in its month (Feb 30) is dropped, leaving month precision.
    """
    y = _year(year)
    if y is None:
        return None
    m = month_number(month) if month is not None else None
    if m is None and month is not None and not season:
        season = month if isinstance(month, str) else None
    if m is not None:
        d = _day(day)
        if d is not None and _valid_day(y, m, d):
            return DateValue(f"{y:04d}-{m:02d}-{d:02d}", "day", raw)
        return DateValue(f"{y:04d}-{m:02d}-01", "month", raw)
    if season:
        sm = SEASONS.get(season.strip().lower())
        if sm is not None:
            return DateValue(f"{y:04d}-{sm:02d}-01", "season", raw or f"{y} {season.strip()}")
    return DateValue(f"{y:04d}-01-01", "year", raw)


def _day(value: str | int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    v = value.strip()
    return int(v) if v.isdigit() and len(v) <= 2 else None


_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$")
_CLEAN_ISO = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TOKEN = re.compile(r"\d+|[^\W\d_]+\.?")


def parse_date_text(text: str | None) -> DateValue | None:
    """A DateValue from a date written as text; None when no year can be found.

    The raw text is kept unless it is already a plain ISO date ("2025", "2025-01", "2025-01-07").
    """
    if not text:
        return None
    s = text.strip()
    if not s:
        return None
    m = _ISO.match(s)
    if m:
        y, mo, d = m.groups()
        return date_from_parts(y, mo, d, raw=None if _CLEAN_ISO.match(s) else s)
    m = _COMPACT.match(s)
    if m:
        return date_from_parts(*m.groups(), raw=s)
    return _from_tokens(s)


def _from_tokens(s: str) -> DateValue | None:
    """Free text: the first 4-digit year, the month or season nearest it, the day next to the month."""
    tokens = _TOKEN.findall(s)
    yi = next((i for i, t in enumerate(tokens) if len(t) == 4 and t.isdigit() and _year(t)), None)
    if yi is None:
        return None
    year = tokens[yi]
    after, before = tokens[yi + 1 :], tokens[:yi]
    month = season = day = None
    # "2007 Jan 15", "2007 Jan-Feb", "2016 Winter", "1998 Dec-1999 Jan"
    if after and _is_monthish(after[0]):
        month, season = _month_or_season(after[0])
        if month and len(after) > 1 and _day(after[1]) is not None:
            day = after[1]
    # "January 2020", "15 Jan 2020", "Jan 15, 2020", "Spring 2000"
    elif before:
        for i in range(len(before) - 1, -1, -1):
            if _is_monthish(before[i]):
                month, season = _month_or_season(before[i])
                if month:
                    if i + 1 < len(before) and _day(before[i + 1]) is not None:
                        day = before[i + 1]
                    elif i > 0 and _day(before[i - 1]) is not None:
                        day = before[i - 1]
                break
    elif len(after) >= 2 and after[0].isdigit() and len(after[0]) <= 2 and _valid_month_num(after[0]):
        # "2007 01 15"
        month, day = after[0], after[1] if after[1].isdigit() else None
    return date_from_parts(year, month, day, season=season, raw=s)


def _is_monthish(token: str) -> bool:
    t = token.lower().rstrip(".")
    return not t.isdigit() and (t in MONTHS or t in SEASONS)


def _valid_month_num(token: str) -> bool:
    return token in MONTHS


def _month_or_season(token: str) -> tuple[str | None, str | None]:
    t = token.lower().rstrip(".")
    if t in SEASONS:
        return None, t.capitalize()
    return t, None
