"""Delivery: the transport contract and one module per transport (see `bulletin.plugins`)."""
