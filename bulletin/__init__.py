"""bulletin: official announcements to approved, spoken Vietnamese loudspeaker bulletins."""

__version__ = "0.1.0"
