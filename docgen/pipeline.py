"""The pipeline: load → check → context → render DOCX → render PDF → write, for one document or many.

Effects stay at the edges: the forms folder, the font folder and the output folder are
parameters; nothing here reads the clock or prints.
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .checks import Inputs, check, errors
from .context import build_context
from .errors import InputError, OutputError, Problem
from .forms import FormLibrary, FormSpec
from .model import Record, load_record
from .render.docx import compiled
from .render.fonts import FontSet, fonts
from .render.pdf import render_pdf, render_pdf_many
from .domain.vietnamese import slug

FORMATS = ("docx", "pdf")
MM_TWIPS = 1440 / 25.4


@dataclass
class Rendered:
    """One filled document in memory, before it is written."""

    form: FormSpec
    stem: str
    title: str
    docx: bytes
    pdf: bytes | None = None


@dataclass
class Engine:
    """Everything one run needs, built once: forms, compiled templates, fonts."""

    library: FormLibrary = field(default_factory=FormLibrary)
    font_dir: str | None = None

    # -- load ---------------------------------------------------------------------------------
    def load(self, path: str | Path, kind: str) -> Record:
        return load_record(path, kind, self.library.registry)

    # -- check --------------------------------------------------------------------------------
    def problems(self, forms: list[FormSpec], inputs: Inputs) -> list[Problem]:
        return check(forms, inputs, self.library)

    def all_rule_problems(self, inputs: Inputs) -> list[Problem]:
        """Every party rule, whatever form it is attached to (the whole-pack check)."""
        book = self.library.rulebook
        return book.run(list(book.specs.values()), inputs, self.library.registry)

    def require_valid(self, forms: list[FormSpec], inputs: Inputs, all_rules: bool = False) -> list[Problem]:
        """All problems; raises :class:`InputError` when any is an error. Returns the warnings."""
        found = self.problems(forms, inputs)
        if all_rules:
            found += [p for p in self.all_rule_problems(inputs) if p not in found]
        if errors(found):
            raise InputError(found)
        return found

    # -- render -------------------------------------------------------------------------------
    def margins_twips(self, org: Record) -> dict[str, int]:
        """Page margins in twips: the style defaults, overridden by the organisation file."""
        if "margins" in org.cache:
            return org.cache["margins"]
        base = dict(self.library.style["margins_mm"])
        for side in base:
            v = org.int(f"style.margins_mm.{side}")
            if v is not None:
                base[side] = v
        org.cache["margins"] = {side: round(mm * MM_TWIPS) for side, mm in base.items()}
        return org.cache["margins"]

    def template(self, form: FormSpec, inputs: Inputs):
        return compiled(form.template, self.margins_twips(inputs["org"]))

    def context(self, form: FormSpec, inputs: Inputs, item: int | None = None, full: bool = True) -> dict:
        """The render context; ``full=False`` formats only what the template reads."""
        names = None if full else self.template(form, inputs).names
        item = self._first_item(form, item)
        number = self.sequence_numbers(inputs).get((form.id, item)) if form.numbering else None
        return build_context(form, inputs, self.library, item, names, number)

    def sequence_numbers(self, inputs: Inputs) -> dict[tuple[str, int | None], int]:
        """Numbers of the documents numbered in one running sequence (a congress's papers,
        domain.md §5.5): in pack order, from ``congress.number_start`` (default 1)."""
        cache = inputs.cache.get("sequence")
        if cache is not None:
            return cache
        numbers: dict[tuple[str, int | None], int] = {}
        subject = inputs.records.get("congress")
        if subject is not None:
            n = subject.int("congress.number_start", 1)
            for form in self.pack_forms(inputs, "congress"):
                if form.numbering != "congress":
                    continue
                for item in self.items(form, inputs):
                    numbers[(form.id, item)] = n
                    n += 1
        inputs.cache["sequence"] = numbers
        return numbers

    def render_docx(self, form: FormSpec, inputs: Inputs, ctx: dict | None = None, item: int | None = None) -> bytes:
        ctx = ctx if ctx is not None else self.context(form, inputs, item, full=False)
        return self.template(form, inputs).render(ctx)

    @property
    def fonts(self) -> FontSet:
        return fonts(self.font_dir)

    @staticmethod
    def _first_item(form: FormSpec, item: int | None) -> int | None:
        return 0 if form.each and item is None else item

    def items(self, form: FormSpec, inputs: Inputs) -> list[int | None]:
        """Which documents a form makes: one, or one per list item (``each``)."""
        if not form.each:
            return [None]
        items = inputs[form.subject].raw(form.each)
        return list(range(len(items))) if isinstance(items, list) else []

    def pack_forms(self, inputs: Inputs, subject_kind: str) -> list[FormSpec]:
        """The forms of a pack (the admission dossier, a congress) that apply, in pack order
        (``dossier_order``); a form with ``applies_when`` only when that part of the input exists."""
        subject = inputs.records.get(subject_kind)
        forms = sorted(
            (f for f in self.library.forms.values() if f.subject == subject_kind and f.dossier_order),
            key=lambda f: (f.dossier_order, f.id),
        )
        return [f for f in forms if not f.applies_when or (subject is not None and subject.has(f.applies_when))]

    def dossier_forms(self, inputs: Inputs) -> list[FormSpec]:
        """The admission dossier's papers for this candidate, in the order of 06-HD/TW §8.1.a."""
        return self.pack_forms(inputs, "candidate")

    def stem(self, form: FormSpec, inputs: Inputs, suffix: str = "", item: int | None = None) -> str:
        subject = inputs.records.get(form.subject)
        when = subject.date(form.item_path(form.date_field, self._first_item(form, item))) if subject else None
        name = subject.text(form.name_field) if subject else ""
        parts = [when.isoformat() if when else "undated", form.id + suffix]
        if name:
            parts.append(slug(name))
        return "_".join(parts)

    def render(self, form: FormSpec, inputs: Inputs, formats=FORMATS, title: str = "",
               item: int | None = None) -> Rendered:
        docx = self.render_docx(form, inputs, item=item)
        pdf = render_pdf(docx, self.fonts) if "pdf" in formats else None
        return Rendered(form, self.doc_stem(form, inputs, item), title or form.title, docx, pdf)

    def doc_stem(self, form: FormSpec, inputs: Inputs, item: int | None = None) -> str:
        """The file stem of one document: an ``each`` form's documents carry their item's number
        (and, for a congress, the office) after the form id."""
        suffix = ""
        if form.each and item is not None:
            suffix = f"-{item + 1}"
            if form.subject == "congress":
                office = inputs[form.subject].text(f"{form.each}[{item}].office")
                suffix = f"-{item + 1}-{slug(office)}" if office else suffix
        return self.stem(form, inputs, suffix, item)

    def doc_stems(self, forms: list[FormSpec], inputs: Inputs) -> list[str]:
        """The file stems ``render_all`` gives these forms' documents, without rendering them."""
        return [self.doc_stem(form, inputs, item) for form in forms for item in self.items(form, inputs)]

    def render_all(self, forms: list[FormSpec], inputs: Inputs, formats=FORMATS) -> list[Rendered]:
        """Every document of ``forms`` (one per item for ``each`` forms), in the given order."""
        docs = []
        for form in forms:
            for item in self.items(form, inputs):
                title = form.title
                if item is not None:
                    who = (inputs[form.subject].text(f"{form.each}[{item}].full_name")
                           or inputs[form.subject].text(f"{form.each}[{item}].office"))
                    title = f"{form.title} — {who}" if who else f"{form.title} ({item + 1})"
                docs.append(self.render(form, inputs, formats, item=item, title=title))
        return docs

    def pack_stem(self, pack_id: str, inputs: Inputs) -> str:
        """``<date>_<pack>_<name>``: the merged PDF's name, and a batch item's folder."""
        pack = self.library.pack(pack_id)
        subject = inputs[pack["subject"]]
        when = subject.date(pack["date_field"])
        name = subject.text(pack["name_field"]) if "name_field" in pack else inputs["org"].text(pack["org_name_field"])
        return f"{when.isoformat() if when else 'undated'}_{pack_id}_{slug(name)}"

    def pack_files(self, pack_id: str, inputs: Inputs, formats=FORMATS) -> list[tuple[str, bytes]]:
        """Every paper of a pack in order (in ``formats``), then the merged, bookmarked PDF."""
        pack = self.library.pack(pack_id)
        docs = self.render_all(self.pack_forms(inputs, pack["subject"]), inputs, formats)
        files = [(n, d) for doc in docs for n, d in files_of(doc) if n.rsplit(".", 1)[1] in formats]
        files.append((self.pack_stem(pack_id, inputs) + ".pdf", self.merged_pdf(docs, pack["title"])))
        return files

    def merged_pdf(self, docs: list[Rendered], title: str) -> bytes:
        return render_pdf_many([(f"Mẫu {d.form.code} — {d.title}" if d.form.code else d.title, d.docx)
                                for d in docs], self.fonts, title)


# -- write -----------------------------------------------------------------------------------
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def safe_target(outdir: Path, name: str) -> Path:
    """``outdir/name``, refusing any name that could leave ``outdir`` (docgen's own names are
    ASCII slugs: letters, digits, ``_ . -``, no leading dot, no ``..``)."""
    if not _SAFE_NAME.match(name) or ".." in name:
        raise OutputError(f"Tên tệp không an toàn: {name!r}")
    return outdir / name


_TEMP_SERIAL = itertools.count()
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _create_temp(out: Path) -> tuple[int, str]:
    """A new, empty ``.docgen-<pid>-<n>.part`` file in ``out``. The name is unique to this
    process and call; O_EXCL refuses a leftover of an earlier process with the same pid.
    The mode is the usual 0666 less the umask, as for any file the user saves."""
    while True:
        tmp = os.path.join(out, f".docgen-{os.getpid()}-{next(_TEMP_SERIAL)}.part")
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o666), tmp
        except FileExistsError:
            continue


def write_files(outdir: str | Path, files: list[tuple[str, bytes]], durable: bool = True,
                make_dir: bool = True) -> list[Path]:
    """Write every file atomically: a temporary file in the same folder, then a rename.

    All contents are staged first; a failure before the renames leaves no output and no
    temporary file. ``durable`` also flushes each file to disk before the rename (a batch,
    which can be resumed, skips that). ``make_dir=False`` is for a caller that has made
    ``outdir`` already (a batch writing thousands of files into one folder).
    """
    out = Path(outdir)
    if make_dir:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"Không tạo được thư mục {out}: {exc.strerror or exc}") from exc
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files:
            target = safe_target(out, name)
            fd, tmp = _create_temp(out)
            staged.append((tmp, target))
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                if durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
        for tmp, target in staged:
            os.replace(tmp, target)
        return [target for _, target in staged]
    except BaseException as exc:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise OutputError(f"Không ghi được vào {out}: {exc.strerror or exc}") from exc
        raise


def files_of(doc: Rendered) -> list[tuple[str, bytes]]:
    files = [(doc.stem + ".docx", doc.docx)]
    if doc.pdf is not None:
        files.append((doc.stem + ".pdf", doc.pdf))
    return files
