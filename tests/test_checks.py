"""Checks: every missing field listed with path and label, types, rules, exit codes, no files written."""

from __future__ import annotations

import copy
import itertools
import json

from click.testing import CliRunner

from docgen.cli import main
from docgen.load.fields import MISSING, get_path

from conftest import HUONG, INVALID, SAMPLES, VALID_CANDIDATES, decision_only, make_inputs, read_json

FORM = "admission-decision"
ORG = str(SAMPLES / "org.json")


def delete_path(data: dict, path: str) -> None:
    *head, last = path.split(".")
    node = data
    for key in head:
        node = node[key]
    del node[last]


def problems_for(engine, org, cand):
    form = engine.library.get(FORM)
    return engine.problems([form], make_inputs(engine, org, cand))


def test_every_required_field_when_missing_is_named(engine, org_data):
    form = engine.library.get(FORM)
    cand = decision_only(read_json(HUONG))
    for path in form.required:
        org, c = copy.deepcopy(org_data), copy.deepcopy(cand)
        target = org if engine.library.registry[path].input == "org" else c
        delete_path(target, path)
        found = problems_for(engine, org, c)
        assert [(p.rule, p.path) for p in found] == [("required", path)]
        label = engine.library.registry[path].label
        assert found[0].message == f'Thiếu "{label}" ({path}).'


def test_any_set_of_missing_fields_is_listed_in_full(engine, org_data):
    form = engine.library.get(FORM)
    cand = decision_only(read_json(HUONG))
    cand_paths = [p for p in form.required if engine.library.registry[p].input == "candidate"]
    for combo in itertools.islice(itertools.combinations(cand_paths, 3), 0, None, 7):
        c = copy.deepcopy(cand)
        for path in combo:
            delete_path(c, path)
        missing = {p.path for p in problems_for(engine, org_data, c) if p.rule == "required"}
        assert missing == set(combo)


def test_empty_profile_lists_every_candidate_field(engine, org_data):
    form = engine.library.get(FORM)
    found = problems_for(engine, org_data, {})
    want = {p for p in form.required if engine.library.registry[p].input == "candidate"}
    assert {p.path for p in found} == want


def test_malformed_values(engine, org_data):
    cand = decision_only(read_json(HUONG))
    cand["candidate"]["date_of_birth"] = "2001-02-29"
    cand["admission"]["decision"]["number"] = -3
    org = copy.deepcopy(org_data)
    org["committee"]["signer"]["title"] = "CHỦ TỊCH"
    found = {(p.rule, p.path) for p in problems_for(engine, org, cand)}
    assert found == {
        ("type.date", "candidate.date_of_birth"),
        ("type.int", "admission.decision.number"),
        ("type.choice", "committee.signer.title"),
    }


def test_decision_may_not_precede_the_meeting(engine, org_data):
    cand = decision_only(read_json(HUONG))
    cand["admission"]["decision"]["date"] = "2025-10-19"
    cand["admission"]["cell_meeting"]["date"] = "2025-10-20"
    # (the committee's resolution, dated after it too, is the order rule's concern)
    (p,) = [p for p in problems_for(engine, org_data, cand) if p.rule != "dates.order"]
    assert p.rule == "dates.decision_after_meeting" and p.path == "admission.decision.date"
    assert p.message.startswith("Ngày ký quyết định kết nạp (ngày 19 tháng 10 năm 2025) không được trước")
    cand["admission"]["decision"]["date"] = "2025-10-20"
    cand["admission"]["committee_resolution"]["date"] = "2025-10-20"
    assert problems_for(engine, org_data, cand) == []


def test_control_characters_are_refused(engine, org_data):
    cand = decision_only(read_json(HUONG))
    cand["candidate"]["hometown"] = "xã A\x0bB"
    (p,) = problems_for(engine, org_data, cand)
    assert p.rule == "text.control_character" and p.path == "candidate.hometown" and "U+000B" in p.message


def test_missing_fields_sample_names_every_field(tmp_path):
    result = CliRunner().invoke(main, ["check", str(SAMPLES / "invalid" / "missing-fields.json"), "--org", ORG,
                                       "--form", FORM, "--json"])
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert {p["path"] for p in data["problems"]} == {
        "candidate.full_name", "candidate.date_of_birth", "candidate.hometown", "admission.decision.number"}
    assert all(p["label"] and p["severity"] == "error" for p in data["problems"])


def test_check_exit_codes():
    ok = CliRunner().invoke(main, ["check", str(VALID_CANDIDATES[0]), "--org", ORG, "--form", FORM])
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(main, ["check", str(INVALID[0]), "--org", ORG, "--form", FORM])
    assert bad.exit_code == 3


def test_messages_never_print_the_whole_profile(tmp_path):
    cand = decision_only(read_json(HUONG))
    cand["candidate"]["residence"] = "R" * 500
    cand["candidate"]["date_of_birth"] = "x" * 500
    f = tmp_path / "p.json"
    f.write_text(json.dumps(cand, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(f), "--org", ORG, "--form", FORM])
    assert result.exit_code == 3
    assert "R" * 100 not in result.output and "x" * 100 not in result.output
    assert cand["candidate"]["hometown"] not in result.output


def test_not_json_is_a_clear_error(tmp_path):
    f = tmp_path / "p.json"
    f.write_text("{ \"candidate\": ", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(f), "--org", ORG, "--form", FORM])
    assert result.exit_code == 3
    assert "không phải JSON hợp lệ" in result.stderr


def test_get_path():
    data = {"a": {"b": [{"c": 1}]}}
    assert get_path(data, "a.b[0].c") == 1
    assert get_path(data, "a.b[1].c") is MISSING
    assert get_path(data, "a.x") is MISSING
