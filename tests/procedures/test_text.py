import pytest

from chinhquyen.procedures.text import fold, search_terms


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Cấp giấy phép xây dựng", "cap giay phep xay dung"),
        ("GIẤY PHÉP", "giay phep"),
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("  Chứng  thực\tbản sao ", "chung thuc ban sao"),
        ("Hộ kinh doanh", "ho kinh doanh"),
    ],
)
def test_fold_ignores_case_and_diacritics_including_d_stroke(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_search_terms() -> None:
    assert search_terms("Giấy phép  giay PHEP xây") == ["giay", "phep", "xay"]
