"""Write a first version of each form's template.docx (developer tool; see templatekit.py).

Usage: python tools/make_templates.py [FORM_ID ...]
Running it overwrites the template; after editing a template in Word, do not run it again
for that form. `tests/test_forms.py` keeps each form's template.txt in step with its template.
"""

from __future__ import annotations

import sys

from templatekit import CENTER, LEFT, RIGHT, Builder


def admission_decision():
    b = Builder("admission-decision")
    b.header(
        [
            ("{{ superior.name_upper }}", {}),
            ("{{ committee.name_upper }}", {"bold": True}),
            ("*", {}),
            ("{{ doc.number }}", {}),
        ],
        "{{ doc.place_date }}",
    )
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
    b.header(
        [
            ("{{ superior.name_upper }}", {}),
            ("{{ committee.name_upper }}", {"bold": True}),
            ("*", {}),
            ("{{ doc.number }}", {}),
        ],
        "{{ doc.place_date }}",
    )
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


BUILDERS = {
    "admission-decision": admission_decision,
    "nomination": nomination,
    "youth-union-resolution": youth_union_resolution,
    "comments-summary": comments_summary,
    "cell-resolution": cell_resolution,
    "committee-resolution": committee_resolution,
}

if __name__ == "__main__":
    for form_id in sys.argv[1:] or list(BUILDERS):
        print(BUILDERS[form_id]())
