"""Real servers the delivery tests start on 127.0.0.1 and stop: one module per kind."""
