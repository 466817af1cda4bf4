"""Every use case as a plain function over a `Station`; the CLI, the review desk and the
scheduler call these and nothing below them, so a rule holds whichever way it is reached."""

from bulletin.services.station import Station

__all__ = ["Station"]
