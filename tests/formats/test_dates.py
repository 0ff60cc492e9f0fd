"""Free-text and piecewise dates -> DateValue (start date, precision, raw text kept)."""

from __future__ import annotations

import pytest

from litwatch.formats.dates import date_from_parts, month_number, parse_date_text


@pytest.mark.parametrize(
    "text, value, precision, raw",
    [
        ("2007 Jan-Feb", "2007-01-01", "month", "2007 Jan-Feb"),
        ("2015 Oct-Dec", "2015-10-01", "month", "2015 Oct-Dec"),
        ("2016 Winter", "2016-01-01", "season", "2016 Winter"),
        ("1998 Dec-1999 Jan", "1998-12-01", "month", "1998 Dec-1999 Jan"),
        ("2000 Spring-Summer", "2000-03-01", "season", "2000 Spring-Summer"),
        ("2001 Fall", "2001-09-01", "season", "2001 Fall"),
        ("2001 Autumn", "2001-09-01", "season", "2001 Autumn"),
        ("2007 Jan 15", "2007-01-15", "day", "2007 Jan 15"),
        ("2019 Dec 1-15", "2019-12-01", "day", "2019 Dec 1-15"),
        ("2025/01/07", "2025-01-07", "day", "2025/01/07"),
        ("2025-01", "2025-01-01", "month", None),
        ("2025-01-07", "2025-01-07", "day", None),
        ("2025", "2025-01-01", "year", None),
        ("2024-10-08T12:34:56Z", "2024-10-08", "day", "2024-10-08T12:34:56Z"),
        ("20230517", "2023-05-17", "day", "20230517"),
        ("1975-1976", "1975-01-01", "year", "1975-1976"),
        ("January 2020", "2020-01-01", "month", "January 2020"),
        ("15 Jan 2020", "2020-01-15", "day", "15 Jan 2020"),
        ("Jan 15, 2020", "2020-01-15", "day", "Jan 15, 2020"),
        ("Spring 2000", "2000-03-01", "season", "Spring 2000"),
        ("2007 Sept", "2007-09-01", "month", "2007 Sept"),
    ],
)
def test_parse_date_text(text, value, precision, raw):
    d = parse_date_text(text)
    assert (d.value, d.precision, d.raw) == (value, precision, raw)


def test_impossible_day_falls_back_to_month():
    d = parse_date_text("2007 Feb 30")
    assert (d.value, d.precision) == ("2007-02-01", "month")
    assert date_from_parts("2024", "02", "29").value == "2024-02-29"
    assert date_from_parts("2023", "02", "29").precision == "month"


@pytest.mark.parametrize("text", [None, "", "   ", "n.d.", "in press", "99/99"])
def test_no_year_is_none(text):
    assert parse_date_text(text) is None


def test_date_from_parts_forms():
    assert date_from_parts("1976", "Sep", "28").value == "1976-09-28"
    assert date_from_parts("2002", "7", "16").value == "2002-07-16"
    assert date_from_parts(2002, 7, None).precision == "month"
    spring = date_from_parts("1990", None, None, season="Spring")
    assert (spring.value, spring.precision, spring.raw) == ("1990-03-01", "season", "1990 Spring")
    assert date_from_parts("2002", "Winter").precision == "season"
    assert date_from_parts(None, "1", "1") is None
    assert date_from_parts("19x0") is None
    assert date_from_parts("2010").precision == "year"


def test_month_names():
    assert [month_number(m) for m in ("Jan", "january", "01", "1", "Dec.", "sept", "13", "Foo")] == [
        1, 1, 1, 1, 12, 9, None, None,
    ]
