"""`baocao serve`: the project's pages on Datasette, in-process (fast) and in a real
browser (Debian's chromium driven by Playwright; screenshots kept in output/screenshots)."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import IN_CI, SAMPLE_CORPUS

ROOT = Path(__file__).resolve().parents[1]
STATUS = ROOT / "tests" / "data" / "status"
SHOTS = ROOT / "output" / "screenshots"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    from pipeline.ingest import ingest
    path = tmp_path_factory.mktemp("web") / "kho-van-ban.db"  # not "corpus": canned queries follow the name
    assert not ingest([str(SAMPLE_CORPUS), str(STATUS)], path).failed
    return str(path)


@pytest.fixture(scope="module")
def get(db_path):
    from pipeline.web import make_app
    ds = make_app(db_path)

    def fetch(path):
        return asyncio.run(ds.client.get(path))
    return fetch


def test_document_page_links_citations_and_marks_figures(get, db_path):
    import sqlite_utils
    db = sqlite_utils.Database(db_path)
    doc = next(db.query("select id from documents where number_symbol = '05/BC-UBND'"))
    r = get(f"/-/baocao/doc/{doc['id']}")
    assert r.status_code == 200
    html = r.text
    assert html.count('class="cite"') >= 2 and "/-/baocao/cited-by?q=12/2015/QĐ-UBND" in html
    assert '<mark class="fig' in html and "1.250" in html
    # a cited document that is in the corpus links to its page
    target = next(db.query("select id from documents where number_symbol = '31/2019/QĐ-UBND'"))
    citing = next(db.query("select document_id from citations where target_document_id = ?",
                           [target["id"]]), None)
    if citing:
        assert f"/-/baocao/doc/{target['id']}" in get(f"/-/baocao/doc/{citing['document_id']}").text
    data = json.loads(get(f"/-/baocao/doc/{doc['id']}.json").text)
    assert data["doc"]["number_symbol"] == "05/BC-UBND" and data["n_citations"] >= 2


def test_cited_by_loose_input_facets_and_json(get):
    r = get("/-/baocao/cited-by?q=" + urllib.parse.quote("qđ 12/2015"))
    assert r.status_code == 200
    assert "<mark>Quyết định số 12/2015/QĐ-UBND</mark>" in r.text
    rows = json.loads(get("/-/baocao/cited-by.json?q=" + urllib.parse.quote("qd 12/2015")).text)["rows"]
    assert {x["document"] for x in rows} == {"05/BC-UBND", "20/2016/QĐ-UBND", "31/2019/QĐ-UBND"}
    only = json.loads(get("/-/baocao/cited-by.json?q=" + urllib.parse.quote("qd 12/2015")
                          + "&relation=replaces").text)["rows"]
    assert [x["document"] for x in only] == ["31/2019/QĐ-UBND"]
    # decomposed input (NFD) is the same query
    import unicodedata
    nfd = unicodedata.normalize("NFD", "qđ 12/2015")
    assert len(json.loads(get("/-/baocao/cited-by.json?q=" + urllib.parse.quote(nfd)).text)["rows"]) == len(rows)


def test_search_without_diacritics_shows_readable_text(get):
    r = get("/-/baocao/search?q=" + urllib.parse.quote("quy che tiep nhan"))
    assert r.status_code == 200 and "Quy chế tiếp nhận" in r.text


def test_table_views_cut_long_text_and_canned_queries_follow_the_file_name(get):
    r = get("/kho-van-ban/documents")
    assert r.status_code == 200 and "ký tự)" in r.text
    q = get("/kho-van-ban/cited_by.json?_shape=array&canonical=" + urllib.parse.quote("12/2015/QĐ-UBND"))
    assert q.status_code == 200 and len(json.loads(q.text)) >= 3


def test_read_only(get):
    r = get("/kho-van-ban.json?sql=" + urllib.parse.quote("delete from documents"))
    assert r.status_code != 200 or "error" in r.text.lower()


# -- a real browser -------------------------------------------------------------------

def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(db_path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--db", db_path,
                             "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.slow
def test_pages_in_a_real_browser(server):
    browser_path = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if not browser_path or sync_playwright is None:
        if IN_CI:
            pytest.fail("CI needs chromium (apt) and playwright (pip) for the browser test")
        pytest.skip("no chromium or playwright here (make installs them as root)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/-/baocao/cited-by")
        page.fill("input[name=q]", "qđ 12/2015")
        page.click("input[type=submit]")
        page.wait_for_selector("table mark")
        assert page.locator("table tr").count() >= 4
        page.screenshot(path=str(SHOTS / "cited-by.png"), full_page=True)
        page.click("text=31/2019/QĐ-UBND")
        page.wait_for_selector(".doctext")
        assert page.locator("a.cite").count() >= 1
        page.screenshot(path=str(SHOTS / "document.png"), full_page=True)
        page.goto(server + "/-/baocao/search?q=" + urllib.parse.quote("quy che"))
        assert "Quy chế" in page.inner_text("ol")
        page.screenshot(path=str(SHOTS / "search.png"), full_page=True)
        browser.close()
