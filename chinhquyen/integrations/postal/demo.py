"""The demo postal operator's identity, shared by the DEBUG settings and the test operator's
command line so `make run` works with no configuration. Never used when DEBUG is off."""

DEMO_PORT = 8011
DEMO_API_KEY = "demo-only-postal-api-key-not-for-production"
DEMO_CALLBACK_SECRET = "demo-only-postal-callback-secret"  # noqa: S105 - demo operator only
