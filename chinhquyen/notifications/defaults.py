"""The default Vietnamese templates shipped in data/templates.json, loaded idempotently:
a version already stored is left as it is (versions in force are never edited); a stored
version whose text differs from the file is reported, not overwritten."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from chinhquyen.audit.actions import record_audit
from chinhquyen.notifications.actions import check_template
from chinhquyen.notifications.models import MessageTemplate

DEFAULT_TEMPLATES = Path(__file__).resolve().parent / "data" / "templates.json"
_COMPARED = ("effective_from", "name", "subject", "body", "placeholders")


@dataclass
class TemplateLoadReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)


def _template(entry: dict[str, Any]) -> MessageTemplate:
    return MessageTemplate(
        code=entry["code"],
        channel=entry["channel"],
        version=int(entry["version"]),
        effective_from=date.fromisoformat(entry["effective_from"]),
        name=entry["name"],
        subject=entry.get("subject", ""),
        body=entry["body"],
        placeholders=list(entry["placeholders"]),
    )


def load_default_templates(path: Path = DEFAULT_TEMPLATES) -> TemplateLoadReport:
    entries = json.loads(path.read_text(encoding="utf-8"))["templates"]
    report = TemplateLoadReport()
    with transaction.atomic():
        for entry in entries:
            template = _template(entry)
            check_template(template)
            stored = MessageTemplate.objects.filter(
                code=template.code, channel=template.channel, version=template.version
            ).first()
            if stored is None:
                template.save()
                report.created.append(str(template))
            elif all(getattr(stored, f) == getattr(template, f) for f in _COMPARED):
                report.unchanged.append(str(template))
            else:
                report.differing.append(str(template))
        if report.created:
            record_audit(
                "notifications.default_templates_loaded",
                object_type="notifications.messagetemplate",
                after={"created": report.created},
            )
    return report
