"""`bulletin serve`: the media endpoint devices fetch audio from (and, later, the review desk)."""
