"""The register of weather, flood and civil-defence warnings: coordinates ("18,0N"), codes
with a decimal ("PM2.5"), comparison signs, a minus on temperatures, counts joined by "/",
flood alert levels ("BĐ2", "BĐ1-BĐ2"), road numbers ("QL1A", "ĐT.605") and chainages."""

from __future__ import annotations

import re

from ..core import Context, Rule, cue_before
from ..letters import spell
from ..numbers import read_integer, read_numeral
from .ordinals import roman_value

_SIGNS = {
    ">": "trên",
    "<": "dưới",
    "≥": "lớn hơn hoặc bằng",
    ">=": "lớn hơn hoặc bằng",
    "≤": "nhỏ hơn hoặc bằng",
    "<=": "nhỏ hơn hoặc bằng",
    "~": "khoảng",
    "≈": "khoảng",
}
# Only a sign standing before a number is read; "<" and ">" elsewhere are markup or arrows.
# The pattern opens on the sign itself, so the scan skips ahead to each sign at once.
_SIGN = re.compile(r"(>=|<=|[<>≥≤~≈])(?=\s?(?:[-−]|(?:cấp|mức|BĐ|báo động)\s?)?\d)")


def _sign(m: re.Match[str], ctx: Context) -> str | None:
    text, start = m.string, m.start()
    if start and text[start - 1] in "<>=≥≤~≈":
        return None
    if m.group(1) == "~" and text[max(0, start - 2) : start].strip()[-1:].isdigit():
        return " đến "  # "100~200mm" is a range
    return _SIGNS[m.group(1)]


# Two counts of one group, "1.234 hộ/4.567 khẩu": the slash is a pause, not "trên".
_COUNT_NOUNS = re.compile(r"(?<!\w)(?:hộ|khẩu|người|căn|nhà|con|chiếc|tàu|phương tiện)\s?$")
_COUNTS_SLASH = re.compile(r"/(?=\s?\d)")


def _counts_slash(m: re.Match[str], ctx: Context) -> str | None:
    text, start = m.string, m.start()
    if not _COUNT_NOUNS.search(text, max(0, start - 14), start):
        return None
    return ", "


# A minus on a temperature ("-2°C", "từ −3 đến 1 độ C"), not a hyphen between two numbers.
_DEGREES = r"\d+(?:[.,]\d+)?(?:\s?(?:[-–]|đến)\s?[-−]?\d+(?:[.,]\d+)?)?\s?(?:°|ºC|oC|độ)"
_MINUS = re.compile(r"[-−](?=\d)")
_DEGREES_AHEAD = re.compile(_DEGREES)


def _minus(m: re.Match[str], ctx: Context) -> str | None:
    text, start = m.string, m.start()
    # It opens the text or follows a space or "(", and no number stands just before it.
    if start and not (text[start - 1].isspace() or text[start - 1] == "("):
        return None
    if start >= 2 and text[start - 1].isspace() and text[start - 2] in "0123456789.,%":
        return None
    if m.group(0) == "-" and not _DEGREES_AHEAD.match(text, m.end()):
        return None
    return "âm "


_LEVEL = r"(?:[1-3]|I{1,3})(?![\w])"
_ALERT = re.compile(
    rf"BĐ(?<!\wBĐ)\s?({_LEVEL})(?:\s?[-–]\s?(?:BĐ\s?)?({_LEVEL}))?(\s?\+\s?(?=\d))?",
)


def _level(value: str) -> str:
    # Levels are 1 to 3, in digits or Roman numerals ("BĐII").
    n = int(value) if value.isdigit() else roman_value(value)
    return f"báo động {read_integer(str(n))}"


def _alert(m: re.Match[str], ctx: Context) -> str | None:
    first, second, plus = m.groups()
    spoken = _level(first)
    if second:
        spoken += " đến " + _level(second)
    if plus:
        spoken += " cộng "  # "BĐ3+0,3m": three tenths of a metre above level three
    return spoken


_ROADS = {
    "QL": "quốc lộ",
    "TL": "tỉnh lộ",
    "ĐT": "đường tỉnh",
    "HL": "hương lộ",
    "ĐH": "đường huyện",
    "DH": "đường huyện",
    "ĐX": "đường xã",
}
_ROAD = re.compile(rf"({'|'.join(_ROADS)})(?<![\w.]..)\.?\s?(\d{{1,4}})([A-Z]{{0,2}})(?![\w/])")


_ROAD_CUE = re.compile(r"(?<!\w)đường$", re.IGNORECASE)


def _road(m: re.Match[str], ctx: Context) -> str | None:
    kind, number, suffix = m.groups()
    road = _ROADS[kind]
    if road.startswith("đường ") and cue_before(_ROAD_CUE, m.string, m.start()):
        road = road.removeprefix("đường ")  # "đường ĐT.603": "đường tỉnh", not "đường đường tỉnh"
    words = [road, read_integer(number, ctx.region)]
    if suffix:
        words.append(spell(suffix))
    return " ".join(words)


# A chainage on a road, where a landslide or a flooded stretch is: "Km45+200", "km 12 + 300".
_CHAINAGE = re.compile(r"[Kk][Mm](?<!\w..)\s?(\d{1,4})\s?\+\s?(\d{1,3})(?!\d|[.,]\d)")


def _chainage(m: re.Match[str], ctx: Context) -> str | None:
    kilometre, metre = m.groups()
    return f"ki lô mét {read_integer(kilometre, ctx.region)} cộng {read_integer(metre, ctx.region)}"


# A coordinate with its hemisphere glued on, as storm bulletins write them: "18,0N", "115.0E".
_HEMISPHERES = {"N": "bắc", "S": "nam", "E": "đông", "W": "tây"}
_COORDINATE = re.compile(r"(\d(?<![\w.,]\d)\d{0,2}(?:[.,]\d{1,2})?)\s?(°)?\s?([NSEW])(?![\w])")
_PARALLEL_CUE = re.compile(r"(?:vĩ tuyến|kinh tuyến)$", re.IGNORECASE)


def _coordinate(m: re.Match[str], ctx: Context) -> str | None:
    number, degree, hemisphere = m.groups()
    parallel = cue_before(_PARALLEL_CUE, m.string, m.start())
    # Without a degree sign or "vĩ tuyến" before it, only a decimal with N or E (the hemispheres
    # of storm bulletins here) is a coordinate: "30E" is a code, "1,5W" watts.
    if not (degree or parallel or (hemisphere in "NE" and ("." in number or "," in number))):
        return None
    if "." in number or "," in number:
        spoken = read_numeral(number.replace(".", ","), ctx.region)
    else:
        spoken = read_integer(number, ctx.region)
    # After "vĩ tuyến" the line is named already: "vĩ tuyến mười tám độ bắc".
    if parallel:
        return f"{spoken} độ {_HEMISPHERES[hemisphere]}"
    kind = "vĩ" if hemisphere in "NS" else "kinh"
    return f"{spoken} độ {kind} {_HEMISPHERES[hemisphere]}"


# Letters glued to a decimal: "PM2.5" (fine dust), "M4.2" (an earthquake's magnitude).
_LETTERS_DECIMAL = re.compile(r"(?<![\w.])([A-Z]{1,3})(\d+[.,]\d{1,2})(?![\w]|[.,]\d)")


def _letters_decimal(m: re.Match[str], ctx: Context) -> str | None:
    letters, number = m.groups()
    return f"{spell(letters)} {read_numeral(number.replace('.', ','), ctx.region)}"


# Influenza subtypes: "cúm A/H5N1".
_FLU = re.compile(r"([AB])(?<![\w.][AB])/(H\d{1,2}N\d{1,2})(?![\w/])")


def _flu(m: re.Match[str], ctx: Context) -> str | None:
    return f"{spell(m.group(1))} {spell(m.group(2))}"


RULES = [
    Rule("coordinate", _COORDINATE, _coordinate, needs_digit=True),
    Rule("code", _LETTERS_DECIMAL, _letters_decimal, needs_digit=True),
    Rule("code", _FLU, _flu, needs_digit=True),
    Rule("road", _CHAINAGE, _chainage, needs_digit=True),
    Rule("sign", _SIGN, _sign, needs_digit=True),
    Rule("sign", _MINUS, _minus, needs_digit=True),
    Rule("counts", _COUNTS_SLASH, _counts_slash, needs_digit=True),
    Rule("alert", _ALERT, _alert),
    Rule("road", _ROAD, _road, needs_digit=True),
]
