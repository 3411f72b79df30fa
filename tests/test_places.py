"""The administrative-unit gazetteer (underthesea's mapping.json) and its disambiguation."""
from __future__ import annotations

from pipeline import places
from pipeline.places import PlaceContext, gazetteer, resolve


def test_gazetteer_covers_the_official_list():
    g = gazetteer()
    assert len(g.province_by_key) == 63
    assert len(g.district_by_key) > 650
    assert sum(len(v) for v in g.wards.values()) > 9_900  # 10 040 units, 49 without a commune
    # Every old commune has a successor in one of the 34 new provinces.
    assert all(u.successor for units in g.wards.values() for u in units)


def test_spelling_variants_find_the_official_unit():
    # Folded keys: old/new tone placement and a missing diacritic still match.
    for written, official in [("Toà Tinh", "Xã Tỏa Tình"), ("Tòa Tình", "Xã Tỏa Tình"),
                              ("Tênh Phong", "Xã Tênh Phông")]:
        unit, _ = resolve("xã", written)
        assert unit is not None and unit.name == official


def test_commune_of_an_abolished_district_keeps_its_successor():
    unit, _ = resolve("xã", "Ẳng Nưa")
    assert unit.code == "tinhdienbien/huyenmuongang/xaangnua"
    assert unit.successor == "Xã Mường Ảng, Tỉnh Điện Biên"
    district, _ = resolve("huyện", "Mường Ảng")
    assert district.successor == "Tỉnh Điện Biên"  # the district level no longer exists


def test_ambiguous_names_need_context():
    unit, cands = resolve("xã", "Tân Phong")
    assert unit is None and len(cands) > 5
    ctx = PlaceContext()
    ctx.add(gazetteer().province_by_key["tinhsonla"])
    unit, _ = resolve("xã", "Tân Phong", ctx)
    assert unit.code == "tinhsonla/huyenphuyen/xatanphong"
    # A district named right next to the mention wins over the document-wide context.
    near = PlaceContext()
    near.add(gazetteer().district_by_key[("thanhphohochiminh", "quan4")])
    unit, _ = resolve("phường", "3", PlaceContext(), near)
    assert unit.successor == "Phường Vĩnh Hội, Thành phố Hồ Chí Minh"


def test_new_units_are_known_too():
    unit, _ = resolve("xã", "Mường Ảng")  # created on 01/07/2025
    assert unit.code == "new:tinhdienbien/xamuongang" and unit.successor is None
    # An old commune that kept its name resolves to the old unit (it carries the successor).
    unit, cands = resolve("xã", "Quài Tở")
    assert len(cands) == 2 and unit.kind == "ward"


def test_province_aliases_and_levels():
    unit, _ = resolve("tỉnh", "Thừa Thiên Huế")
    assert unit.code == "thanhphohue"
    unit, _ = resolve("thành phố", "Hà Nội")
    assert unit.number == "01"
    assert places.split_level("Thị trấn Tuần Giáo") == ("thị trấn", "Tuần Giáo")
