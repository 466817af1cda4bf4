"""Keep hostile XML away from parsers: refuse entity declarations (billion laughs, external
entities) before parsing, and make feedparser's SAX parser refuse them too."""

from __future__ import annotations

import re

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_ENTITY = re.compile(rb"<!ENTITY", re.I)
_SUBSET_END = re.compile(rb"\]\s*>")


class UnsafeXml(ValueError):
    """The document declares entities; the message says how."""


def without_doctype(data: bytes) -> bytes:
    """`data` with its DOCTYPE removed, or UnsafeXml if the prolog declares entities.

    `data` must be ASCII-compatible (UTF-8 after transcoding). Only the prolog (before the
    root element) is read; comments and processing instructions are skipped properly, so a
    `<a` inside a comment cannot end it early. Removing even a harmless DOCTYPE means no
    parser ever sees an external DTD to fetch."""
    position = 0
    while True:
        start = data.find(b"<", position)
        if start < 0:
            return data
        if data.startswith(b"<?", start):
            end = data.find(b"?>", start + 2)
            position = end + 2
        elif data.startswith(b"<!--", start):
            end = data.find(b"-->", start + 4)
            position = end + 3
        elif _DOCTYPE.match(data, start):
            return data[:start] + data[_doctype_end(data, start) :]
        elif _ENTITY.match(data, start):
            raise UnsafeXml("<!ENTITY> outside a DOCTYPE")
        elif data.startswith(b"<!", start):
            position = start + 2
            continue
        else:
            return data  # the root element: nothing can declare entities any more
        if end < 0:
            return data


def _doctype_end(data: bytes, start: int) -> int:
    """Where the DOCTYPE at `start` ends; UnsafeXml if its internal subset declares entities."""
    quote = 0
    for index in range(start + 9, len(data)):
        byte = data[index]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in (0x22, 0x27):  # " or '
            quote = byte
        elif byte == 0x3E:  # > : the DOCTYPE ended without an internal subset
            return index + 1
        elif byte == 0x5B:  # [ : an internal subset follows
            # Anywhere after it, not just inside it: finding the subset's end is parsing.
            if _ENTITY.search(data, index):
                raise UnsafeXml("DOCTYPE declares entities")
            close = _SUBSET_END.search(data, index)
            return close.end() if close else len(data)
    return len(data)


def harden_feedparser() -> None:
    """Make feedparser's strict parser defusedxml's expat reader (no entities, nothing external).

    feedparser already turns off external general entities, but not entity expansion; this is
    a second lock behind `without_doctype`, in case a document slips past the prolog scan."""
    import feedparser.api

    wanted = "defusedxml.expatreader"
    if feedparser.api.PREFERRED_XML_PARSERS[:1] != [wanted]:
        feedparser.api.PREFERRED_XML_PARSERS.insert(0, wanted)
