"""Load stage: forms — a folder per form with ``form.toml`` and ``template.docx`` — and shared data.

The packaged ``forms/`` folder ships inside the wheel (``docgen/forms``); in a source checkout
the top-level ``forms/`` is used. ``--forms-dir`` points at a user's own copy.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from .errors import FormError
from .fields import Registry
from .sandbox import check_text

SHARED = "_shared"


def default_forms_dir() -> Path:
    """The forms folder: ``DOCGEN_FORMS_DIR``, else the packaged copy, else the checkout's."""
    env = os.environ.get("DOCGEN_FORMS_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    packaged = here / "forms"
    if packaged.is_dir():
        return packaged
    return here.parent / "forms"


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FormError(f"Thiếu tệp {path}") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FormError(f"Không đọc được {path}: {exc}") from exc


_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _check_id(form_id: str, where: Path) -> None:
    """Form and pack ids name output files, whose parts ``_`` separates (``<date>_<id>_<name>``):
    a batch's renamed files stay apart from every other name only while no id holds a ``_``."""
    if not _ID.fullmatch(form_id):
        raise FormError(f"{where}: id {form_id!r} chỉ được gồm chữ thường không dấu, chữ số và dấu '-'.")


@dataclass(frozen=True)
class FormSpec:
    """A form's manifest (``form.toml``) plus where its template lives."""

    id: str
    folder: Path
    code: str
    title: str
    doc_type: str
    doc_type_abbr: str
    summary: str
    subject: str
    issuer: str
    required: tuple[str, ...]
    date_field: str
    number_field: str = ""
    legal_basis: tuple[str, ...] = ()
    edition: str = ""
    confidence: str = ""
    name_field: str = "candidate.full_name"
    each: str = ""
    item_name: str = ""
    applies_when: str = ""
    dossier_order: int = 0
    numbering: str = ""
    date_fallback: str = ""

    def item_path(self, path: str, index: int | None) -> str:
        """A manifest path for one item of an ``each`` form: ``introducers[].signed_on`` -> ``introducers[1].signed_on``."""
        return path.replace("[]", f"[{index}]", 1) if index is not None and "[]" in path else path

    @property
    def template(self) -> Path:
        return self.folder / "template.docx"

    @classmethod
    def load(cls, folder: Path) -> "FormSpec":
        raw = _read_toml(folder / "form.toml")
        try:
            spec = cls(
                id=raw["id"],
                folder=folder,
                code=raw["code"],
                title=raw["title"],
                doc_type=raw["doc_type"],
                doc_type_abbr=raw["doc_type_abbr"],
                summary=raw.get("summary", ""),
                subject=raw.get("subject", "candidate"),
                issuer=raw.get("issuer", "committee"),
                required=tuple(raw["required"]),
                date_field=raw["date_field"],
                number_field=raw.get("number_field", ""),
                legal_basis=tuple(raw.get("legal_basis", ())),
                edition=raw.get("sources", {}).get("edition", ""),
                confidence=raw.get("sources", {}).get("confidence", ""),
                name_field=raw.get("name_field", "candidate.full_name"),
                each=raw.get("each", ""),
                item_name=raw.get("item_name", ""),
                applies_when=raw.get("applies_when", ""),
                dossier_order=int(raw.get("dossier_order", 0)),
                numbering=raw.get("numbering", ""),
                date_fallback=raw.get("date_fallback", ""),
            )
        except KeyError as exc:
            raise FormError(f"{folder / 'form.toml'}: thiếu khóa {exc.args[0]!r}") from None
        if spec.id != folder.name:
            raise FormError(f"{folder / 'form.toml'}: id {spec.id!r} phải trùng tên thư mục {folder.name!r}")
        _check_id(spec.id, folder / "form.toml")
        if not spec.template.is_file():
            raise FormError(f"Mẫu {spec.id}: thiếu {spec.template}")
        return spec




@dataclass(frozen=True)
class LegalEdition:
    id: str
    effective_from: date
    source: str
    lines: dict


class FormLibrary:
    """All forms of one forms folder, with the shared registry, style and legal bases."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else default_forms_dir()
        if not (self.root / SHARED).is_dir():
            raise FormError(f"Thư mục mẫu {self.root} không có {SHARED}/ (danh mục trường, thể thức).")

    @cached_property
    def registry(self) -> Registry:
        return Registry.load(self.root / SHARED / "fields.toml")

    @cached_property
    def style(self) -> dict:
        return _read_toml(self.root / SHARED / "style.toml")

    @cached_property
    def fingerprint(self) -> str:
        """A digest of every template and data file: what a batch's --resume compares."""
        import hashlib

        h = hashlib.sha256()
        for p in sorted(self.root.rglob("*")):
            if p.is_file() and p.suffix in (".docx", ".toml"):
                h.update(str(p.relative_to(self.root)).encode())
                h.update(p.read_bytes())
        return h.hexdigest()

    @cached_property
    def packs(self) -> dict[str, dict]:
        """The packs of ``packs.toml`` (the admission dossier, the congress), by id."""
        path = self.root / SHARED / "packs.toml"
        packs = _read_toml(path).get("pack", {})
        for pack_id in packs:
            _check_id(pack_id, path)
        return packs

    def pack(self, pack_id: str) -> dict:
        try:
            return self.packs[pack_id]
        except KeyError:
            raise FormError(f"Không có bộ văn bản {pack_id!r}. Có: {', '.join(sorted(self.packs))}") from None

    @cached_property
    def congress_conf(self) -> dict:
        return _read_toml(self.root / SHARED / "congress.toml")

    @cached_property
    def rulebook(self):
        """The party rules (``rules.toml``), read once per library."""
        from .checks import RuleBook

        return RuleBook(self)

    @cached_property
    def work_calendar(self):
        from .workdays import WorkCalendar

        return WorkCalendar.from_config(_read_toml(self.root / SHARED / "calendar.toml"))

    @cached_property
    def legal(self) -> tuple[list[LegalEdition], dict]:
        """The editions of ``legal_basis.toml``, oldest first, and its common lines. Every line
        is compiled here, so a broken one (a syntax error, ``{% include %}``, ``__class__``…)
        is a form problem naming the file, the key and the tag before any document is made;
        a line that fails later, while it renders, names its file and key too."""
        path = self.root / SHARED / "legal_basis.toml"
        raw = _read_toml(path)
        editions = sorted(
            (
                LegalEdition(e["id"], date.fromisoformat(e["effective_from"]), e.get("source", ""), e["lines"])
                for e in raw.get("edition", [])
            ),
            key=lambda e: e.effective_from,
        )
        for e in editions:
            e.lines.update({key: check_text(line, f"{path}: [[edition]] {e.id}, lines.{key}")
                            for key, line in e.lines.items()})
        common = {key: check_text(line, f"{path}: [common] {key}") for key, line in raw.get("common", {}).items()}
        return editions, common

    def edition_for(self, when: date) -> LegalEdition:
        editions, _ = self.legal
        chosen = [e for e in editions if e.effective_from <= when]
        if not chosen:
            raise FormError(f"Không có căn cứ pháp lý nào có hiệu lực vào {when.isoformat()} (legal_basis.toml).")
        return chosen[-1]

    @cached_property
    def forms(self) -> dict[str, FormSpec]:
        out = {}
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and not folder.name.startswith(("_", ".")) and (folder / "form.toml").exists():
                spec = FormSpec.load(folder)
                for path in spec.required:
                    self.registry[path]  # every required field must be a known field
                out[spec.id] = spec
        return out

    def get(self, form_id: str) -> FormSpec:
        try:
            return self.forms[form_id]
        except KeyError:
            known = ", ".join(sorted(self.forms))
            raise FormError(f"Không có mẫu {form_id!r}. Các mẫu hiện có: {known}") from None
