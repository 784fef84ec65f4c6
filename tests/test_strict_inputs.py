"""Strict inputs (issue 11, part 3): unknown, misplaced and retired keys are errors naming their
path and the closest key; what a person obviously meant is taken with a warning and printed as
the canonical value; files saved by Notepad are read, other encodings and JSON syntax errors are
explained in Vietnamese. Everything through the command line, as a user meets it."""

from __future__ import annotations

import copy
import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main

from conftest import ROOT, SAMPLES, VALID_CANDIDATES, decision_only, read_json, sample
from doctext import docx_text

ORG = SAMPLES / "org.json"
HUONG = sample("pham-thi-thu-huong")


def _write(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args])


def _check_json(profile: Path, org: Path = ORG, *extra: str) -> tuple[int, list[dict]]:
    result = _run("check", profile, "--org", org, "--json", *extra)
    return result.exit_code, json.loads(result.stdout)["problems"]


def _huong() -> dict:
    return read_json(HUONG)


def _org() -> dict:
    return read_json(ORG)


# -- 1. unknown keys ----------------------------------------------------------------------------
def test_absent_reason_typo_is_refused_and_not_printed_as_none(tmp_path):
    data = _huong()
    meeting = data["admission"]["cell_meeting"]
    meeting["absent_reason"] = meeting.pop("absent_reasons")
    profile = _write(tmp_path / "p.json", data)
    code, problems = _check_json(profile)
    assert code == 3
    typo = [p for p in problems if p["path"] == "admission.cell_meeting.absent_reason"]
    assert [p["rule"] for p in typo] == ["input.unknown_key"]
    assert typo[0]["severity"] == "error" and typo[0]["input"] == "candidate"
    assert '"admission.cell_meeting.absent_reasons" (Lý do vắng mặt)' in typo[0]["message"]
    assert "không có trường này" in typo[0]["message"]
    out = tmp_path / "out"
    made = _run("cell-resolution", profile, "--org", ORG, "-o", out)
    assert made.exit_code == 3
    assert "admission.cell_meeting.absent_reason" in made.stderr
    assert not out.exists() or not any(out.iterdir())


def test_ceremony_typo_is_refused_with_the_group_it_meant(tmp_path):
    data = _huong()
    data["admission"]["ceremoney"] = {"date": "2025-11-20"}
    profile = _write(tmp_path / "p.json", data)
    code, problems = _check_json(profile)
    assert code == 3
    (typo,) = [p for p in problems if p["rule"] == "input.unknown_key"]
    assert typo["path"] == "admission.ceremoney"
    assert 'có phải "admission.ceremony" (nơi ghi Ngày tổ chức lễ kết nạp)?' in typo["message"]
    # the ceremony key spelt right is accepted: the rule reads it
    data["admission"]["ceremony"] = data["admission"].pop("ceremoney")
    assert _check_json(_write(tmp_path / "ok.json", data))[0] == 0


def test_fullname_names_the_key_it_meant_and_its_label(tmp_path):
    data = _huong()
    data["candidate"]["fullname"] = data["candidate"].pop("full_name")
    profile = _write(tmp_path / "p.json", data)
    result = _run("check", profile, "--org", ORG)
    assert result.exit_code == 3
    assert ('"candidate.fullname": không có trường này trong hồ sơ người vào Đảng; có phải '
            '"candidate.full_name" (Họ và tên người vào Đảng)?') in result.stderr
    assert 'Thiếu "Họ và tên người vào Đảng" (candidate.full_name).' in result.stderr  # still named as missing
    made = _run("admission-decision", profile, "--org", ORG, "-o", tmp_path / "out")
    assert made.exit_code == 3 and "candidate.fullname" in made.stderr
    assert not (tmp_path / "out").exists()


def test_a_list_items_unknown_key_names_its_index(tmp_path):
    data = _huong()
    data["introducers"][0]["fulname"] = data["introducers"][0].pop("full_name")
    code, problems = _check_json(_write(tmp_path / "p.json", data))
    assert code == 3
    (typo,) = [p for p in problems if p["rule"] == "input.unknown_key"]
    assert typo["path"] == "introducers[0].fulname"
    assert '"introducers[0].full_name" (Họ và tên người giới thiệu (thứ 1))' in typo["message"]


def test_a_key_at_the_wrong_level_is_pointed_to_where_it_belongs(tmp_path):
    data = _huong()
    data["candidate"]["certificate_date"] = data["candidate"].pop("awareness_course")["certificate_date"]
    code, problems = _check_json(_write(tmp_path / "p.json", data))
    (typo,) = [p for p in problems if p["rule"] == "input.unknown_key"]
    assert '"candidate.awareness_course.certificate_date"' in typo["message"]


def test_an_unknown_key_with_nothing_close_says_where_the_fields_are(tmp_path):
    data = _huong()
    data["candidate"]["xyzzy"] = 1
    code, problems = _check_json(_write(tmp_path / "p.json", data))
    (typo,) = [p for p in problems if p["rule"] == "input.unknown_key"]
    assert code == 3 and "có phải" not in typo["message"] and "docgen schema candidate" in typo["message"]


def test_each_unknown_key_is_reported_once_with_every_other_problem(tmp_path):
    """The whole dossier makes six forms: each unknown key is still one problem, listed with
    the rest (a missing field, a rule), not the first alone."""
    data = _huong()
    data["candidate"]["nickname"] = "x"
    data["introducers"][0]["notes"] = "x"
    data["admission"]["cell_meeting"]["approve"] = 1  # far below two thirds
    del data["candidate"]["hometown"]
    org = _org()
    org["committee"]["signer"]["name"] = "x"
    code, problems = _check_json(_write(tmp_path / "p.json", data), _write(tmp_path / "org.json", org))
    assert code == 3
    unknown = [p["path"] for p in problems if p["rule"] == "input.unknown_key"]
    assert sorted(unknown) == ["candidate.nickname", "committee.signer.name", "introducers[0].notes"]
    rules = {p["rule"] for p in problems}
    assert "required" in rules and "vote.two_thirds" in rules
    # the organisation's key is named in the organisation file's terms, with its closest sibling
    (signer,) = [p for p in problems if p["path"] == "committee.signer.name"]
    assert signer["input"] == "org" and "tệp tổ chức (--org)" in signer["message"]
    assert '"committee.signer.full_name"' in signer["message"]


def test_a_note_at_the_top_is_read_by_nobody_but_not_deeper(tmp_path):
    data = _huong()
    data["_why"] = "ghi chú cho người đọc"
    assert _check_json(_write(tmp_path / "p.json", data))[0] == 0
    data["candidate"]["_why"] = "ở sâu hơn: không phải ghi chú"
    code, problems = _check_json(_write(tmp_path / "p.json", data))
    assert code == 3 and [p["path"] for p in problems if p["rule"] == "input.unknown_key"] == ["candidate._why"]


# -- 2. a key of the other file ---------------------------------------------------------------------
@pytest.mark.parametrize("where, key, value, words", [
    ("profile", "committee", {"name": "Đảng ủy X"},
     '"committee" thuộc tệp tổ chức (--org), không thuộc hồ sơ người vào Đảng'),
    ("profile", "congress", {"ordinal": 2}, '"congress" thuộc tệp đại hội chi bộ, không thuộc hồ sơ người vào Đảng'),
    ("org", "candidate", {"full_name": "Nguyễn Văn A"},
     '"candidate" thuộc hồ sơ người vào Đảng, không thuộc tệp tổ chức (--org)'),
    ("org", "congress", {"ordinal": 2}, '"congress" thuộc tệp đại hội chi bộ, không thuộc tệp tổ chức (--org)'),
])
def test_a_key_of_the_other_file_is_named_as_such(tmp_path, where, key, value, words):
    data, org = _huong(), _org()
    (data if where == "profile" else org)[key] = value
    result = _run("check", _write(tmp_path / "p.json", data), "--org", _write(tmp_path / "org.json", org),
                  "--form", "admission-decision")
    assert result.exit_code == 3
    assert words in result.stderr and "input.other_file" in result.stderr


def test_a_candidate_key_in_the_congress_file_is_named_as_such(tmp_path):
    data = read_json(SAMPLES / "congress.json")
    data["introducers"] = []
    code, problems = _check_json(_write(tmp_path / "c.json", data))
    assert code == 3
    (p,) = [p for p in problems if p["rule"] == "input.other_file"]
    assert p["path"] == "introducers" and "thuộc hồ sơ người vào Đảng, không thuộc tệp đại hội chi bộ" in p["message"]


# -- batches ----------------------------------------------------------------------------------------
def test_batch_folder_and_list_name_each_items_unknown_key(tmp_path):
    good = decision_only(_huong())
    bad = copy.deepcopy(good)
    bad["candidate"]["fullname"] = bad["candidate"]["full_name"]
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder / "a.json", good)
    _write(folder / "b.json", bad)
    listed = _write(tmp_path / "list.json", [good, bad, "không phải hồ sơ"])
    for source, failed in ((folder, ["b.json"]), (listed, ["list.json[1]", "list.json[2]"])):
        out = tmp_path / f"out-{source.name}"
        result = _run("batch", "admission-decision", source, "--org", ORG, "-o", out, "-j", "1", "--format", "docx")
        assert result.exit_code == 3, result.output
        assert result.output.count('"candidate.fullname": không có trường này') == 1
        assert 'có phải "candidate.full_name"' in result.output
        for label in failed:
            assert f"  {label}:" in result.output
        assert len(list(out.glob("*.docx"))) == 1  # the valid item is written
    assert "mục này không phải một hồ sơ" in result.output


def test_batch_reports_the_organisations_unknown_key_once(tmp_path):
    org = _org()
    org["cell"]["nam"] = "x"
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        _write(folder / f"{i}.json", decision_only(_huong()))
    out = tmp_path / "out"
    result = _run("batch", "admission-decision", folder, "--org", _write(tmp_path / "org.json", org), "-o", out,
                  "-j", "1")
    assert result.exit_code == 3
    assert result.stderr.count('"cell.nam": không có trường này trong tệp tổ chức (--org)') == 1
    assert 'có phải "cell.name"' in result.stderr
    assert not out.exists() or not any(out.glob("*.docx"))


def test_batch_prints_the_organisations_warning_once(tmp_path):
    org = _org()
    org["committee"]["signer"]["title"] = "phó bí thư"
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        _write(folder / f"{i}.json", decision_only(_huong()))
    result = _run("batch", "admission-decision", folder, "--org", _write(tmp_path / "org.json", org),
                  "-o", tmp_path / "out", "-j", "1", "--format", "docx")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("committee.signer.title") == 2  # the table's path column and its message
    assert "Cảnh báo: 1 " in result.stdout
    for doc in (tmp_path / "out").glob("*.docx"):
        assert "PHÓ BÍ THƯ" in docx_text(doc.read_bytes())


def test_an_excel_roster_still_runs(tmp_path):
    out = tmp_path / "out"
    result = _run("batch", "admission-decision", SAMPLES / "roster.xlsx", "--org", ORG, "-o", out, "-j", "1",
                  "--format", "docx")
    assert result.exit_code == 0, result.output
    assert "input." not in result.output + result.stderr
    assert list(out.glob("*.docx"))


# -- 3. retired keys ----------------------------------------------------------------------------------
def _forms_with(tmp_path, extra: str) -> Path:
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    path = forms / "_shared" / "fields.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return forms


RETIRED = '''[[retired]]
path = "candidate.ethnicity"
message = "docgen không còn đọc dân tộc ở đây; hãy xóa khóa này."
'''


def test_a_retired_key_gets_its_message(tmp_path):
    forms = _forms_with(tmp_path, RETIRED)
    data = _huong()
    data["candidate"]["ethnicity"] = "Kinh"
    result = _run("--forms-dir", forms, "check", _write(tmp_path / "p.json", data), "--org", ORG, "--json")
    assert result.exit_code == 3
    problems = json.loads(result.stdout)["problems"]
    (p,) = [p for p in problems if p["path"] == "candidate.ethnicity"]
    assert p["rule"] == "input.retired_key" and p["severity"] == "error"
    assert p["message"] == '"candidate.ethnicity": docgen không còn đọc dân tộc ở đây; hãy xóa khóa này.'
    # without the table, the same key is merely unknown
    assert _check_json(tmp_path / "p.json")[1][0]["rule"] == "input.unknown_key"
    # and a file without it is accepted under the forms that retire it
    ok = _run("--forms-dir", forms, "check", HUONG, "--org", ORG)
    assert ok.exit_code == 0, ok.stderr


def test_an_organisation_file_of_the_old_shape_is_told_what_changed(tmp_path):
    """The keys issue 11 retired get their messages from the shipped fields.toml, and the old
    one-text delegation is named as the group it became, not only as three missing fields."""
    org = _org()
    org["committee"]["signer"]["on_behalf_of"] = "ĐẢNG ỦY"
    org["committee"]["advisory_body"] = "Ban Tổ chức Đảng ủy"
    org["committee"]["delegation"] = "Quyết định số 15-QĐ/ĐU, ngày 10-7-2025"
    data = _huong()
    data["admission"]["cell_meeting"]["members_not_counted"] = 0
    code, problems = _check_json(_write(tmp_path / "p.json", data), _write(tmp_path / "org.json", org))
    assert code == 3
    by_path = {p["path"]: p for p in problems}
    for path, words in (("committee.signer.on_behalf_of", "khai committee.delegated"),
                        ("committee.advisory_body", "không lập cơ quan tham mưu"),
                        ("admission.cell_meeting.members_not_counted", "admission.cell_meeting.not_counted[]")):
        assert by_path[path]["rule"] == "input.retired_key" and words in by_path[path]["message"], path
    group = by_path["committee.delegation"]
    assert group["rule"] == "input.not_group" and group["severity"] == "error"
    assert "phải là một nhóm khóa {date, issuer, number}" in group["message"]


@pytest.mark.parametrize("extra, words", [
    ('[[retired]]\npath = "candidate.full_name"\nmessage = "x"\n', 'đang dùng trong [[field]]'),
    ('[[retired]]\npath = "candidate"\nmessage = "x"\n', 'đang dùng trong [[field]]'),
    ('[[retired]]\npath = "old.group.key"\nmessage = "x"\n', 'không nằm trong nhóm trường nào docgen còn đọc'),
    ('[[retired]]\npath = "candidate.ethnicity"\nmesage = "x"\n', 'khóa lạ "mesage"'),
    ('[[retired]]\npath = "candidate.ethnicity"\n', 'thiếu khóa "message"'),
    ('[[retired]]\npath = "candidate..x"\nmessage = "x"\n', "phải là đường dẫn JSON"),
    (RETIRED + RETIRED, "được khai báo hai lần"),
    ('[input]\nnote_prefx = "_"\n', 'khóa lạ "note_prefx"'),
])
def test_a_broken_retired_table_is_a_forms_problem(tmp_path, extra, words):
    if extra.startswith("[input]"):
        forms = tmp_path / "forms"
        shutil.copytree(ROOT / "forms", forms)
        path = forms / "_shared" / "fields.toml"
        path.write_text(path.read_text(encoding="utf-8").replace('[input]\nnote_prefix = "_"\n', extra),
                        encoding="utf-8")
    else:
        forms = _forms_with(tmp_path, extra)
    result = _run("--forms-dir", forms, "check", HUONG, "--org", ORG)
    assert result.exit_code == 4
    assert "fields.toml" in result.stderr and words in result.stderr
    assert _run("--forms-dir", forms, "forms", "lint").exit_code == 4


def test_a_retired_key_inside_a_list_item(tmp_path):
    forms = _forms_with(tmp_path, '[[retired]]\npath = "introducers[].phone"\nmessage = "không còn dùng."\n')
    data = _huong()
    data["introducers"][0]["phone"] = "0900"
    result = _run("--forms-dir", forms, "check", _write(tmp_path / "p.json", data), "--org", ORG)
    assert result.exit_code == 3 and '"introducers[0].phone": không còn dùng.' in result.stderr


# -- 4. JSON Schemas ----------------------------------------------------------------------------------
def _schema(kind: str) -> dict:
    result = _run("schema", kind)
    assert result.exit_code == 0
    return json.loads(result.stdout)


def _objects(node: dict, path: str = ""):
    if node.get("type") == "object":
        yield path, node
        for key, child in node.get("properties", {}).items():
            yield from _objects(child, f"{path}.{key}" if path else key)
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        yield from _objects(node["items"], path + "[]")


@pytest.mark.parametrize("kind", ["org", "candidate", "congress"])
def test_every_schema_object_refuses_other_keys(kind):
    objects = list(_objects(_schema(kind)))
    assert len(objects) > 3
    for path, node in objects:
        assert node["additionalProperties"] is False, path
        assert set(node.get("required", [])) <= set(node["properties"]), path


def test_schema_requires_what_every_form_requires():
    candidate = dict(_objects(_schema("candidate")))
    assert candidate[""]["required"] == ["candidate"]
    assert "full_name" in candidate["candidate"]["required"]
    assert "application_date" not in candidate["candidate"]["required"]  # the decision does not need it
    assert "full_name" in candidate["introducers[]"]["required"]
    assert "government_position" not in candidate["introducers[]"]["required"]  # optional on the form
    # every admission paper reads the cell's meeting, but the helper's review of the probationary year
    # (11-KNĐ) reads only the decision's date: no key of admission is read by every form that reads it
    assert "required" not in candidate["admission"]
    assert "full_name" in candidate["recognition.helpers[]"]["required"]
    # …but no key of it is read by all of them (the 5-KNĐ reads only the official members)
    assert "required" not in candidate["admission.cell_meeting"]
    assert "date" in candidate["admission.committee_resolution"]["required"]
    congress = dict(_objects(_schema("congress")))
    assert congress[""]["required"] == ["congress"]
    assert {"office", "seats", "candidates"} <= set(congress["congress.elections[]"]["required"])
    org = dict(_objects(_schema("org")))
    assert "cell" in org[""]["required"]
    assert "advisory_body" not in org["committee"].get("required", [])


def test_the_schemas_accept_the_samples_and_refuse_what_the_check_refuses(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    cases = [("org", ORG), ("congress", SAMPLES / "congress.json")] + [("candidate", p) for p in VALID_CANDIDATES]
    for kind, path in cases:
        jsonschema.validate(read_json(path), _schema(kind))
    schema = _schema("candidate")
    data = _huong()
    data["_why"] = "a note"
    jsonschema.validate(data, schema)
    for broken in ("unknown", "missing", "item"):
        bad = _huong()
        if broken == "unknown":
            bad["admission"]["ceremoney"] = {"date": "2026-02-20"}
        elif broken == "missing":
            del bad["candidate"]["full_name"]
        else:
            del bad["introducers"][0]["full_name"]
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
        assert _check_json(_write(tmp_path / f"{broken}.json", bad))[0] == 3


def test_shipped_samples_have_no_unknown_key():
    for profile in [*VALID_CANDIDATES, SAMPLES / "congress.json"]:
        code, problems = _check_json(profile)
        assert code == 0 and not [p for p in problems if p["rule"].startswith("input.")], profile


# -- 5. what a person obviously meant ------------------------------------------------------------
def test_a_choice_in_another_case_is_printed_canonical_with_a_warning(tmp_path):
    org = _org()
    org["committee"]["signer"]["title"] = "phó bí thư"
    out = tmp_path / "out"
    result = _run("admission-decision", HUONG, "--org", _write(tmp_path / "org.json", org), "-o", out,
                  "--format", "docx")
    assert result.exit_code == 0, result.stderr
    assert ('"Chức vụ người ký" (committee.signer.title) ghi "phó bí thư"; docgen hiểu và dùng "PHÓ BÍ THƯ".'
            in result.stderr)
    assert "input.corrected" in result.stderr and "CẢNH BÁO" in result.stderr
    (doc,) = out.glob("*.docx")
    text = docx_text(doc.read_bytes())
    assert "PHÓ BÍ THƯ" in text and "phó bí thư" not in text


def test_gender_in_lower_case_is_taken_as_the_choice(tmp_path):
    data = _huong()
    data["candidate"]["gender"] = "nữ"
    result = _run("context", _write(tmp_path / "p.json", data), "--org", ORG, "--form", "admission-decision")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["candidate"]["gender"] == "Nữ"
    code, problems = _check_json(tmp_path / "p.json")
    assert code == 0
    (p,) = [p for p in problems if p["rule"] == "input.corrected"]
    assert p["severity"] == "warning" and p["path"] == "candidate.gender" and p["label"] == "Giới tính"
    assert '"nữ"' in p["message"] and '"Nữ"' in p["message"]


@pytest.mark.parametrize("typed", ["Nu", "nữ giới", "N"])
def test_a_choice_that_is_not_one_in_any_case_is_still_an_error(tmp_path, typed):
    data = _huong()
    data["candidate"]["gender"] = typed
    code, problems = _check_json(_write(tmp_path / "p.json", data))
    assert code == 3 and [p["rule"] for p in problems if p["path"] == "candidate.gender"] == ["type.choice"]


def test_a_date_typed_day_month_year_is_printed_as_that_date(tmp_path):
    data = decision_only(_huong())
    data["candidate"]["date_of_birth"] = "5/2/2000"
    out = tmp_path / "out"
    result = _run("admission-decision", _write(tmp_path / "p.json", data), "--org", ORG, "-o", out,
                  "--format", "docx")
    assert result.exit_code == 0, result.stderr
    assert ('"Ngày sinh" (candidate.date_of_birth) ghi "5/2/2000"; docgen hiểu và dùng "2000-02-05" '
            "(ngày 05 tháng 02 năm 2000).") in result.stderr
    (doc,) = out.glob("*.docx")
    assert "sinh ngày 05 tháng 02 năm 2000" in docx_text(doc.read_bytes())


@pytest.mark.parametrize("typed, ok", [
    ("15/12/2000", True), ("1/1/2000", True), ("31/12/2000", True), ("01/1/2000", True),
    ("31/02/2000", False),     # no such day
    ("12/15/2000", False),     # month/day is not read
    ("2000/12/15", False), ("15-12-2000", False), ("15/12/00", False), ("15/12/2000 ", True),  # spaces trimmed
    ("31/12/1899", False),     # a real date, outside the field's bounds: its own error
])
def test_day_month_year_edges(tmp_path, typed, ok):
    data = decision_only(_huong())
    data["candidate"]["date_of_birth"] = typed
    code, problems = _check_json(_write(tmp_path / "p.json", data), ORG, "--form", "admission-decision")
    rules = [p["rule"] for p in problems if p["path"] == "candidate.date_of_birth"]
    if ok:
        assert code == 0 and rules == ["input.corrected"]
    else:
        assert code == 3 and ("type.date" in rules or "range.date" in rules)


@pytest.mark.parametrize("typed, ok", [("7", True), ("07", True), ("12", True), ("12.5", False), ("1e3", False),
                                       ("", False), ("-7", False), ("١٢", False), ("7 8", False)])
def test_a_whole_number_typed_as_text(tmp_path, typed, ok):
    data = decision_only(_huong())
    data["admission"]["decision"]["number"] = typed
    profile = _write(tmp_path / "p.json", data)
    code, problems = _check_json(profile, ORG, "--form", "admission-decision")
    rules = [p["rule"] for p in problems if p["path"] == "admission.decision.number"]
    if not ok:
        assert code == 3 and rules and "input.corrected" not in rules
        return
    assert code == 0 and rules == ["input.corrected"]
    out = tmp_path / "out"
    assert _run("admission-decision", profile, "--org", ORG, "-o", out, "--format", "docx").exit_code == 0
    (doc,) = out.glob("*.docx")
    assert f"Số {int(typed):02d}-QĐ/ĐUC" in docx_text(doc.read_bytes())


def test_a_batch_item_is_printed_with_the_corrected_value(tmp_path):
    data = decision_only(_huong())
    data["candidate"]["date_of_birth"] = "15/12/2000"
    out = tmp_path / "out"
    result = _run("batch", "admission-decision", _write(tmp_path / "list.json", [data]), "--org", ORG, "-o", out,
                  "-j", "1", "--format", "docx")
    assert result.exit_code == 0, result.output
    assert "Cảnh báo: 1 " in result.stdout
    (doc,) = out.glob("*.docx")
    assert "sinh ngày 15 tháng 12 năm 2000" in docx_text(doc.read_bytes())


# -- 6. files Notepad saves, and JSON syntax ----------------------------------------------------------------
@pytest.mark.parametrize("encoding, bom", [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                                           ("utf-16-be", b"\xfe\xff")])
def test_bom_and_utf16_files_are_read(tmp_path, encoding, bom):
    profile = tmp_path / "p.json"
    profile.write_bytes(bom + HUONG.read_text(encoding="utf-8").encode(encoding))
    org = tmp_path / "org.json"
    org.write_bytes(bom + ORG.read_text(encoding="utf-8").encode(encoding))
    result = _run("check", profile, "--org", org)
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(profile, folder / "p.json")
    made = _run("batch", "admission-decision", folder, "--org", org, "-o", tmp_path / "out", "-j", "1",
                "--format", "docx")
    assert made.exit_code == 0, made.output
    assert "PHẠM THỊ THU HƯỜNG" in docx_text(next((tmp_path / "out").glob("*.docx")).read_bytes())


def test_a_windows_1258_file_is_refused_with_where_and_how(tmp_path):
    text = '{\n  "superior": {"name": "Đảng ủy X"},\n  "committee": {"place": "Hà Nam"}\n}\n'
    org = tmp_path / "org.json"
    org.write_bytes(unicodedata.normalize("NFD", text).encode("cp1258"))  # as Windows keyboards type it
    result = _run("check", HUONG, "--org", org)
    assert result.exit_code == 3
    # "Đ" is the first character that is not ASCII: line 2, column 25
    assert "tệp không phải văn bản UTF-8: byte 0xD0 ở dòng 2, cột 25" in result.stderr
    assert "Windows-1258" in result.stderr and 'Encoding' in result.stderr and '"UTF-8"' in result.stderr
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(org, folder / "x.json")
    made = _run("batch", "admission-decision", folder, "--org", ORG, "-o", tmp_path / "out", "-j", "1")
    assert made.exit_code == 3 and "x.json:" in made.output and "dòng 2, cột 25" in made.output


def test_a_broken_utf16_file_is_refused(tmp_path):
    profile = tmp_path / "p.json"
    profile.write_bytes(b"\xff\xfe" + '{"a": 1}'.encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    result = _run("check", profile, "--org", ORG)
    assert result.exit_code == 3 and "UTF-16" in result.stderr and "Lỗi nội bộ" not in result.stderr


@pytest.mark.parametrize("text, words", [
    ('{"candidate": {"full_name": "A",\n  }\n}', "có dấu phẩy thừa ở dòng 1, cột 32, ngay trước }"),
    ('{"introducers": [1, 2,]}', "có dấu phẩy thừa ở dòng 1, cột 22, ngay trước ]"),
    ('{"candidate": {"full_name": "A"\n  "gender": "Nam"}}', "dòng 2, cột 3: thiếu dấu phẩy (,) giữa hai mục "
                                                          "(có lẽ thiếu dấu phẩy ở cuối mục (hay dòng) trước)"),
    ("{'candidate': {}}", 'tên khóa phải đặt trong dấu ngoặc kép ("…") (JSON dùng dấu ngoặc kép'),
    ('{"candidate" {}}', "thiếu dấu hai chấm (:) sau tên khóa"),
    ('{"candidate": True}', "viết true, false, null bằng chữ thường"),
    ('{"candidate": {"workplace": "Phòng "A" 2"}}', 'có lẽ trong chuỗi có dấu ngoặc kép; hãy viết nó là \\"'),
    ('{"candidate": "A\nB"}', "có ký tự điều khiển (xuống dòng, tab) nằm trong chuỗi"),
    ('{"candidate": "A', "chuỗi mở dấu ngoặc kép mà không đóng"),
    ('{} {}', "còn nội dung sau khi dữ liệu JSON đã kết thúc"),
    ('{"a": "\\x"}', "dấu \\ không hợp lệ trong chuỗi"),
    ("", "thiếu giá trị"),
])
def test_json_syntax_errors_are_explained(tmp_path, text, words):
    profile = tmp_path / "p.json"
    profile.write_text(text, encoding="utf-8")
    result = _run("check", profile, "--org", ORG)
    assert result.exit_code == 3
    assert "không phải JSON hợp lệ ở dòng" in result.stderr
    assert words in result.stderr
    assert "Expecting" not in result.stderr


def test_the_file_limits_still_hold(tmp_path):
    """Repeated keys and long numbers are still named by their paths (samples/invalid)."""
    path = SAMPLES / "invalid" / "json-repeated-key-long-number.json"
    code, problems = _check_json(path)
    assert code == 3 and {p["rule"] for p in problems} == set(read_json(path)["_expect"])
    deep = tmp_path / "deep.json"
    deep.write_text('{"candidate": ' + "[" * 30 + "]" * 30 + "}", encoding="utf-8")
    result = _run("check", deep, "--org", ORG)
    assert result.exit_code == 3 and "lồng nhau quá 20 tầng" in result.stderr
