"""The demo province's agency tree as data, with identifier codes in the TT 10/2016 format
`V1V2V3.Z1Z2.Y1Y2.MX1X2` (level 1 last; unused levels are zeros):

- `000.00.00.H33` UBND tỉnh; `000.00.NN.H33` its departments (level 2, NN = 01…);
- `000.MM.NN.H33` unit MM of department NN (level 3);
- `0KK.04.01.H33` branches and reception points of the provincial service centre (level 4 under
  the centre, which is unit 04 of the Văn phòng UBND tỉnh, Decree 118/2025);
- `000.ZZ.YY.H33` commune People's Committees (see `commune_code`).

H33 is a demo value: the level-1 code of Hưng Yên was NOT verified against the official catalogue
(QĐ 20/2020, QĐ 09/2025). H54 (Thái Bình) is the example used in shared/domain/documents.md §2.1.
"""

from __future__ import annotations

from dataclasses import dataclass

from chinhquyen.org.models import Agency

LEVEL1 = "H33"  # Demo value, not verified against the official catalogue.
FORMER_THAI_BINH_CODE = "000.00.00.H54"  # Closed on the merger (QĐ 09/2025).
PROVINCE_CODE = 33  # GSO code of Hưng Yên, in vietnam-provinces.
FORMER_THAI_BINH_GSO = 34
# Commune PCs take level-2 groups 70, 71, … (the district level is gone since 01/07/2025), with
# 99 communes per group in Z1Z2 = 01…99.
COMMUNE_GROUP_START = 70
COMMUNES_PER_GROUP = 99


@dataclass(frozen=True)
class Unit:
    name: str
    abbreviation: str
    kind: str = Agency.Kind.UNIT


@dataclass(frozen=True)
class Department:
    number: int
    name: str
    abbreviation: str
    units: tuple[Unit, ...]

    @property
    def code(self) -> str:
        return department_code(self.number)


def department_code(number: int) -> str:
    return f"000.00.{number:02d}.{LEVEL1}"


def unit_code(department: int, unit: int) -> str:
    return f"000.{unit:02d}.{department:02d}.{LEVEL1}"


def commune_code(ordinal: int) -> str:
    """Ordinal 0, 1, … of the commune in ascending GSO code order → its agency code."""
    group, number = divmod(ordinal, COMMUNES_PER_GROUP)
    return f"000.{number + 1:02d}.{COMMUNE_GROUP_START + group:02d}.{LEVEL1}"


PROVINCE_PC = ("Ủy ban nhân dân tỉnh Hưng Yên", "UBND tỉnh Hưng Yên", "UBND")
FORMER_THAI_BINH_PC = ("Ủy ban nhân dân tỉnh Thái Bình", "UBND tỉnh Thái Bình", "UBND")

_OFFICE = Unit("Văn phòng Sở", "VP")
SERVICE_CENTRE = Unit(
    "Trung tâm Phục vụ hành chính công tỉnh Hưng Yên", "TTPVHCC", Agency.Kind.SERVICE_CENTRE
)
SERVICE_CENTRE_NUMBER = 4  # Unit 04 of the Văn phòng UBND tỉnh: 000.04.01.H33.

# (level-4 number, name, abbreviation, kind, parent's level-4 number or None for the centre)
SERVICE_POINTS: tuple[tuple[int, str, str, str, int | None], ...] = (
    (1, "Chi nhánh Trung tâm PVHCC tại phường Thái Bình", "CN1", Agency.Kind.CENTRE_BRANCH, None),
    (2, "Chi nhánh Trung tâm PVHCC tại phường Mỹ Hào", "CN2", Agency.Kind.CENTRE_BRANCH, None),
    (11, "Điểm tiếp nhận tại Bưu điện tỉnh", "ĐTN1", Agency.Kind.RECEPTION_POINT, None),
    (12, "Điểm tiếp nhận khu công nghiệp Phố Nối", "ĐTN2", Agency.Kind.RECEPTION_POINT, 2),
    (13, "Điểm tiếp nhận Khu kinh tế Thái Bình", "ĐTN3", Agency.Kind.RECEPTION_POINT, 1),
)


def service_point_code(number: int) -> str:
    return f"{number:03d}.{SERVICE_CENTRE_NUMBER:02d}.01.{LEVEL1}"


# The post-2025 set of provincial departments (NĐ 45/2025/NĐ-CP) and a few public bodies under
# the UBND tỉnh. Units are numbered 01, 02, … in the order given.
DEPARTMENTS: tuple[Department, ...] = (
    Department(
        1,
        "Văn phòng Ủy ban nhân dân tỉnh",
        "VP",
        (
            Unit("Phòng Tổng hợp", "TH"),
            Unit("Phòng Hành chính - Tổ chức", "HCTC"),
            Unit("Phòng Kinh tế", "KT"),
            SERVICE_CENTRE,
        ),
    ),
    Department(
        2,
        "Sở Nội vụ",
        "SNV",
        (
            _OFFICE,
            Unit("Phòng Tổ chức, biên chế và Tổ chức phi chính phủ", "TCBC"),
            Unit("Phòng Công chức, viên chức", "CCVC"),
            Unit("Phòng Lao động, việc làm", "LĐVL"),
        ),
    ),
    Department(
        3,
        "Sở Tư pháp",
        "STP",
        (
            _OFFICE,
            Unit("Phòng Hành chính tư pháp", "HCTP"),
            Unit("Phòng Bổ trợ tư pháp", "BTTP"),
            Unit("Phòng Xây dựng, kiểm tra và theo dõi thi hành pháp luật", "XDKTVB"),
        ),
    ),
    Department(
        4,
        "Sở Tài chính",
        "STC",
        (
            _OFFICE,
            Unit("Phòng Quản lý ngân sách", "QLNS"),
            Unit("Phòng Đăng ký kinh doanh", "ĐKKD"),
            Unit("Phòng Quản lý giá và công sản", "GCS"),
        ),
    ),
    Department(
        5,
        "Sở Xây dựng",
        "SXD",
        (
            _OFFICE,
            Unit("Phòng Quản lý xây dựng", "QLXD"),
            Unit("Phòng Quản lý giao thông", "QLGT"),
        ),
    ),
    Department(
        6,
        "Sở Nông nghiệp và Môi trường",
        "SNNMT",
        (
            _OFFICE,
            Unit("Phòng Đất đai", "ĐĐ"),
            Unit("Phòng Trồng trọt và Bảo vệ thực vật", "TTBVTV"),
            Unit("Chi cục Thủy lợi", "CCTL"),
        ),
    ),
    Department(
        7,
        "Sở Công Thương",
        "SCT",
        (
            _OFFICE,
            Unit("Phòng Quản lý thương mại", "QLTM"),
            Unit("Phòng Quản lý năng lượng", "QLNL"),
        ),
    ),
    Department(
        8,
        "Sở Giáo dục và Đào tạo",
        "SGDĐT",
        (
            _OFFICE,
            Unit("Phòng Giáo dục phổ thông", "GDPT"),
            Unit("Phòng Khảo thí và Kiểm định chất lượng", "KTKĐ"),
        ),
    ),
    Department(
        9,
        "Sở Y tế",
        "SYT",
        (
            _OFFICE,
            Unit("Phòng Nghiệp vụ Y", "NVY"),
            Unit("Phòng Nghiệp vụ Dược", "NVD"),
            Unit("Chi cục Dân số", "CCDS"),
        ),
    ),
    Department(
        10,
        "Sở Khoa học và Công nghệ",
        "SKHCN",
        (
            _OFFICE,
            Unit("Phòng Quản lý khoa học", "QLKH"),
            Unit("Phòng Chuyển đổi số", "CĐS"),
            Unit("Trung tâm Công nghệ thông tin và Truyền thông", "TTCNTT"),
        ),
    ),
    Department(
        11,
        "Sở Văn hóa, Thể thao và Du lịch",
        "SVHTTDL",
        (
            _OFFICE,
            Unit("Phòng Quản lý văn hóa", "QLVH"),
            Unit("Phòng Quản lý du lịch", "QLDL"),
        ),
    ),
    Department(
        12,
        "Sở Dân tộc và Tôn giáo",
        "SDTTG",
        (_OFFICE, Unit("Phòng Tôn giáo", "TG")),
    ),
    Department(
        13,
        "Thanh tra tỉnh",
        "TTr",
        (
            Unit("Văn phòng Thanh tra tỉnh", "VP"),
            Unit("Phòng Thanh tra, giải quyết khiếu nại, tố cáo", "TTKNTC"),
            Unit("Phòng Tiếp công dân", "TCD"),
        ),
    ),
    Department(
        14,
        "Ban Quản lý Khu kinh tế và các khu công nghiệp tỉnh",
        "BQLKKT",
        (
            Unit("Văn phòng Ban", "VP"),
            Unit("Phòng Quản lý đầu tư", "QLĐT"),
            Unit("Phòng Quản lý doanh nghiệp", "QLDN"),
        ),
    ),
    Department(
        15,
        "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp tỉnh",
        "BQLDADD",
        (Unit("Phòng Hành chính - Tổng hợp", "HCTH"), Unit("Phòng Kỹ thuật", "KT")),
    ),
    Department(
        16,
        "Ban Quản lý dự án đầu tư xây dựng công trình giao thông tỉnh",
        "BQLDAGT",
        (Unit("Phòng Hành chính - Tổng hợp", "HCTH"), Unit("Phòng Kế hoạch - Kỹ thuật", "KHKT")),
    ),
    Department(
        17,
        "Quỹ Đầu tư phát triển tỉnh",
        "QĐTPT",
        (Unit("Phòng Tổng hợp", "TH"), Unit("Phòng Nghiệp vụ", "NV")),
    ),
    Department(
        18,
        "Trung tâm Xúc tiến đầu tư, thương mại và du lịch tỉnh",
        "TTXTĐT",
        (Unit("Phòng Hành chính - Tổng hợp", "HCTH"), Unit("Phòng Xúc tiến đầu tư", "XTĐT")),
    ),
)
