import unicodedata

from hypothesis import given, strategies as st

from pipeline.text.normalize import fix_tones, fold, normalize, normalize_with_map


def test_tone_placement_old_to_new():
    assert normalize("hoá thuỷ Toà khoẻ HOÁ") == "hóa thủy Tòa khỏe HÓA"


def test_tone_placement_leaves_other_syllables():
    # marks inside a longer syllable, and "qu" + y, stay as written
    for word in ["hoàn", "toán", "khuya", "thuyết", "quý", "quỹ", "hóa", "thủy"]:
        assert normalize(word) == word


def test_nfd_input_becomes_nfc():
    nfd = unicodedata.normalize("NFD", "Nghị định số 63/2010/NĐ-CP")
    assert normalize(nfd) == "Nghị định số 63/2010/NĐ-CP"


def test_whitespace_tidied():
    assert normalize("a  b\u00a0c \n\n\n\nd\t") == "a b c\n\nd"


def test_map_points_to_same_characters():
    raw = unicodedata.normalize("NFD", "Quyết  định hoá ¹ đơn")
    norm, index_map = normalize_with_map(raw)
    assert norm == "Quyết định hóa ¹ đơn"
    marker = raw.index("¹")
    assert norm[index_map[marker]] == "¹"
    assert index_map[len(raw)] == len(norm)


def test_fold_keeps_length_and_folds_d():
    text = "Nghị định số 63 của Đảng ủy"
    assert fold(text) == "nghi dinh so 63 cua dang uy"
    assert len(fold(text)) == len(text)


@given(st.text(max_size=40))
def test_a_long_text_folds_as_its_pieces_do(text):
    """Past a length, fold works on an array of code points: the same result as the
    per-character table, for any character (astral, surrogates, combining marks)."""
    from pipeline.text import normalize as module

    long = (text + "Đảng ủy xã Quài Tở 𝔸 \ud800 ỷ\u0301 ") * (module._FOLD_BY_ARRAY // 20 + 1)
    assert len(long) >= module._FOLD_BY_ARRAY
    assert fold(long) == long.translate(module._FOLD_TABLE).lower()
    assert fold(long, lower=False) == long.translate(module._FOLD_TABLE)


def test_the_fold_array_table_is_published_only_when_filled(monkeypatch):
    """Another thread folding while the table is built must not find a half-filled one:
    the module-level table stays unset until every entry is in."""
    from pipeline.text import normalize as module

    seen = []

    class Watched(dict):
        def items(self):
            for item in super().items():
                seen.append(module._FOLD_LUT)
                yield item

    monkeypatch.setattr(module, "_FOLD_LUT", None)
    monkeypatch.setattr(module, "_FOLD_TABLE", Watched(module._FOLD_TABLE))
    text = "Đảng ủy xã " * module._FOLD_BY_ARRAY
    assert fold(text) == "dang uy xa " * module._FOLD_BY_ARRAY
    assert seen and all(lut is None for lut in seen)
    assert module._FOLD_LUT is not None


@given(st.text(alphabet=st.sampled_from(list("aăâeêioôơuưyđAĂÂĐ hoáàảãạ\u0301\u0300 \n.,0123")), max_size=60))
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert fix_tones(once) == once


@given(st.text(max_size=80))
def test_fold_length_preserved_on_nfc(text):
    text = unicodedata.normalize("NFC", text)
    folded = fold(text, lower=False)
    assert len(folded) == len(text)
