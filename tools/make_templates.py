"""Write a first version of each form's template.docx (developer tool; see templatekit.py).

Usage: python tools/make_templates.py [FORM_ID ...]
Running it overwrites the template; after editing a template in Word, do not run it again
for that form. `tests/test_forms.py` keeps each form's template.txt in step with its template.
"""

from __future__ import annotations

import sys

from templatekit import CENTER, LEFT, Builder


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


BUILDERS = {
    "admission-decision": admission_decision,
}

if __name__ == "__main__":
    for form_id in sys.argv[1:] or list(BUILDERS):
        print(BUILDERS[form_id]())
