"""Official document numbers: "80/KH-UBND", "15/2021/NĐ-CP", "21-NQ/TW", license plates."""

from __future__ import annotations

import re

from ..core import Context, Rule
from ..letters import spell
from ..lexicon import ABBREVIATIONS, ISSUERS
from ..numbers import read_digits, read_integer

_CODE_PART = r"[A-ZĐ][A-Za-zĐđ0-9&]*"
_DOC = re.compile(rf"(?<![\w/.,])(\d+)(?:/(\d{{4}}))?/({_CODE_PART}(?:[-–]{_CODE_PART})*)(?![\w/])")
# Party documents put the type first: "05-CT/TW", "21-NQ/TW".
_PARTY_DOC = re.compile(rf"(?<![\w/.,])(\d+)-({_CODE_PART})/({_CODE_PART})(?![\w/])")
_TYPE_CODES = frozenset(
    {"KH", "QĐ", "NĐ", "TT", "TTLT", "CT", "NQ", "TB", "BC", "HD", "KL", "CV", "TTr", "QC"}
    | {"QH", "PL", "ĐA", "GP", "GCN", "BB", "CĐ", "TTHC"}
)


def _issuer(part: str, ctx: Context) -> str:
    # Station entries first; then issuer names, which differ from everyday readings ("CP").
    if part in ctx.station_keys:
        return ctx.lexicon[part]
    for table in (ISSUERS, ABBREVIATIONS):
        if part in table:
            return table[part]
    return spell(part)


def _code_parts(parts: list[str], ctx: Context) -> list[str]:
    words = []
    for i, part in enumerate(parts):
        # The type code is spelled ("ca hát"); bodies are named in full ("Ủy ban nhân dân").
        # A station's own reading of either comes first.
        if part in ctx.station_keys:
            words.append(ctx.lexicon[part])
        elif i == 0 and (part in _TYPE_CODES or part.startswith("QH")):
            words.append(spell(part))
        else:
            words.append(_issuer(part, ctx))
    return words


def _doc(m: re.Match[str], ctx: Context) -> str | None:
    number, year, code = m.groups()
    words = [read_integer(number, ctx.region)]
    if year:
        words.append(read_integer(year, ctx.region))
    words += _code_parts(re.split(r"[-–]", code), ctx)
    return ", ".join(words)


def _party_doc(m: re.Match[str], ctx: Context) -> str | None:
    number, kind, body = m.groups()
    return ", ".join([read_integer(number, ctx.region), spell(kind), _issuer(body, ctx)])


# A licence plate, also with spaces around its dash ("29A - 784.09", "92N1 - 237.63").
_PLATE = re.compile(
    r"(?<![\w.])(\d{2}\s?[A-Z]{1,2}\d?)(?:\s?-\s?|\s)(\d{3}\.\d{2}|\d{4,5})(?![\w.])"
)


def _plate(m: re.Match[str], ctx: Context) -> str | None:
    series, serial = m.groups()
    head = " ".join(read_digits(c) if c.isdigit() else spell(c) for c in series if not c.isspace())
    return f"{head}, {read_digits(serial)}"


RULES = [
    Rule("document", _DOC, _doc, needs_digit=True),
    Rule("document", _PARTY_DOC, _party_doc, needs_digit=True),
    Rule("plate", _PLATE, _plate, needs_digit=True),
]
