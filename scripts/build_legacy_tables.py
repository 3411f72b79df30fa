"""Write the pre-Unicode Vietnamese encoding tables in schemas/data/legacy_encodings/.

How to run (from the repository root; needs glibc's iconv, as on Debian):

    .venv/bin/python scripts/build_legacy_tables.py

The tables are committed; this script documents where each line comes from and lets a
reviewer regenerate them:

- tcvn3.tsv: TCVN 5712:1993, as implemented by glibc's iconv charset TCVN5712-1 (VN1, the
  full table). Each row says which part of the standard the position belongs to:
  `vn3` (the lowercase letters and the seven capitals Ă Â Ê Ô Ơ Ư Đ that the ABC fonts
  .VnTime/.VnArial carry), `vn2` (capitals with a tone in A0-FF), `cp1252` (capitals at
  80-9F: the ABC fonts draw Windows punctuation there, “ ” – …, so they are not decoded)
  and `c0` (capitals at control positions, never decoded), `mark` (the five combining
  tone marks B0-B4, decoded as combining characters).
- viscii.tsv: VISCII 1.1 (RFC 1456), as implemented by glibc's iconv charset VISCII.
  Six capitals sit at C0 control positions (02 05 06 14 19 1E), as the RFC has them.
- vni.tsv: VNI for Windows. A letter is its base letter followed by one diacritic byte
  (aù = á, aâ = â, aá = ấ, aê = ă, aé = ắ …); đ ơ ư and the i/ỵ letters with tones are
  single bytes. Built here from the VNI key layout below (no iconv charset exists).
"""
from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

from schemas import DATA_DIR

OUT = DATA_DIR / "legacy_encodings"

TONES = {"": "", "grave": "\u0300", "hook": "\u0309", "tilde": "\u0303", "acute": "\u0301",
         "dot": "\u0323"}
BASES = "a ă â e ê i o ô ơ u ư y".split()


def vietnamese_letters() -> list[str]:
    """The 134 non-ASCII Vietnamese letters: 67 lowercase and their capitals."""
    lower = ["đ"]
    for base in BASES:
        for mark in TONES.values():
            ch = unicodedata.normalize("NFC", base + mark)
            if not ch.isascii():
                lower.append(ch)
    return lower + [c.upper() for c in lower]


def iconv_byte(charset: str, byte: int) -> str | None:
    r = subprocess.run(["iconv", "-f", charset, "-t", "UTF-8"], input=bytes([byte]),
                       capture_output=True)
    return r.stdout.decode("utf-8") if r.returncode == 0 else None


def from_iconv(charset: str) -> dict[str, int]:
    table = {}
    for b in range(256):
        ch = iconv_byte(charset, b)
        if ch and len(ch) == 1 and ord(ch) >= 0x80:
            table.setdefault(ch, b)
    return table


def tcvn3_rows() -> list[tuple[str, str, str]]:
    table = from_iconv("TCVN5712-1")
    rows = []
    letters = set(vietnamese_letters())
    for ch, b in sorted(table.items(), key=lambda kv: kv[1]):
        if unicodedata.combining(ch):
            part = "mark"
        elif ch not in letters:
            continue
        elif b < 0x20:
            part = "c0"
        elif b < 0xA0:
            part = "cp1252"
        elif ch.islower() or ch in "ĂÂÊÔƠƯĐ":
            part = "vn3"
        else:
            part = "vn2"
        rows.append((ch, f"{b:02X}", part))
    return rows


def viscii_rows() -> list[tuple[str, str, str]]:
    letters = vietnamese_letters()
    rows = []
    for b in range(256):
        ch = iconv_byte("VISCII", b)
        if ch in letters:
            rows.append((ch, f"{b:02X}", "viscii"))
    return rows


# VNI for Windows: diacritic bytes typed after the base letter (lowercase; the capital
# forms are the same Latin-1 letters in upper case).
VNI_TONE = {"acute": "ù", "grave": "ø", "hook": "û", "tilde": "õ", "dot": "ï"}
VNI_HAT = {"": "â", "acute": "á", "grave": "à", "hook": "å", "tilde": "ã", "dot": "ä"}
VNI_BREVE = {"": "ê", "acute": "é", "grave": "è", "hook": "ú", "tilde": "ü", "dot": "ë"}
# Letters that are one byte: đ, ơ, ư (which then take a tone byte) and i/ỵ with tones.
VNI_SINGLE = {"đ": "ñ", "ơ": "ô", "ư": "ö", "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
              "ỵ": "î"}


def vni_lower(letter: str) -> str:
    if letter in VNI_SINGLE:
        return VNI_SINGLE[letter]
    decomposed = unicodedata.normalize("NFD", letter)
    base, marks = decomposed[0], decomposed[1:]
    tone = next((name for name, m in TONES.items() if m and m in marks), "")
    if "\u0302" in marks:  # circumflex: â ê ô
        return base + VNI_HAT[tone]
    if "\u0306" in marks:  # breve: ă
        return base + VNI_BREVE[tone]
    if "\u031b" in marks:  # horn: ơ ư
        return VNI_SINGLE[unicodedata.normalize("NFC", base + "\u031b")] + VNI_TONE[tone]
    return base + VNI_TONE[tone]


def vni_rows() -> list[tuple[str, str, str]]:
    rows = []
    for letter in vietnamese_letters():
        seq = vni_lower(letter.lower())
        if letter.isupper():
            seq = seq.upper()
        rows.append((letter, " ".join(f"{ord(c):02X}" for c in seq), "vni"))
    # A tone byte the table does not pair with the letter before it (a tone typed twice,
    # "iø" for ì) is drawn by the font as a zero-width accent: a combining mark.
    for tone, byte in VNI_TONE.items():
        for b in (byte, byte.upper()):
            rows.append((TONES[tone], f"{ord(b):02X}", "mark"))
    return rows


def write(name: str, rows, header: str) -> None:
    path = OUT / name
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(header)
        fh.write("unicode\tcodepoint\tbytes\tpart\n")
        for ch, seq, part in rows:
            fh.write(f"{ch}\tU+{ord(ch):04X}\t{seq}\t{part}\n")
    print(f"{path}: {len(rows)} rows")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write("tcvn3.tsv", tcvn3_rows(),
          "# TCVN 5712:1993 (TCVN3 / ABC fonts). Generated by scripts/build_legacy_tables.py.\n"
          "# part: vn3 and vn2 are decoded; cp1252 (80-9F: Windows punctuation in the ABC\n"
          "# fonts) and c0 (control positions) are not; mark = combining tone mark.\n")
    write("viscii.tsv", viscii_rows(),
          "# VISCII 1.1 (RFC 1456). Generated by scripts/build_legacy_tables.py.\n"
          "# Six capitals sit at C0 control positions (02 05 06 14 19 1E), as in the RFC.\n")
    write("vni.tsv", vni_rows(),
          "# VNI for Windows: base letter + diacritic byte(s), decoded longest match first.\n"
          "# part mark: a tone byte after no letter it forms one with (a zero-width accent).\n"
          "# Generated by scripts/build_legacy_tables.py.\n")


if __name__ == "__main__":
    main()
