"""Quantities with a sign: money (đ, VNĐ, USD), percent, units (km, ha, m2, °C...), "/" as per."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core import Context, Rule
from ..numbers import NUM, read_numeral

_AMOUNT = rf"(?<![\w.,/-])({NUM})(?:\s*[-–]\s*({NUM}))?"
_SCALE = r"(\s*(?:nghìn|ngàn|triệu|tỷ|tỉ))?"


def read_amount(first: str, second: str | None, ctx: Context) -> str:
    """A number or a range "A-B" -> "A đến B"."""
    spoken = read_numeral(first, ctx.region)
    if second:
        spoken += " đến " + read_numeral(second, ctx.region)
    return spoken


UNITS: dict[str, str] = {
    "km2": "ki lô mét vuông",
    "km²": "ki lô mét vuông",
    "km": "ki lô mét",
    "m2": "mét vuông",
    "m²": "mét vuông",
    "m3": "mét khối",
    "m³": "mét khối",
    "cm": "xen ti mét",
    "mm": "mi li mét",
    "m": "mét",
    "ha": "héc ta",
    "kg": "ki lô gam",
    "g": "gam",
    "mg": "mi li gam",
    "ml": "mi li lít",
    "°C": "độ xê",
    "ºC": "độ xê",
    "oC": "độ xê",
    "độ C": "độ xê",
    "°N": "độ vĩ bắc",
    "°S": "độ vĩ nam",
    "°E": "độ kinh đông",
    "°W": "độ kinh tây",
    "°": "độ",
    "kV": "ki lô vôn",
    "W": "oát",
    "kVA": "ki lô vôn am pe",
    "MVA": "mê ga vôn am pe",
    "kW": "ki lô oát",
    "kWh": "ki lô oát giờ",
    "MW": "mê ga oát",
    "MWh": "mê ga oát giờ",
    "GW": "gi ga oát",
    "km/h": "ki lô mét trên giờ",
    "m/s": "mét trên giây",
    "h": "giờ",
    "s": "giây",
}
# Spelled-out measure words that can still take a "/" ("tấn/ha").
_WORD_UNITS = ("tấn", "tạ", "yến", "lít", "con", "cây", "người", "hộ", "lượt", "suất", "chiếc")

CURRENCIES = {
    "đồng": "đồng",
    "đ": "đồng",
    "VNĐ": "đồng",
    "VND": "đồng",
    "vnđ": "đồng",
    "USD": "đô la Mỹ",
    "usd": "đô la Mỹ",
    "EUR": "ơ rô",
}


def _alternation(keys: Iterable[str]) -> str:
    # Longest first, so "km2" wins over "km" and "m".
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


# "/h", "/hộ", and a span of time with its length: "mm/3h", "mm/24 giờ".
_PER = r"(?:\s?/\s?((?:\d{1,3}\s?)?[^\W\d_]+(?:\s?/\s?[^\W\d_]+)*))?"
_SPAN = re.compile(r"(\d{1,3})\s?([^\W\d_]+)")
_SPAN_UNITS = {"h": "giờ", "giờ": "giờ", "tiếng": "giờ", "ngày": "ngày", "ph": "phút"}


def _per(per: str | None, ctx: Context, *, total: bool = False) -> str:
    """The spoken "/…" after a quantity. With ``total`` (a measured amount, not a price) a
    span of time is the time the amount took: "100mm/6h" is a hundred millimetres in six
    hours; a price per span stays "trên": "2 triệu đồng/5 giờ"."""
    if not per:
        return ""
    spoken = []
    for word in re.split(r"\s?/\s?", per):
        span = _SPAN.fullmatch(word)
        if span and total and span.group(2) in _SPAN_UNITS:
            count = read_numeral(span.group(1), ctx.region)
            spoken.append(f"trong {count} {_SPAN_UNITS[span.group(2)]}")
        elif span:
            count, unit = span.groups()
            unit = UNITS.get(unit, _SPAN_UNITS.get(unit, unit))
            # "/1 kg" is "một ki lô gam"; "/5 giờ" is "trên năm giờ".
            lead = "" if count == "1" else "trên "
            spoken.append(f"{lead}{read_numeral(count, ctx.region)} {unit}")
        elif word in UNITS:
            spoken.append("trên " + UNITS[word])
        else:
            spoken.append("một " + word)
    return " " + " ".join(spoken)


_MONEY = re.compile(rf"{_AMOUNT}{_SCALE}\s?({_alternation(CURRENCIES)}){_PER}(?!\w)")


def _money(m: re.Match[str], ctx: Context) -> str | None:
    first, second, scale, currency, per = m.groups()
    scale = " " + scale.strip() if scale else ""
    return f"{read_amount(first, second, ctx)}{scale} {CURRENCIES[currency]}{_per(per, ctx)}"


_PERCENT = re.compile(rf"{_AMOUNT}\s?([%‰]){_PER}(?![\w²³])")


def _percent(m: re.Match[str], ctx: Context) -> str | None:
    first, second, sign, per = m.groups()
    share = " phần trăm" if sign == "%" else " phần nghìn"
    return read_amount(first, second, ctx) + share + _per(per, ctx)


_UNIT = re.compile(
    rf"{_AMOUNT}{_SCALE}\s?({_alternation(k for k in UNITS if k not in ('h', 's'))}){_PER}"
    r"(?![\w²³])"
)


def _unit(m: re.Match[str], ctx: Context) -> str | None:
    # "345,2 triệu m3": a scale word may stand between the number and its unit.
    first, second, scale, unit, per = m.groups()
    scale = " " + scale.strip() if scale else ""
    return f"{read_amount(first, second, ctx)}{scale} {UNITS[unit]}{_per(per, ctx, total=True)}"


_WORD_PER = re.compile(
    rf"(?<!\w)({'|'.join(_WORD_UNITS)})/({_alternation(UNITS)}|[^\W\d_]+)(?![\w/])"
)


def _word_per(m: re.Match[str], ctx: Context) -> str | None:
    return m.group(1) + _per(m.group(2), ctx)


RULES = [
    Rule("money", _MONEY, _money, needs_digit=True),
    Rule("percent", _PERCENT, _percent, needs_digit=True),
    Rule("unit", _UNIT, _unit, needs_digit=True),
    Rule("per", _WORD_PER, _word_per),
]
