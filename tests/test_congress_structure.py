"""The election structure of a cell congress (294-QĐ/TW §12, §23.2; 190-QĐ/TW Art. 14), the base
from the absentees (§9.3.2), and what the minutes, count minutes and resolution print."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main

from conftest import SAMPLES, make_inputs, read_json
from doctext import docx_text

ORG = str(SAMPLES / "org.json")
INVALID = SAMPLES / "invalid" / "congress"


@pytest.fixture()
def cg():
    return read_json(SAMPLES / "congress.json")


def found(engine, org, data):
    inputs = make_inputs(engine, org, data, kind="congress")
    problems = engine.problems(engine.pack_forms(inputs, "congress"), inputs)
    problems += [p for p in engine.all_rule_problems(inputs) if p not in problems]
    return [p for p in problems if p.severity == "error"]


def of_rule(engine, org, data, rule):
    return [p for p in found(engine, org, data) if p.rule == rule]


def pack(engine, org, data) -> dict[str, str]:
    """The text of every paper of the pack, by form id and item."""
    inputs = make_inputs(engine, org, data, kind="congress")
    assert not found(engine, org, data)
    return {doc.stem.split("_")[1]: docx_text(doc.docx)
            for doc in engine.render_all(engine.pack_forms(inputs, "congress"), inputs)}


# -- the acceptance refusals: exit 3, the rule and the field named ------------------------------
@pytest.mark.parametrize("sample, rule, path", [
    ("counting-board-candidate", "congress.counting_board", "congress.counting_board[0].full_name"),
    ("guest-in-presidium", "congress.presidium", "congress.presidium[1]"),
    ("deputy-not-in-committee", "election.structure", "congress.elections[2].candidates[0].full_name"),
    ("small-cell-committee", "election.structure", "congress.elections[0].office"),
    ("committee-8-seats", "election.structure", "congress.elections[0].seats"),
    ("committee-no-surplus", "election.surplus", "congress.elections[0].candidates"),
])
def test_each_breach_exits_3_naming_rule_and_field(tmp_path, sample, rule, path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["congress", str(INVALID / f"{sample}.json"), "--org", ORG, "-o", str(out)])
    assert result.exit_code == 3, result.output
    assert rule in result.stderr and path in result.stderr
    assert not out.exists()


# -- counting board and presidium ----------------------------------------------------------------
def test_counting_board_member_on_a_list_is_refused_and_off_the_lists_is_not(engine, org_data, cg):
    assert not of_rule(engine, org_data, cg, "congress.counting_board")
    cg["congress"]["counting_board"][2]["full_name"] = "Hồ Sỹ Thắng"  # a chi ủy candidate
    (p,) = of_rule(engine, org_data, cg, "congress.counting_board")
    assert p.path == "congress.counting_board[2].full_name" and "danh sách bầu chi ủy viên" in p.message
    assert p.label.startswith("Họ và tên thành viên Ban Kiểm phiếu")


def test_a_nominee_cannot_count_votes_either(engine, org_data, cg):
    cg["congress"]["counting_board"][1]["full_name"] = "ngô  thanh bình"  # case and spacing do not hide him
    cg["congress"]["elections"][0]["candidates"][5]["full_name"] = "Phạm Văn Khác"
    cg["congress"]["nominations"][0]["nominees"][0]["votes"] = 3  # not on the list: under 30%
    (p,) = of_rule(engine, org_data, cg, "congress.counting_board")
    assert p.path == "congress.counting_board[1].full_name"


def test_counting_board_has_one_head(engine, org_data, cg):
    cg["congress"]["counting_board"][1]["role"] = "Trưởng ban"
    (p,) = of_rule(engine, org_data, cg, "congress.counting_board")
    assert p.path == "congress.counting_board" and "có 2 người là \"Trưởng ban\"" in p.message


def test_guest_in_presidium_or_secretariat_is_refused(engine, org_data, cg):
    cg["congress"]["secretariat"] = ["Trần Thị Minh Hằng"]
    (p,) = of_rule(engine, org_data, cg, "congress.presidium")
    assert p.path == "congress.secretariat[0]" and "khách mời" in p.message


def test_superior_speaker_is_a_guest(engine, org_data, cg):
    cg["congress"]["superior_speaker"] = "Nguyễn Văn Lạ"
    (p,) = of_rule(engine, org_data, cg, "congress.presidium")
    assert p.path == "congress.superior_speaker"


# -- structure (294-QĐ/TW §23.2) ------------------------------------------------------------------
def small(cg, official):
    """The sample with ``official`` official members, one of them absent."""
    m = cg["congress"]["members"]
    m.update(official=official, present_official=official - 1)
    cg["congress"]["staff_total"] = 24
    return cg


@pytest.mark.parametrize("official, ok", [(9, True), (8, False)])
def test_a_chi_uy_from_nine_official_members(engine, org_data, cg, official, ok):
    small(cg, official)
    for e in cg["congress"]["elections"]:
        e["ballots_issued"] = min(e["ballots_issued"], official - 1)
        e["ballots_returned"] = e["ballots_valid"] = e["ballots_issued"]
    for c, v in zip(cg["congress"]["elections"][0]["candidates"], [7, 7, 6, 6, 5, 1], strict=True):
        c["votes"] = v
    cg["congress"]["elections"][1]["candidates"][0]["votes"] = 7
    cg["congress"]["elections"][2]["candidates"][0]["votes"] = 6
    cg["congress"]["nominations"][0]["nominees"][0]["votes"] = 4
    for v in cg["congress"]["votes"].values():
        v.update(approve=official - 2, reject=1)
    hits = of_rule(engine, org_data, cg, "election.structure")
    assert not [p for p in found(engine, org_data, cg) if p.rule != "election.structure"]
    assert (not hits) is ok
    if not ok:
        assert hits[0].path == "congress.elections[0].office" and "dưới 9" in hits[0].message


@pytest.mark.parametrize("seats, ok", [(7, True), (8, False)])
def test_at_most_seven_chi_uy_seats(engine, org_data, cg, seats, ok):
    e = cg["congress"]["elections"][0]
    e["seats"] = seats
    e["candidates"] = e["candidates"][:5] + [dict(e["candidates"][0], full_name=f"Nguyễn Văn {chr(65 + i)}", votes=8)
                                             for i in range(seats - 4)]
    hits = [p for p in of_rule(engine, org_data, cg, "election.structure") if p.path.endswith(".seats")]
    assert (not hits) is ok


def test_deputy_elected_from_the_chi_uy_passes_and_from_outside_is_refused(engine, org_data, cg):
    assert not of_rule(engine, org_data, cg, "election.structure")
    cg["congress"]["elections"][2]["candidates"][0]["full_name"] = "Ngô Thanh Bình"  # 6 votes: not elected
    (p,) = of_rule(engine, org_data, cg, "election.structure")
    assert "không trúng cử chi ủy" in p.message


def test_one_bi_thu_and_at_most_one_pho_bi_thu(engine, org_data, cg):
    e = cg["congress"]["elections"][2]
    e["seats"] = 2
    e["candidates"].append(dict(e["candidates"][0], full_name="Đỗ Thị Mai Anh"))
    (p,) = [p for p in of_rule(engine, org_data, cg, "election.structure") if p.path.endswith(".seats")]
    assert p.path == "congress.elections[2].seats"


def test_large_cell_without_a_chi_uy_election_is_refused(engine, org_data, cg):
    del cg["congress"]["elections"][0]
    del cg["congress"]["votes"]["committee_size"]
    cg["congress"]["nominations"] = []
    hits = of_rule(engine, org_data, cg, "election.structure")
    assert {p.path for p in hits} == {"congress.elections[0].office", "congress.elections[1].office"}


# -- lists: surplus, nominees, delegates ------------------------------------------------------------
@pytest.mark.parametrize("listed, ok", [(6, True), (5, False)])
def test_chi_uy_list_longer_than_the_seats(engine, org_data, cg, listed, ok):
    e = cg["congress"]["elections"][0]
    e["candidates"] = e["candidates"][:listed]
    assert (not of_rule(engine, org_data, cg, "election.surplus")) is ok


def test_one_seat_bi_thu_may_have_one_candidate(engine, org_data, cg):
    assert len(cg["congress"]["elections"][1]["candidates"]) == 1
    assert not of_rule(engine, org_data, cg, "election.surplus")


@pytest.mark.parametrize("votes, ok", [(4, True), (3, False)])  # 13 present: 4 is 30,77%, 3 is 23,08%
def test_nominee_joins_the_list_only_over_thirty_percent(engine, org_data, cg, votes, ok):
    cg["congress"]["nominations"][0]["nominees"][0]["votes"] = votes
    hits = of_rule(engine, org_data, cg, "election.nominee")
    assert (not hits) is ok
    if not ok:
        assert hits[0].path == "congress.nominations[0].nominees[0].votes" and "3/13" in hits[0].message


def test_nominee_over_thirty_percent_missing_from_the_list_is_named(engine, org_data, cg):
    cg["congress"]["nominations"][0]["nominees"].append({"full_name": "Trương Văn Mới", "votes": 5})
    (p,) = of_rule(engine, org_data, cg, "election.nominee")
    assert p.path == "congress.nominations[0].nominees[1].full_name"


def test_withdrawn_person_is_not_on_the_list(engine, org_data, cg):
    cg["congress"]["nominations"][0]["withdrawals"][0]["full_name"] = "Hồ Sỹ Thắng"
    (p,) = of_rule(engine, org_data, cg, "election.nominee")
    assert p.path == "congress.nominations[0].withdrawals[0].full_name"


def test_delegates_number_comes_from_the_superior(engine, org_data):
    data = read_json(SAMPLES / "congress-round2.json")
    assert not of_rule(engine, org_data, data, "election.delegates")
    text = pack(engine, org_data, data)["vote-count-minutes-4-dai-bieu-du-dai-hoi-cap-tren"]
    assert "do cấp ủy cấp trên phân bổ (Công văn số 25-CV/ĐUC" in text
    del data["congress"]["elections"][3]["allotted_by_superior"]
    (p,) = of_rule(engine, org_data, data, "election.delegates")
    assert p.path == "congress.elections[3].allotted_by_superior"


# -- rounds and empty seats -------------------------------------------------------------------------
def test_second_round_after_a_tie_elects_the_last_seat(engine, org_data):
    data = read_json(SAMPLES / "congress-round2.json")
    texts = pack(engine, org_data, data)
    minutes = texts["vote-count-minutes-1-chi-uy-vien"]
    assert "Các đồng chí Ngô Thanh Bình, Dương Thị Ỷ Nhi có số phiếu bằng nhau ở vị trí cuối" in minutes
    assert "Đại hội bầu lần thứ 2 cho 1 chỗ còn lại, danh sách gồm 2 đồng chí." in minutes
    assert "5. Đồng chí Dương Thị Ỷ Nhi: 9 phiếu, đạt 69,23%." in minutes
    assert "Lần thứ 2 (1 chỗ còn lại, danh sách 2 người)" in texts["congress-minutes"]
    del data["congress"]["elections"][0]["rounds"]
    assert [p.path for p in of_rule(engine, org_data, data, "election.tie")] == ["congress.elections[0].candidates"]


def test_shortfall_in_the_second_round_needs_a_third_or_a_decision(engine, org_data):
    data = read_json(SAMPLES / "congress-round2.json")
    for c, v in zip(data["congress"]["elections"][0]["rounds"][0]["candidates"], [6, 5], strict=True):
        c["votes"] = v  # 6 of 13 is not over half
    (p,) = of_rule(engine, org_data, data, "election.unfilled")
    assert p.path == "congress.elections[0].seats_left_empty" and "4/5" in p.message
    data["congress"]["elections"][0]["seats_left_empty"] = {"reason": "Đại hội quyết định để trống một chỗ"}
    assert not found(engine, org_data, data)
    minutes = pack(engine, org_data, data)["vote-count-minutes-1-chi-uy-vien"]
    assert "Đại hội biểu quyết để trống 1 chỗ: Đại hội quyết định để trống một chỗ." in minutes


def test_rounds_and_empty_seats_only_when_seats_are_empty(engine, org_data, cg):
    e = cg["congress"]["elections"][1]
    e["rounds"] = [{"candidates": [{"full_name": "Lê Văn Quyết", "votes": 12}], "ballots_issued": 13,
                    "ballots_returned": 13, "ballots_valid": 13}]
    e["seats_left_empty"] = {"reason": "không cần"}
    assert {p.path for p in of_rule(engine, org_data, cg, "election.rounds")} == {
        "congress.elections[1].rounds[0]", "congress.elections[1].seats_left_empty"}


# -- votes -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("approve, ok", [(7, True), (6, False)])  # base 13: 7 is over half, 6 is not
def test_a_show_of_hands_adopts_with_more_than_half_of_the_base(engine, org_data, cg, approve, ok):
    cg["congress"]["votes"]["resolution"] = {"approve": approve, "reject": 13 - approve}
    hits = of_rule(engine, org_data, cg, "congress.votes")
    assert (not hits) is ok
    if not ok:
        assert hits[0].path == "congress.votes.resolution.approve" and "6/13" in hits[0].message


@pytest.mark.parametrize("reject, ok", [(1, True), (2, False)])  # 13 present
def test_a_tally_never_exceeds_the_official_members_present(engine, org_data, cg, reject, ok):
    cg["congress"]["votes"]["agenda"] = {"approve": 12, "reject": reject}
    assert (not of_rule(engine, org_data, cg, "congress.votes")) is ok


def test_the_chi_uy_number_is_voted_exactly_when_a_chi_uy_is_elected(engine, org_data, cg):
    del cg["congress"]["votes"]["committee_size"]
    (p,) = of_rule(engine, org_data, cg, "congress.votes")
    assert p.path == "congress.votes.committee_size.approve"
    data = read_json(SAMPLES / "congress-small.json")
    data["congress"]["votes"]["committee_size"] = {"approve": 8, "reject": 0}
    (p,) = of_rule(engine, org_data, data, "congress.votes")
    assert "không bầu chi ủy" in p.message


# -- the base from the absentees (294-QĐ/TW §9.3.2) --------------------------------------------------
def test_absent_with_accepted_reason_makes_the_base_13_of_14_in_every_paper(engine, org_data, cg):
    texts = pack(engine, org_data, cg)
    assert "Số đảng viên chính thức làm căn cứ tính kết quả biểu quyết, bầu cử: 13 đồng chí." \
        in texts["attendance-report"]
    assert "không tính khi biểu quyết, bầu cử (chuyển sinh hoạt tạm thời, miễn sinh hoạt vắng mặt, bị đình chỉ " \
           "sinh hoạt, vắng mặt suốt thời gian đại hội có lý do được chấp nhận): 1 đồng chí" \
        in texts["attendance-report"]
    for i, office in enumerate(("chi-uy-vien", "bi-thu", "pho-bi-thu"), start=1):
        text = texts[f"vote-count-minutes-{i}-{office}"]
        assert "được triệu tập: 14 đồng chí; số đảng viên chính thức làm căn cứ tính kết quả bầu cử: 13 đồng chí" \
            in text
        assert "tỷ lệ so với 13 đảng viên chính thức" in text
    assert "Vũ Minh Tuấn: 12 phiếu, đạt 92,31%" in texts["vote-count-minutes-1-chi-uy-vien"]
    assert "Số đảng viên chính thức làm căn cứ tính kết quả biểu quyết, bầu cử: 13 đồng chí." \
        in texts["congress-minutes"]
    assert "Vũ Minh Tuấn (11 phiếu, đạt 84,62%)" in texts["congress-minutes"]
    assert "số làm căn cứ tính kết quả bầu cử: 13 đồng chí" in texts["ratification-request"]
    assert "Lê Văn Quyết (12 phiếu, đạt 92,31%)" in texts["ratification-request"]
    assert "13/13 đảng viên chính thức tán thành (đạt 100%)" in texts["congress-resolution"]
    assert "Phan Văn Lợi (đảng viên chính thức) vắng mặt suốt thời gian đại hội, có lý do được cấp ủy triệu tập " \
           "chấp nhận" in texts["congress-minutes"]


def test_an_absentee_of_another_case_stays_in_the_base(engine, org_data, cg):
    cg["congress"]["members"]["absent"][0]["category"] = "other"
    texts = pack(engine, org_data, cg)
    assert "làm căn cứ tính kết quả bầu cử: 14 đồng chí" in texts["vote-count-minutes-1-chi-uy-vien"]
    assert "Vũ Minh Tuấn: 12 phiếu, đạt 85,71%" in texts["vote-count-minutes-1-chi-uy-vien"]


def test_a_probationary_absentee_never_lowers_the_base(engine, org_data, cg):
    cg["congress"]["members"]["absent"][0]["status"] = "probationary"
    cg["congress"]["members"].update(present_official=14, present_probationary=0)
    text = pack(engine, org_data, cg)["attendance-report"]
    assert "(chính thức 0, dự bị 1)" in text and "bầu cử: 14 đồng chí" in text


@pytest.mark.parametrize("absent, ok", [(14, True), (15, False)])
def test_no_more_absentees_than_members(engine, org_data, cg, absent, ok):
    m = cg["congress"]["members"]
    m["absent"] = [{"full_name": f"Đảng Viên {i}", "status": "official", "category": "exempted"} for i in range(absent)]
    del m["present_official"]
    hits = [p for p in of_rule(engine, org_data, cg, "congress.counts") if p.path == "congress.members.absent"]
    assert (not hits) is ok


def test_the_retired_count_keys_say_what_replaces_them(engine, org_data, cg):
    cg["congress"]["members"]["not_counted"] = 1
    cg["congress"]["vote_counters"] = ["Trịnh Văn Khải"]
    messages = {p.path: p.message for p in found(engine, org_data, cg)}
    assert "congress.members.absent[]" in messages["congress.members.not_counted"]
    assert "congress.counting_board[]" in messages["congress.vote_counters"]


# -- signatures (D28) and the small cell ------------------------------------------------------------
def test_one_person_secretariat_signs_without_t_m(engine, org_data, cg):
    texts = pack(engine, org_data, cg)
    assert cg["congress"]["secretariat"] == ["Đỗ Thị Mai Anh"]
    assert "THƯ KÝ ĐẠI HỘI Đỗ Thị Mai Anh" in texts["congress-minutes"]
    assert "T/M ĐOÀN THƯ KÝ" not in texts["congress-minutes"]
    assert "T/M ĐOÀN CHỦ TỊCH Lê Văn Quyết" in texts["congress-minutes"]
    two = copy.deepcopy(cg)
    two["congress"]["secretariat"].append("Hồ Sỹ Thắng")
    assert "T/M ĐOÀN THƯ KÝ Đỗ Thị Mai Anh" in pack(engine, org_data, two)["congress-minutes"]


def test_small_cell_pack_has_no_chi_uy_election(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["congress", str(SAMPLES / "congress-small.json"), "--org", ORG, "-o", str(out)])
    assert result.exit_code == 0, result.output
    names = [Path(p).name for p in result.stdout.split()]
    assert not [n for n in names if "chi-uy" in n]
    # each paper's name carries the cell's: two cells' packs of one day never share a name
    cell = "chi-bo-trung-tam-khuyen-cong-va-tu-van-phat-trien-cong-nghie"
    assert [n for n in names if n.endswith(".docx") and "vote-count-minutes" in n] == [
        f"2025-06-20_vote-count-minutes-1-bi-thu_{cell}.docx",
        f"2025-06-20_vote-count-minutes-2-pho-bi-thu_{cell}.docx"]
    resolution = docx_text((out / f"2025-06-20_congress-resolution_{cell}.docx").read_bytes())
    assert "Giao Bí thư Chi bộ nhiệm kỳ" in resolution and "CHỦ TỊCH ĐẠI HỘI Lê Văn Quyết" in resolution
    assert "T/M ĐOÀN CHỦ TỊCH" not in resolution
    minutes = docx_text((out / f"2025-06-20_congress-minutes_{cell}.docx").read_bytes())
    assert "số lượng chi ủy viên" not in minutes and "Chủ tịch Đại hội: đồng chí Lê Văn Quyết" in minutes
    # every paper the presidium signs: the candidate lists too
    lists = sorted(out.glob("*_candidate-list-*.docx"))
    assert len(lists) == 2
    for listed in lists:
        text = docx_text(listed.read_bytes())
        assert text.endswith("CHỦ TỊCH ĐẠI HỘI Lê Văn Quyết") and "T/M ĐOÀN CHỦ TỊCH" not in text, listed.name


@pytest.mark.parametrize("sample", ["congress", "congress-small", "congress-round2"])
def test_count_minutes_never_print_a_vote_on_the_number_of_bi_thu_pho_bi_thu_or_delegates(engine, org_data, sample):
    texts = pack(engine, org_data, read_json(SAMPLES / f"{sample}.json"))
    minutes = {k: v for k, v in texts.items() if k.startswith("vote-count-minutes")}
    assert minutes
    for name, text in minutes.items():
        assert not re.search(r"biểu quyết số lượng (bí thư|phó bí thư|đại biểu)", text), name
        if "chi-uy" in name:
            assert "Đại hội đã biểu quyết số lượng chi ủy viên cần bầu là 5 đồng chí (12 đồng chí tán thành" in text
        elif "dai-bieu" in name:
            assert "do cấp ủy cấp trên phân bổ" in text
        else:
            assert "Chi bộ bầu một" in text


def test_minutes_record_each_step_with_its_tally(engine, org_data, cg):
    text = pack(engine, org_data, cg)["congress-minutes"]
    for step in (
        "Chương trình Đại hội (13 đồng chí tán thành, 0 đồng chí không tán thành)",
        "Quy chế làm việc của Đại hội (13 đồng chí tán thành",
        "5. Đồng chí Trần Thị Minh Hằng, Phó Bí thư Đảng ủy Cục Công Thương địa phương, phát biểu chỉ đạo Đại hội.",
        "đồng chí Ngô Thanh Bình được đề cử, ứng cử tại Đại hội, được 9 đảng viên chính thức có mặt tán thành "
        "(69,23%), được đưa vào danh sách bầu cử",
        "đồng chí Hoàng Minh Đức xin rút khỏi danh sách (lý do sức khỏe)",
        "số lượng chi ủy viên nhiệm kỳ 2025 - 2030 là 5 đồng chí (12 đồng chí tán thành, 1 đồng chí không tán thành)",
        "thông qua danh sách bầu cử của các cuộc bầu dưới đây (13 đồng chí tán thành",
        "Ban Kiểm phiếu gồm các đồng chí: Trịnh Văn Khải, Bùi Thị Lan, Mai Xuân Trường",
        "Nghị quyết Đại hội (13 đồng chí tán thành, 0 đồng chí không tán thành, đạt 100%",
    ):
        assert step in text, step
    assert "Đại biểu khách mời: đồng chí Trần Thị Minh Hằng, Phó Bí thư" in text


def test_resolution_has_results_tasks_and_its_tally(engine, org_data, cg):
    text = pack(engine, org_data, cg)["congress-resolution"]
    assert "2. Đánh giá kết quả thực hiện Nghị quyết nhiệm kỳ qua: - Chi bộ lãnh đạo" in text
    assert "4. Phương hướng, nhiệm vụ và giải pháp nhiệm kỳ 2025 - 2030: - Nâng cao" in text
    assert "bồi dưỡng quần chúng ưu tú. 5. Các chỉ tiêu" in text
    assert "với 13/13 đảng viên chính thức tán thành (đạt 100%), 0 đồng chí không tán thành." in text


def test_sample_files_are_written_as_json(tmp_path):
    for name in ("congress", "congress-small", "congress-round2"):
        assert json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))["congress"]["members"]
