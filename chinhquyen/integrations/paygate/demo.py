"""The demo gateway's identity, shared by the DEBUG settings and the test gateway's command line
so `make run` works with no configuration. Never used when DEBUG is off."""

DEMO_PORT = 8010
DEMO_TMN_CODE = "CQDEMO01"
DEMO_HASH_SECRET = "demo-only-paygate-secret-not-for-production"  # noqa: S105 - demo gateway only
