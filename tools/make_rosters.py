"""Write the sample Excel rosters (fictional people) with the faults real sheets have.

Usage: python tools/make_rosters.py   (writes samples/roster.xlsx and samples/roster-broken.xlsx)
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Quê quán", "Nơi cư trú", "Đơn vị công tác",
           "Ngày chi bộ họp xét", "Số quyết định", "Ngày quyết định",
           # the cell's resolution and vote, and the grassroots committee's (a decision rests on them)
           "Số nghị quyết chi bộ", "Tổng số đảng viên chi bộ", "Số đảng viên chính thức", "Số đảng viên dự bị",
           "Số đảng viên chính thức có mặt", "Số đảng viên dự bị có mặt", "Số đảng viên tán thành",
           "Số đảng viên không tán thành", "Số nghị quyết đảng ủy", "Ngày nghị quyết đảng ủy", "Tổng số cấp ủy viên",
           "Số cấp ủy viên có mặt", "Số cấp ủy viên tán thành", "Số cấp ủy viên không tán thành",
           "Ghi chú"]
APPROVE = HEADERS.index("Số đảng viên tán thành")
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trịnh"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Hữu", "Thanh", "Bảo", "Thùy"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hạnh", "Khoa", "Lan", "Mỹ", "Nga", "Phúc", "Sơn", "Tâm",
         "Uyên", "Vân", "Xuân", "Yến", "Ỷ", "Ựa", "Đạt", "Ưng"]
PLACES = ["xã Tiên Lữ, tỉnh Hưng Yên", "phường Cầu Giấy, thành phố Hà Nội", "xã Kỳ Sơn, tỉnh Nghệ An",
          "phường Hải Châu, thành phố Đà Nẵng", "xã Nghĩa Hưng, tỉnh Ninh Bình", "phường Ỷ La, tỉnh Tuyên Quang"]
UNITS = ["Phòng Quản lý công nghiệp", "Trung tâm Khuyến công", "Phòng Thí nghiệm Vật liệu & Hóa chất",
         "Văn phòng Cục", "Phòng Kế hoạch - Tài chính"]


def sheet(title: str):
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.append([])
    ws.append(HEADERS)
    for c in ws[3]:
        c.font = Font(bold=True)
    return wb, ws


def person(rng: random.Random, i: int) -> list:
    meeting = date(2026, 1, 5) + timedelta(days=7 * (i % 20))
    born = date(1976 + rng.randrange(0, 30), rng.randrange(1, 13), rng.randrange(1, 28))
    decision = meeting + timedelta(days=rng.randrange(7, 40))
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    approve = rng.randrange(9, 12)              # of 12 official members, 11 present: two thirds is 8
    committee_approve = rng.randrange(7, 9)     # of 9 committee members, 8 present: two thirds is 6
    return [i + 1, name, rng.choice(["Nam", "Nữ"]), born, rng.choice(PLACES), rng.choice(PLACES), rng.choice(UNITS),
            meeting, i + 1, decision,
            i + 1, 14, 12, 2, 11, 2, approve, 11 - approve,
            i + 1, meeting + timedelta(days=5), 9, 8, committee_approve, 8 - committee_approve,
            ""]


def untidy(row: list, i: int) -> list:
    """The usual faults, one kind per row, so each is exercised."""
    kind = i % 7
    if kind == 1:   # dates typed as text, day first
        row[3] = row[3].strftime("%d/%m/%Y")
        row[7] = row[7].strftime("%d/%m/%Y")
    elif kind == 2:  # date-time cells and a number typed as text with its leading zero
        row[9] = datetime.combine(row[9], datetime.min.time())
        row[8] = f"{row[8]:02d}"
    elif kind == 3:  # names padded with spaces and typed in decomposed Unicode
        row[1] = "  " + unicodedata.normalize("NFD", row[1]).replace(" ", "   ") + " "
        row[4] = unicodedata.normalize("NFD", row[4])
    elif kind == 4:  # ddmmyyyy typed as digits: Excel dropped the leading zero
        d = row[3]
        row[3] = int(d.strftime("%d%m%Y"))
    elif kind == 5:  # an Excel serial number left without a date format
        row[-1] = "ngày sinh lưu dạng số"
        row[3] = (row[3] - date(1899, 12, 30)).days
    elif kind == 6:  # dashes
        row[7] = row[7].strftime("%-d-%-m-%Y")
    return row


def main() -> None:
    rng = random.Random(2026)
    wb, ws = sheet("DANH SÁCH QUẦN CHÚNG ĐỀ NGHỊ KẾT NẠP ĐẢNG NĂM 2026")
    for i in range(24):
        ws.append(untidy(person(rng, i), i))
    wb.save(ROOT / "samples" / "roster.xlsx")

    wb, ws = sheet("DANH SÁCH QUẦN CHÚNG ĐỀ NGHỊ KẾT NẠP ĐẢNG (CÓ DÒNG LỖI)")
    rows = [person(rng, i) for i in range(8)]
    rows[1][1] = None                                   # row 5: no name
    rows[2][3] = "31/02/2000"                           # row 6: a date that does not exist
    rows[3][9] = rows[3][7] - timedelta(days=3)         # row 7: decision before the meeting
    rows[4][8] = "mười hai"                             # row 8: decision number in words
    rows[5][3] = rows[5][7] - timedelta(days=365 * 17)  # row 9: under 18 at the meeting
    rows[6][9] = rows[6][7] + timedelta(days=120)       # row 10: decision after 45 working days
    rows[7][APPROVE:APPROVE + 2] = [7, 4]               # row 11: 7 of 12 official members, under two thirds
    for r in rows:
        ws.append(r)
    wb.save(ROOT / "samples" / "roster-broken.xlsx")


if __name__ == "__main__":
    main()
