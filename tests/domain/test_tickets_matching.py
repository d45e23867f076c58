"""Matching the unit names of an export to the configured units."""

from __future__ import annotations

import pytest

from domain.unit_matching import UnitMatch, UnitMatcher, bare_key, exact_key, fold, loose_key
from domain.units import Unit
from tests.support.tickets_helpers import UNITS


@pytest.fixture
def matcher() -> UnitMatcher:
    return UnitMatcher(UNITS)


def test_fold_drops_case_and_vietnamese_diacritics() -> None:
    assert fold("Ủy ban nhân dân Phường Đông") == "uy ban nhan dan phuong dong"
    assert fold("ĐÀ NẴNG") == "da nang"


def test_keys_ignore_punctuation_spacing_and_leading_zeros() -> None:
    assert exact_key("  UBND   P.06 ") == "ubnd p 6"
    assert exact_key("UBND P6") == "ubnd p 6"
    assert loose_key("Ủy ban nhân dân phường 6") == loose_key("UBND P.6") == "ubnd p 6"
    assert loose_key("Thị trấn Càng Long") == loose_key("TT Càng Long")
    assert loose_key("Thành phố Trà Vinh") == loose_key("TP. Trà Vinh")
    assert loose_key("Xã Long Đức") == loose_key("X. Long Đức")
    assert bare_key("UBND Phường 6") == bare_key("Phường 6") == "p 6"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("UBND Phường 6", "P6TV"),  # the name itself
        ("ubnd phuong 6", "P6TV"),  # no diacritics, lower case
        ("UBND P.6", "P6TV"),  # the example
        ("UBND P.06", "P6TV"),
        ("Ủy ban nhân dân Phường 6", "P6TV"),
        ("Uỷ ban nhân dân phường 6", "P6TV"),  # old-style tone mark placement
        ("P.6", "P6TV"),  # "UBND" left out
        ("p6tv", "P6TV"),  # the code
        ("UBND P6", "P6TV"),  # an alias
        ("TT Càng Long", "CL"),
        ("UBND TT. Càng Long", "CL"),
        ("X. Long Đức", "LD"),
        ("xa long duc", "LD"),
        ("SỞ Y TẾ", "SYT"),
        ("Trung tâm CNTT - TT", "TTCNTT"),  # alias, different spacing
        ("TT Công nghệ thông tin - Truyền thông", "TTCNTT"),  # TT for Trung tâm too
    ],
)
def test_names_as_exports_write_them_are_matched(
    matcher: UnitMatcher, written: str, code: str
) -> None:
    assert matcher.match(written) == UnitMatch(code)


@pytest.mark.parametrize(
    ("written", "suggestion"),
    [
        ("UBND Phường 66", "P6TV"),
        ("Sở Y tế tỉnh Trà Vinh", "SYT"),
        ("UBND xa Long Duc huyen", "LD"),
    ],
)
def test_unknown_names_get_the_closest_unit_as_suggestion(
    matcher: UnitMatcher, written: str, suggestion: str
) -> None:
    assert matcher.match(written) == UnitMatch(None, suggestion)


def test_nothing_alike_gets_no_suggestion(matcher: UnitMatcher) -> None:
    assert matcher.match("Công an tỉnh") == UnitMatch(None, None)
    assert matcher.match("   ") == UnitMatch(None, None)


def test_a_name_shared_by_two_units_is_not_guessed() -> None:
    units = [
        Unit("P6A", "UBND Phường 6", "x", (), order=2),
        Unit("TTR6", "Thị trấn 6", "x", (), order=1),
        Unit("TTM6", "Trung tâm 6", "x", (), order=3),
    ]
    matcher = UnitMatcher(units)
    # "TT 6" could be Thị trấn 6 or Trung tâm 6: no match, the first in order suggested.
    assert matcher.match("TT 6") == UnitMatch(None, "TTR6")
    # The exact long form still decides.
    assert matcher.match("Trung tâm 6") == UnitMatch("TTM6")


def _many_units(count: int) -> list[Unit]:
    """A province's worth of communes, plus two units whose names are not numbered."""
    units = [Unit(f"X{i:04d}", f"UBND xã Tân Hòa {i}", "x", (), order=i) for i in range(count)]
    units.append(Unit("SYT", "Sở Y tế", "x", ("SYT",), order=count))
    units.append(Unit("SGD", "Sở Giáo dục và Đào tạo", "x", (), order=count + 1))
    return units


def test_suggestions_among_thousands_of_units_are_the_near_ones() -> None:
    matcher = UnitMatcher(_many_units(5_000))
    # A typo in the place name: the same commune, whatever its number's neighbours.
    assert matcher.match("UBND xã Tân Hoa 4321 cũ") == UnitMatch(None, "X4321")
    assert matcher.match("Sở Giáo dụcc và Đào tạo") == UnitMatch(None, "SGD")
    # A unit's whole name inside a longer one wins over names merely alike.
    assert matcher.match("Phòng khám Sở Y tế tỉnh") == UnitMatch(None, "SYT")
    assert matcher.match("Công an tỉnh Trà Vinh") == UnitMatch(None, None)


def test_a_name_inside_another_counts_on_word_boundaries_only() -> None:
    matcher = UnitMatcher([Unit("HA", "Hòa An", "x", (), order=1)])
    assert matcher.match("Xã Hòa An mới") == UnitMatch(None, "HA")
    # "hoa an" inside "thoa ann" is no word of it, and the names are not alike enough.
    assert matcher.match("Thoa Ann Bình Phước Long") == UnitMatch(None, None)
