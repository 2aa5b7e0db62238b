"""The back office world of tests/dossiers/backoffice, for the officers' API."""

from tests.dossiers.backoffice.conftest import _calendar_and_templates, world

__all__ = ["_calendar_and_templates", "world"]
