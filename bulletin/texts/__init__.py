"""Message catalogs by area, merged into `bulletin.messages.CATALOG`: each module here has a
`TEXTS` dict of key -> (Vietnamese, English), so areas that grow apart keep their own file."""

from __future__ import annotations

import importlib
import pkgutil


def gathered() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, pair in module.TEXTS.items():
            if key in found:
                raise RuntimeError(f"message key {key} defined twice ({info.name})")
            found[key] = pair
    return found
