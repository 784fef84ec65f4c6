"""Hostile inputs end as named problems (exit 3), never as internal errors (exit 1).

One test per cause found by the hostile corpus (issue 9), each through the command line, each
asserting on the message: the JSON path and the field's Vietnamese label. Then every bound of
the field registry (forms/_shared/fields.toml) just inside and just outside its edge, the JSON
reader's own limits (integer digits, NaN, repeated keys, nesting depth, keys), and text that
would print differently from how it is stored (invisible and bidi characters).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.domain.elections import Candidate, tally
from docgen.domain.vietnamese import number_in_words, roman
from docgen.domain.workdays import WorkCalendar, add_months
from docgen.errors import FormError, InputFileError
from docgen.load.fields import Registry
from docgen.load.model import load_record, parse_json, record_from_data

from conftest import LAN, SAMPLES, make_inputs, read_json
from doctext import docx_text

ORG = SAMPLES / "org.json"
CONGRESS = SAMPLES / "congress.json"


# -- helpers ----------------------------------------------------------------------------------------
def write(folder: Path, name: str, data) -> Path:
    """``data`` as a JSON file (a ``str`` is written as it is, for what json.dumps cannot make)."""
    path = folder / name
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_refused(result, out: Path | None, *needles: str):
    """Exit 3 (not 1), each needle in the report, and no file written."""
    assert result.exit_code == 3, (result.exit_code, result.output)
    assert "Lỗi nội bộ" not in result.output
    for needle in needles:
        assert needle in result.output, (needle, result.output)
    if out is not None:
        assert not out.exists() or not any(out.iterdir())


def check_json(profile: Path, org: Path = ORG, form: str | None = None) -> tuple[int, list[dict]]:
    args = ["check", profile, "--org", org, "--json"] + (["--form", form] if form else [])
    result = invoke(*args)
    assert "Lỗi nội bộ" not in result.output, result.output
    return result.exit_code, json.loads(result.stdout)["problems"] if result.stdout else []


def problems(engine, org: dict, subject: dict, kind: str = "candidate", forms=None):
    """Every problem of the whole pack (as ``docgen check`` without --form finds them)."""
    inputs = make_inputs(engine, org, subject, kind)
    forms = forms or engine.pack_forms(inputs, engine.pack_of(kind))
    found = engine.problems(forms, inputs)
    return found + [p for p in engine.all_rule_problems(inputs) if p not in found]


def at(found, path: str):
    """The problems at ``path``."""
    return [p for p in found if p.path == path]


@pytest.fixture
def cand() -> dict:
    return read_json(LAN)


@pytest.fixture
def congress() -> dict:
    return read_json(CONGRESS)


# -- one test per cause of the hostile corpus ---------------------------------------------------------
def test_integer_of_4400_digits_is_named_not_a_python_limit(tmp_path, cand):
    text = json.dumps(cand, ensure_ascii=False).replace('"members_total": 15', '"members_total": ' + "9" * 4400)
    assert "9" * 4400 in text
    profile = write(tmp_path, "p.json", text)
    out = tmp_path / "out"
    for result in (invoke("check", profile, "--org", ORG),
                   invoke("admission-dossier", profile, "--org", ORG, "-o", out)):
        assert_refused(result, out, "json.number", "admission.cell_meeting.members_total",
                       "Tổng số đảng viên của chi bộ", "4.400 chữ số", "giới hạn 20 chữ số")


def test_nesting_of_600_levels_is_named_before_the_parser_recurses(tmp_path, cand):
    text = json.dumps(cand, ensure_ascii=False)
    text = text.replace('"hometown": "xã', '"hometown": ' + "[" * 600 + "1" + "]" * 600 + ', "x": "xã', 1)
    profile = write(tmp_path, "p.json", text)
    out = tmp_path / "out"
    for result in (invoke("check", profile, "--org", ORG),
                   invoke("admission-dossier", profile, "--org", ORG, "-o", out)):
        assert_refused(result, out, "lồng nhau quá 20 tầng", "candidate.hometown[0][0]", '(trong "Quê quán")',
                       "dòng 1")


def test_count_of_a_trillion_is_out_of_bounds(tmp_path, cand):
    """check passed it and number_in_words failed on it while the comments summary was written."""
    cand["comments"].update(organizations_total=10**12, organizations_agree=10**12)
    profile = write(tmp_path, "p.json", cand)
    out = tmp_path / "out"
    for result in (invoke("check", profile, "--org", ORG),
                   invoke("admission-dossier", profile, "--org", ORG, "-o", out)):
        assert_refused(result, out, "range.int", "comments.organizations_total",
                       "Số tổ chức đoàn thể và chi ủy nơi cư trú có ý kiến", "phải từ 0 đến 100.000")


@pytest.mark.parametrize("path, value, label", [
    ("candidate.awareness_course.certificate_date", "9999-01-01",
     "Ngày cấp giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng"),          # add_months overflowed in check
    ("introducers.0.worked_together_since", "9999-12-01", "Ngày bắt đầu cùng công tác với người vào Đảng"),
    ("admission.ceremony.date", "9999-12-31", "Ngày tổ chức lễ kết nạp"),
])
def test_date_near_year_9999_is_out_of_bounds(tmp_path, cand, path, value, label):
    node = cand
    *head, last = path.split(".")
    for key in head:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    node[last] = value
    profile = write(tmp_path, "p.json", cand)
    out = tmp_path / "out"
    shown = path.replace(".0.", "[0].")
    for result in (invoke("check", profile, "--org", ORG),
                   invoke("admission-dossier", profile, "--org", ORG, "-o", out)):
        assert_refused(result, out, "range.date", shown, label, "từ 01/01/1900 đến 31/12/2100")


def test_congress_date_near_year_9999_is_out_of_bounds(tmp_path, congress):
    """add_working_days ran past 9999-12-31 counting the ratification deadline."""
    congress["congress"]["date"] = "9999-12-28"
    congress["congress"]["ratification"]["date"] = "9999-12-01"
    profile = write(tmp_path, "c.json", congress)
    out = tmp_path / "out"
    for result in (invoke("check", profile, "--org", ORG),
                   invoke("ratification-request", profile, "--org", ORG, "-o", out)):
        assert_refused(result, out, "range.date", "congress.date", "Ngày họp đại hội")


@pytest.mark.parametrize("top, needles", [
    (400, ("range.int", "phải từ 0 đến 80: đang là 400")),
    (10**30, ("json.number", "31 chữ số")),
])
def test_margins_out_of_bounds(tmp_path, org_data, top, needles):
    """400 mm passed check and failed in reportlab's layout; 10**30 too."""
    org = copy.deepcopy(org_data)
    org["style"] = {"margins_mm": {"top": top, "bottom": 20, "left": 30, "right": 15}}
    org_file = write(tmp_path, "org.json", org)
    out = tmp_path / "out"
    for result in (invoke("check", LAN, "--org", org_file),
                   invoke("admission-decision", LAN, "--org", org_file, "-o", out)):
        assert_refused(result, out, "style.margins_mm.top", "Lề trên (mm)", *needles)


def test_congress_ordinal_4000_is_out_of_bounds(tmp_path, congress):
    congress["congress"]["ordinal"] = 4000
    profile = write(tmp_path, "c.json", congress)
    out = tmp_path / "out"
    for result in (invoke("check", profile, "--org", ORG), invoke("congress", profile, "--org", ORG, "-o", out)):
        assert_refused(result, out, "range.int", "congress.ordinal", "Đại hội lần thứ", "phải từ 1 đến 100")


def test_negative_seats_is_named(tmp_path, congress):
    """With one candidate over half, the tally read passing[seats - 1]: an IndexError in check."""
    congress["congress"]["elections"][1]["seats"] = -1
    profile = write(tmp_path, "c.json", congress)
    out = tmp_path / "out"
    for result in (invoke("check", profile, "--org", ORG), invoke("congress", profile, "--org", ORG, "-o", out)):
        assert_refused(result, out, "type.int", "congress.elections[1].seats", "Số lượng cần bầu",
                       "phải là số nguyên không âm")
        assert "election." not in result.output  # the rules never saw the broken count


def test_candidates_null_is_named_by_every_paper_that_reports_the_election(tmp_path, congress):
    """The minutes, resolution and ratification request report each election's candidates, so
    they require the list as the ballot does (a minutes with no candidates printed empty)."""
    congress["congress"]["elections"][0]["candidates"] = None
    profile = write(tmp_path, "c.json", congress)
    out = tmp_path / "out"
    for args in (("check", profile, "--org", ORG), ("congress", profile, "--org", ORG, "-o", out),
                 ("congress-minutes", profile, "--org", ORG, "-o", out)):
        assert_refused(invoke(*args), out, "required", "congress.elections[0].candidates", "Danh sách bầu cử (thứ 1)")


def test_absentees_above_official_are_named_for_vote_count_minutes(tmp_path, congress):
    """Every congress rule runs for the vote-count minutes too: no negative base is printed."""
    congress["congress"]["members"]["absent"] = [
        {"full_name": f"Đảng Viên {chr(65 + i)}", "status": "official", "category": "suspended_or_detained"}
        for i in range(15)]
    profile = write(tmp_path, "c.json", congress)
    out = tmp_path / "out"
    for args in (("check", profile, "--org", ORG, "--form", "vote-count-minutes"),
                 ("vote-count-minutes", profile, "--org", ORG, "-o", out),
                 ("congress", profile, "--org", ORG, "-o", out)):
        assert_refused(invoke(*args), out, "congress.counts", "congress.members.absent",
                       "có 15 đảng viên chính thức vắng mặt, nhiều hơn số được triệu tập (14)")


def test_not_counted_above_the_absentees_is_named_for_the_decision(tmp_path, cand):
    """Every candidate rule runs for the decision too: vote.counts bounds the members left out of
    the vote's base by the absent official members (294-QĐ/TW §9.3.2)."""
    cand["admission"]["cell_meeting"]["not_counted"] = [
        {"full_name": f"Đảng Viên {i}", "category": "exempted"} for i in range(20)]
    profile = write(tmp_path, "p.json", cand)
    out = tmp_path / "out"
    assert_refused(invoke("admission-decision", profile, "--org", ORG, "-o", out), out, "vote.counts",
                   "admission.cell_meeting.not_counted", "có 20 đảng viên không tính vào số biểu quyết",
                   "chỉ 0 đảng viên chính thức vắng mặt")


def test_lone_surrogate_in_a_key_is_named(tmp_path, cand):
    text = json.dumps(cand, ensure_ascii=False)[:-1] + ', "ghi chú\\ud800": 1}'
    profile = write(tmp_path, "p.json", text)
    out = tmp_path / "out"
    for result in (invoke("check", profile, "--org", ORG),
                   invoke("admission-dossier", profile, "--org", ORG, "-o", out)):
        assert_refused(result, out, "json.key", 'Khóa "ghi chú\\ud800"', "U+D800")


def test_huge_integer_in_data_from_elsewhere_is_refused(engine):
    """A batch item or roster row arrives parsed: an integer past the digit limit is refused too."""
    record = record_from_data({"admission": {"decision": {"number": 10**5000}}}, "candidate",
                              engine.library.registry)
    (p,) = record.problems
    assert p.rule == "json.number" and p.path == "admission.decision.number"
    assert "hơn 20 chữ số" in p.message and record.raw("admission.decision.number") is None


def test_lone_surrogate_in_a_key_leaves_data_a_batch_can_encode(engine):
    """Batch items come as parsed data: the key is refused and the data holds no surrogate."""
    record = record_from_data({"candidate": {"full_name\ud83d": "A"}}, "candidate", engine.library.registry)
    (p,) = record.problems
    assert p.rule == "json.key" and p.path == "candidate.full_name\\ud83d" and "U+D83D" in p.message
    json.dumps(record.data, ensure_ascii=False).encode("utf-8")  # no UnicodeEncodeError


def test_lone_surrogate_in_a_value_is_named(tmp_path, cand):
    text = json.dumps(cand, ensure_ascii=False).replace('"hometown": "xã', '"hometown": "\\udc80xã', 1)
    profile = write(tmp_path, "p.json", text)
    out = tmp_path / "out"
    assert_refused(invoke("admission-dossier", profile, "--org", ORG, "-o", out), out, "text.control_character",
                   "candidate.hometown", "Quê quán", "U+DC80")


# -- the bounds of the field registry, just inside and just outside ------------------------------------
def _set(data: dict, path: str, value) -> None:
    node = data
    *head, last = path.split(".")
    for key in head:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    node[int(last) if last.isdigit() else last] = value


def _words(n: int) -> str:
    """A text of exactly ``n`` characters, words and spaces."""
    return ("Nguyễn Thị Ỷ Lan " * (n // 17 + 1))[:n - 1] + "x"


@pytest.mark.parametrize("path, ok, bad, rule, label", [
    # counts: 0..100,000
    ("comments.organizations_total", 100000, 100001, "range.int", "Số tổ chức đoàn thể và chi ủy nơi cư trú có ý kiến"),
    ("comments.organizations_total", 0, -1, "type.int", "Số tổ chức đoàn thể và chi ủy nơi cư trú có ý kiến"),
    # a document number starts at 1
    ("admission.decision.number", 1, 0, "range.int", "Số quyết định kết nạp"),
    # dates: 1900-01-01 .. 2100-12-31
    ("introducers.0.date_of_birth", "1900-01-01", "1899-12-31", "range.date", "Ngày sinh của người giới thiệu"),
    ("introducers.0.date_of_birth", "2100-12-31", "2101-01-01", "range.date", "Ngày sinh của người giới thiệu"),
    # texts: 2,000 characters by default, 20,000 for long free text, 100 for a name
    ("candidate.workplace", _words(2000), _words(2001), "length.text", "Đơn vị công tác"),
    ("candidate.residence", _words(2000), _words(20000), "length.text", "Nơi cư trú"),
    ("admission.cell_meeting.conclusions.strengths", _words(20000), _words(20001), "length.text",
     "Kết luận về ưu điểm"),
    ("candidate.full_name", _words(100), _words(101), "length.text", "Họ và tên người vào Đảng"),
    # lists: introducers at most 5 (a few); comment-giving organisations at most 50
    ("comments.organizations", ["Công đoàn"] * 50, ["Công đoàn"] * 51, "length.list",
     "Các tổ chức có ý kiến nhận xét"),
])
def test_candidate_bounds(engine, org_data, cand, path, ok, bad, rule, label):
    concrete = path.replace(".0.", "[0].")
    for value, refused in ((ok, False), (bad, True)):
        data = copy.deepcopy(cand)
        _set(data, path, value)
        found = at(problems(engine, org_data, data), concrete)
        named = [p for p in found if p.rule == rule]
        if refused:
            assert named, (value, found)
            assert all(p.severity == "error" and label in p.message and concrete in p.message for p in named)
        else:
            assert not named, named


def test_introducers_at_most_five(engine, org_data, cand):
    intro = cand["introducers"][0]
    for n, refused in ((5, False), (6, True)):
        data = copy.deepcopy(cand)
        data["introducers"] = [copy.deepcopy(intro) for _ in range(n)]
        found = [p for p in at(problems(engine, org_data, data), "introducers") if p.rule == "length.list"]
        assert bool(found) is refused
        if refused:
            assert '"Người giới thiệu" (introducers) có 6 mục, quá giới hạn 5 mục.' == found[0].message


@pytest.mark.parametrize("path, ok, bad, rule, label", [
    ("congress.ordinal", 100, 101, "range.int", "Đại hội lần thứ"),
    ("congress.ordinal", 1, 0, "range.int", "Đại hội lần thứ"),
    ("congress.term.start", 1900, 1899, "range.int", "Năm đầu nhiệm kỳ"),
    ("congress.elections.1.seats", 1, 0, "range.int", "Số lượng cần bầu"),
    ("congress.presidium", ["Lê Văn Quyết"] * 20, ["Lê Văn Quyết"] * 21, "length.list", "Đoàn Chủ tịch đại hội"),
])
def test_congress_bounds(engine, org_data, congress, path, ok, bad, rule, label):
    concrete = path.replace(".1.", "[1].")
    for value, refused in ((ok, False), (bad, True)):
        data = copy.deepcopy(congress)
        _set(data, path, value)
        named = [p for p in at(problems(engine, org_data, data, "congress"), concrete) if p.rule == rule]
        assert bool(named) is refused, (value, named)
        if refused:
            assert label in named[0].message and concrete in named[0].message


def test_a_line_of_a_text_list_is_bounded_and_named(engine, org_data, congress):
    congress["congress"]["presidium"][1] = _words(101)
    (p,) = [p for p in problems(engine, org_data, congress, "congress") if p.rule == "length.text"]
    assert p.path == "congress.presidium[1]"
    assert p.message == ('"Đoàn Chủ tịch đại hội (dòng 2)" (congress.presidium[1]) dài 101 ký tự, '
                         "quá giới hạn 100 ký tự.")


def test_candidates_per_election_at_most_300(engine, org_data, congress):
    e = congress["congress"]["elections"][0]
    for n, refused in ((300, False), (301, True)):
        data = copy.deepcopy(congress)
        data["congress"]["elections"][0]["candidates"] = [copy.deepcopy(e["candidates"][0]) for _ in range(n)]
        found = [p for p in problems(engine, org_data, data, "congress") if p.rule == "length.list"]
        assert bool(found) is refused
        if refused:
            assert found[0].path == "congress.elections[0].candidates" and "Danh sách bầu cử" in found[0].message


@pytest.mark.parametrize("mm, code", [(80, 0), (81, 3), (0, 0)])
def test_margins_0_to_80_render(tmp_path, org_data, mm, code):
    org = copy.deepcopy(org_data)
    org["style"] = {"margins_mm": {"top": mm, "bottom": mm, "left": mm, "right": mm}}
    out = tmp_path / "out"
    result = invoke("admission-decision", LAN, "--org", write(tmp_path, "org.json", org), "-o", out)
    assert result.exit_code == code, result.output
    if code:
        assert_refused(result, out, "style.margins_mm.left", "Lề trái (mm)", "phải từ 0 đến 80: đang là 81")
    else:
        assert sorted(p.suffix for p in out.iterdir()) == [".docx", ".pdf"]


def test_the_longest_accepted_texts_render(tmp_path, cand):
    """Every free text at its bound at once: check passes, and the whole dossier is written."""
    c = cand["admission"]["cell_meeting"]["conclusions"]
    for key in c:
        c[key] = _words(20000)
    cand["introducers"][0]["strengths"] = _words(20000)
    cand["candidate"]["full_name"] = _words(100)
    cand["candidate"]["workplace"] = _words(2000)
    out = tmp_path / "out"
    result = invoke("admission-dossier", write(tmp_path, "p.json", cand), "--org", ORG, "-o", out, "--format", "docx")
    assert result.exit_code == 0, result.output
    assert any(p.suffix == ".pdf" for p in out.iterdir())


# -- the JSON reader's own limits ---------------------------------------------------------------------
def _nested(levels: int) -> str:
    """A candidate file whose ``extra`` key holds lists ``levels`` deep (the file: levels + 1)."""
    return '{"candidate": {"full_name": "A"}, "extra": ' + "[" * levels + "]" * levels + "}"


def test_depth_20_is_read_and_21_is_refused_with_its_path(engine):
    reg = engine.library.registry
    parse_json(_nested(19), "p.json", reg)  # 20 levels with the file's own object
    with pytest.raises(InputFileError) as info:
        parse_json(_nested(20), "p.json", reg)
    assert "quá 20 tầng" in str(info.value) and "extra" + "[0]" * 18 in str(info.value)


def test_depth_of_data_from_elsewhere_is_bounded_too(engine):
    """A batch item or a roster row arrives parsed: the record refuses the part too deep, by path."""
    deep: list = []
    for _ in range(30):
        deep = [deep]
    record = record_from_data({"candidate": {"hometown": deep}}, "candidate", engine.library.registry)
    (p,) = record.problems
    assert p.rule == "json.depth" and p.path == "candidate.hometown" + "[0]" * 18
    assert "lồng quá 20 tầng" in p.message


@pytest.mark.parametrize("literal, ok", [("9" * 20, True), ("-" + "9" * 20, True), ("9" * 21, False)])
def test_integer_literal_digits(engine, literal, ok):
    reg = engine.library.registry
    record = record_from_data(parse_json('{"admission": {"decision": {"number": %s}}}' % literal, "p", reg),
                              "candidate", reg)
    if ok:
        assert record.raw("admission.decision.number") == int(literal) and not record.problems
    else:
        (p,) = record.problems
        assert p.rule == "json.number" and p.path == "admission.decision.number"
        assert p.message == ('"Số quyết định kết nạp" (admission.decision.number) là một số nguyên 21 chữ số, '
                             "quá giới hạn 20 chữ số.")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_are_refused(tmp_path, cand, literal):
    text = json.dumps(cand, ensure_ascii=False).replace('"approve": 14', f'"approve": {literal}', 1)
    assert literal in text
    out = tmp_path / "out"
    assert_refused(invoke("admission-dossier", write(tmp_path, "p.json", text), "--org", ORG, "-o", out), out,
                   "json.number", "admission.cell_meeting.approve", "Số đảng viên chính thức tán thành")


def test_duplicate_keys_are_refused_by_path(tmp_path, cand):
    text = json.dumps(cand, ensure_ascii=False)
    text = text.replace('"full_name": "Lý Thị Ỷ Lan"', '"full_name": "Lý Thị Ỷ Lan", "full_name": "Lý Thị Lan"', 1)
    text = text.replace('"signed_on":', '"signed_on": "2025-08-20", "signed_on":', 1)
    assert text.count('"full_name": "Lý Thị') == 2
    profile = write(tmp_path, "p.json", text)
    out = tmp_path / "out"
    for result in (invoke("check", profile, "--org", ORG),
                   invoke("admission-dossier", profile, "--org", ORG, "-o", out)):
        assert_refused(result, out, "json.duplicate_key",
                       '"Họ và tên người vào Đảng" (candidate.full_name) được ghi 2 lần',
                       "introducers[0].signed_on")


def test_duplicate_keys_after_composition_are_refused(engine):
    """Two spellings of one key that NFC makes equal are the same key written twice (the keys
    of fields are ASCII, so such keys sit in a value of the wrong type, or are unknown keys:
    those are named once)."""
    reg = engine.library.registry
    data = parse_json('{"candidate": {"workplace": {"ghi chú": 1, "ghi chu\u0301": 2}}}', "p", reg)
    (p,) = record_from_data(data, "candidate", reg).problems
    assert p.rule == "json.duplicate_key" and p.path == "candidate.workplace.ghi chú"
    data = parse_json('{"ghi chú": 1, "ghi chu\u0301": 2}', "p", reg)
    (p,) = record_from_data(data, "candidate", reg).problems
    assert p.rule == "input.unknown_key" and p.path == "ghi chú"


def test_key_length(engine):
    reg = engine.library.registry
    # a key of 100 characters is read (and named as a key no field has); one of 101 is refused as too long
    assert [p.rule for p in record_from_data({"k" * 100: 1}, "candidate", reg).problems] == ["input.unknown_key"]
    (p,) = record_from_data({"k" * 101: 1}, "candidate", reg).problems
    assert p.rule == "json.key" and "dài 101 ký tự, quá giới hạn 100 ký tự" in p.message and len(p.path) == 100


# -- text prints as it is stored ----------------------------------------------------------------------
@pytest.mark.parametrize("value, what", [
    ("\u200b", "ký tự vô hình U+200B"),
    ("\ufeff", "ký tự vô hình U+FEFF"),
    ("Lý Thị \u202eLan", "ký tự điều khiển hướng chữ U+202E"),
    ("Lý Thị \u2066Lan\u2069", "ký tự điều khiển hướng chữ U+2066"),
    ("Lý\u00adThị Lan", "dấu gạch nối mềm U+00AD"),
])
def test_invisible_characters_in_a_name_are_refused(tmp_path, cand, value, what):
    cand["candidate"]["full_name"] = value
    out = tmp_path / "out"
    profile = write(tmp_path, "p.json", cand)
    for result in (invoke("check", profile, "--org", ORG, "--form", "admission-decision"),
                   invoke("admission-decision", profile, "--org", ORG, "-o", out)):
        assert_refused(result, out, "text.invisible_character", "LỖI",
                       f'"Họ và tên người vào Đảng" (candidate.full_name) chứa {what}')


@pytest.mark.parametrize("path, label", [
    ("committee.symbol", "Ký hiệu đảng ủy cơ sở"),            # a symbol (plain = true in fields.toml)
    ("committee.signer.title", "Chức vụ người ký"),            # a choice
])
def test_invisible_characters_in_symbols_and_choices_are_refused(tmp_path, org_data, path, label):
    org = copy.deepcopy(org_data)
    node = org
    *head, last = path.split(".")
    for key in head:
        node = node[key]
    node[last] = node[last][:1] + "\u200b" + node[last][1:]
    out = tmp_path / "out"
    assert_refused(invoke("admission-decision", LAN, "--org", write(tmp_path, "org.json", org), "-o", out), out,
                   "text.invisible_character", f'"{label}" ({path}) chứa ký tự vô hình U+200B')


def test_invisible_character_in_a_date_is_refused(engine, org_data, cand):
    cand["admission"]["decision"]["date"] = "2026-04-14\u200b"
    (p,) = at(problems(engine, org_data, cand), "admission.decision.date")
    assert p.rule == "text.invisible_character" and p.severity == "error"


def test_invisible_character_in_a_list_of_names_is_refused(engine, org_data, congress):
    congress["congress"]["presidium"][0] = "Lê Văn\u200b Quyết"
    (p,) = at(problems(engine, org_data, congress, "congress"), "congress.presidium[0]")
    assert p.rule == "text.invisible_character" and p.severity == "error"
    assert "Đoàn Chủ tịch đại hội (dòng 1)" in p.message


def test_invisible_characters_in_free_text_are_removed_with_a_warning(tmp_path, cand):
    cand["candidate"]["workplace"] = "Phòng\u200b Thí nghiệm\u00ad Vật\u202e liệu"
    out = tmp_path / "out"
    result = invoke("admission-decision", write(tmp_path, "p.json", cand), "--org", ORG, "-o", out,
                    "--format", "docx")
    assert result.exit_code == 0, result.output
    assert "CẢNH BÁO" in result.stderr and "text.invisible_character" in result.stderr
    assert '"Đơn vị công tác" (candidate.workplace) chứa ký tự vô hình U+200B' in result.stderr
    (docx,) = out.iterdir()
    text = docx_text(docx.read_bytes())
    assert "Phòng Thí nghiệm Vật liệu" in text
    assert not set("\u200b\u00ad\u202e") & set(text)


def test_check_reports_the_warning_and_exits_0(tmp_path, cand):
    cand["candidate"]["hometown"] = "xã Nghĩa\u200b Hưng"
    code, found = check_json(write(tmp_path, "p.json", cand), form="admission-decision")
    assert code == 0
    (p,) = found
    assert (p["rule"], p["severity"], p["path"], p["label"]) == (
        "text.invisible_character", "warning", "candidate.hometown", "Quê quán")


@pytest.mark.parametrize("value, message", [
    ("\u200b", 'Thiếu "Quê quán" (candidate.hometown).'),                          # only invisible: nothing left
    ("— … —", '"Quê quán" (candidate.hometown) không có chữ cái hay chữ số nào'),   # no letter or digit
])
def test_required_text_needs_a_visible_letter_or_digit(tmp_path, cand, value, message):
    cand["candidate"]["hometown"] = value
    out = tmp_path / "out"
    assert_refused(invoke("admission-decision", write(tmp_path, "p.json", cand), "--org", ORG, "-o", out), out,
                   message)


# -- the registry refuses bounds it cannot use ---------------------------------------------------------
def test_every_field_has_its_bounds(engine):
    reg = engine.library.registry
    for f in reg.fields.values():
        if f.type in ("text", "name"):
            assert f.max_length, f.path
        elif f.type in ("int", "date"):
            assert f.min is not None and f.max is not None and f.min <= f.max, f.path
        elif f.type in ("list", "text_list"):
            assert f.max_items, f.path
    assert reg.limits == {"depth": 20, "int_digits": 20, "key_length": 100}


@pytest.mark.parametrize("extra, error", [
    ("", "thiếu giới hạn max_length"),
    ("max_lenght = 10\n", "khóa không biết: max_lenght"),
])
def test_a_field_without_a_bound_is_a_form_error(tmp_path, extra, error):
    toml = tmp_path / "fields.toml"
    toml.write_text('[limits]\ndepth = 20\nint_digits = 20\nkey_length = 100\n\n'
                    f'[[field]]\npath = "a"\nlabel = "A"\ntype = "text"\ninput = "org"\n{extra}', encoding="utf-8")
    with pytest.raises(FormError) as info:
        Registry.load(toml)
    assert error in str(info.value)


# -- the pure helpers refuse rather than overflow -------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda: number_in_words(10**12),
    lambda: roman(4000),
    lambda: roman(0),
    lambda: add_months(date(9999, 12, 1), 1),
    lambda: WorkCalendar().add_working_days(date(9999, 12, 28), 5),
    lambda: tally(-1, 10, [Candidate(0, "A", 9)]),
])
def test_helpers_raise_value_error_at_their_edges(call):
    with pytest.raises(ValueError):
        call()


def test_helpers_work_at_the_input_bounds():
    assert number_in_words(100000) == "một trăm nghìn"
    assert roman(100) == "C"
    assert add_months(date(2100, 12, 31), 60) == date(2105, 12, 31)
    assert WorkCalendar().add_working_days(date(2100, 12, 31), 60) > date(2100, 12, 31)


def test_load_record_names_the_file_for_json_errors(tmp_path, engine):
    bad = write(tmp_path, "p.json", '{"a": [1, 2,]}')
    with pytest.raises(InputFileError) as info:
        load_record(bad, "candidate", engine.library.registry)
    assert "p.json" in str(info.value) and "dòng 1" in str(info.value)


def test_a_batch_list_is_read_within_the_same_limits(tmp_path):
    """A JSON list given to ``docgen batch`` is read as a single profile is: a 4,400-digit
    integer is a named problem of that item (exit 3), not an internal error."""
    good = read_json(LAN)
    text = json.dumps([good, good], ensure_ascii=False)
    text = text.replace('"number": 21', '"number": ' + "9" * 4400, 1)
    assert "9" * 4400 in text
    source = tmp_path / "list.json"
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", "admission-decision", str(source), "--org",
                                       str(SAMPLES / "org.json"), "-o", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 3, result.output
    assert "Lỗi nội bộ" not in result.output
    assert "list.json[0]" in result.output
