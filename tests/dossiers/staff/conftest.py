"""The back office world of tests/dossiers/backoffice, for the staff pages."""

from tests.dossiers.backoffice.conftest import _calendar_and_templates, world

__all__ = ["_calendar_and_templates", "world"]
