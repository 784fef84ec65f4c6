"""Write a first version of each form's template.docx (developer tool; see templatekit.py).

Usage: python tools/make_templates.py [FORM_ID ...]
Running it overwrites the template; after editing a template in Word, do not run it again
for that form. `tests/test_forms.py` keeps each form's template.txt in step with its template.
"""

from __future__ import annotations

import sys

from templatekit import CENTER, LEFT, Builder


COMMITTEE_HEADER = [
    ("{{ superior.name_upper }}", {}),
    ("{{ committee.name_upper }}", {"bold": True}),
    ("*", {}),
    ("{{ doc.number }}", {}),
]


def admission_decision():
    b = Builder("admission-decision")
    b.header(COMMITTEE_HEADER, "{{ doc.place_date }}")
    b.title("QUYẾT ĐỊNH", "{{ form.summary }}")
    b.loop("for line in legal_basis", "{{ line }}", indent_first_mm=10, after=3)
    b.para("{{ committee.authority_line }}", align=CENTER, bold=True, before=12, after=0)
    b.para("QUYẾT ĐỊNH:", align=CENTER, bold=True, after=12)
    b.body([
        ("Điều 1. ", {"bold": True}),
        ("Kết nạp quần chúng {{ candidate.full_name_upper }}, sinh {{ candidate.date_of_birth.long }}; "
         "quê quán: {{ candidate.hometown }}; nơi cư trú: {{ candidate.residence }}; "
         "đơn vị công tác: {{ candidate.workplace }} vào Đảng Cộng sản Việt Nam.", {}),
    ])
    b.body([
        ("Điều 2. ", {"bold": True}),
        ("{{ cell.name }} tổ chức lễ kết nạp cho đồng chí {{ candidate.full_name }} theo quy định. "
         "Thời gian dự bị của đồng chí {{ candidate.full_name }} là 12 tháng, kể từ ngày chi bộ tổ chức lễ kết nạp.", {}),
    ])
    b.body([
        ("Điều 3. ", {"bold": True}),
        ("Các cơ quan tham mưu, giúp việc của {{ committee.name }}, {{ cell.name }} và đồng chí "
         "{{ candidate.full_name }} chịu trách nhiệm thi hành Quyết định này.", {}),
    ])
    b.signature(
        "{{ committee.signer.on_behalf }}",
        "{{ committee.signer.title }}",
        "{{ committee.signer.full_name }}",
        recipients=["- Như Điều 3,", "- Lưu hồ sơ đảng viên,", "- Lưu Văn phòng Đảng ủy."],
    )
    return b.save()


CELL_HEADER = [
    ("{{ committee.organization_name_upper }}", {}),
    ("{{ cell.name_upper }}", {"bold": True}),
    ("*", {}),
]


def nomination():
    b = Builder("nomination")
    b.code_mark()
    b.party_title()
    b.title("GIẤY GIỚI THIỆU NGƯỜI VÀO ĐẢNG", None, dashes=False, before=6)
    b.para("Kính gửi: {{ cell.name }},", align=CENTER, before=12, after=0)
    b.para("{{ committee.name }}.", align=CENTER, indent_left_mm=22, after=12)
    b.body("Tôi là: {{ introducer.full_name }}, sinh {{ introducer.date_of_birth.long }}.")
    b.body("Vào Đảng {{ introducer.admitted_on.long }}, chính thức {{ introducer.official_on.long }}.")
    b.body("Chức vụ trong Đảng: {{ introducer.party_position }}; chức vụ chính quyền: "
           "{{ introducer.government_position }}; chức vụ đoàn thể: {{ introducer.mass_org_position }}.")
    b.body("Quê quán: {{ introducer.hometown }}.")
    b.body("Đang sinh hoạt tại {{ introducer.cell_name }}, {{ committee.organization_name }}.")
    b.body("{{ introducer.assigned_on.long_cap }} được chi bộ phân công giáo dục, giúp đỡ quần chúng "
           "{{ candidate.full_name }} phấn đấu vào Đảng. Tôi cùng công tác với quần chúng {{ candidate.full_name }} "
           "từ {{ introducer.worked_together_since.long }}. Tôi xin báo cáo với chi bộ về quần chúng "
           "{{ candidate.full_name }} như sau:")
    b.body([("1. Về lý lịch: ", {"bold": True}), ("{{ introducer.background_notes }}", {})])
    b.body([("2. Những ưu, khuyết điểm chính ", {"bold": True}),
            ("(về phẩm chất chính trị; đạo đức, lối sống; năng lực công tác; quan hệ quần chúng):", {"italic": True})])
    b.body("- Ưu điểm: {{ introducer.strengths }}")
    b.body("- Khuyết điểm: {{ introducer.weaknesses }}")
    b.body("Đối chiếu với tiêu chuẩn, điều kiện kết nạp đảng viên, tôi giới thiệu quần chúng {{ candidate.full_name }} "
           "và đề nghị chi bộ xem xét, đề nghị cấp ủy có thẩm quyền kết nạp vào Đảng Cộng sản Việt Nam. "
           "Tôi xin chịu trách nhiệm trước Đảng về sự giới thiệu của mình.")
    b.signature(None, "ĐẢNG VIÊN GIỚI THIỆU", "{{ introducer.full_name }}", recipients=None,
                date_line="{{ doc.place_date }}", note="(Ký, ghi rõ họ và tên)", sign_lines=2)
    return b.save()


def youth_union_resolution():
    b = Builder("youth-union-resolution")
    b.code_mark()
    b.header(
        [
            ("{{ youth_union_resolution.superior_upper }}", {}),
            ("{{ youth_union_resolution.issuer_upper }}", {"bold": True}),
            ("***", {}),
            ("{{ doc.number }}", {}),
        ],
        "{{ doc.place_date }}",
        party_title="ĐOÀN TNCS HỒ CHÍ MINH",
    )
    b.title("NGHỊ QUYẾT", "{{ form.summary }}")
    b.para("Kính gửi: {{ cell.name }};", align=CENTER, after=0)
    b.para("{{ committee.name }}.", align=CENTER, indent_left_mm=22, after=12)
    b.body("- Căn cứ điểm 1, Điều 4, Chương I Điều lệ Đảng Cộng sản Việt Nam về quyền hạn của ban chấp hành đoàn cơ sở "
           "giới thiệu đoàn viên ưu tú vào Đảng;", after=3)
    b.para("{%p if youth_union_resolution.branch %}", after=0)
    b.body("- Xét nghị quyết của {{ youth_union_resolution.branch }};", after=3)
    b.para("{%p endif %}", after=0)
    b.body("{{ youth_union_resolution.issuer }} họp {{ youth_union_resolution.date.long }} nhận thấy:")
    b.body("Đoàn viên {{ candidate.full_name }}, sinh {{ candidate.date_of_birth.long }}; quê quán: "
           "{{ candidate.hometown }}, có những ưu, khuyết điểm chính (về phẩm chất chính trị; đạo đức, lối sống; "
           "năng lực công tác; quan hệ quần chúng) như sau:")
    b.body("- Ưu điểm: {{ youth_union_resolution.strengths }}")
    b.body("- Khuyết điểm: {{ youth_union_resolution.weaknesses }}")
    b.body("Đối chiếu với tiêu chuẩn và điều kiện kết nạp đảng viên, {{ youth_union_resolution.issuer }} giới thiệu "
           "đoàn viên {{ candidate.full_name }} để chi bộ xem xét, đề nghị cấp ủy có thẩm quyền kết nạp vào Đảng "
           "Cộng sản Việt Nam.")
    b.body("Nghị quyết được biểu quyết thông qua với sự tán thành của {{ youth_union_resolution.approve.n }}/"
           "{{ youth_union_resolution.members_total.n }} đồng chí ủy viên Ban Chấp hành "
           "(đạt {{ youth_union_resolution.approve.pct }}).")
    b.signature("T/M BAN CHẤP HÀNH", "{{ youth_union_resolution.signer.title }}",
                "{{ youth_union_resolution.signer.full_name }}",
                recipients=["- Như trên,", "- Lưu Văn phòng Đoàn."])
    return b.save()


def comments_summary():
    b = Builder("comments-summary")
    b.code_mark()
    b.header(CELL_HEADER, "{{ doc.place_date }}")
    b.title("TỔNG HỢP Ý KIẾN NHẬN XÉT", "{{ form.summary }}")
    b.body("Căn cứ ý kiến nhận xét của đại diện các tổ chức đoàn thể chính trị - xã hội nơi quần chúng "
           "{{ candidate.full_name }} sinh hoạt và chi ủy (chi bộ) nơi cư trú, {{ cell.name }} tổng hợp như sau:")
    b.body("1. Tổng số tổ chức đoàn thể và chi ủy nơi cư trú có ý kiến nhận xét: {{ comments.total.padded }} tổ chức, gồm:",
           after=3)
    b.loop("for org_name in comments.organizations", "- {{ org_name }};", indent_first_mm=10, after=3)
    b.body("2. Những ưu điểm: {{ comments.strengths }}")
    b.body("3. Những khuyết điểm: {{ comments.weaknesses }}")
    b.body("4. Số tổ chức nhất trí đề nghị kết nạp quần chúng {{ candidate.full_name }} vào Đảng: "
           "{{ comments.agree.padded }} tổ chức; không nhất trí: {{ comments.disagree.padded }} tổ chức.")
    b.signature("{{ cell.committee_signer.on_behalf }}", "{{ cell.committee_signer.title }}",
                "{{ cell.committee_signer.full_name }}", recipients=["- Chi bộ (để báo cáo),", "- Lưu hồ sơ."])
    return b.save()


def cell_resolution():
    b = Builder("cell-resolution")
    b.header(CELL_HEADER + [("{{ admission.cell_meeting.number }}", {})], "{{ doc.place_date }}")
    b.title("NGHỊ QUYẾT", "{{ form.summary }}")
    b.body("Căn cứ Điều 4, Điều lệ Đảng Cộng sản Việt Nam,")
    m = "admission.cell_meeting"
    b.body(f"{{{{ {m}.date.long_cap }}}}, {{{{ cell.name }}}} đã họp để xét, đề nghị kết nạp quần chúng "
           "{{ candidate.full_name }} vào Đảng.")
    b.body(f"Tổng số đảng viên của Chi bộ: {{{{ {m}.members.total.n }}}} đảng viên, trong đó chính thức "
           f"{{{{ {m}.members.official.n }}}} đồng chí, dự bị {{{{ {m}.members.probationary.n }}}} đồng chí.", after=3)
    b.body(f"Có mặt: {{{{ {m}.present.total.n }}}} đảng viên, trong đó chính thức {{{{ {m}.present.official.n }}}} "
           f"đồng chí, dự bị {{{{ {m}.present.probationary.n }}}} đồng chí.", after=3)
    b.body(f"Vắng mặt: {{{{ {m}.absent.total.n }}}} đảng viên, trong đó chính thức {{{{ {m}.absent.official.n }}}} "
           f"đồng chí, dự bị {{{{ {m}.absent.probationary.n }}}} đồng chí. Lý do vắng mặt: {{{{ {m}.absent_reasons }}}}.",
           after=3)
    b.body(f"Chủ trì hội nghị: Đồng chí {{{{ {m}.chair.full_name }}}}, chức vụ: {{{{ {m}.chair.title }}}}.", after=3)
    b.body(f"Thư ký hội nghị: Đồng chí {{{{ {m}.secretary }}}}.")
    b.body("Chi bộ thảo luận và thống nhất kết luận về quần chúng {{ candidate.full_name }} như sau:")
    b.body([("1. Về lý lịch: ", {"bold": True}), (f"{{{{ {m}.conclusions.background }}}}", {})])
    b.body([("2. Về ý thức giác ngộ chính trị: ", {"bold": True}), (f"{{{{ {m}.conclusions.political_awareness }}}}", {})])
    b.body([("3. Những ưu điểm chính ", {"bold": True}),
            ("(về phẩm chất đạo đức, lối sống; năng lực công tác; quan hệ quần chúng): ", {"italic": True}),
            (f"{{{{ {m}.conclusions.strengths }}}}", {})])
    b.body([("4. Những khuyết điểm chính: ", {"bold": True}), (f"{{{{ {m}.conclusions.weaknesses }}}}", {})])
    b.body("Đối chiếu với tiêu chuẩn, điều kiện kết nạp đảng viên, Chi bộ nhận thấy quần chúng {{ candidate.full_name }} "
           "đủ tiêu chuẩn, điều kiện để kết nạp vào Đảng.")
    b.body(f"Số đảng viên chính thức tán thành việc kết nạp quần chúng {{{{ candidate.full_name }}}} vào Đảng là "
           f"{{{{ {m}.approve.n }}}} đồng chí ({{{{ {m}.approve.words }}}} đồng chí), đạt {{{{ {m}.approve.pct }}}} so với "
           f"tổng số đảng viên chính thức ({{{{ {m}.base.n }}}} đồng chí); số không tán thành là {{{{ {m}.reject.n }}}} "
           f"đồng chí, chiếm {{{{ {m}.reject.pct }}}}; lý do không tán thành: {{{{ {m}.reject_reasons }}}}.")
    b.body("Chi bộ đề nghị {{ committee.name }} xem xét, quyết định kết nạp quần chúng {{ candidate.full_name }} "
           "vào Đảng Cộng sản Việt Nam.")
    b.signature("{{ cell.signer.on_behalf }}", "{{ cell.signer.title }}", "{{ cell.signer.full_name }}",
                recipients=["- {{ committee.name }} (để báo cáo),", "- Lưu Chi bộ."])
    return b.save()


def committee_resolution():
    b = Builder("committee-resolution")
    b.header(COMMITTEE_HEADER, "{{ doc.place_date }}")
    b.title("NGHỊ QUYẾT", "{{ form.summary }}")
    b.loop("for line in legal_basis", "{{ line }}", indent_first_mm=10, after=3)
    r = "admission.committee_resolution"
    b.body(f"{{{{ {r}.date.long_cap }}}}, Ban Chấp hành {{{{ committee.name }}}} đã họp để xét, đề nghị kết nạp "
           "quần chúng {{ candidate.full_name }} vào Đảng.", before=6)
    b.body(f"Tổng số ủy viên Ban Chấp hành: {{{{ {r}.members_total.n }}}} đồng chí; có mặt: {{{{ {r}.present.n }}}} "
           f"đồng chí; vắng mặt: {{{{ {r}.absent.n }}}} đồng chí.")
    b.body("Sau khi xem xét hồ sơ và nghị quyết đề nghị kết nạp đảng viên của {{ cell.name }}, Đảng ủy thống nhất "
           "kết luận: quần chúng {{ candidate.full_name }} đủ tiêu chuẩn, điều kiện để kết nạp vào Đảng Cộng sản Việt Nam.")
    b.body(f"Số cấp ủy viên tán thành: {{{{ {r}.approve.n }}}} đồng chí, đạt {{{{ {r}.approve.pct }}}} so với tổng số "
           f"cấp ủy viên; số không tán thành: {{{{ {r}.reject.n }}}} đồng chí, chiếm {{{{ {r}.reject.pct }}}}.")
    b.para("{%p if committee.delegated %}", after=0)
    b.body("Đảng ủy quyết định kết nạp quần chúng {{ candidate.full_name }} vào Đảng Cộng sản Việt Nam theo thẩm quyền "
           "được ủy quyền.")
    b.para("{%p else %}", after=0)
    b.body("Đảng ủy đề nghị Ban Thường vụ xem xét, quyết định kết nạp quần chúng {{ candidate.full_name }} vào Đảng "
           "Cộng sản Việt Nam.")
    b.para("{%p endif %}", after=0)
    b.signature("T/M ĐẢNG ỦY", "{{ committee.signer.title }}", "{{ committee.signer.full_name }}",
                recipients=["- Ban Thường vụ (để báo cáo),", "- {{ cell.name }},", "- Lưu Văn phòng Đảng ủy."])
    return b.save()


E = "election"


def attendance_report():
    b = Builder("attendance-report")
    b.congress_header()
    b.title("BÁO CÁO", "tình hình đảng viên tham dự {{ congress.name }}")
    m = "congress.members"
    b.body(f"Tổng số đảng viên của Chi bộ được triệu tập dự Đại hội: {{{{ {m}.total.n }}}} đồng chí, trong đó đảng viên "
           f"chính thức {{{{ {m}.official.n }}}} đồng chí, đảng viên dự bị {{{{ {m}.probationary.n }}}} đồng chí.")
    b.body(f"Số đảng viên có mặt: {{{{ {m}.present.n }}}} đồng chí (chính thức {{{{ {m}.present_official.n }}}}, dự bị "
           f"{{{{ {m}.present_probationary.n }}}}), đạt {{{{ {m}.present_pct }}}} so với tổng số đảng viên được triệu tập.")
    b.body(f"Số đảng viên vắng mặt: {{{{ {m}.absent.n }}}} đồng chí (chính thức {{{{ {m}.absent_official.n }}}}, dự bị "
           f"{{{{ {m}.absent_probationary.n }}}}). Lý do vắng mặt: {{{{ {m}.absent_reasons }}}}.")
    b.body(f"Số đảng viên chính thức không tính khi biểu quyết, bầu cử (chuyển sinh hoạt tạm thời, miễn sinh hoạt vắng "
           f"mặt, bị đình chỉ sinh hoạt, vắng mặt suốt thời gian đại hội có lý do được chấp nhận): "
           f"{{{{ {m}.not_counted.n }}}} đồng chí. Số đảng viên chính thức làm căn cứ tính kết quả biểu quyết, bầu cử: "
           f"{{{{ {m}.base.n }}}} đồng chí.")
    b.body("Trên đây là báo cáo tình hình đảng viên tham dự Đại hội, kính trình Đại hội.")
    b.signature("{{ cell.committee_signer.on_behalf }}", "{{ cell.committee_signer.title }}",
                "{{ cell.committee_signer.full_name }}", recipients=["- Đại hội,", "- Lưu Chi bộ."])
    return b.save()


def candidate_list():
    b = Builder("candidate-list")
    b.congress_header()
    b.title("DANH SÁCH BẦU CỬ", f"{{{{ {E}.title }}}} {{{{ cell.name }}}} nhiệm kỳ {{{{ congress.term }}}}")
    b.body(f"Số lượng cần bầu: {{{{ {E}.seats.n }}}} đồng chí. Số người trong danh sách bầu cử: {{{{ {E}.listed.n }}}} "
           f"đồng chí (số dư: {{{{ {E}.surplus_count.n }}}}, bằng {{{{ {E}.surplus_pct }}}}). Danh sách xếp theo vần A, B, C:")
    b.data_table([15, 55, 33, 62], ["STT", "Họ và tên", "Ngày sinh", "Chức vụ, đơn vị công tác"],
                 ["{{ c.n }}", "{{ c.full_name }}", "{{ c.date_of_birth.short }}", "{{ c.position }}"],
                 f"for c in {E}.candidates", aligns=[CENTER, LEFT, CENTER, LEFT])
    b.signature("T/M ĐOÀN CHỦ TỊCH", None, "{{ congress.chair }}", recipients=["- Đại hội,", "- Lưu Chi bộ."])
    return b.save()


def ballot():
    b = Builder("ballot")
    b.header(
        [
            ("{{ committee.organization_name_upper }}", {}),
            ("{{ congress.issuer_upper }}", {"bold": True}),
            ("{{ congress.term_upper }}", {"bold": True}),
            ("(Dấu của cấp ủy triệu tập)", {"italic": True, "size": 11}),
        ],
        None,
    )
    b.title("PHIẾU BẦU CỬ", f"{{{{ {E}.title }}}} {{{{ cell.name }}}} nhiệm kỳ {{{{ congress.term }}}}", dashes=True)
    b.para(f"{{%p if {E}.surplus %}}", after=0)
    b.para(f"Số lượng cần bầu: {{{{ {E}.seats.n }}}} đồng chí", align=CENTER, italic=True, after=12)
    b.loop(f"for c in {E}.candidates", "{{ c.n }}. {{ c.full_name }}", indent_left_mm=40, after=6)
    b.para("Ghi chú: Đồng ý bầu đồng chí nào thì giữ nguyên họ và tên; không đồng ý thì gạch ngang cả họ và tên "
           "đồng chí đó. Không ghi thêm tên hoặc ký hiệu khác vào phiếu.", italic=True, size=12, before=12)
    b.para("{%p else %}", after=0)
    b.para(f"Số lượng cần bầu: {{{{ {E}.seats.n }}}} đồng chí", align=CENTER, italic=True, after=12)
    b.data_table([15, 80, 35, 35], ["STT", "Họ và tên", "Đồng ý", "Không đồng ý"],
                 ["{{ c.n }}", "{{ c.full_name }}", "", ""], f"for c in {E}.candidates",
                 aligns=[CENTER, LEFT, CENTER, CENTER], size=14)
    b.para("Ghi chú: Đánh dấu X vào một trong hai ô “Đồng ý” hoặc “Không đồng ý” cho từng người. "
           "Phiếu đánh dấu cả hai ô hoặc không đánh dấu ô nào là phiếu không hợp lệ.", italic=True, size=12, before=12)
    b.para("{%p endif %}", after=0)
    return b.save()


def vote_count_minutes():
    b = Builder("vote-count-minutes")
    b.congress_header()
    b.title("BIÊN BẢN KIỂM PHIẾU", f"Bầu {{{{ {E}.title }}}} {{{{ cell.name }}}} nhiệm kỳ {{{{ congress.term }}}}")
    m = "congress.members"
    b.body(f"{{{{ congress.name }}}} họp {{{{ congress.date.long }}}} tại {{{{ congress.venue }}}}, tiến hành bầu "
           f"{{{{ {E}.office }}}} theo quy định của Điều lệ Đảng và Quy chế bầu cử trong Đảng.")
    b.body(f"Đại hội đã biểu quyết số lượng {{{{ {E}.member }}}} cần bầu là {{{{ {E}.seats.n }}}} đồng chí và thông qua "
           f"danh sách bầu cử gồm {{{{ {E}.listed.n }}}} đồng chí.")
    b.body("Đại hội đã cử Ban Kiểm phiếu gồm các đồng chí:", after=3)
    b.loop("for v in congress.vote_counters", "{{ v.n }}. Đồng chí {{ v.full_name }}, {{ v.role }};",
           indent_first_mm=10, after=3)
    b.body(f"Tổng số đảng viên chính thức được triệu tập: {{{{ {m}.official.n }}}} đồng chí; số đảng viên chính thức "
           f"làm căn cứ tính kết quả bầu cử: {{{{ {m}.base.n }}}} đồng chí.", before=6, after=3)
    b.body(f"Số đảng viên chính thức có mặt lúc bầu cử: {{{{ {m}.present_official.n }}}} đồng chí; vắng mặt: "
           f"{{{{ {m}.absent_official.n }}}} đồng chí.", after=3)
    b.body(f"Số phiếu phát ra: {{{{ {E}.ballots.issued.n }}}}; số phiếu thu về: {{{{ {E}.ballots.returned.n }}}}; "
           f"số phiếu hợp lệ: {{{{ {E}.ballots.valid.n }}}}; số phiếu không hợp lệ: {{{{ {E}.ballots.invalid.n }}}} "
           f"(lý do: {{{{ {E}.ballots.invalid_reasons }}}}).")
    b.body(f"Kết quả kiểm phiếu (xếp theo thứ tự trong phiếu bầu; tỷ lệ so với {{{{ {m}.base.n }}}} đảng viên chính "
           f"thức):", after=3)
    b.data_table([15, 80, 35, 35], ["STT", "Họ và tên", "Số phiếu", "Tỷ lệ"],
                 ["{{ c.n }}", "{{ c.full_name }}", "{{ c.votes.n }}", "{{ c.pct }}"], f"for c in {E}.candidates",
                 aligns=[CENTER, LEFT, CENTER, CENTER])
    b.para(f"{{%p if {E}.elected %}}", after=0)
    b.body(f"Các đồng chí sau đây trúng cử {{{{ {E}.office }}}} (xếp theo số phiếu từ cao đến thấp, có số phiếu quá một "
           "nửa so với số đảng viên chính thức làm căn cứ):", after=3)
    b.loop(f"for w in {E}.elected", "{{ w.n }}. Đồng chí {{ w.full_name }}: {{ w.votes.n }} phiếu, đạt {{ w.pct }}.",
           indent_first_mm=10, after=3)
    b.para("{%p else %}", after=0)
    b.body("Không có đồng chí nào được quá một nửa số phiếu bầu so với số đảng viên chính thức làm căn cứ.")
    b.para("{%p endif %}", after=0)
    b.para(f"{{%p if {E}.unfilled %}}", after=0)
    b.body(f"Số người trúng cử còn thiếu {{{{ {E}.unfilled.n }}}} so với số lượng cần bầu; Đại hội xem xét, quyết định.")
    b.para("{%p endif %}", after=0)
    b.body("Biên bản được lập xong và đọc trước Đại hội ngay sau khi kiểm phiếu.")
    b.signature("TRƯỞNG BAN KIỂM PHIẾU", None, "{{ congress.vote_count_head }}",
                recipients=["{%p for v in congress.vote_count_members %}", "{{ v }}", "{%p endfor %}"],
                left_label="CÁC ỦY VIÊN BAN KIỂM PHIẾU")
    return b.save()


def congress_minutes():
    b = Builder("congress-minutes")
    b.congress_header()
    b.title("BIÊN BẢN", "{{ congress.name }}")
    m = "congress.members"
    b.body("{{ congress.name }} khai mạc lúc {{ congress.opening_time }} {{ congress.date.long }} tại {{ congress.venue }}.")
    b.body(f"Đại hội có mặt {{{{ {m}.present.n }}}}/{{{{ {m}.total.n }}}} đảng viên được triệu tập (chính thức "
           f"{{{{ {m}.present_official.n }}}}/{{{{ {m}.official.n }}}}, dự bị {{{{ {m}.present_probationary.n }}}}/"
           f"{{{{ {m}.probationary.n }}}}); vắng mặt {{{{ {m}.absent.n }}}} đồng chí. Lý do vắng mặt: "
           f"{{{{ {m}.absent_reasons }}}}.")
    b.para("{%p if congress.guests %}", after=0)
    b.body("Đại biểu khách mời: {{ congress.guests|join(', ') }}.")
    b.para("{%p endif %}", after=0)
    b.body([("1. ", {"bold": True}), ("Đại hội biểu quyết thông qua Đoàn Chủ tịch gồm các đồng chí: "
            "{{ congress.presidium_joined }}; Đoàn Thư ký gồm các đồng chí: {{ congress.secretariat_joined }}.", {})])
    b.body([("2. ", {"bold": True}), ("Đại hội nghe Báo cáo tình hình đảng viên tham dự Đại hội, Báo cáo chính trị và "
            "Báo cáo kiểm điểm của cấp ủy nhiệm kỳ qua.", {})])
    b.body([("3. ", {"bold": True}), ("Đại hội thảo luận, đóng góp ý kiến vào các báo cáo và dự thảo văn kiện đại hội "
            "cấp trên.", {})])
    b.body([("4. ", {"bold": True}), ("Đại hội biểu quyết thông qua Ban Kiểm phiếu gồm các đồng chí: "
            "{{ congress.vote_counters_joined }}.", {})])
    b.body([("5. ", {"bold": True}), ("Kết quả bầu cử:", {})], after=3)
    b.loop("for e in congress.elections",
           "- Bầu {{ e.office }} ({{ e.seats.n }} người, danh sách {{ e.listed.n }} người): phát ra "
           "{{ e.ballots.issued.n }} phiếu, thu về {{ e.ballots.returned.n }}, hợp lệ {{ e.ballots.valid.n }}. "
           "Trúng cử: {{ e.summary or 'không có' }}.", indent_first_mm=10, after=3)
    b.body([("6. ", {"bold": True}), ("Đại hội thông qua Nghị quyết Đại hội.", {})], before=6)
    b.body("Đại hội bế mạc lúc {{ congress.closing_time }} cùng ngày.")
    b.keep_last_with_next()
    t = b.table([82.5, 82.5])
    lc, rc = t.rows[0].cells
    b.cell_para(lc, "T/M ĐOÀN THƯ KÝ", first=True, bold=True, before=12)
    for _ in range(3):
        b.cell_para(lc, "")
    b.cell_para(lc, "{{ congress.secretary }}", bold=True)
    b.cell_para(rc, "T/M ĐOÀN CHỦ TỊCH", first=True, bold=True, before=12)
    for _ in range(3):
        b.cell_para(rc, "")
    b.cell_para(rc, "{{ congress.chair }}", bold=True)
    return b.save()


def congress_resolution():
    b = Builder("congress-resolution")
    b.congress_header()
    b.title("NGHỊ QUYẾT", "{{ congress.name }}")
    m = "congress.members"
    b.body(f"{{{{ congress.name }}}} họp {{{{ congress.date.long }}}} tại {{{{ congress.venue }}}}; có mặt "
           f"{{{{ {m}.present.n }}}}/{{{{ {m}.total.n }}}} đảng viên được triệu tập, đạt {{{{ {m}.present_pct }}}}.")
    b.body("Sau khi nghe Báo cáo chính trị, Báo cáo kiểm điểm của cấp ủy nhiệm kỳ qua và thảo luận dân chủ,")
    b.para("QUYẾT NGHỊ:", align=CENTER, bold=True, before=6, after=12)
    b.body([("1. ", {"bold": True}), ("Thông qua Báo cáo chính trị và Báo cáo kiểm điểm của cấp ủy nhiệm kỳ qua.", {})])
    b.body([("2. ", {"bold": True}), (f"Về đội ngũ đảng viên: Chi bộ có {{{{ {m}.total.n }}}} đảng viên "
            f"({{{{ {m}.official.n }}}} chính thức, {{{{ {m}.probationary.n }}}} dự bị), chiếm {{{{ congress.party_share }}}} "
            "tổng số {{ congress.staff_total.n }} cán bộ, công chức, viên chức và người lao động của đơn vị. "
            "Trong nhiệm kỳ qua, Chi bộ kết nạp {{ congress.admitted.n }} đảng viên"
            "{% if congress.admission_pct %}, đạt {{ congress.admission_pct }} chỉ tiêu "
            "({{ congress.admission_target.n }} đảng viên){% endif %}.", {})])
    b.body([("3. ", {"bold": True}), ("Các chỉ tiêu chủ yếu nhiệm kỳ {{ congress.term }}:", {})], after=3)
    b.loop("for t in congress.targets", "- {{ t }}", indent_first_mm=10, after=3)
    b.body([("4. ", {"bold": True}), ("Kết quả bầu cử:", {})], before=6, after=3)
    b.loop("for e in congress.elections", "- {{ e.title }}: {{ e.elected_names or 'chưa bầu đủ' }}.",
           indent_first_mm=10, after=3)
    b.body([("5. ", {"bold": True}), ("Giao cấp ủy Chi bộ nhiệm kỳ {{ congress.term }} căn cứ Nghị quyết này xây dựng "
            "chương trình hành động, lãnh đạo thực hiện thắng lợi Nghị quyết Đại hội.", {})], before=6)
    b.body("Nghị quyết được Đại hội biểu quyết thông qua {{ congress.date.long }}.")
    b.signature("T/M ĐOÀN CHỦ TỊCH", None, "{{ congress.chair }}",
                recipients=["- {{ committee.name }} (để báo cáo),", "- Đảng viên trong Chi bộ,", "- Lưu Chi bộ."])
    return b.save()


def ratification_request():
    b = Builder("ratification-request")
    b.header(CELL_HEADER + [("{{ congress.ratification.number }}", {})], "{{ congress.ratification.place_date }}")
    b.title("TỜ TRÌNH", "về việc đề nghị chuẩn y kết quả bầu cử {{ congress.offices_joined }} {{ cell.name }} "
            "nhiệm kỳ {{ congress.term }}")
    b.para("Kính gửi: {{ congress.ratification.addressee }}.", align=CENTER, after=12)
    m = "congress.members"
    b.body(f"{{{{ congress.date.long_cap }}}}, {{{{ cell.name }}}} đã tổ chức Đại hội lần thứ {{{{ congress.ordinal_roman }}}}, "
           f"nhiệm kỳ {{{{ congress.term }}}}. Tổng số đảng viên chính thức được triệu tập: {{{{ {m}.official.n }}}} đồng chí; "
           f"có mặt: {{{{ {m}.present_official.n }}}} đồng chí; số làm căn cứ tính kết quả bầu cử: {{{{ {m}.base.n }}}} "
           "đồng chí.")
    b.body("Kết quả bầu cử như sau:", after=3)
    b.loop("for e in congress.elections",
           "- Bầu {{ e.office }} ({{ e.seats.n }} người): {{ e.summary or 'không có đồng chí nào trúng cử' }}.",
           indent_first_mm=10, after=3)
    b.body("{{ cell.name }} kính đề nghị {{ congress.ratification.addressee }} xem xét, chuẩn y kết quả bầu cử nêu trên.",
           before=6)
    b.body("Hồ sơ kèm theo: các biên bản kiểm phiếu; danh sách trích ngang và sơ yếu lý lịch của các đồng chí trúng cử.")
    b.signature("T/M CHI ỦY", "BÍ THƯ", "{{ congress.new_secretary }}",
                recipients=["- Như trên,", "- Lưu Chi bộ."])
    return b.save()


BUILDERS = {
    "admission-decision": admission_decision,
    "nomination": nomination,
    "youth-union-resolution": youth_union_resolution,
    "comments-summary": comments_summary,
    "cell-resolution": cell_resolution,
    "committee-resolution": committee_resolution,
    "attendance-report": attendance_report,
    "candidate-list": candidate_list,
    "ballot": ballot,
    "vote-count-minutes": vote_count_minutes,
    "congress-minutes": congress_minutes,
    "congress-resolution": congress_resolution,
    "ratification-request": ratification_request,
}

if __name__ == "__main__":
    for form_id in sys.argv[1:] or list(BUILDERS):
        print(BUILDERS[form_id]())
