"""The engine: load → check → context → render DOCX → render PDF, composed for one document,
a pack, or one item of a batch. The stages meet here and nowhere else.

Effects stay at the edges: the forms folder, the font folder and the output folder are
parameters; nothing here reads the clock or prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..check import RuleBook, check, errors, read_rules
from ..context import build_context
from ..domain.vietnamese import slug
from ..errors import FormError, InputError, Problem
from ..load.forms import FormLibrary, FormSpec, required_paths
from ..load.model import Inputs, Record, load_record, parse_json, read_json_file, record_from_data
from ..store.conf import read_register_conf

if TYPE_CHECKING:
    from ..load.roster import Rows
    from ..render.docx import CompiledTemplate
    from ..render.fonts import FontSet

# The renderers (python-docx, docxtpl, lxml, reportlab) are imported by the methods that render,
# never at start: ``docgen check``, ``forms`` and ``schema`` do without them (tests/test_startup.py).

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
    """Everything one run needs, built once: forms, rules, compiled templates, fonts."""

    library: FormLibrary = field(default_factory=FormLibrary)
    font_dir: str | Path | None = None
    rulebook: RuleBook = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # rules.toml is the check stage's data file: the library reads it with its own, so that
        # every problem of the forms folder is reported at once, whichever is used first
        self.library.read_also("rules.toml", read_rules)
        self.library.read_also("register.toml", read_register_conf)
        self.rulebook = RuleBook(self.library)

    @classmethod
    def open(cls, forms_dir: str | Path | None = None, font_dir: str | Path | None = None) -> "Engine":
        """The engine of a forms folder (default: the packaged forms) and a font folder."""
        return cls(FormLibrary(Path(forms_dir) if forms_dir else None), font_dir=font_dir)

    # -- load ---------------------------------------------------------------------------------
    def load(self, path: str | Path, kind: str) -> Record:
        return load_record(path, kind, self.library.registry)

    def load_inputs(self, subject_kind: str, profile: str | Path, org: str | Path) -> Inputs:
        """The organisation file and one profile (a candidate's or a congress's)."""
        return self.inputs(self.load(org, "org"), self.load(profile, subject_kind))

    @staticmethod
    def inputs(org: Record, subject: Record) -> Inputs:
        return Inputs({"org": org, subject.kind: subject})

    def record(self, data: Any, kind: str, cleaned: bool = False) -> Record:
        """A record from data already parsed (a batch item, a roster row). ``cleaned``: data that
        came out of a record before (a batch item between its check and its render), taken as
        it is rather than cleaned and checked against the registry again."""
        return Record(kind, data) if cleaned else record_from_data(data, kind, self.library.registry)

    def read_json(self, path: str | Path) -> Any:
        """A JSON file (UTF-8, or UTF-16 with a BOM), read within the registry's limits."""
        return read_json_file(path, self.library.registry)

    def json_schema(self, kind: str) -> dict:
        """The JSON Schema of one kind of input file, ``required`` worked out from what the
        forms made from it require (see :meth:`Registry.json_schema`)."""
        forms = [f for f in self.library.forms.values() if kind == "org" or f.subject == kind]
        return self.library.registry.json_schema(kind, [f.required for f in forms])

    def parse(self, text: str, source: str) -> Any:
        """A JSON text, read within the registry's limits (nesting, number size, repeated keys)."""
        return parse_json(text, source, self.library.registry)

    def roster(self, path: str | Path) -> Rows:
        """The rows of an Excel roster, by the columns and limits of ``roster.toml`` (and the
        rows below the table it did not read)."""
        from ..load.roster import load_columns, load_limits, read_roster  # a paper reads no roster

        conf = self.library.shared_file("roster.toml")
        return read_roster(path, load_columns(conf), load_limits(conf))

    def roster_columns(self) -> list:
        """The columns of ``roster.toml``."""
        from ..load.roster import load_columns

        return load_columns(self.library.shared_file("roster.toml"))

    def required_of_subject(self, target: str, org_value: Callable[[str], Any]) -> list[str]:
        """The fields of its subject's input (the candidate profile, the congress file) that a
        form or every form of a pack requires of each item: its ``required``, and those of its
        ``[[required_when]]`` whose organisation field has the value (``org_value``: the org
        file's value of a path)."""
        library = self.library
        registry = library.registry
        packs = library.packs
        subject = self.subject_of(target)
        forms = [library.get(f) for f in packs[target]["forms"]] if target in packs else [library.get(target)]

        def value_of(path: str) -> Any:
            return org_value(path) if path in registry and registry[path].input == "org" else None

        wanted: list[str] = []
        for form in forms:
            wanted += [p for p in required_paths(form, value_of)
                       if p not in wanted and p in registry and registry[p].input == subject]
        return wanted

    # -- what to make -------------------------------------------------------------------------
    def is_pack(self, target: str) -> bool:
        return target in self.library.packs

    def subject_of(self, target: str) -> str:
        """The kind of profile a form or a pack is made from (``candidate``, ``congress``)."""
        packs = self.library.packs
        return packs[target]["subject"] if target in packs else self.library.get(target).subject

    def target_forms(self, target: str, inputs: Inputs) -> list[FormSpec]:
        """The forms a form id or a pack id makes from ``inputs``, in order."""
        packs = self.library.packs
        if target in packs:
            return self.pack_forms(inputs, target)
        return [self.library.get(target)]

    # -- check --------------------------------------------------------------------------------
    def problems(self, forms: list[FormSpec], inputs: Inputs) -> list[Problem]:
        """Every problem for making ``forms`` from ``inputs``: their fields, and every party rule
        whose data the inputs hold, whatever form it is made for."""
        return check(forms, inputs, self.rulebook)

    def target_problems(self, target: str, inputs: Inputs) -> list[Problem]:
        """Every problem for making a form or a pack from ``inputs``."""
        return self.problems(self.target_forms(target, inputs), inputs)

    def all_rule_problems(self, inputs: Inputs) -> list[Problem]:
        """Every party rule's problems alone, without the forms' fields."""
        book = self.rulebook
        return book.run(list(book.specs.values()), inputs, self.library.registry)

    def require_valid(self, forms: list[FormSpec], inputs: Inputs) -> list[Problem]:
        """All problems; raises :class:`InputError` when any is an error. Returns the warnings."""
        found = self.problems(forms, inputs)
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

    def template(self, form: FormSpec, inputs: Inputs) -> CompiledTemplate:
        from ..render.docx import compiled

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
            for form in self.pack_forms(inputs, self.pack_of("congress")):
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
        from ..render.fonts import fonts

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

    def pack_forms(self, inputs: Inputs, pack_id: str) -> list[FormSpec]:
        """The forms of a pack (the admission dossier, a congress) that apply, in the order of
        its ``forms`` in packs.toml; a form with ``applies_when`` only when that part of the
        input exists."""
        pack = self.library.pack(pack_id)
        subject = inputs.records.get(pack["subject"])
        forms = [self.library.get(form_id) for form_id in pack["forms"]]
        return [f for f in forms if not f.applies_when or (subject is not None and subject.has(f.applies_when))]

    def pack_of(self, subject_kind: str) -> str:
        """The pack made from one kind of profile (the first one packs.toml lists for it that no
        ``checked_when`` limits: the admission dossier, a congress's pack)."""
        for pack_id, pack in self.library.packs.items():
            if pack["subject"] == subject_kind and not pack.get("checked_when"):
                return pack_id
        raise FormError(f'Không có bộ văn bản nào làm từ "{subject_kind}" trong packs.toml.')

    def checked_packs(self, subject_kind: str, inputs: Inputs) -> list[str]:
        """The packs ``docgen check`` covers for a profile: the subject's own (:meth:`pack_of`), then
        every other pack of the subject whose ``checked_when`` part the profile holds (the
        recognition dossier once the profile has ``recognition``)."""
        first = self.pack_of(subject_kind)
        subject = inputs.records.get(subject_kind)
        return [first] + [pack_id for pack_id, pack in self.library.packs.items()
                          if pack_id != first and pack["subject"] == subject_kind and pack.get("checked_when")
                          and subject is not None and subject.has(pack["checked_when"])]

    def dossier_forms(self, inputs: Inputs) -> list[FormSpec]:
        """The admission dossier's papers for this candidate, in the order of 06-HD/TW §8.1.a."""
        return self.pack_forms(inputs, self.pack_of("candidate"))

    def stem(self, form: FormSpec, inputs: Inputs, suffix: str = "", item: int | None = None) -> str:
        subject = inputs.records.get(form.subject)
        when = subject.date(form.item_path(form.date_field, self._first_item(form, item))) if subject else None
        name = subject.text(form.name_field) if subject and form.name_field else ""
        if not name and form.subject == "congress":
            # a congress's papers carry the cell's name: two cells' packs of one day never share a name
            name = inputs["org"].text("cell.name")
        parts = [when.isoformat() if when else "undated", form.id + suffix]
        if name:
            parts.append(slug(name))
        return "_".join(parts)

    def render(self, form: FormSpec, inputs: Inputs, formats=FORMATS, title: str = "",
               item: int | None = None) -> Rendered:
        docx = self.render_docx(form, inputs, item=item)
        pdf = None
        if "pdf" in formats:
            from ..render.pdf import render_pdf

            pdf = render_pdf(docx, self.fonts)
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

    def target_stems(self, target: str, inputs: Inputs) -> list[str]:
        """The stems of what a form or a pack makes from ``inputs``: each document's, or a pack's
        one stem (the folder of its papers, and its merged PDF)."""
        if self.is_pack(target):
            return [self.pack_stem(target, inputs)]
        return self.doc_stems(self.target_forms(target, inputs), inputs)

    def render_all(self, forms: list[FormSpec], inputs: Inputs, formats=FORMATS) -> list[Rendered]:
        """Every document of ``forms`` (one per item for ``each`` forms), in the given order."""
        return [self.render(form, inputs, formats, item=item, title=self.doc_title(form, inputs, item))
                for form in forms for item in self.items(form, inputs)]

    @staticmethod
    def doc_title(form: FormSpec, inputs: Inputs, item: int | None) -> str:
        """A document's title in a merged PDF's bookmarks: an ``each`` form's names its item."""
        if item is None:
            return form.title
        who = (inputs[form.subject].text(f"{form.each}[{item}].full_name")
               or inputs[form.subject].text(f"{form.each}[{item}].office"))
        return f"{form.title} — {who}" if who else f"{form.title} ({item + 1})"

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
        docs = self.render_all(self.pack_forms(inputs, pack_id), inputs, formats)
        files = [(n, d) for doc in docs for n, d in files_of(doc) if n.rsplit(".", 1)[1] in formats]
        files.append((self.pack_stem(pack_id, inputs) + ".pdf", self.merged_pdf(docs, pack["title"])))
        return files

    def merged_pdf(self, docs: list[Rendered], title: str) -> bytes:
        from ..render.pdf import render_pdf_many

        return render_pdf_many([(f"Mẫu {d.form.code} — {d.title}" if d.form.code else d.title, d.docx)
                                for d in docs], self.fonts, title)


def files_of(doc: Rendered) -> list[tuple[str, bytes]]:
    files = [(doc.stem + ".docx", doc.docx)]
    if doc.pdf is not None:
        files.append((doc.stem + ".pdf", doc.pdf))
    return files
