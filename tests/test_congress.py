"""The cell congress pack: one input, consistent numbers, election arithmetic, ballots."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from docgen.cli import main
from docgen.domain.elections import Candidate, over_half, surplus_over_limit, tally

from conftest import GOLDEN, SAMPLES, assert_invalid_sample_refused, make_inputs, read_json
from doctext import docx_paragraphs, docx_text, pdf_text

ORG = str(SAMPLES / "org.json")
CONGRESS = SAMPLES / "congress.json"


def inputs_for(engine, org, cg):
    return make_inputs(engine, org, cg, kind="congress")


def problems(engine, org, cg):
    inputs = inputs_for(engine, org, cg)
    found = engine.problems(engine.pack_forms(inputs, "congress"), inputs)
    return found + [p for p in engine.all_rule_problems(inputs) if p not in found]


def rules_of(found, severity="error"):
    return {p.rule for p in found if p.severity == severity}


def render(engine, org, cg, form_id, item=None):
    inputs = inputs_for(engine, org, cg)
    assert not [p for p in problems(engine, org, cg) if p.severity == "error"]
    return engine.render(engine.library.get(form_id), inputs, item=item)


@pytest.fixture()
def cg():
    return read_json(CONGRESS)


# -- the pack ------------------------------------------------------------------------------------
def test_congress_pack_writes_every_paper_and_numbers_agree(tmp_path):
    result = CliRunner().invoke(main, ["congress", str(CONGRESS), "--org", ORG, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = [Path(p) for p in result.stdout.split()]
    docx = {p.stem.split("_")[1]: docx_text(p.read_bytes()) for p in written if p.suffix == ".docx"}
    assert set(docx) == {
        "attendance-report", "candidate-list-1-chi-uy-vien", "candidate-list-2-bi-thu", "candidate-list-3-pho-bi-thu",
        "ballot-1-chi-uy-vien", "ballot-2-bi-thu", "ballot-3-pho-bi-thu", "vote-count-minutes-1-chi-uy-vien",
        "vote-count-minutes-2-bi-thu", "vote-count-minutes-3-pho-bi-thu", "congress-minutes", "congress-resolution",
        "ratification-request", "elected-list", "ratification-decision",
    }
    for p in written:
        if p.suffix == ".docx":
            assert docx_text(p.read_bytes()) == pdf_text(p.with_suffix(".pdf").read_bytes()), p.name
    # one running sequence across the congress's own types; ballots, candidate lists and the list
    # the request encloses unnumbered; the cell's papers in its series, the decision in the committee's
    unnumbered = ("ballot", "candidate-list", "elected-list")
    numbers = {k: re.search(r"Số (\d+|\s*)-(\w+)/(\w+)", v).groups() for k, v in docx.items()
               if not k.startswith(unnumbered)}
    assert numbers == {
        "attendance-report": ("", "BC", "CB"),
        "vote-count-minutes-1-chi-uy-vien": ("01", "BB", "ĐH"),
        "vote-count-minutes-2-bi-thu": ("02", "BB", "ĐH"),
        "vote-count-minutes-3-pho-bi-thu": ("03", "BB", "ĐH"),
        "congress-minutes": ("04", "BB", "ĐH"),
        "congress-resolution": ("05", "NQ", "ĐH"),
        "ratification-request": ("01", "TTr", "CB"),
        "ratification-decision": ("25", "QĐ", "ĐUC"),
    }
    # the same counts everywhere they appear
    assert "có mặt 14/15 đảng viên được triệu tập" in docx["congress-resolution"]
    assert "Đại hội có mặt 14/15 đảng viên được triệu tập" in docx["congress-minutes"]
    assert "Số đảng viên có mặt: 14 đồng chí (chính thức 13, dự bị 1), đạt 93,33%" in docx["attendance-report"]
    winner = "Lê Văn Quyết (13 phiếu, đạt 100%)"  # the base is 13: one member absent with an accepted reason
    for k in ("congress-minutes", "ratification-request"):
        assert winner in docx[k]
    assert "Đồng chí Lê Văn Quyết: 13 phiếu, đạt 100%." in docx["vote-count-minutes-1-chi-uy-vien"]
    assert "Số phiếu phát ra: 13; số phiếu thu về: 12; số phiếu hợp lệ: 12" in docx["vote-count-minutes-3-pho-bi-thu"]
    merged = next(p for p in written if p.name.startswith("2025-06-20_congress_"))
    outline = [o.title for o in PdfReader(merged).outline]
    assert len(outline) == 15 and outline[0] == "Báo cáo tình hình đảng viên tham dự đại hội"


def test_single_form_command_uses_the_pack_number(tmp_path):
    result = CliRunner().invoke(main, ["congress-resolution", str(CONGRESS), "--org", ORG, "-o", str(tmp_path),
                                       "--format", "docx"])
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("*.docx")
    assert "Số 05-NQ/ĐH" in docx_text(path.read_bytes())


def test_number_start_shifts_the_sequence(engine, org_data, cg):
    cg["congress"]["number_start"] = 5
    doc = render(engine, org_data, cg, "congress-resolution")
    assert "Số 09-NQ/ĐH" in docx_text(doc.docx)


# -- statistics ----------------------------------------------------------------------------------
@pytest.mark.parametrize("official, probationary, share", [(14, 1, "62,5%"), (14, 0, "58,33%"), (13, 1, "58,33%")])
def test_membership_share_of_all_staff(engine, org_data, cg, official, probationary, share):
    m = cg["congress"]["members"]
    m.update(official=official, probationary=probationary, present_official=official,
             present_probationary=probationary, absent=[])
    doc = render(engine, org_data, cg, "congress-resolution")
    for text in (docx_text(doc.docx), pdf_text(doc.pdf)):
        assert (f"Chi bộ có {official + probationary} đảng viên ({official} chính thức, {probationary} dự bị), "
                f"chiếm {share} tổng số 24") in text
    assert "kết nạp 3 đảng viên, đạt 150% chỉ tiêu (2 đảng viên)" in docx_text(doc.docx)


# -- elections -----------------------------------------------------------------------------------
def test_more_than_half():
    assert not over_half(7, 14) and over_half(8, 14)
    assert not over_half(5, 11) and over_half(6, 11)  # the Charter's own example


@pytest.mark.parametrize("votes, elected", [(7, False), (8, True)])
def test_seven_of_fourteen_is_not_elected_eight_is(engine, org_data, cg, votes, elected):
    cg["congress"]["members"].update(absent=[], present_official=14)
    for e in cg["congress"]["elections"]:
        e["ballots_issued"] = e["ballots_returned"] = e["ballots_valid"] = 14
    e = cg["congress"]["elections"][1]  # bí thư, one seat
    e["candidates"][0]["votes"] = votes
    found = problems(engine, org_data, cg)
    # fewer elected than seats needs a further round or the congress's decision to leave the seat empty
    assert ("election.unfilled" in rules_of(found)) is not elected
    if not elected:
        e["seats_left_empty"] = {"reason": "Đại hội biểu quyết để trống, bầu bổ sung sau"}
    text = docx_text(render(engine, org_data, cg, "vote-count-minutes", item=1).docx)
    assert (f"Đồng chí Lê Văn Quyết: {votes} phiếu, đạt {'50%' if votes == 7 else '57,14%'}." in text) is elected
    assert ("Đại hội biểu quyết để trống 1 chỗ: Đại hội biểu quyết để trống, bầu bổ sung sau." in text) is not elected
    res = docx_text(render(engine, org_data, cg, "congress-resolution").docx)
    assert ("Bí thư: Lê Văn Quyết;" in res) is elected
    assert ("Bí thư: chưa bầu đủ;" in res) is not elected


def test_highest_votes_win_when_more_pass_than_seats():
    cands = [Candidate(i, n, v) for i, (n, v) in enumerate([("A", 9), ("B", 12), ("C", 10), ("D", 11)])]
    t = tally(3, 14, cands)
    assert [c.full_name for c in t.elected] == ["B", "D", "C"] and not t.tied


def test_tie_at_the_last_seat_is_flagged_for_a_revote(engine, org_data, cg):
    t = tally(2, 14, [Candidate(0, "A", 12), Candidate(1, "B", 10), Candidate(2, "C", 10)])
    assert [c.full_name for c in t.elected] == ["A"] and [c.full_name for c in t.tied] == ["B", "C"]
    votes = [13, 12, 11, 10, 9, 9]  # the 5th seat: two candidates on 9 votes
    for c, v in zip(cg["congress"]["elections"][0]["candidates"], votes, strict=True):
        c["votes"] = v
    (p,) = [p for p in problems(engine, org_data, cg) if p.rule == "election.tie"]
    assert p.severity == "error" and p.path == "congress.elections[0].candidates"
    assert "Ngô Thanh Bình, Dương Thị Ỷ Nhi cùng được 9 phiếu cho 1 chỗ" in p.message and "bầu lại" in p.message


@pytest.mark.parametrize("seats, listed, ok", [(10, 13, True), (10, 14, False), (5, 6, True), (5, 7, False),
                                               (1, 1, False), (3, 2, False)])  # a chi ủy list needs a surplus
def test_surplus_at_most_thirty_percent(engine, org_data, cg, seats, listed, ok):
    assert surplus_over_limit(listed, seats, 30) is (not ok and listed > seats)
    e = cg["congress"]["elections"][0]
    template = e["candidates"][0]
    e["seats"] = seats
    e["candidates"] = [dict(template, full_name=f"Nguyễn Văn {chr(65 + i)}", votes=12) for i in range(listed)]
    e["ballots_valid"] = e["ballots_returned"] = e["ballots_issued"] = 13
    found = [p for p in problems(engine, org_data, cg) if p.rule == "election.surplus"]
    assert (not found) is ok


def test_disagreeing_ballot_counts_exit_3_naming_the_fields(tmp_path, cg):
    e = cg["congress"]["elections"][0]
    e.update(ballots_issued=13, ballots_returned=14, ballots_valid=15)
    f = tmp_path / "c.json"
    f.write_text(json.dumps(cg, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["congress", str(f), "--org", ORG, "-o", str(out)])
    assert result.exit_code == 3
    assert "congress.elections[0].ballots_returned" in result.stderr
    assert "congress.elections[0].ballots_valid" in result.stderr
    assert "số phiếu thu về (14) nhiều hơn số phiếu phát ra (13)" in result.stderr
    assert not out.exists()


def test_votes_above_valid_ballots_are_refused(engine, org_data, cg):
    cg["congress"]["elections"][1]["candidates"][0]["votes"] = 14
    found = [p for p in problems(engine, org_data, cg) if p.rule == "election.ballots"]
    assert "congress.elections[1].candidates[0].votes" in [p.path for p in found]


def test_ballots_in_both_layouts(engine, org_data, cg):
    with_surplus = docx_text(render(engine, org_data, cg, "ballot", item=0).docx)
    assert "PHIẾU BẦU CỬ" in with_surplus and "gạch ngang cả họ và tên" in with_surplus
    assert "1. Đỗ Thị Mai Anh 2. Ngô Thanh Bình 3. Dương Thị Ỷ Nhi" in with_surplus
    assert "Không đồng ý" not in with_surplus
    single = docx_text(render(engine, org_data, cg, "ballot", item=1).docx)
    assert "STT Họ và tên Đồng ý Không đồng ý 1 Lê Văn Quyết" in single
    assert "gạch ngang" not in single


def test_candidate_list_is_alphabetical_by_given_name(engine, org_data, cg):
    text = docx_text(render(engine, org_data, cg, "candidate-list", item=0).docx)
    order = [m for m in re.findall(r"\d (\D+?) \d\d/\d\d/\d{4}", text)]
    assert order == ["Đỗ Thị Mai Anh", "Ngô Thanh Bình", "Dương Thị Ỷ Nhi", "Lê Văn Quyết", "Hồ Sỹ Thắng",
                     "Vũ Minh Tuấn"]
    assert "số dư: 1, bằng 20%" in text


def test_inconsistent_attendance_is_an_error(engine, org_data, cg):
    cg["congress"]["members"]["present_official"] = 14  # 14 convened, 1 absent: 13 present
    (p,) = [p for p in problems(engine, org_data, cg) if p.rule == "congress.counts"]
    assert p.path == "congress.members.present_official" and "thì có mặt 13" in p.message


@pytest.mark.parametrize("date, ok", [("2025-07-01", True), ("2025-07-02", False)])
def test_ratification_within_seven_working_days(engine, org_data, cg, date, ok):
    cg["congress"]["ratification"]["date"] = date  # congress on Friday 2025-06-20
    assert ("deadline.ratification" in rules_of(problems(engine, org_data, cg))) is not ok


def test_golden_text_congress(engine, org_data, cg, update_golden):
    inputs = inputs_for(engine, org_data, cg)
    for doc in engine.render_all(engine.pack_forms(inputs, "congress"), inputs):
        folder = GOLDEN / doc.form.id
        name = doc.stem.split("_")[1]
        got = "\n".join(docx_paragraphs(doc.docx)) + "\n"
        file = folder / f"congress-{name}.docx.txt"
        if update_golden:
            folder.mkdir(parents=True, exist_ok=True)
            file.write_text(got, encoding="utf-8")
        assert got == file.read_text(encoding="utf-8"), file.name


INVALID_CONGRESS = sorted((SAMPLES / "invalid" / "congress").glob("*.json"))


@pytest.mark.parametrize("path", INVALID_CONGRESS, ids=lambda p: p.stem)
def test_each_invalid_congress_sample_fails_for_its_reason(tmp_path, path):
    assert_invalid_sample_refused(path, "congress", tmp_path / "out")
