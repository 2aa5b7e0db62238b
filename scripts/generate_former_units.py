"""Regenerate chinhquyen/org/data/former_units.json: the 63 provinces and their districts as they
stood before the 2025 reform (two-level local government from 01/07/2025).

The three-level data lives in the older release vietnam-provinces==0.6.0, which shares the import
name with the current release, so it cannot be installed beside it. This script downloads that
wheel into a temporary directory and reads its JSON straight out of the zip.

Each former province also gets `successor_code`: the current province (from the installed
vietnam-provinces) holding most of its former wards, matched by GSO ward code (a merged ward keeps
the code of one of the wards it absorbed). This is how the loader knows that Thái Bình (34) went
into Hưng Yên (33).

Usage: .venv/bin/python scripts/generate_former_units.py
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from vietnam_provinces import Ward

PACKAGE = "vietnam-provinces"
VERSION = "0.6.0"
VALID_TO = "2025-06-30"
OUTPUT = (
    Path(__file__).resolve().parent.parent / "chinhquyen" / "org" / "data" / "former_units.json"
)
# 0.6.0 labels every province "tỉnh" and every district "huyện"; the name prefix is precise.
PROVINCE_TYPES = {"Tỉnh": "tỉnh", "Thành phố": "thành phố trung ương"}
DISTRICT_TYPES = {"Quận": "quận", "Huyện": "huyện", "Thị xã": "thị xã", "Thành phố": "thành phố"}


def download_wheel(target: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--quiet", "--dest", str(target), f"{PACKAGE}=={VERSION}"]
    subprocess.run(command, check=True)  # noqa: S603 (fixed arguments, our own interpreter)
    return next(target.glob("vietnam_provinces-*.whl"))


def read_wheel(wheel: Path) -> tuple[list[dict], str]:
    with zipfile.ZipFile(wheel) as archive:
        nested = json.loads(archive.read("vietnam_provinces/data/nested-divisions.json"))
        init = archive.read("vietnam_provinces/__init__.py").decode()
    match = re.search(r"__data_version__ = '([^']+)'", init)
    return nested, match.group(1) if match else ""


def division_type(name: str, types: dict[str, str]) -> str:
    for prefix, label in types.items():
        if name.lower().startswith(prefix.lower() + " "):  # 0.6.0 has "Thành Phố Bắc Kạn"
            return label
    raise ValueError(f"Unknown division type in {name!r}")


def successor_codes(provinces: list[dict]) -> dict[int, int]:
    current = {int(ward.code): int(ward.province_code) for ward in Ward.iter_all()}
    result = {}
    for province in provinces:
        votes = Counter(
            current[ward["code"]]
            for district in province["districts"]
            for ward in district["wards"]
            if ward["code"] in current
        )
        result[province["code"]] = votes.most_common(1)[0][0]
    return result


def build(provinces: list[dict], data_version: str) -> dict:
    successors = successor_codes(provinces)
    return {
        "package": PACKAGE,
        "version": VERSION,
        "data_version": data_version,
        "source": f"{PACKAGE} {VERSION} (data {data_version})",
        "valid_to": VALID_TO,
        "generated_by": "scripts/generate_former_units.py",
        "provinces": [
            {
                "code": province["code"],
                "name": province["name"],
                "division_type": division_type(province["name"], PROVINCE_TYPES),
                "codename": province["codename"],
                "successor_code": successors[province["code"]],
                "districts": [
                    {
                        "code": district["code"],
                        "name": district["name"],
                        "division_type": division_type(district["name"], DISTRICT_TYPES),
                        "codename": district["codename"],
                    }
                    for district in province["districts"]
                ],
            }
            for province in provinces
        ],
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        provinces, data_version = read_wheel(download_wheel(Path(tmp)))
    data = build(provinces, data_version)
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    districts = sum(len(p["districts"]) for p in data["provinces"])
    print(f"{OUTPUT}: {len(data['provinces'])} provinces, {districts} districts")


if __name__ == "__main__":
    main()
