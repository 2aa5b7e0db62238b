"""Made-up but well-formed applicants for generated dossiers: Vietnamese names with their real
frequencies, personal identification numbers in the TT 59/2021 format, mobile numbers with the
carriers' prefixes, enterprise codes. Nothing here is a real person; every value is drawn from a
seeded `random.Random`, so a run can be repeated exactly."""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate

from chinhquyen.org.identity import PROVINCE_CODES_OF_BIRTH
from chinhquyen.procedures.text import fold

# Family names and their approximate shares in Vietnam (Nguyễn ~38 %, Trần ~11 %, Lê ~9.5 %…).
FAMILY_NAMES = (
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 5.1), ("Vũ", 3.9),
    ("Phan", 4.5), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
    ("Dương", 1.0), ("Lý", 0.5), ("Đào", 0.5), ("Đinh", 0.5), ("Trịnh", 0.4), ("Lương", 0.3),
    ("Mai", 0.3), ("Tạ", 0.2), ("Cao", 0.2), ("Lưu", 0.2), ("Chu", 0.2), ("Tô", 0.2),
)  # fmt: skip
MIDDLE_NAMES = {
    "male": ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công", "Xuân",
             "Đình", "Ngọc", "Tiến", "Anh"),
    "female": ("Thị", "Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Hồng",
               "Mai", "Thúy", "Kim", "Bảo"),
}  # fmt: skip
GIVEN_NAMES = {
    "male": ("An", "Anh", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng",
             "Huy", "Khánh", "Khôi", "Long", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân",
             "Sơn", "Thắng", "Thành", "Tiến", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh"),
    "female": ("Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng",
               "Huyền", "Hương", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngọc", "Nhung",
               "Oanh", "Phương", "Quỳnh", "Thảo", "Thu", "Trang", "Uyên", "Vân", "Yến"),
}  # fmt: skip
# Mobile prefixes in use (Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile): 0 + 2 digits.
MOBILE_PREFIXES = (
    "086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
    "088", "091", "094", "081", "082", "083", "084", "085",
    "089", "090", "093", "070", "076", "077", "078", "079",
    "092", "056", "058", "099", "059",
)  # fmt: skip
# Where applicants of a Hưng Yên dossier were born: mostly Hưng Yên (033) and the merged Thái
# Bình (034), then Hà Nội (001), Hải Dương (030), Nam Định (036) and the rest of the country.
BIRTH_PROVINCES = (("033", 55.0), ("034", 25.0), ("001", 5.0), ("030", 4.0), ("036", 3.0))
OTHER_BIRTH_PROVINCES = tuple(sorted(PROVINCE_CODES_OF_BIRTH - {p for p, _ in BIRTH_PROVINCES}))
STREETS = ("thôn Đông", "thôn Tây", "thôn Nam", "thôn Bắc", "thôn Thượng", "thôn Hạ",
           "tổ dân phố 1", "tổ dân phố 2", "tổ dân phố 3", "tổ dân phố 5", "khu phố Trung",
           "đường Nguyễn Văn Linh", "đường Lê Lợi", "đường Trần Hưng Đạo", "phố Hiến Nam",
           "đường Điện Biên", "phố Bạch Đằng", "đường Lý Thường Kiệt")  # fmt: skip
BUSINESS_WORDS = ("Hưng Thịnh", "Phát Đạt", "An Khang", "Minh Phát", "Thành Công",
                  "Đại Việt", "Hoàng Gia", "Tân Tiến", "Phú Quý", "Nam Hưng", "Kim Ngân",
                  "Thái Bình")  # fmt: skip
ENTERPRISE_FORMS = ("Công ty TNHH", "Công ty TNHH MTV", "Công ty cổ phần")
ENTERPRISE_TRADES = ("Thương mại", "Xây dựng", "Dịch vụ", "Vận tải", "Nông sản", "May mặc")


@dataclass(frozen=True)
class Applicant:
    kind: int  # ApplicantKind: 0 citizen, 1 enterprise, 2 household business
    name: str
    id_number: str  # personal ID, or enterprise code for an enterprise
    organisation: str
    phone: str
    email: str


class Population:
    """Draws applicants. Weighted choices go through precomputed cumulative weights."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._families = [name for name, _ in FAMILY_NAMES]
        self._family_cum = list(accumulate(share for _, share in FAMILY_NAMES))
        self._births = [code for code, _ in BIRTH_PROVINCES]
        self._birth_cum = list(accumulate(share for _, share in BIRTH_PROVINCES))
        self._ascii = {
            name: fold(name).replace(" ", "")
            for names in (*GIVEN_NAMES.values(), self._families)
            for name in names
        }

    def person(self, year: int) -> tuple[str, str, str]:
        """(full name, personal ID, ASCII e-mail stem) of an adult at a submission in `year`."""
        rng = self.rng
        sex = "male" if rng.random() < 0.52 else "female"
        family = rng.choices(self._families, cum_weights=self._family_cum)[0]
        given = rng.choice(GIVEN_NAMES[sex])
        name = f"{family} {rng.choice(MIDDLE_NAMES[sex])} {given}"
        born = year - rng.randint(18, 80)
        stem = f"{self._ascii[given]}.{self._ascii[family]}{born % 100:02d}"
        return name, self.personal_id(born, sex), stem

    def personal_id(self, born: int, sex: str) -> str:
        """TT 59/2021/TT-BCA Art. 7: province of birth (3 digits), century and sex (0/1 for the
        1900s, 2/3 for the 2000s; even = male), year (2 digits), then 6 random digits."""
        rng = self.rng
        if rng.random() < 0.92:
            province = rng.choices(self._births, cum_weights=self._birth_cum)[0]
        else:
            province = rng.choice(OTHER_BIRTH_PROVINCES)
        century = 2 * ((born - 1900) // 100) + (0 if sex == "male" else 1)
        return f"{province}{century}{born % 100:02d}{rng.randrange(1_000_000):06d}"

    def phone(self) -> str:
        return f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10_000_000):07d}"

    def applicant(self, kind: int, year: int) -> Applicant:
        rng = self.rng
        name, personal_id, stem = self.person(year)
        email = f"{stem}@gmail.com" if rng.random() < 0.3 else ""
        if kind == 1:
            form, trade = rng.choice(ENTERPRISE_FORMS), rng.choice(ENTERPRISE_TRADES)
            organisation = f"{form} {trade} {rng.choice(BUSINESS_WORDS)}"
            code = f"{rng.choice(('0900', '1000'))}{rng.randrange(1_000_000):06d}"
            return Applicant(kind, name, code, organisation, self.phone(), email)
        organisation = f"Hộ kinh doanh {rng.choice(BUSINESS_WORDS)}" if kind == 2 else ""
        return Applicant(kind, name, personal_id, organisation, self.phone(), email)

    def address(self, commune_name: str) -> str:
        return f"Số {self.rng.randint(1, 250)}, {self.rng.choice(STREETS)}, {commune_name}"
