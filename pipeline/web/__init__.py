"""`baocao serve`: the corpus in a browser, on Datasette.

Datasette gives the table views, SQL, and JSON for every page; this package adds what
legal staff and auditors need on top (`plugin.py`): a document page with citations linked
and figures and audit flags marked inline, a cited-by page that takes the CLI's loose input
("nd 61", "qđ 766") with facets, and search over the readable text. Read-only (the database
is opened immutable) and bound to 127.0.0.1 unless told otherwise.
"""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
LONG_TEXT_COLUMNS = {"documents": ["text", "warnings"],
                     "tables": ["rows"], "findings": ["text"]}


def metadata(db_path: str) -> dict:
    """Datasette metadata keyed on the database's own name, so the canned queries work
    whatever the file is called."""
    base = json.loads((HERE / "metadata.json").read_text(encoding="utf-8"))
    name = Path(db_path).stem
    base["databases"] = {name: base.pop("database")}
    return base


def register(sub) -> None:
    from pipeline.cli import add_db_option

    p = sub.add_parser("serve", help="browse the corpus in a web browser (Datasette, read-only)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8001)
    add_db_option(p)
    p.set_defaults(func=cmd_serve)


def make_app(db_path: str):
    from datasette.app import Datasette

    return Datasette(
        immutables=[db_path], metadata=metadata(db_path),
        template_dir=str(HERE / "templates"), plugins_dir=str(HERE / "plugins"),
        settings={"truncate_cells_html": 160, "default_page_size": 50, "sql_time_limit_ms": 5000},
    )


def cmd_serve(args) -> int:
    import uvicorn

    app = make_app(args.db)
    print(f"baocao: serving {args.db} read-only at http://{args.host}:{args.port}/ (Ctrl+C stops)")
    uvicorn.run(app.app(), host=args.host, port=args.port, log_level="warning")
    return 0
