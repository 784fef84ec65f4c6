"""Start a new form from an existing one (developer tool, not part of the installed package).

Usage: python tools/new_form.py NEW_ID --from EXISTING_ID [--forms-dir DIR]

Copies the folder DIR/EXISTING_ID/ (template.docx, template.txt, form.toml, ...) to
DIR/NEW_ID/ byte for byte and sets ``id = "NEW_ID"`` in the copied form.toml. The wording
lives in template.docx: edit the copy in Word or LibreOffice afterwards, then form.toml
(code, title, required fields) and template.txt. DIR defaults to the checkout's forms/.

It never overwrites: when DIR/NEW_ID/ exists already, or NEW_ID is not a valid id, or the
source has no form.toml with an ``id = "..."`` line, it exits with code 1 and writes nothing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tomllib
from pathlib import Path

FORMS = Path(__file__).resolve().parent.parent / "forms"
ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # the same rule as docgen/load/forms.py
ID_LINE = re.compile(r"""^id\s*=\s*(["'])[^"'\n]*\1[ \t]*(#.*)?$""", re.MULTILINE)
# lock and owner files that Word and LibreOffice leave next to an open document
EDITOR_LEFTOVERS = shutil.ignore_patterns("~$*", ".~lock.*#")


class Refused(Exception):
    """A reason not to write anything, in Vietnamese."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"Lỗi tham số: {message}\n")


def new_form(new_id: str, source_id: str, forms_dir: Path) -> Path:
    """Copy forms_dir/source_id/ to forms_dir/new_id/ with the new id; return the new folder."""
    dest = forms_dir / new_id
    if not ID.fullmatch(new_id):
        raise Refused(f"Mã mẫu {new_id!r} không hợp lệ: chỉ được gồm chữ thường không dấu, chữ số và "
                      f"dấu '-' (không ở đầu, cuối hay hai dấu liền nhau), ví dụ 'quyet-dinh-moi'. "
                      f"Chưa tạo thư mục {dest}.")
    if dest.exists() or dest.is_symlink():
        raise Refused(f"Thư mục {dest} đã có. Không ghi đè mẫu đã có; hãy chọn mã mẫu khác.")
    src = forms_dir / source_id
    manifest = src / "form.toml"
    if source_id.startswith(("_", ".")) or not manifest.is_file():
        raise Refused(f"Không có mẫu nguồn {source_id!r}: thiếu tệp {manifest}. Chưa tạo thư mục {dest}.")
    text = manifest.read_text(encoding="utf-8")
    if len(ID_LINE.findall(text)) != 1:
        raise Refused(f"{manifest} không có đúng một dòng id = \"...\". Chưa tạo thư mục {dest}.")
    new_text = ID_LINE.sub(f'id = "{new_id}"', text)
    try:
        if tomllib.loads(new_text).get("id") != new_id:
            raise Refused(f"{manifest}: dòng id không phải khóa id của tệp. Chưa tạo thư mục {dest}.")
    except tomllib.TOMLDecodeError as exc:
        raise Refused(f"Không đọc được {manifest}: {exc}. Chưa tạo thư mục {dest}.") from None

    try:
        dest.mkdir()  # fails if the folder appeared meanwhile: never write into someone's folder
    except FileExistsError:
        raise Refused(f"Thư mục {dest} đã có. Không ghi đè mẫu đã có; hãy chọn mã mẫu khác.") from None
    try:
        shutil.copytree(src, dest, ignore=EDITOR_LEFTOVERS, dirs_exist_ok=True)
        (dest / "form.toml").write_text(new_text, encoding="utf-8")
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)  # the folder is ours: created just above
        raise
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = Parser(
        prog="new_form.py",
        description="Tạo thư mục mẫu mới bằng cách sao chép một mẫu đã có. Không bao giờ ghi đè.",
    )
    parser.add_argument("new_id", metavar="NEW_ID", help="mã mẫu mới, ví dụ 'quyet-dinh-moi'")
    parser.add_argument("--from", dest="source_id", metavar="EXISTING_ID", required=True,
                        help="mã mẫu đã có để sao chép, ví dụ 'admission-decision'")
    parser.add_argument("--forms-dir", type=Path, default=FORMS, metavar="DIR",
                        help=f"thư mục mẫu (mặc định: {FORMS})")
    args = parser.parse_args(argv)
    try:
        dest = new_form(args.new_id, args.source_id, args.forms_dir)
    except Refused as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    print(f"Đã tạo {dest} từ mẫu {args.source_id}.")
    print("Tiếp theo: sửa câu chữ trong template.docx bằng Word hoặc LibreOffice; sửa mã, tên và các "
          "trường bắt buộc trong form.toml; rồi ghi lại template.txt "
          "(pytest tests/test_forms.py -k template_txt --update-golden) và xem lại phần thay đổi.")
    print(f"Tạo văn bản: docgen batch {args.new_id} HỒ_SƠ.json --org ORG.json -o THƯ_MỤC/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
