from __future__ import annotations

from dataclasses import dataclass

import pytest

from chinhquyen.org.models import Agency
from chinhquyen.procedures.models import ProcedureVersion
from tests.factories import AgencyFactory
from tests.reports.builders import procedure_version


@dataclass
class Province:
    root: Agency
    commune_a: Agency
    commune_b: Agency
    version: ProcedureVersion


@pytest.fixture
def stats_province(db: None) -> Province:
    root = AgencyFactory.create(
        identifier_code="000.00.00.H98",
        name="UBND tỉnh Thống kê",
        abbreviation="UBND",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
    )
    commune = Agency.Kind.COMMUNE_COMMITTEE
    return Province(
        root=root,
        commune_a=AgencyFactory.create(
            identifier_code="001.00.00.H98", name="UBND xã A", kind=commune, parent=root
        ),
        commune_b=AgencyFactory.create(
            identifier_code="002.00.00.H98", name="UBND xã B", kind=commune, parent=root
        ),
        version=procedure_version(),
    )
