"""Findings stage: what a report concludes, about what, and for whom.

One finding per body paragraph or numbered item between the first section and the
closing block ("Trên đây là …", "Nơi nhận", signature); headings, tables, footnotes and
category labels ("Hạn chế:") are not findings. A paragraph that starts lower-case right
after another one is the rest of it (a page break cut it) and extends that finding.

Category, topic and addressee follow schemas/data/findings.yaml (see the order there):
headings first, then labels and cue phrases. Findings are linked to the citations and
figures whose spans lie inside them (those stages run before this one).
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from functools import lru_cache

import yaml

from schemas import DATA_DIR
from pipeline.text.builder import is_chart_residue
from pipeline.text.normalize import fold
from pipeline.analysis.structure import _is_upper, numbering, units, zones
from pipeline.analysis.structure import rules as srules

DATA = DATA_DIR / "findings.yaml"
# Legal documents: everything before the first article is preamble (căn cứ, enacting formula).
LEGAL_TYPES = {"Nghị định", "Quyết định", "Thông tư", "Thông tư liên tịch", "Nghị quyết", "Luật",
               "Pháp lệnh", "Chỉ thị", "Quy định", "Quy chế"}


@lru_cache(maxsize=1)
def rules() -> dict:
    with open(DATA, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    lead = r"^(?:(?:" + "|".join(raw["lead_words"]) + r")\s+)*"
    heads = [(cat, re.compile(lead + r"(?:" + "|".join(e["patterns"]) + r")\b"))
             for cat, e in raw["headings"].items()]
    cues = [(cat, [re.compile(p) for p in e["patterns"]]) for cat, e in raw["cues"].items()]
    a = raw["addressee"]
    stops = sorted(a["stop_words"], key=len, reverse=True)
    return {
        "raw": raw, "heads": heads, "cues": cues, "weak": set(raw["weak_categories"]),
        "generic": {g.lower() for g in raw["generic_headings"]},
        "addr_heading": [re.compile(p) for p in a["heading_patterns"]],
        "addr_item": [re.compile(p) for p in a["item_patterns"]],
        "addr_categories": set(a["categories"]),
        "addr_resp": re.compile(a["responsible_pattern"]),
        "report_markers": set(a["report_markers"]),
        "stop": re.compile(r"(?<!các)\s+(?:" + "|".join(map(re.escape, stops)) + r")\b"),
        "org": re.compile(r"^(?:tất cả\s+)?(?!(?:" + "|".join(map(re.escape, a["org_not"])) + r")\b)(?:"
                          + "|".join(map(re.escape, sorted(a["org_heads"], key=len, reverse=True))) + r")\b"),
        "label_max": raw["label_max_chars"],
        "governors": re.compile(r"(?:^|[\s,(])(?:" + "|".join(raw["cue_governors"]) + r")\s"),
        "predicate_markers": re.compile(r"(?:^|[\s,])(?:" + "|".join(raw["predicate_markers"]) + r")\s"),
        "absent_bad": re.compile("|".join(f"(?:{n})" for n in raw["absence_of_harm"])),
        "direction_verbs": re.compile(r"\b(?:" + "|".join(raw["direction_verbs"]) + r")\b"),
        "past_request": re.compile(r"(?:\bđã|\btừng)\s+(?:(?:có|gửi|ban hành)\s+(?:văn bản|công văn|tờ trình|báo cáo)\s+)?"
                                   r"(?:kính\s+)?(?P<v>đề nghị|kiến nghị|đề xuất|giao|yêu cầu)\b"),
        "caption": re.compile(r"^[\s*_#]*(?:" + "|".join(raw["not_prose"]["caption_heads"]) + r")\s*(?:số\s*)?[\dIVX]+[a-z]?\s*[.:\-–)]",
                              re.IGNORECASE),
        "needs_name": set(raw["addressee"]["needs_name"]),
        "name_words": set(raw["addressee"]["name_words"]),
        "negators": re.compile("|".join(f"(?:{n})" for n in raw["cue_negators"])),
        "lead_in": re.compile(raw["directive"]["lead_in"]),
        "achievement": re.compile("|".join(f"(?:{p})" for p in raw["achievement"])),
        "achievement_judged": re.compile("|".join(f"(?:{p})" for p in raw["achievement_judged"])),
        "judged_marker": re.compile(raw["achievement_judged_marker"]),
        "assign": _assign_rx(raw, a),
        "task": re.compile(r"^(?:" + "|".join(map(re.escape, sorted(raw["directive"]["task_verbs"], key=len,
                                                                        reverse=True))) + r")\b"),
        "requirement": re.compile(raw["directive"]["requirement"]),
        "plan_task": re.compile(r"^(?:" + "|".join(map(re.escape, sorted(
            set(raw["directive"]["task_verbs"]) | set(raw["plan"]["task_verbs"]), key=len, reverse=True))) + r")\b"),
        # matched without diacritics: a scan's headings lose them ("TỎ CHỨC THỰC HIỆN")
        "plan_heads": [(role, re.compile(fold(lead) + r"(?:" + "|".join(map(re.escape, map(fold, raw["plan"][key])))
                                         + r")\b"))
                       for role, key in (("task", "task_headings"), ("target", "target_headings"),
                                            ("status", "status_headings"))],
        "frame_lead_in": re.compile(raw["frame"]["lead_in_end"]),
        "frame_openers": tuple(raw["frame"]["lead_in_openers"]),
        "basis": tuple(raw["frame"]["basis_openers"]),
        "closing": re.compile(raw["frame"]["closing"]),
        "closing_thanks": re.compile(raw["frame"]["closing_thanks"]),
        "closing_summary": re.compile(raw["frame"]["closing_summary"]),
        "list_lead_in": re.compile(raw["list_lead_in"]["pattern"]),
        "list_lead_in_act": re.compile(r"(?:" + "|".join(raw["list_lead_in"]["acts"]) + r")\b"),
        "announce_not": re.compile(r"\b(?:" + "|".join(raw["announcing_label"]["not_words"]) + r")\b"),
        "basis_headings": re.compile("|".join(f"(?:{p})" for p in raw["frame"]["basis_headings"])),
        "recipients": tuple(raw["frame"]["recipients"]),
        "subject_line": re.compile(raw["frame"]["subject_line"]),
        # A request, not a report of one ("Đoàn đã kiến nghị các đơn vị …").
        # "… rất thấp.Đề nghị thay thế …" (a lost space), "…, đề nghị cấp máy chủ mới" (a clause)
        # ("phản ánh, kiến nghị" is a noun pair, the feedback citizens send: no request)
        # "báo cáo, đề xuất UBND tỉnh xem xét" is the task of the item's subject (what it
        # must send up), not a request of this document.
        # "Văn bản góp ý … đề nghị gửi về Bộ Nội vụ trước ngày …": a reply this letter asks for.
        "ask": re.compile(r"(?P<lead>^|[.;:]\s*|(?<!phản ánh)(?<!báo cáo)(?<!tham mưu),\s+|[-–+•]\s*|\bkính\s+)"
                          r"(?:đề nghị|kiến nghị|đề xuất)\b(?! của| với| và)"
                          r"|(?<!đã )(?<!được )\bđề nghị (?=(?:gửi|nộp|chuyển) (?:về|đến|tới|cho)\b)"
                          r"|(?<!đã )(?<!được )(?<!đã có )(?<!báo cáo, )(?<!tham mưu, )(?<!báo cáo và )(?<!tham mưu và )"
                          r"\b(?:đề nghị|kiến nghị|đề xuất)(?: với)? (?=(?:" + "|".join(
                              map(re.escape, sorted(a["org_heads"], key=len, reverse=True))) + r")\b)"
                          r"(?!(?:" + "|".join(map(re.escape, a["org_not"])) + r")\b)"),
    }


def _assign_rx(raw: dict, a: dict) -> re.Pattern:
    """"giao X" / "yêu cầu X" where X is an organisation, at a clause start or after the
    authority that gives the task ("Chủ tịch UBND tỉnh giao Sở …")."""
    orgs = "|".join(map(re.escape, sorted(a["org_heads"], key=len, reverse=True)))
    auth = "|".join(map(re.escape, raw["directive"]["authorities"]))
    return re.compile(r"(?:^|[.;:,]\s+|(?:^|\s)(?:" + auth + r")\b[^.;:,]{0,60}?\s)(?P<v>giao|yêu cầu)\s*:?\s+"
                      r"(?P<x>(?:" + orgs + r")\b[^.;]*)")


def _low(s: str) -> str:
    return " ".join(s.replace("*", " ").replace("_", " ").split()).lower().strip(" :.")


_COORDINATED = re.compile(r"(?:(?:khó khăn|vướng mắc|hạn chế|tồn tại|bất cập|thiếu sót|yếu kém)(?:,\s*|\s+và\s+))+$")


def heading_category(heading: str) -> str | None:
    h = _low(heading)
    for cat, rx in rules()["heads"]:
        if rx.match(h):
            if cat == "strength" and _names_limitation(h):
                return None  # "Thuận lợi, khó khăn": both sides, the heading is silent
            return cat
    return None


def _names_limitation(h: str) -> bool:
    rx = dict(rules()["heads"])["limitation"]
    return any(rx.match(h[m.end():].lstrip(" ,")) for m in re.finditer(r",|\bvà\b", h))


_TOPIC_LABEL = re.compile(r"^(?P<label>[^:;.]{2,100}?)\s*:\s*\S")


def _topic_end(t: str) -> int:
    """End of a topic label that opens the paragraph ("Về đối thoại, tháo gỡ khó khăn cho
    doanh nghiệp: …"): its words name a subject, they do not judge it. 0 when none."""
    m = _TOPIC_LABEL.match(t)
    if m and len(m.group("label").split()) <= 15 and not heading_category(m.group("label")):
        return m.end("label")
    return 0


def _in_noun_phrase(t: str, start: int) -> bool:
    """Is the cue at `start` inside a noun phrase (the object of a verb such as "hỗ trợ",
    "đối với", a relative clause "các hộ chưa có …") rather than the predicate of its
    clause? Looks back to the clause start; a predicate marker ("còn", "nhưng", "vẫn")
    between the governor and the cue makes the cue the predicate again."""
    r = rules()
    clause = max(t.rfind(c, 0, start) for c in ";.:")
    window = t[clause + 1:start]
    if re.match(r"\s*(?:tỷ lệ|số lượng|chất lượng|mức độ|tiến độ)\b", window) \
            and re.match(r"(?:chưa cao|còn thấp|còn chậm|còn ít|chưa đạt)\b", t[start:]):
        return False  # "Tỷ lệ người dân tham gia khảo sát chưa cao": the measure's predicate
    last = None
    for m in r["governors"].finditer(window):
        last = m
    if last is None:
        return False
    return not r["predicate_markers"].search(window[last.end() - 1:])


def cue_category(text: str, exclude: tuple = ()) -> tuple[str, str] | None:
    t = " ".join(text.replace("*", " ").replace("_", " ").split()).lower().lstrip("-–+• ")
    neg = rules()["negators"]
    if "direction" not in exclude and (m := rules()["assign"].search(t)) and assignment(text):
        return "direction", m.group("v")  # "Giao Sở …", "…, giao Trung tâm …": a task given here
    topic_end = _topic_end(t)
    for cat, pats in rules()["cues"]:
        if cat in exclude:
            continue
        if cat == "recommendation":
            for m in rules()["ask"].finditer(t):
                word = re.search(r"đề nghị|kiến nghị|đề xuất", m.group(0))
                sentence = t[max(t.rfind(". ", 0, m.start()), t.rfind("; ", 0, m.start()), 0):m.start()]
                if (m.group("lead") or ",").startswith(",") and re.search(r"\bđã\b", sentence):
                    continue  # "… đã ban hành thông báo, đề nghị …": a report of a request
                return "recommendation", word.group(0)
        best = None
        for rx in pats:
            for m in rx.finditer(t):
                clause = max(t.rfind(";", 0, m.start()), t.rfind(".", 0, m.start()), t.rfind(":", 0, m.start()))
                window = t[max(0, clause + 1, m.start() - 40):m.start()]
                # "giải quyết khó khăn, vướng mắc": the negator reaches across coordinated nouns.
                window = _COORDINATED.sub("", window)
                if cat == "cause" and re.match(r"[^.;:]{0,30}\bsau\s*:\s*$", t[m.end():]):
                    continue  # "… do một số nguyên nhân sau:" announces the causes listed below
                if cat in ("limitation", "cause") and neg.search(window):
                    continue  # "khắc phục những tồn tại": not a limitation
                if cat in ("limitation", "cause", "strength") and m.start() < topic_end:
                    continue  # inside the topic label that opens the paragraph
                if cat == "limitation" and (_in_noun_phrase(t, m.start())
                                            or rules()["absent_bad"].match(t, m.start())):
                    continue  # "hỗ trợ doanh nghiệp gặp khó khăn", "chưa có trường hợp vi phạm"
                if best is None or m.start() < best.start():
                    best = m
                break
        if best and cat == "cause" and best.start() > 0 and (
                first := cue_category(t[:best.start()], exclude=("responsibility", "recommendation", "direction", "cause",
                                                               "strength"))):
            return first  # "Tỷ lệ … còn thấp, nguyên nhân là do …": the shortcoming is the claim, its cause explains it
        if best:
            return cat, best.group(0).strip()
    return None


def addressee_from_heading(heading: str, strict: bool = False) -> str | None:
    """"Đối với X", "Đề nghị X", "Kiến nghị với X" (or a heading that is itself an
    organisation) -> X. `strict` (for unnumbered label paragraphs) refuses a sentence:
    X must not run on into a verb ("Đề nghị UBND tỉnh xem xét …" is a request, not a label)."""
    h = " ".join(heading.replace("*", " ").replace("#", " ").split()).strip(" .-–+•")
    r = rules()
    for rx in r["addr_heading"]:
        m = rx.match(h[:1].lower() + h[1:]) or rx.match(h.lower())
        if m:
            x = h[m.start("x"):m.end("x")].strip(" :;.,")
            if strict and r["stop"].search(x):
                return None
            if x and is_organisation(x):
                return x
    if is_organisation(h.strip(" :")) and len(h) < 80 and not re.search(r"[.;]", h) \
            and not (strict and r["stop"].search(h)):
        return h.strip(" :")  # "1. Phòng Nội vụ" heading under "Tổ chức thực hiện"
    return None


def addressee_from_item(text: str, fallback: bool = False) -> str | None:
    """The body a paragraph addresses: "Đề nghị X …", "Giao X …", "X chủ trì …",
    "X chịu trách nhiệm …"; with `fallback`, the paragraph's subject when it names an
    organisation ("Phòng Tài chính - Kế hoạch bố trí kinh phí …")."""
    t = " ".join(text.replace("*", " ").split()).lstrip("-+•– ").lower()
    r = rules()
    for rx in r["addr_item"]:
        for m in rx.finditer(t):
            if _reported(t, m.start("x")):
                continue  # "Huyện đã đề nghị Sở …", "theo đề nghị của …": not a request
            if x := _cut(t[m.start("x"):m.end("x")], stop=True, max_words=30):
                return _restore(text, x)
            break
    m = r["addr_resp"].search(t)
    if m and (x := _cut(t[m.start("x"):m.end("x")], stop=False, max_words=60)):
        return _restore(text, x)
    if fallback and (x := _cut(t, stop=True, max_words=30)):
        after = t[len(x):].split()[:1]
        if not (after and after[0] in r["report_markers"]):  # "UBND huyện đã …" reports, not asks
            return _restore(text, x)
    return None


_REPORTED = re.compile(r"(?:\b(?:đã|từng|được|theo|của|có)\s+(?:kính\s+)?(?:đề nghị|kiến nghị|đề xuất|giao|yêu cầu)"
                       r"(?:\s+với)?\s*)$")


ORGS = DATA_DIR / "organisations.yaml"


@lru_cache(maxsize=1)
def _named_org() -> re.Pattern:
    """An agency head and a department name from organisations.yaml ("sở xây dựng",
    "phòng tài chính - kế hoạch"), lower case."""
    with open(ORGS, encoding="utf-8") as fh:
        org = yaml.safe_load(fh)
    heads = sorted((h.lower() for h in org["agency_heads"]), key=len, reverse=True)
    names = sorted((n.lower() for n in org["department_names"]), key=len, reverse=True)
    return re.compile(r"(?:các\s+)?(?:" + "|".join(map(re.escape, heads)) + r")\s+(?:"
                      + "|".join(map(re.escape, names)) + r")\b")


def _reported(t: str, x_start: int) -> bool:
    return bool(_REPORTED.search(t[max(0, x_start - 40):x_start]))


def is_organisation(x: str) -> bool:
    """An addressee names a whole body: it starts with an organisation word, and a head
    that needs a name ("Sở", "Bộ", "Phòng", "Ban" …) has one; a fragment ending on a
    connector is refused."""
    r = rules()
    low = x.lower().strip()
    if not low or not r["org"].match(low):
        return False
    if low in r["needs_name"] or re.search(r"(?:\s|^)(?:và|các|của|cùng|với|để|hoặc)$", low):
        return False
    return True


def _stop(x: str, pos: int = 0) -> re.Match | None:
    """The first stop word (a verb or connector that ends a unit's name) in lower-cased `x`;
    a name word right after a head that needs a name is that name ("Ban Chỉ đạo … phối hợp")."""
    r = rules()
    m = r["stop"].search(x, pos)
    if m and x[:m.start()].strip() in r["needs_name"] and m.group(0).strip() in r["name_words"]:
        return r["stop"].search(x, m.end())
    return m


def _cut(x: str, stop: bool, max_words: int = 15) -> str | None:
    x = re.split(r"[;:.(]", x, maxsplit=1)[0]
    named = _named_org().match(x)  # "Sở Xây dựng": a known name is not cut at "xây dựng"
    if stop and (m := _stop(x, named.end() if named else 0)):
        x = x[: m.start()]
    x = x.strip(" ,;-–")
    x = re.sub(r"(?:[\s,]+(?:và|các|của|cùng|với|để))+$", "", x)  # a dangling connector
    if x and len(x.split()) <= max_words and is_organisation(x):
        return x
    return None


def _restore(text: str, x: str) -> str:
    """`x` was cut from a copy whose first letter was lower-cased: give it its case back."""
    t = " ".join(text.replace("*", " ").split())
    k = t.lower().find(x.lower())
    return t[k:k + len(x)] if k >= 0 else x


def _is_label(text: str) -> bool:
    """A paragraph that only announces a category or an addressee ("Hạn chế:", "Đối với
    UBND các xã:"): short, no sentence end."""
    t = text.strip(" *_#").lstrip("-–+• ").strip(" *_")
    if re.search(r"[.;,]\s*$", t) or not (len(t) <= rules()["label_max"] or t.endswith(":") and len(t) <= 120):
        return False
    return bool(heading_category(t) or addressee_from_heading(t.rstrip(":"), strict=True))


def _category_lead_in(body: str) -> bool:
    """A numbered line that only names the category or the subject of what follows ("3. Nguyên
    nhân của những kết quả đạt được và hạn chế:", "b) Những khó khăn, vướng mắc:", "2. Đối với
    các đoàn kiểm tra do Bộ Nội vụ chủ trì:"): a heading."""
    t = " ".join(body.replace("*", " ").replace("_", " ").split())
    return t.endswith(":") and len(t.split()) <= 40 and not re.search(r"[.;!?]\s", t) \
        and (heading_category(t) in ("strength", "limitation", "cause")
             or fold(t.lower()).startswith("doi voi "))  # a scan may lose the marks ("Đôi với")  # "V.2. Đối với các đoàn kiểm tra do …:"


_INLINE_LABEL = re.compile(r"^[-–+•*\s]*(?P<label>[^:;.]{2,40}?)\s*:\s*\S")


def inline_label(text: str) -> tuple[str, str] | None:
    """"Hạn chế: việc niêm yết …" -> (limitation, "Hạn chế"): a category named at the start
    of the paragraph itself."""
    m = _INLINE_LABEL.match(text)
    if m and (cat := heading_category(m.group("label"))) and cat not in rules()["weak"]:
        # a weak one ("Về triển khai mạng chuyên dùng: …") names a topic, like a weak label line
        return cat, m.group("label").strip(" *_")
    return None


def assignment(text: str) -> str | None:
    """The organisation the paragraph gives a task to: "Giao Sở Tư pháp chủ trì …", "…, giao
    Trung tâm …", "Chủ tịch UBND tỉnh giao Công an tỉnh …", "Yêu cầu: Hội A, Hội B …";
    None for a reported assignment ("đã giao", "nhiệm vụ được giao")."""
    t = " ".join(text.replace("*", " ").split()).lstrip("-+•– ").lower()
    for m in rules()["assign"].finditer(t):
        if re.search(r"\b(?:đã|được|từng|theo|của|sẽ)\s+$", t[max(0, m.start("v") - 12):m.start("v")]):
            continue
        if x := _cut(m.group("x"), stop=True, max_words=60):
            return _restore(text, x)
    return None


# The duty a lead-in announces for its unit ("X có trách nhiệm:", "X có nhiệm vụ sau:").
_DUTY_TAIL = re.compile(r"\s+(?:có|chịu)\s+(?:trách\s+nhiệm|nhiệm\s+vụ)(?:\s+(?:thực hiện|triển khai))?"
                        r"(?:\s+(?:các|những)\s+(?:nhiệm vụ|nội dung|công việc|việc))?(?:\s+(?:sau|sau đây|như sau))?$",
                        re.IGNORECASE)


def _addressee_only(heading: str) -> str | None:
    """A heading or lead-in line that only names who the items below are for ("Giao Sở Tư
    pháp:", "Các hiệp hội và doanh nghiệp CNTT:", "Vụ Công nghệ thông tin:"): the name."""
    h = " ".join(heading.replace("*", " ").split()).strip(" .:-–+•")
    if not h or len(h) > 300 or re.search(r"[.!?]", h.rstrip(".")):
        return None
    body = re.sub(r"^(?:giao|yêu cầu|đối với)\s*:?\s+", "", h, flags=re.IGNORECASE)
    if heading.rstrip(" *_").endswith(":"):
        body = _DUTY_TAIL.sub("", body)
    elif heading.rstrip(" *_").endswith(";") and _DUTY_TAIL.search(body.rstrip(" ;")):
        body = _DUTY_TAIL.sub("", body.rstrip(" ;"))  # "X có trách nhiệm;": ";" typed for ":"  # "1. Bộ Nội vụ có trách nhiệm:" names its unit as well
    # "(sau đây gọi là Bộ, ngành)" defines a short name; it is not part of the name
    body = re.sub(r"\s*\((?:sau đây|dưới đây|viết tắt|gọi tắt)[^)]*\)", "", body, flags=re.IGNORECASE)
    # nor is an alias in parentheses ("Sở Thông tin và Truyền thông (Sở TT&TT)")
    body = re.sub(r"\s*\(([^()]*)\)", lambda m: "" if is_organisation(m.group(1)) else m.group(0), body)
    parts = [re.sub(r"\([^)]*\)", "", p).strip(" ,") for p in body.split(";")]
    if all(p and is_organisation(p) and not _stop(" " + p.lower()) for p in parts):
        return body
    return None


def _normative(doc_type: str | None) -> bool:
    """A text that lays down rules (decree, decision, circular, guide), not a resolution or
    an order (see `normative_not` in findings.yaml)."""
    raw = rules()["raw"]
    return doc_type in LEGAL_TYPES | set(raw["prescribing"]["doc_types"]) and doc_type not in raw["normative_not"]


def list_lead_in(t: str) -> bool:
    """A line that only opens the list below it ("Trong Nghị định này, các từ ngữ dưới đây được
    hiểu như sau:", "… phải bảo đảm các nguyên tắc sau:", "Hồ sơ gồm:"): it ends with a
    formula that announces what follows, is one sentence and states no figure ("Nội dung văn
    bản là …. Nội dung văn bản phải bảo đảm các yêu cầu sau:" defines first). In a normative
    text the rule is in the items; the line itself lays down nothing."""
    plain = " ".join(t.replace("*", " ").replace("_", " ").split()).lstrip("-–+• ").lower()
    if not plain.endswith(":") or re.search(r"\d|[.;!?]\s", plain) or rules()["list_lead_in_act"].match(plain):
        return False  # "Phê duyệt thành viên Tổ …, gồm các ông (bà) có tên sau đây:" is the act itself
    return bool(rules()["list_lead_in"].search(plain))


def announcing_label(t: str) -> bool:
    """A line that only names what the items below it are about ("Kết quả ứng dụng công
    nghệ thông tin tại các xã:", "Tiến độ thu ngân sách theo kế hoạch được giao:"): it ends
    with ":", is one short clause and says nothing of its own (no tense, aspect or copula,
    no request, task or addressee). Lead-ins with a verb ("… như sau:") are left alone."""
    plain = " ".join(t.replace("*", " ").replace("_", " ").split()).lstrip("-–+• ")
    if not plain.endswith(":") or len(plain) > 400 or len(plain.split()) > 30 or re.search(r"[.;!?]\s", plain):
        return False
    low = plain.rstrip(" :").lower()
    if rules()["announce_not"].search(low) or re.search(r"\d+(?:[.,]\d+)*\s*%|\d{1,3}(?:\.\d{3})+", low):
        return False
    cue = cue_category(plain)
    return not (assignment(plain) or addressee_from_item(plain) or cue and cue[0] in ("direction", "responsibility"))


def asks(t: str) -> str | None:
    """The organisation a present request of this document is made to ("Bộ Công an đề nghị
    các Bộ, Ủy ban nhân dân các tỉnh triển khai một số nội dung sau:"), or None. A lead-in
    or a basis line that asks is the document's request, not its frame."""
    if past_request(t):
        return None
    cue = cue_category(t)
    if cue and cue[0] == "recommendation":
        return addressee_from_item(t)
    return None


def frame_reason(t: str, before_body: bool, following: str = "") -> str | None:
    """Why a paragraph is part of the document's frame, not a finding: a lead-in formula
    ("… kết luận và chỉ đạo như sau:"), a legal-basis line ("Căn cứ …;", "Theo đề nghị của …"),
    a closing formula ("… thông báo để các cơ quan biết, thực hiện./."), a subject line."""
    r = rules()
    low = " ".join(t.replace("*", " ").replace("_", " ").split()).lstrip("-+•– ").lower()
    if r["subject_line"].match(low) and (before_body or low.startswith("v/v")):
        return "subject"
    if low.startswith(r["recipients"]):
        return "recipients"
    if r["frame_lead_in"].search(low) and low.startswith(r["frame_openers"]) and not asks(t):
        return "lead-in"
    enacting = re.fullmatch(r"[\s*_#]*(?:QUYẾT ĐỊNH|CHỈ THỊ|QUYẾT NGHỊ|KẾT LUẬN)\s*:?[\s*_]*", following or "")
    if low.startswith(r["basis"]) and (before_body or enacting or not low.rstrip().endswith(".")) \
            and not assignment(t) and not asks(t):
        return "basis"
    if r["closing"].match(low) and not re.search(r"\b(?:đề nghị|yêu cầu|kiến nghị)\b", low) and not assignment(t):
        return "closing"
    if r["closing_thanks"].search(low) or r["closing_summary"].match(low):
        return "closing"
    return None


def _task_item(text: str) -> bool:
    """Does the item open with a task verb ("Chủ trì, phối hợp …", "Định kỳ hằng quý báo cáo …")?"""
    t = " ".join(text.replace("*", " ").split()).lstrip("-+•– ").lower()
    t = re.sub(r"^[a-zđ0-9]{1,3}[.)]\s+", "", t)
    if re.match(r"thực hiện (?:các )?(?:quyết định|công văn|kế hoạch|chỉ thị|nghị quyết|nghị định|thông tư|"
                r"văn bản|ý kiến|chỉ đạo|công điện|hướng dẫn|thông báo)", t):
        return False  # "Thực hiện Quyết định số …, …": a circumstance, not a task
    return bool(rules()["task"].match(t))


def is_plan(ctx) -> bool:
    """A plan (kế hoạch, chương trình, đề án): by its type, or by the code of its number
    ("Số: …/KH-UBND") when the title line was not read (a scan)."""
    p = rules()["raw"]["plan"]
    if ctx.meta.get("doc_type"):
        return ctx.meta["doc_type"] in p["doc_types"]
    codes = "|".join(map(re.escape, p["number_codes"]))
    rx = re.compile(r"\bSố\s*:?\s*\S{0,12}/(?:" + codes + r")-")
    if ctx.meta.get("number_symbol"):
        return bool(rx.search("Số: " + ctx.meta["number_symbol"]))
    head = ctx.text[:ctx.meta.get("_header_end") or 0] or ctx.text[:600]
    return bool(rx.search(head))


def plan_role(heads: list[dict]) -> str | None:
    """"task", "target" or "status" by the nearest heading of a plan that names one of these
    kinds of section ("V. NHIỆM VỤ VÀ GIẢI PHÁP", "III. MỤC TIÊU", "I. HIỆN TRẠNG"), or None."""
    for a in heads:
        h = fold(_low(a["heading"]))
        for role, rx in rules()["plan_heads"]:
            if rx.match(h):
                return role
    return None


def _plan_task(text: str, ocr: bool = False) -> bool:
    """Does the item open with a task verb, with no subject ("Đầu tư xây dựng …")? On a page
    read by OCR the verb is also matched without its marks and without the space after it
    ("Xây đựng các chính sách", "Xây dựngvà hoàn thiện")."""
    t = " ".join(text.replace("*", " ").split()).lstrip("-+•–\"“ ").lower()
    t = re.sub(r"^[a-zđ0-9]{1,3}[.)]\s+", "", t)
    if re.search(r"\s(?:là|có vai trò)\s", re.split(r"[,;.:]", t, maxsplit=1)[0]):
        return False  # "Xây dựng CSDL là nội dung quan trọng …": a statement about the task
    return bool(rules()["plan_task"].match(t) or ocr and _ocr_task_verb().match(fold(t)))


@lru_cache(maxsize=1)
def _ocr_task_verb() -> re.Pattern:
    """The task verbs of a plan without marks, of two words or more (a one-word verb without
    its marks is too often another word: "đưa"/"dựa"), the spaces in and after them optional
    ("Làmtốt công tác …")."""
    raw = rules()["raw"]
    verbs = {fold(v) for v in set(raw["directive"]["task_verbs"]) | set(raw["plan"]["task_verbs"]) if " " in v}
    return re.compile(r"(?:" + "|".join(re.escape(v).replace(r"\ ", " ?") for v in sorted(verbs, key=len, reverse=True))
                      + r")")


def analyze(ctx) -> None:
    sections = sorted(ctx.rows.get("sections", []), key=lambda s: s["start"])
    by_id = {s["id"]: s for s in sections}
    findings = collect(ctx, sections)
    link(ctx, findings, by_id)


def collect(ctx, sections: list[dict]) -> list[dict]:
    """Finding spans in reading order, each with its section, own item section, and the
    label (category, addressee) in force where it stands."""
    text = ctx.text
    us = units(ctx)
    z = zones(ctx)
    by_start = {s["start"]: s for s in sections}
    by_id = {s["id"]: s for s in sections}
    heading_starts = {s["heading_start"] for s in sections}
    findings = []
    label = None  # (category, basis) from a label paragraph, reset at each heading
    label_addr = None
    label_in = None  # the numbered lead-in item that set the label: it holds only inside it
    current_section = None
    header_end = ctx.meta.get("_header_end", 0)
    preamble = tuple(srules()["preamble_openers"])
    legal = ctx.meta.get("doc_type") in LEGAL_TYPES
    normative = _normative(ctx.meta.get("doc_type"))
    after_lead_in = False  # a list's lead-in was skipped: lower-case lines after it are its items
    # A directive document (or one whose lead-in directs: "… kết luận và chỉ đạo như sau:")
    # gives orders: its operative items are directions.
    doc_directive = ctx.meta.get("doc_type") in rules()["raw"]["directive"]["doc_types"]
    directive = False
    asked = None  # after a lead-in that asks ("… đề nghị các Bộ … thực hiện một số nội dung sau:"): whom
    asked_in = None  # the section of that lead-in: the request ends where the section does
    recipients = False  # inside a "Kính gửi:" block
    # A line printed many times (a running heading, a repeated chart title) is layout.
    seen = Counter(_low(text[u["start"]:u["end"]]) for u in us
                   if u["kind"] != "table" and u["end"] - u["start"] <= 200)
    repeat_min = rules()["raw"]["not_prose"]["repeated_min"]
    attached = ctx.meta.get("_attached")  # a programme, rules … issued with the decision: its own type
    for i in list(range(0, z["closing"])) + list(range(z["appendix"], len(us))):
        u = us[i]
        if u["end"] <= header_end:
            continue
        if attached and u["start"] >= attached["start"]:
            normative = _normative(attached["doc_type"])
        if u["kind"] == "table":
            if i >= z["first_section"] and not re.search(r"\bNơi nhận\b", text[u["start"]:u["end"]]):
                for cs, ce in sentence_cells(text, u["start"], u["end"]):
                    findings.append({"start": cs, "end": ce, "text": text[cs:ce], "_section": current_section,
                                     "_own": None, "_label": label, "_label_addr": label_addr,
                                     "_directive": directive})
            continue
        s, e = max(u["start"], header_end), u["end"]  # a unit may hold the header's tail
        s = _strip(text, s, e)[0]
        utext = text[s:e]
        directive = directive or doc_directive and i >= z["first_section"]
        if recipients:  # the items of a "Kính gửi:" block: short, ";"-separated names
            plain = utext.strip(" *_-–+•")
            if len(plain.split()) <= 20 and not plain.endswith(":"):
                recipients = not plain.endswith(".")
                continue
            recipients = False
        nxt = text[us[i + 1]["start"]:us[i + 1]["end"]] if i + 1 < len(us) else ""
        if (why := frame_reason(utext, i < z["first_section"], nxt)) is not None:
            recipients = why == "recipients" and len(utext.split()) <= 4
            if why == "lead-in" and rules()["lead_in"].search(_low(utext) + ":"):
                directive = True
            continue
        if i < z["first_section"]:
            plain = utext.lstrip("#*_ ")
            if legal or _is_upper(plain) or len(plain) < 40 or (plain.startswith(preamble) or re.search(
                    r"(như sau|sau đây)\s*:\s*[*_]*$", plain)) and not asks(plain):
                continue  # preamble ("Căn cứ …", "QUYẾT ĐỊNH:"): context, not a finding
            if re.match(r"[-–+•]\s", plain) and _addressee_only(plain.rstrip(" ;.")):
                continue  # "- Ủy ban nhân dân các tỉnh, thành phố …;": a recipient (its "Kính gửi:" in the header)
        sec = by_start.get(s)
        if sec is None and s in heading_starts:
            continue  # the title line of a bare "Chương I" / "PHẦN II" above it
        if sec is not None:
            current_section = sec
            if asked and not _within(sec, asked_in, by_id):
                asked = None  # "2. Tình hình chung" after the request of "1.": not asked of anyone
            if label_in is not None and not _within(sec, label_in, by_id):
                # "3.2. Các sở có trách nhiệm:" speaks for its own dash items, not for "3.3."
                label, label_addr, label_in = None, None, None
            num = numbering(utext)
            # A numbered heading that is only a heading carries no finding.
            body = utext[num[2] if num else 0:]
            if _blank_field(body.strip(" *_")) or names_documents(body):
                continue  # a form field; "c) Phiếu đánh giá … hằng năm.": an item of a list of papers
            if not _is_item(text, sec, e) or _addressee_only(body) or _is_upper(body.strip(" *_:")) \
                    or _category_lead_in(body) \
                    or not directive and (announcing_label(body) or normative and list_lead_in(body)):
                label, label_addr = None, None
                after_lead_in = body.rstrip(" *_").endswith(":")
                continue
            s = _after_number(text, s, num[2] if num else 0)
        else:
            if _is_label(utext) or utext.rstrip(" *_").endswith(":") and _addressee_only(utext):
                cat = heading_category(utext)
                if cat and cat not in rules()["weak"]:  # "* Chỉ đạo giải quyết:" names a step, not a category
                    label = (cat, f"label:{utext.strip(' *_')}")
                elif re.match(r"[-–+•*\s]*(?:giao|yêu cầu)\b", utext, re.IGNORECASE):
                    label = ("direction", f"label:{utext.strip(' *_')}")
                addr = addressee_from_heading(utext.rstrip(": "), strict=True) or _addressee_only(utext)
                if addr:
                    label_addr = addr
                label_in = current_section
                continue
            if u["kind"] == "heading" and len(utext) < 200 and not re.search(r"[.;]\s*$", utext):
                continue  # an unnumbered heading line
            nxt = text[us[i + 1]["start"]:us[i + 1]["end"]] if i + 1 < len(us) else ""
            if not_prose(utext, nxt):
                continue
            if not directive and announcing_label(utext):
                continue  # "Hiện trạng hạ tầng mạng tại các xã:" names the topic of what follows
            if utext.rstrip(" *_").endswith(":") and len(utext.split()) < 8 and not re.search(r"\d", utext) \
                    or normative and not directive and list_lead_in(utext) \
                    or _category_lead_in(re.sub(r"^[-–+•]?\s*(?:[\dIVX]{1,4}[.)]|[a-zđ][.)])?\s*", "", utext.strip(" *_"))):
                after_lead_in = True
                continue  # a short lead-in ("Kết quả cụ thể như sau:") says nothing itself
            # A paragraph cut by a page break (or a scan's line break) continues the previous
            # finding: it starts in lower case, or the previous one is one printed line that
            # stopped at a comma.
            first = utext.lstrip("*_ ")[:1]
            if findings and not after_lead_in and not findings[-1]["text"].rstrip(" *_").endswith(":") \
                    and findings[-1]["_section"] is current_section and (
                    first.islower() or _cut_line(findings[-1]["text"]) and not re.match(r"[-–+•*\d(]", first)
                    and ctx.read_by_ocr(s)):  # a text layer keeps its paragraphs
                prev = findings[-1]
                prev["end"] = e
                prev["text"] = text[prev["start"]:e]
                continue
        if seen[_low(utext)] >= repeat_min:
            continue  # the same line again and again: a running heading, not a finding
        if _under_basis(by_id.get(sec["parent_id"]) if sec is not None else current_section, by_id):
            continue  # "CĂN CỨ XÂY DỰNG KẾ HOẠCH": its items are the legal basis
        s, e = _strip(text, s, e)
        if re.match(r"[-+•–]\s", text[s:e]):  # a bullet is layout, not content
            s, e = _strip(text, s + 1, e)
        if e <= s:
            continue
        ftext = text[s:e]
        row = {"start": s, "end": e, "text": ftext, "_section": current_section,
               "_own": sec, "_label": label, "_label_addr": label_addr, "_directive": directive,
               "_asked": asked}
        findings.append(row)
        after_lead_in = False
        if ftext.rstrip("* ").endswith(":") and (x := asks(ftext)):
            asked, asked_in = x, sec if sec is not None else current_section  # the items below are asked of X
        if ftext.rstrip("* ").endswith(":") and (rules()["lead_in"].search(_low(ftext) + ":") or assignment(ftext)):
            directive = True  # "1. … Giao Trung tâm X:" opens an operative part
        # A lead-in paragraph ending with ":" that announces a category labels what follows
        # (numbered items included), and so does the body it addresses.
        if ftext.rstrip("* ").endswith(":"):
            cue = _announced(ftext) or cue_category(ftext)
            if cue and cue[0] in ("limitation", "strength", "cause", "recommendation", "direction"):
                label = (cue[0], f"label:{cue[1]}")
                if cue[0] in ("recommendation", "direction"):
                    label_addr = assignment(ftext) or addressee_from_item(ftext) or label_addr
                label_in = sec if sec is not None else current_section
            elif cue and cue[0] == "responsibility" and (x := addressee_from_item(ftext)):
                label_addr = x  # "Sở X chịu trách nhiệm chủ trì …:": the tasks below are Sở X's
                label_in = sec if sec is not None else current_section
    return findings


_CELL_SEP = " | "
_INDICATOR = re.compile(r"(?:tỷ lệ|số lượng|số liệu|tổng số|số|chỉ số|chỉ tiêu|điểm)\b", re.IGNORECASE)


def sentence_cells(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Spans of the table cells between s and e that are sentences (a finding written in
    a table: "Hạn chế" | "Tỷ lệ … còn thấp."): long enough and ending like a sentence, or
    very long. Labels, numbers and short names are not."""
    out = []
    pos = s
    for line in text[s:e].split("\n"):
        k = pos
        cells = line.split(_CELL_SEP)
        # A row with a figure is an indicator row: its long cell names the indicator.
        stats = any(re.fullmatch(r"[\d.,%/\s()+-]*\d[\d.,%/\s()+-]*", c.strip()) for c in cells)
        for cell in cells:
            a, b = _strip(text, k, k + len(cell))
            c = text[a:b]
            words = len(re.findall(r"[^\W\d_]{2,}", c))
            if not stats and words >= 12 and re.search(r"[.;…!?]$", c) and not _INDICATOR.match(c) \
                    and not is_chart_residue(c):
                out.append((a, b))
            k += len(cell) + len(_CELL_SEP)
        pos += len(line) + 1
    return out


def _ancestors(sec: dict | None, by_id: dict):
    """`sec` and the sections above it, innermost first."""
    while sec is not None:
        yield sec
        sec = by_id.get(sec["parent_id"])


def _within(sec: dict | None, outer: dict | None, by_id: dict) -> bool:
    """Is `sec` the section `outer` or under it? Everything is under no section."""
    return outer is None or any(a is outer for a in _ancestors(sec, by_id))


def _cut_line(t: str) -> bool:
    """One printed line that stops at a comma: no sentence ends in it and it is short."""
    t = t.rstrip(" *_")
    return t.endswith(",") and 5 <= len(t.split()) <= 20 and not re.search(r"[.;:!?]\s", t)


def _blank_field(plain: str) -> bool:
    """A short form field that ends in a dotted leader to fill in by hand."""
    # Only the tail is searched: a long run of dots not at the end would make the search quadratic.
    return len(plain.split()) <= 15 and bool(re.search(r"(?:\.{5,}|…{3,}|[.…]{6,})\s*$", plain[-40:]))


def _under_basis(sec: dict | None, by_id: dict) -> bool:
    """Is `sec` (or a section above it) the document's legal basis ("CĂN CỨ LẬP KẾ HOẠCH",
    "Cơ sở pháp lý")?"""
    heads = rules()["basis_headings"]
    return any(heads.match(_low(a["heading"])) for a in _ancestors(sec, by_id))


def not_prose(utext: str, following: str = "") -> str | None:
    """Why an unnumbered paragraph is not prose, or None: chart residue (numbers without
    words), a caption ("Biểu đồ 2: …", "Bảng 3. …", a note in parentheses), or a heading
    line printed as a paragraph (short, no final punctuation, and the next paragraph
    does not continue it in lower case)."""
    plain = utext.strip(" *_#\n")
    if is_chart_residue(plain):
        return "chart"
    if not re.search(r"[^\W\d_]", plain):
        return "blank"  # a dotted line to fill in by hand
    if _blank_field(plain):
        return "blank"  # "Người cung cấp thông tin: ……………": a form field to fill in
    if rules()["caption"].match(plain):
        return "caption"
    if plain.startswith("(") and plain.rstrip(" .").endswith(")") and plain.count("(") == 1:
        return "caption"
    if re.search(r"(?:^|\s)\|(?:\s|$)", plain) and not re.search(r"[.;…!?]$", plain):
        return "table"  # a table row read as text (a scan): cells, not a sentence
    if re.match(r"[-+•–]?\s*Về\s", plain) and len(plain.split()) <= 8 and plain.endswith(".") \
            and not re.search(r"\b(?:" + "|".join(rules()["raw"]["not_prose"]["clause_markers"]) + r")\b", plain):
        return "heading"  # "- Về tư tưởng chính trị." names the topic of what follows
    if _is_upper(plain) and len(plain.split()) <= 30:
        return "heading"  # "NHIỆM VỤ TRỌNG TÂM THÁNG 12:" printed as a paragraph
    if re.fullmatch(r"\w{1,2}(?:\s*[-+×*/=]\s*\w{1,2})+\s*=?", plain) or re.match(r"[a-zđ]\d?\s+(?:là|=)\s", plain):
        return "formula"  # "a + b + c", and its legend "a là điểm …" after "Trong đó:"
    if names_documents(plain):
        return "inventory"  # "- Biên bản cuộc họp …;": an item of a list of papers, no sentence
    if re.match(r"[-+•–]\s", plain) or re.search(r"[.;:…!?,]$", plain):
        return None
    np = rules()["raw"]["not_prose"]
    if len(plain.split()) <= np["heading_max_words"] and not re.search(
            r"\b(?:" + "|".join(np["clause_markers"]) + r")\b", plain.lower()) \
            and not plain[:1].islower() and not following.lstrip("*_ ")[:1].islower():
        return "heading"
    return None


def names_documents(t: str) -> bool:
    """A line that only names papers, files or software ("Phiếu đánh giá viên chức hằng năm.",
    "Công văn số 12/STC-NS ngày … về việc …;", "Các văn bản khác có liên quan (nếu có)."): it
    opens with a document noun, and no predicate follows (a title after "về việc" and
    a note in parentheses do not count). "Văn bản này áp dụng đối với …" is a sentence."""
    np = rules()["raw"]["not_prose"]["inventory"]
    low = " ".join(t.split()).lower().lstrip("-–+•* ")
    low = re.sub(r"\([^)]*\)|\b(?:về việc|v/v)\b.*$", "", low)
    if len(low.split()) > np["max_words"] or not re.match(r"(?:các |những |một số )?(?:"
                                                          + "|".join(np["document_nouns"]) + r")\b", low):
        return False
    return not re.search(r"\b(?:" + "|".join(np["predicate_words"]) + r")\b", low)


def type_flags(doc_type: str | None, plan: bool | None = None) -> tuple[bool, bool, bool, bool]:
    """(report, prescribes, plan, normative) of a text of this type."""
    raw = rules()["raw"]
    prescribes = doc_type in LEGAL_TYPES | set(raw["prescribing"]["doc_types"])
    if plan is None:
        plan = doc_type in raw["plan"]["doc_types"]
    return doc_type in raw["reporting"]["doc_types"], prescribes, plan, _normative(doc_type)


def link(ctx, findings: list[dict], by_id: dict) -> None:
    """Classify each finding, store it, and link the citations and figures inside it."""
    text = ctx.text
    citations = sorted(ctx.rows.get("citations", []), key=lambda c: c["start"])
    figures = sorted(ctx.rows.get("figures", []), key=lambda c: c["start"])
    cit_starts, fig_starts = [c["start"] for c in citations], [f["start"] for f in figures]
    this_type = type_flags(ctx.meta.get("doc_type"), plan=is_plan(ctx))
    attached = ctx.meta.get("_attached")  # a programme, rules … issued with this decision
    issued = type_flags(attached["doc_type"]) if attached else this_type
    for f in findings:
        report, prescribes, plan, normative = issued if attached and f["start"] >= attached["start"] else this_type
        sec = f.pop("_section")
        cat, basis, topic, addr = classify(f["text"], sec, by_id, f.pop("_label"), f.pop("_label_addr"),
                                           own=f.pop("_own"), text=text, directive=f.pop("_directive", False),
                                           report=report, asked=f.pop("_asked", None), prescribes=prescribes,
                                           plan=plan, normative=normative, ocr=ctx.read_by_ocr(f["start"]))
        row = {"id": ctx.new_id("findings"), "document_id": ctx.document_id,
               "section_id": sec["id"] if sec else None, "category": cat, "basis": basis,
               "topic": topic, "addressee": addr, "text": f["text"],
               **ctx.provenance(f["start"], f["end"])}
        ctx.add("findings", row)
        for c in _inside(citations, cit_starts, f["start"], f["end"]):
            ctx.add("finding_citations", {"finding_id": row["id"], "citation_id": c["id"],
                                          "document_id": ctx.document_id})
        for g in _inside(figures, fig_starts, f["start"], f["end"]):
            ctx.add("finding_figures", {"finding_id": row["id"], "figure_id": g["id"],
                                        "document_id": ctx.document_id})


def classify(ftext: str, sec: dict | None, by_id: dict, label, label_addr, own=None, text="",
             directive: bool = False, report: bool = False, asked: str | None = None,
             prescribes: bool = False, plan: bool = False, normative: bool | None = None, ocr: bool = False):
    """(category, basis, topic, addressee) of the finding `ftext` inside section `sec`;
    `own` is the numbered item section the finding is (skipped as a heading); `directive`:
    the finding stands in the operative part of a document that gives orders; `report`:
    the document reports (a Báo cáo), so what it tells of is past work; `asked`: the
    finding stands among the items of a request made to that organisation; `prescribes`: a
    legal or normative text (decree, decision, regulation, guide), which states rules and
    criteria, never results achieved; `plan`: a plan, whose task sections state its own tasks;
    `normative` (default: `prescribes`): its cue words inside rules and criteria decide nothing."""
    normative = prescribes if normative is None else normative
    # innermost first; the finding's own item section is no heading above it
    heads = [a for a in _ancestors(sec, by_id) if a is not own]
    strong = weak = None
    topic = None
    addr_heading = None
    for a in heads:
        cat = heading_category(a["heading"])
        if cat and cat not in rules()["weak"]:
            strong = strong or (cat, a)
        elif cat:
            weak = weak or (cat, a)
        hint = addressee_from_heading(a["heading"]) or _addressee_only(_heading_line(a, text))
        if hint and addr_heading is None:
            addr_heading = hint
        if hint and strong is None and re.match(r"(?:giao|yêu cầu)\b", a["heading"].strip(" *_").lower()):
            strong = ("direction", a)  # "a) Giao Trung tâm X" over its dash items
        if topic is None and (not cat or cat in rules()["weak"]) and not hint \
                and _low(a["heading"]) not in rules()["generic"]:
            topic = a["heading"].strip(" :")
    cue = cue_category(ftext)
    silenced = None
    if normative and not directive and cue and cue[0] in rules()["raw"]["normative_silent_cues"]:
        # a rule's words ("tổng hợp khó khăn, vướng mắc"): the heading above still decides
        silenced, cue = cue, None
    inline = inline_label(ftext)
    if inline:
        cat, basis = inline[0], f"label:{inline[1]}"
    elif label:
        cat, basis = label
    elif strong:
        cat, basis = strong[0], f"heading:{_basis(strong[1], text)}"
    elif cue:
        cat, basis = cue[0], f"cue:{cue[1]}"
    elif weak and not directive and (report or _reports_done(ftext)) and _directs(ftext):
        # A report's "Công tác chỉ đạo, điều hành": the steering it tells of is work done,
        # not an order this document gives.
        cat, basis = "strength", f"done:{_basis(weak[1], text)}"
    elif weak and (_directs(ftext) or "tổ chức thực hiện" in weak[1]["heading"].lower()):
        cat, basis = weak[0], f"heading:{_basis(weak[1], text)}"
    elif not directive and not prescribes and not (plan and plan_role(heads) in ("task", "target")) \
            and (m := achievement(ftext)):  # a plan's "100 %" under its tasks or targets is a target
        cat, basis = "strength", f"cue:{m}"
    else:
        cat, basis = "other", f"normative:{silenced[1]}" if silenced else "default"
    if directive and cat != "direction" and not inline and not (label and label[0] != "direction"):
        # The operative part of a conclusion / directive / letter: a task is a direction.
        execution = any("tổ chức thực hiện" in a["heading"].lower() for a in heads)
        task = _task_item(ftext)
        if cat == "responsibility" and (execution or basis.startswith("heading:")):
            pass  # "Điều 3. … chịu trách nhiệm thi hành", "Tổ chức thực hiện": a duty
        elif task or cat == "responsibility" and basis.startswith("cue:") or cat == "other" and (
                _direction_addressee(ftext) or rules()["requirement"].search(ftext.lower())):
            cat, basis = "direction", "directive:" + ("task" if task else basis)
    if normative and not directive and basis.startswith(("cue:", "label:")) \
            and cat in rules()["raw"]["normative_silent_cues"]:
        # a rule's or criterion's words ("Hoàn thành tốt nhiệm vụ: đạt từ 70 điểm"), not a judgement
        cat, basis = "other", "normative:" + basis.split(":", 1)[1]
    elif normative and not directive and cat == "direction" and basis.startswith("heading:"):
        cat = "responsibility"  # "Điều 26. Tổ chức thực hiện" of a decree: the duties it lays down
    plan_addr = None
    if plan and not inline and not label and plan_role(heads) == "task" and (
            cat in ("other", "responsibility") or cat == "recommendation" and basis.startswith("heading:")
            # "Tiếp tục … tháo gỡ khó khăn …": a task names what it deals with, it judges nothing
            or cat in ("limitation", "cause") and basis.startswith("cue:") and _plan_task(ftext, ocr)
            # "1. Triển khai cơ chế một cửa" over "Tập trung chỉ đạo …": a topic, not an order to anyone
            or cat == "direction" and basis.startswith("heading:") and weak and strong is None):
        # A plan's own task: the issuer's (recommendation) unless a unit is named as its doer.
        if _plan_task(ftext, ocr):
            # "Tăng cường tuyên truyền …. Giao Sở Tư pháp chủ trì …": the item names its doer
            if (plan_addr := _plan_doer(ftext) or label_addr or addr_heading) or cat != "recommendation":
                cat, basis = ("direction" if plan_addr else "recommendation"), "plan:task"
        elif (x := _plan_doer(ftext)) and not re.match(
                r"\s*(?:\S+\s+){1,2}được\b", ftext[ftext.find(x) + len(x):]):
            # "Tất cả các xã xây dựng được mạng LAN": a result to reach, not a task given to them
            plan_addr = x
            cat, basis = "direction", "plan:doer"
        elif cat == "recommendation" and not cue and not rules()["requirement"].search(ftext.lower()):
            # "Sự chỉ đạo của Tỉnh ủy là yếu tố quyết định …": the reason the solutions are
            # given, no task, no doer, nothing asked
            cat, basis = "other", "plan:statement"
    elif plan and not inline and plan_role(heads) == "target" and (
            cat == "recommendation" and basis.startswith("heading:") and not label
            or cat in ("recommendation", "limitation", "cause", "strength") and basis.startswith(("cue:", "label:"))):
        # "3. Định hướng đến năm 2030", "Mục đích: … kịp thời phát hiện khó khăn …, đề xuất giải
        # pháp …": what the plan aims at; its words name what it will look for, they judge nothing
        cat, basis = "other", "plan:target"
    if asked and not directive and cat == "other":
        cat, basis = "recommendation", f"asked:{asked}"  # an item of what the lead-in asks
    if cat in ("recommendation", "direction") and (past := past_request(ftext)):
        # "UBND huyện đã đề nghị Sở …": what was asked before, reported; not a request
        # this document makes.
        cue = cue_category(ftext, exclude=("recommendation", "direction", "responsibility"))
        cat, basis = (cue[0], f"cue:{cue[1]}") if cue else ("other", f"past:{past}")
    addressee = None
    if basis.startswith("plan:"):
        addressee = plan_addr
    elif cat == "direction":
        # The subject is the addressee of an order, not of a report of one ("UBND huyện chỉ
        # đạo các cơ quan …" under "Công tác chỉ đạo").
        subject = directive or basis.startswith(("label:", "directive:", "cue:")) \
            or "tổ chức thực hiện" in basis.lower()
        addressee = _direction_addressee(ftext, subject) or label_addr or addr_heading
    elif cat in rules()["addr_categories"]:
        addressee = _reply_owner(ftext) or addressee_from_item(ftext) or label_addr or addr_heading
        # The paragraph's subject is its addressee in a request, a responsibility or a
        # directive list ("… yêu cầu:" then items, "Tổ chức thực hiện"), not in a report
        # of what was directed ("UBND huyện chỉ đạo các cơ quan …").
        directive = basis.startswith("label:") or "tổ chức thực hiện" in basis.lower() \
            or basis.startswith("cue:") and cat == "direction"
        if addressee is None and (cat != "direction" or directive):
            addressee = addressee_from_item(ftext, fallback=True)
        if addressee is None and basis.startswith("asked:"):
            addressee = asked
    if addressee:  # a lead-in "1. Bộ Nội vụ có trách nhiệm:" passes its unit, not its verb
        addressee = re.sub(r"\s+(?:có|chịu)\s+trách\s+nhiệm\s*$", "", addressee) or None
    return cat, basis, topic, addressee


def _plan_doer(text: str) -> str | None:
    """The unit a plan's item names as its doer: as a direction names it, or after "Đối với"
    ("Đối với Công an tỉnh xây dựng kế hoạch …")."""
    if (x := _direction_addressee(text)) and is_organisation(x):
        return x
    t = " ".join(text.replace("*", " ").split()).lstrip("-+•– ")
    m = re.match(r"đối với\s+(?P<x>[^,;:.]+)", t, re.IGNORECASE)
    if m and (x := _cut(m.group("x").lower(), stop=True, max_words=20)) \
            and rules()["stop"].search(" " + m.group("x").lower()[len(x):]):  # a verb follows the unit
        return _restore(text, x)
    return None


def _direction_addressee(text: str, subject: bool = True) -> str | None:
    """Who a task is given to, in the paragraph itself: "Giao X …", "X: <task>", "X chủ trì …",
    "X chịu trách nhiệm …", or the subject ("Sở Y tế nghiên cứu …") when it is an organisation
    and the verb is not a report ("UBND huyện đã …"). Partners ("phối hợp với Z") never."""
    if x := assignment(text):
        return x
    t = " ".join(text.replace("*", " ").split()).lstrip("-+•– ")
    if x := _role_label(t):
        return x
    m = re.match(r"([^:;.]{2,120}?)\s*:\s+\S", t)
    if m and is_organisation(m.group(1)) and not rules()["stop"].search(" " + m.group(1).lower()):
        return m.group(1)
    low = t.lower()
    m = re.match(r"(?P<x>.+?)\s+chủ trì\b", low)
    if m and (x := _cut(m.group("x"), stop=True)):
        return _restore(text, x)
    m = rules()["addr_resp"].search(low)
    if m and (x := _cut(low[m.start("x"):m.end("x")], stop=False, max_words=60)):
        return _restore(text, x)
    # "Trong thời gian 03 tháng kể từ …, các hội hoàn thành …": the subject after a time clause
    # … or after the basis or purpose it acts on ("Căn cứ Kế hoạch …, các sở xây dựng …")
    clause = re.match(r"(?:trong|sau|trước|đến|từ|kể từ|chậm nhất|căn cứ|trên cơ sở|để|nhằm)\b[^,;.:]{0,120},\s+", low)
    for start in (0, clause.end() if clause else None):
        if subject and start is not None and (x := _cut(low[start:], stop=True, max_words=30)):
            after = low[start + len(x):].split()[:1]
            # "Chủ tịch UBND tỉnh xem xét, quyết định …": the authority giving the orders
            # acts itself; it is not their addressee.
            issuer = re.fullmatch(r"(?:(?:phó )?chủ tịch )?(?:ủy ban nhân dân|ubnd) (?:tỉnh|huyện|xã|thành phố|thị xã|"
                                  r"quận|phường|thị trấn)", x.lower())
            if not (after and after[0] in rules()["report_markers"]) and not issuer:
                return _restore(text, x)
    return None


# "Cơ quan chủ trì: Sở Tư pháp.", "Đơn vị phối hợp: Mời Ban Tổ chức Tỉnh ủy tham gia, …": the
# item names the unit after its role, not before it.
_ROLE = re.compile(r"(?:cơ quan|đơn vị|bộ phận)\s+(?:chủ trì|phối hợp|thực hiện|tham mưu|đầu mối)(?:\s+thực hiện)?"
                   r"\s*:\s*(?:mời\s+)?(?P<x>\S.*)", re.IGNORECASE)


def _role_label(t: str) -> str | None:
    """The unit a role label names ("Cơ quan chủ trì: Sở Tư pháp; …" -> "Sở Tư pháp"), or None."""
    m = _ROLE.match(t)
    x = m and re.sub(r"\s+tham gia\b.*", "", m.group("x").lower())  # "Mời X tham gia": X is invited
    # a unit's name may hold a stop word ("Ban Tổ chức Tỉnh ủy"): the label names units only
    if x and (x := _cut(x, stop=True, max_words=30) or _cut(x, stop=False, max_words=15)):
        return _restore(t[m.start("x"):], x)
    return None


_REPLY = re.compile(r"^[^.;:]*?\bcủa\s+(?P<x>[^.;:]+?)\s+(?:đề nghị|kính đề nghị)\s+(?:gửi|nộp|chuyển)\s+(?:về|đến|tới|cho)\b")


def _reply_owner(text: str) -> str | None:
    """Who must send the reply a letter asks for: "Văn bản góp ý của các sở, ngành đề nghị
    gửi về Sở Nội vụ …" -> "các sở, ngành" (where it goes is not the addressee)."""
    t = " ".join(text.replace("*", " ").split()).lstrip("-+•– ").lower()
    if not re.search(r"đề nghị (?:gửi|nộp|chuyển)", t):
        return None
    if (m := _REPLY.match(t)) and (x := _cut(m.group("x"), stop=True, max_words=40)):
        return _restore(text, x)
    return None


def past_request(text: str) -> str | None:
    """The reported request ("đã đề nghị", "đã giao") when the paragraph makes no request
    of its own ("Đề nghị Sở …", "giao Phòng …" at a clause start); else None."""
    t = " ".join(text.replace("*", " ").replace("_", " ").split()).lower().lstrip("-–+• ")
    past = rules()["past_request"].search(t)
    if not past:
        return None
    for m in rules()["ask"].finditer(t):
        if not _reported(t, m.end()):
            lead = m.group("lead")
            sentence = t[max(t.rfind(". ", 0, m.start()), t.rfind("; ", 0, m.start()), 0):m.start()]
            if not (lead or ",").startswith(",") or not re.search(r"\bđã\b", sentence):
                return None
    if re.search(r"(?:^|[.;:]\s+)(?:giao|yêu cầu)\s", t):
        return None
    return past.group(0)


def _announced(text: str) -> tuple[str, str] | None:
    """The category a lead-in announces in its last clause ("…, chủ yếu do một số nguyên
    nhân sau:" → cause), for the items below it."""
    tail = re.split(r"[.;,]\s+", text.rstrip(" *_:"))[-1]
    if m := re.search(r"\bnguyên nhân\b[^.;:]{0,30}\bsau$", tail.lower()):
        return "cause", m.group(0)
    return None


_TARGET = re.compile(r"\b(?:phấn đấu|mục tiêu|chỉ tiêu|dự kiến|sẽ|bảo đảm|đảm bảo|cần|phải|nếu)\b")


def achievement(text: str) -> str | None:
    """The words that state a result achieved ("đã tổ chức", "đạt 100%", "đúng hạn",
    "hoạt động ổn định"), or None. Not in a target, a condition or a need ("Phấn đấu 100%
    …", "cần bảo đảm kịp thời"), nor negated ("chưa kịp thời", "không đúng hạn")."""
    low = " ".join(text.lower().split())
    r = rules()
    found = [(m, False) for m in r["achievement"].finditer(low)] + [(m, True) for m in r["achievement_judged"].finditer(low)]
    bounds = [i for i, c in enumerate(low) if c in ".;:"]
    for m, judged in sorted(found, key=lambda p: p[0].start())[:50]:
        k = bisect.bisect_left(bounds, m.start())
        clause = low[bounds[k - 1] + 1 if k else 0:m.start()]
        head = low[max(0, m.start() - 30):m.start()]
        if judged and not r["judged_marker"].search(clause):
            continue
        # "Đến năm 2025 phấn đấu đạt các chỉ tiêu: 100% …": a target announced before the colon
        lead = low[max(low.rfind(".", 0, m.start()), low.rfind(";", 0, m.start())) + 1:m.start()]
        if _TARGET.search(clause) or ":" in lead and _TARGET.search(lead) \
                or re.search(r"\b(?:chưa|không|thiếu|chẳng)\s+(?:được\s+)?$", head):
            continue
        if re.match(r"\s*(?:số|tổng số|số lượng|tỷ lệ)\s", clause):
            continue  # "Số hồ sơ giải quyết đúng hạn là …": the name of a measure, not a judgement
        return m.group(0).strip()
    return None


def _reports_done(text: str) -> bool:
    """Does the paragraph tell of something done ("UBND tỉnh đã ban hành …"), rather than
    order it? A reported request ("đã đề nghị") is handled apart."""
    return bool(re.search(r"\bđã\b(?!\s+(?:đề nghị|kiến nghị|đề xuất))", text.lower()))


def _directs(text: str) -> bool:
    """Does the paragraph report or give direction (a directing verb), rather than only
    figures or a state of affairs (an appraisal's score statistics)?"""
    return bool(rules()["direction_verbs"].search(text.lower()))


def _heading_line(sec: dict, text: str) -> str:
    """The heading's whole line without its number (the stored heading is cut when long)."""
    if not text or sec.get("heading_start") is None:
        return sec["heading"]
    end = text.find("\n", sec["heading_start"])
    line = text[sec["heading_start"]:end if end >= 0 else len(text)]
    num = numbering(line)
    return line[num[2]:] if num else line


def _basis(sec: dict, text: str) -> str:
    """The heading as printed, number included ("1.2. Hạn chế", "a) Nguyên nhân")."""
    raw = text[sec["start"]:sec["heading_end"]] if text else sec["heading"]
    return " ".join(raw.replace("*", " ").replace("#", " ").split())


def _inside(rows: list[dict], starts: list[int], s: int, e: int) -> list[dict]:
    """Rows (sorted by start; `starts` their starts) whose span lies inside [s, e)."""
    i = bisect.bisect_left(starts, s)
    out = []
    while i < len(rows) and rows[i]["start"] < e:
        if rows[i]["end"] <= e:
            out.append(rows[i])
        i += 1
    return out


def _is_item(text: str, sec: dict, e: int) -> bool:
    """A numbered unit with a body: it ends like a sentence (. ; …) and is long enough to
    say something, or it is all its section holds; or it is a lead-in ending with ":"
    ("1. Nghị định này áp dụng … sau:"). A heading, however long, has no final punctuation,
    and "2. Cải cách thủ tục hành chính." followed by its paragraphs is still a heading."""
    body = text[sec["heading_start"]:e].strip("*_ ")
    words = len(body.split())
    if re.search(r"[.;…]$", body):
        return words > 8 or (words > 3 and sec["end"] <= e)
    return body.endswith(":") and words > 8


def _after_number(text: str, s: int, off: int) -> int:
    s += off
    while s < len(text) and text[s] in "*_ ":
        s += 1
    return s


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \n":
        s += 1
    while e > s and text[e - 1] in " \n":
        e -= 1
    return s, e
