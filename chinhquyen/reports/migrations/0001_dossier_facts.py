"""The facts table of the statistics and, on PostgreSQL, the triggers that keep it (reports.facts)."""

import django.db.models.deletion
from django.db import migrations, models


def install_triggers(apps, schema_editor):
    from chinhquyen.reports.facts import INSTALL_TRIGGERS, REBUILD

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL_TRIGGERS)
        schema_editor.execute(REBUILD)  # dossiers stored before this migration


def drop_triggers(apps, schema_editor):
    from chinhquyen.reports.facts import DROP_TRIGGERS

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('dossiers', '0004_dossier_delivery_option_choices'),
        ('org', '0003_citizen_profiles_external_identities_verification_codes'),
    ]

    operations = [
        migrations.CreateModel(
            name='DossierFacts',
            fields=[
                ('dossier', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='dossiers.dossier')),
                ('due_at', models.BigIntegerField(null=True)),
                ('received_at', models.BigIntegerField(null=True)),
                ('done_at', models.BigIntegerField(null=True)),
                ('returned_at', models.BigIntegerField(null=True)),
                ('refused_at', models.BigIntegerField(null=True)),
                ('withdrawn_at', models.BigIntegerField(null=True)),
                ('stopped_at', models.BigIntegerField(null=True)),
                ('requests', models.PositiveIntegerField(default=0)),
                ('first_asked_at', models.BigIntegerField(null=True)),
                ('first_answered_at', models.BigIntegerField(null=True)),
                ('second_asked_at', models.BigIntegerField(null=True)),
                ('second_answered_at', models.BigIntegerField(null=True)),
                ('last_asked_at', models.BigIntegerField(null=True)),
                ('last_answered_at', models.BigIntegerField(null=True)),
                ('handling_agency', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.agency')),
            ],
            options={
                'verbose_name': 'dữ kiện thống kê của hồ sơ',
                'verbose_name_plural': 'dữ kiện thống kê của hồ sơ',
            },
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
