"""Record types (`schemas.records`), the SQLite schema (`schemas.tables`) and the rules
kept as data (`schemas/data/*.yaml`, loaded with `schemas.load_data`)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).parent / "data"


@lru_cache(maxsize=None)
def load_data(name: str):
    """Load `schemas/data/<name>.yaml` (cached)."""
    with open(DATA_DIR / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)
