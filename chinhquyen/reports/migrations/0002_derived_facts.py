"""Stored generated columns of the facts table that do not depend on the period (resolved_at,
verdict, closed_kind, closed_at, settled_at: reports.facts.derived_columns), so the statistics
judge an ended dossier with a few comparisons (ADR 0019). PostgreSQL only: on SQLite the table
stays empty and the statistics compute the same columns while folding the rows."""

from django.db import migrations


def add_derived(apps, schema_editor):
    from chinhquyen.reports.facts import ADD_DERIVED

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD_DERIVED)


def drop_derived(apps, schema_editor):
    from chinhquyen.reports.facts import DROP_DERIVED

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_DERIVED)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_dossier_facts")]

    operations = [migrations.RunPython(add_derived, drop_derived)]
