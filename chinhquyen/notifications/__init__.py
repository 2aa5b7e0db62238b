"""Notifications: versioned message templates, an outbox written in the same transaction as the
business change, delivery by e-mail (SMTP) and SMS (gateway adapter) from Celery with retries and
recorded delivery status."""
