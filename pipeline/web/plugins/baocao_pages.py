"""Datasette plugin: the project's own pages (document, cited-by, search), each also as
JSON (`.json` suffix), on top of Datasette's table views."""
from __future__ import annotations

import json

from datasette import hookimpl
from datasette.utils.asgi import Response


def _db(datasette):
    return datasette.get_database(next(n for n in datasette.databases if n != "_internal"))


def _json(data) -> Response:
    return Response.json(json.loads(json.dumps(data, default=str, ensure_ascii=False)))


async def document(request, datasette):
    from pipeline.web.pages import document_page

    doc_id = int(request.url_vars["id"])
    page = await _db(datasette).execute_fn(lambda conn: document_page(conn, doc_id))
    if page is None:
        return Response.html("no such document", status=404)
    if request.url_vars.get("fmt"):
        return _json({k: (str(v) if k == "html" else v) for k, v in page.items()})
    return Response.html(await datasette.render_template("baocao_document.html", page, request=request))


async def cited_by(request, datasette):
    from pipeline.web.pages import cited_by_page

    q = request.args.get("q", "")
    facets = {k: request.args.get(k) for k in ("doc_type", "issuer", "year", "relation")}
    page = await _db(datasette).execute_fn(lambda conn: cited_by_page(conn, q, facets))
    if request.url_vars.get("fmt"):
        return _json({**page, "rows": [{k: v for k, v in r.items() if k != "sentence_html"}
                                       for r in page["rows"]]})
    return Response.html(await datasette.render_template("baocao_cited_by.html", page, request=request))


async def search(request, datasette):
    from pipeline.web.pages import search_page

    q = request.args.get("q", "")
    page = await _db(datasette).execute_fn(lambda conn: search_page(conn, q))
    if request.url_vars.get("fmt"):
        return _json({**page, "rows": [{k: v for k, v in r.items() if k != "snippet_html"}
                                       for r in page["rows"]]})
    return Response.html(await datasette.render_template("baocao_search.html", page, request=request))


@hookimpl
def register_routes():
    return [
        (r"^/-/baocao/doc/(?P<id>\d+)(?P<fmt>\.json)?$", document),
        (r"^/-/baocao/cited-by(?P<fmt>\.json)?$", cited_by),
        (r"^/-/baocao/search(?P<fmt>\.json)?$", search),
    ]


@hookimpl
def render_cell(value, column, table):
    # long text columns are cut in table views (the document page shows the whole text)
    from markupsafe import escape

    from pipeline.web import LONG_TEXT_COLUMNS

    if table in LONG_TEXT_COLUMNS and column in LONG_TEXT_COLUMNS[table] and isinstance(value, str) \
            and len(value) > 80:
        return f"{escape(value[:80])}… ({len(value):,} ký tự)"
    return None


@hookimpl
def extra_css_urls():
    return []


@hookimpl
def extra_body_script():
    return ""
