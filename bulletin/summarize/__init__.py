"""Summarizers: cut an announcement to what a listener needs, inventing nothing."""
