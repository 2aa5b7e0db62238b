"""SMS gateway adapter: a small HTTP client for a generic gateway protocol (see client.py)."""
