"""Core: what every part shares — health endpoints, the base layout, logs, the API root."""
