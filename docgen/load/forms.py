"""Load stage: forms — a folder per form with ``form.toml`` and ``template.docx`` — and shared data.

The packaged ``forms/`` folder ships inside the wheel (``docgen/forms``); in a source checkout
the top-level ``forms/`` is used. ``--forms-dir`` points at a user's own copy.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..errors import DataProblems, FormDataError, FormError, FormProblem, Table, closest, describe
from .fields import Registry
from .manifests import SHARED, CommandInfo, default_forms_dir, folder_stats

if TYPE_CHECKING:
    from ..domain.workdays import WorkCalendar
    from .dossier import Dossier, DossierKind

# The sandbox (Jinja) and the dossier's reader, which compiles with it, are imported when the
# data files are first read and checked, not with this module: `docgen --help` lists the forms
# from their manifests alone (:meth:`FormLibrary.commands`).

_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


# Form and pack ids name output files, whose parts ``_`` separates (``<date>_<id>_<name>``): a
# batch's renamed files stay apart from every other name only while no id holds a ``_``.
_ID_RULE = "chỉ được gồm chữ thường không dấu, chữ số và dấu '-'"
# Every form and pack is a command, `docgen <id>`: an id equal to one of docgen's own commands
# would be hidden by it.
COMMAND_NAMES = ("batch", "check", "context", "dossier", "forms", "init", "register", "schema", "serve", "workbook")
_COMMAND_RULE = "trùng tên một lệnh của docgen ({}); hãy đặt tên khác"
SUBJECTS = ("candidate", "congress")            # the input a form is made from (``subject``)
# whose symbol closes the number; "decider": the committee that decides on admission (the
# grassroots committee when admission is delegated to it, else the superior ``authority``)
ISSUERS = ("committee", "cell", "congress", "youth_union", "decider")
NUMBERINGS = ("", "congress")
FORM_KEYS = ("id", "code", "title", "doc_type", "doc_type_abbr", "summary", "help", "example", "subject", "issuer",
             "required", "date_field", "number_field", "number_from", "sections", "legal_basis", "sources",
             "name_field", "each", "item_name", "applies_when", "numbering", "date_fallback", "required_when")
REQUIRED_WHEN_KEYS = ("field", "equals", "paths")
# the field types a [[required_when]] condition may test, with the TOML value each needs
CONDITION_TYPES = {"bool": bool, "choice": str, "int": int, "text": str}
EXCEPTIONS_KEY = "exceptions"   # in ``legal_basis``: one line per approved exception ([common] exception)


@dataclass(frozen=True)
class RequiredWhen:
    """``[[required_when]]`` of a form.toml: ``paths`` are required when the input's ``field``
    equals ``equals`` (``committee.delegated = false`` requires the superior ``authority``)."""

    field: str
    equals: Any
    paths: tuple[str, ...]


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
    numbering: str = ""
    date_fallback: str = ""
    help: str = ""        # the help line of ``docgen <id>``
    example: str = ""     # the input its example uses
    number_from: str = ""             # a context path whose text is the document's number
    sections: tuple[str, ...] = ()    # context sections the form needs beyond its template's names
    required_when: tuple[RequiredWhen, ...] = ()   # fields required only when another has a value

    def item_path(self, path: str, index: int | None) -> str:
        """A manifest path for one item of an ``each`` form:
        ``introducers[].signed_on`` -> ``introducers[1].signed_on``."""
        return path.replace("[]", f"[{index}]", 1) if index is not None and "[]" in path else path

    @property
    def template(self) -> Path:
        return self.folder / "template.docx"

    @classmethod
    def load(cls, folder: Path) -> "FormSpec":
        """The form of ``folder``; every problem of its ``form.toml`` at once as a :class:`FormDataError`."""
        sink = DataProblems()
        spec = cls.read(folder, sink)
        sink.raise_if_any()
        assert spec is not None  # read() gives None only with a problem, which raise_if_any() raised
        return spec

    @classmethod
    def read(cls, folder: Path, sink: DataProblems, file: str | None = None, registry: Registry | None = None,
             legal_keys: set[str] | None = None) -> "FormSpec | None":
        """The form of ``folder``, each problem of its ``form.toml`` recorded in ``sink`` (``file``:
        how messages name it); ``None`` when it has any. With the ``registry``, every field it
        names must be a field of it; with ``legal_keys``, every "Căn cứ" line a key of
        legal_basis.toml."""
        path = folder / "form.toml"
        file = str(file or path)
        raw = sink.read_toml(path, file)
        if raw is None:
            return None
        before = len(sink.items)
        t = sink.table(file, raw)
        form_id = t.text("id", required=True, nonempty=True)
        if form_id and form_id != folder.name:
            t.problem("id", f'id "{form_id}" phải trùng tên thư mục "{folder.name}"')
        elif form_id in COMMAND_NAMES:
            t.problem("id", f'id "{form_id}" ' + _COMMAND_RULE.format(", ".join(COMMAND_NAMES)))
        elif form_id and not _ID.fullmatch(form_id):
            t.problem("id", f'id "{form_id}" {_ID_RULE}')
        subject = t.text("subject", default="candidate")
        issuer = t.text("issuer", default="committee")
        numbering = t.text("numbering")
        for key, value, allowed in (("subject", subject, SUBJECTS), ("issuer", issuer, ISSUERS),
                                    ("numbering", numbering, NUMBERINGS)):
            if value not in allowed:
                names = ", ".join(f'"{a}"' for a in allowed)
                t.problem(key, f'khóa "{key}" phải là một trong: {names}; đang là "{value}"{closest(value, allowed)}')
        sources = t.sub("sources")
        each = t.text("each")
        item_name = t.text("item_name")
        if each and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", item_name):
            t.problem("item_name", 'khóa "item_name" (tên của mỗi mục trong mẫu, ví dụ "introducer") phải có khi có '
                                   '"each", gồm chữ cái không dấu, chữ số và "_"')
        spec = cls(
            id=form_id,
            folder=folder,
            code=t.text("code", required=True),
            title=t.text("title", required=True, nonempty=True),
            doc_type=t.text("doc_type", required=True, nonempty=True),
            doc_type_abbr=t.text("doc_type_abbr", required=True, nonempty=True),
            summary=t.text("summary"),
            subject=subject,
            issuer=issuer,
            required=t.texts("required", required=True),
            date_field=t.text("date_field", required=True, nonempty=True),
            number_field=t.text("number_field"),
            legal_basis=t.texts("legal_basis"),
            edition=sources.text("edition"),
            confidence=sources.text("confidence"),
            name_field=t.text("name_field", default="candidate.full_name"),
            each=each,
            item_name=item_name,
            applies_when=t.text("applies_when"),
            numbering=numbering,
            date_fallback=t.text("date_fallback"),
            help=t.text("help"),
            example=t.text("example"),
            number_from=t.text("number_from"),
            sections=t.texts("sections"),
            required_when=_required_when(t),
        )
        sources.unknown(("edition", "confidence"))
        t.unknown(FORM_KEYS)
        if registry is not None:
            _check_fields(spec, t, registry)
        if legal_keys is not None:
            for key in spec.legal_basis:
                if key != EXCEPTIONS_KEY and key not in legal_keys:
                    t.problem("legal_basis", f'dòng căn cứ "{key}" không có trong _shared/legal_basis.toml'
                                             f"{closest(key, legal_keys | {EXCEPTIONS_KEY})}")
        if not spec.template.is_file():
            sink.add(str(Path(file).parent / "template.docx"), "", "thiếu tệp mẫu Word này")
        return spec if len(sink.items) == before else None


def _required_when(t: Table) -> tuple[RequiredWhen, ...]:
    """The form's ``[[required_when]]`` tables, each problem of their shape recorded."""
    items = t.raw.get("required_when", [])
    if not isinstance(items, list):
        t.problem("required_when", f'"required_when" phải là các bảng [[required_when]], đang là {describe(items)}')
        return ()
    out = []
    for i, item in enumerate(items):
        w = t.sink.table(t.file, item, f"required_when[{i}]", label=f"[[required_when]] thứ {i + 1}")
        if not w.ok:
            continue
        path = w.text("field", required=True, nonempty=True)
        if "equals" not in w.raw:
            w.problem("equals", 'thiếu khóa "equals" (giá trị của trường làm các trường "paths" thành bắt buộc)')
        paths = w.texts("paths", required=True, nonempty=True)
        w.unknown(REQUIRED_WHEN_KEYS)
        if path and "equals" in w.raw and paths:
            out.append(RequiredWhen(path, w.raw["equals"], paths))
    return tuple(out)


def required_paths(spec: FormSpec, value_of: Callable[[str], Any]) -> list[str]:
    """The fields ``spec`` requires for these inputs: its ``required`` and those of each
    ``[[required_when]]`` whose field has its value (``value_of``: a field's value, or None)."""
    paths = list(spec.required)
    for cond in spec.required_when:
        value = value_of(cond.field)
        if type(value) is type(cond.equals) and value == cond.equals:
            paths.extend(p for p in cond.paths if p not in paths)
    return paths


def _check_fields(spec: FormSpec, t: Table, registry: Registry) -> None:
    """Every field ``spec`` names is a field of the registry, of the kind its key needs."""
    def known(key: str, path: str, types: tuple[str, ...] = (), subject_only: bool = True) -> None:
        if not path:
            return
        f = registry.fields.get(path)
        if f is None and path in registry.declared:
            return  # fields.toml's own problem with it is reported
        if f is None:
            t.problem(key, f'trường "{path}" không có trong danh mục trường (fields.toml)'
                           f"{closest(path, registry.fields)}")
        elif types and f.type not in types:
            t.problem(key, f'trường "{path}" của khóa "{key}" phải có kiểu {" hoặc ".join(types)}, đang là {f.type}')
        elif subject_only and spec.subject in SUBJECTS and f.input != spec.subject:
            t.problem(key, f'trường "{path}" thuộc tệp {f.input}, không thuộc hồ sơ {spec.subject} của mẫu')

    for path in spec.required:
        known("required", path, subject_only=False)
    for i, cond in enumerate(spec.required_when):
        key = f"required_when[{i}]"
        f = registry.fields.get(cond.field)
        known(f"{key}.field", cond.field, tuple(CONDITION_TYPES), subject_only=False)
        if f is not None and f.type in CONDITION_TYPES:
            want = CONDITION_TYPES[f.type]
            if type(cond.equals) is not want:
                t.problem(f"{key}.equals", f'giá trị "equals" phải cùng kiểu với trường "{cond.field}" ({f.type}), '
                                           f"đang là {describe(cond.equals)}")
            elif f.choices and cond.equals not in f.choices:
                t.problem(f"{key}.equals", f'"{cond.equals}" không phải một lựa chọn của {cond.field}'
                                           f"{closest(str(cond.equals), f.choices)}")
        if cond.field not in spec.required:
            # a condition on a missing value would leave its fields silently not required
            t.problem(f"{key}.field", f'trường điều kiện "{cond.field}" phải có trong "required" của mẫu, '
                                      "để điều kiện luôn xét được")
        for path in cond.paths:
            known(f"{key}.paths", path, subject_only=False)
    known("date_field", spec.date_field, ("date",))
    known("date_fallback", spec.date_fallback, ("date",))
    known("number_field", spec.number_field, ("int",))
    known("name_field", spec.name_field, ("text", "name"))
    known("each", spec.each, ("list",))
    for key, path in (("date_field", spec.date_field), ("number_field", spec.number_field)):
        if "[]" in path and not (spec.each and path.startswith(spec.each + "[]")):
            t.problem(key, f'trường "{path}" nằm trong danh sách: mẫu phải có each = "{path.split("[]")[0]}"')
    if spec.applies_when and not any(p == spec.applies_when or p.startswith(spec.applies_when + ".")
                                     for p in registry.fields):
        t.problem("applies_when", f'"{spec.applies_when}" không phải trường hay nhóm trường nào trong danh mục '
                                  f"(fields.toml){closest(spec.applies_when, registry.groups)}")


@dataclass(frozen=True)
class LegalEdition:
    id: str
    effective_from: date
    source: str
    lines: dict
    verified_until: date | None = None   # checked as the text in force up to this day


@dataclass
class _Data:
    """Everything read from a forms folder's data files, and every problem found in them."""

    problems: list[FormProblem]
    registry: Registry | None = None
    later: dict[str, Any] = field(default_factory=dict)   # what the readers of LATER_FILES returned
    forms: dict[str, FormSpec] = field(default_factory=dict)
    legal: tuple[list[LegalEdition], dict] = ([], {})
    packs: dict[str, dict] = field(default_factory=dict)
    calendar: dict = field(default_factory=dict)
    congress: dict = field(default_factory=dict)
    style: dict = field(default_factory=dict)
    wording: dict = field(default_factory=dict)
    dossier: Dossier | bytes | None = None   # bytes: pickled, as kept (see _kept_read_all)


SHARED_FILES = ("fields.toml", "legal_basis.toml", "packs.toml", "rules.toml", "roster.toml", "calendar.toml",
                "congress.toml", "style.toml", "wording.toml", "register.toml", "dossier.toml")
# The data files of a later stage: the check stage's rules.toml, the store's register.toml. The
# stage that owns one gives the library its reader (:meth:`FormLibrary.read_also`), which
# records each problem in the sink with those of the other files:
# ``reader(path, sink, file, registry, form_ids)``.
LATER_FILES = ("rules.toml", "register.toml")
Reader = Callable[[Path, DataProblems, str, "Registry | None", set], Any]


class FormLibrary:
    """All forms, with the shared registry, style and legal bases: a user's forms folder (if
    any) layered over the bundled one.

    A form folder or a ``_shared/<file>`` found in the user's folder replaces the bundled one of
    the same name; everything else comes from the bundled folder, so a user who changes one form
    keeps getting the bundled rules and the other forms. The first use of any of them reads
    every data file in effect (each ``form.toml`` and ``_shared/*.toml``; rules.toml once the
    check stage has given its reader, as the pipeline's engine does) and checks it; when any is
    broken, that use raises one :class:`FormDataError` listing every problem in every file,
    with its file and key."""

    def __init__(self, user: Path | None = None, bundled: Path | None = None):
        self.bundled = Path(bundled) if bundled else default_forms_dir()
        self.user = Path(user) if user else None
        if self.user is not None:
            if not self.user.is_dir():
                raise FormError(f"Không có thư mục mẫu {self.user}.")
            if self.user.resolve() == self.bundled.resolve():
                self.user = None
        if not (self.bundled / SHARED).is_dir():
            raise FormError(f"Thư mục mẫu {self.bundled} không có {SHARED}/ (danh mục trường, thể thức).")
        self.roots = [r for r in (self.user, self.bundled) if r is not None]   # searched in this order
        self._readers: dict[str, Reader] = {}

    def shared_file(self, name: str) -> Path:
        """``_shared/<name>`` from the user's folder when it has one, else the bundled one."""
        for root in self.roots:
            path = root / SHARED / name
            if path.exists():
                return path
        return self.bundled / SHARED / name

    def form_folders(self) -> list[Path]:
        """The folder of every form, by id: a user's folder replaces a bundled one of its name."""
        found: dict[str, Path] = {}
        for root in reversed(self.roots):
            found.update((f.name, f) for f in form_folders(root))
        return [found[name] for name in sorted(found)]

    def origin(self, spec: "FormSpec") -> str:
        """Where a form comes from: the user's forms folder, or docgen's own."""
        return "riêng" if self.user is not None and spec.folder.parent == self.user else "đi kèm"

    def read_also(self, name: str, reader: Reader) -> None:
        """Have ``reader`` read and check ``_shared/<name>``, a data file of a later stage (the
        check stage's rules.toml), with the other data files: its problems are then among those
        that any use raises and that :meth:`survey` returns. The folder is read again at the
        next use."""
        if name not in LATER_FILES:
            raise ValueError(f"{name} is not a data file of a later stage: {LATER_FILES}")
        if self._readers.get(name) is not reader:
            self._readers[name] = reader
            self.__dict__.pop("_data", None)

    def commands(self) -> dict[str, CommandInfo] | None:
        """Each pack and each form as a command (a pack's id first, where a form has the same),
        read from ``packs.toml`` and each ``form.toml`` alone, without checking them or reading
        the other data files: what ``docgen --help`` lists, in a few milliseconds. The first use
        of anything else reads and checks every file as before, so a broken folder is still
        reported whole, by the command that uses it. ``None`` when a manifest cannot even be
        read this way (missing, not TOML, an id or a title not text): the caller then reads the
        whole folder, which names the problem."""
        import tomllib

        if "_data" in self.__dict__:  # read and checked already: what the checked files say
            try:
                data = self._ok()
            except FormDataError:
                return None
            out = {pack_id: CommandInfo(pack_id, pack["title"], pack.get("help", ""), pack.get("example", ""), True)
                   for pack_id, pack in data.packs.items()}
            for spec in data.forms.values():
                out.setdefault(spec.id, CommandInfo(spec.id, spec.title, spec.help, spec.example))
            return out
        try:
            packs = tomllib.loads(self.shared_file("packs.toml").read_bytes().decode("utf-8")).get("pack", {})
            out = {}
            for pack_id, pack in packs.items():
                out[pack_id] = _command_info(pack_id, pack, True)
            for folder in self.form_folders():
                raw = tomllib.loads((folder / "form.toml").read_bytes().decode("utf-8"))
                if raw.get("id") != folder.name:
                    return None
                out.setdefault(folder.name, _command_info(folder.name, raw, False))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError, TypeError, ValueError):
            return None
        return out

    @cached_property
    def _data(self) -> _Data:
        return _kept_read_all(self, self._readers)

    def survey(self) -> tuple[list[FormProblem], dict[str, FormSpec]]:
        """Every problem of the data files, and the forms that could be read all the same
        (``docgen forms lint`` goes on to their templates). Never raises for a broken file."""
        return list(self._data.problems), dict(self._data.forms)

    def _ok(self) -> _Data:
        data = self._data
        if data.problems:
            raise FormDataError(data.problems)
        return data

    def later(self, name: str) -> Any:
        """What the reader given by :meth:`read_also` made of ``_shared/<name>``."""
        return self._ok().later[name]

    def validate(self) -> None:
        """Raise one :class:`FormDataError` listing every problem of the data files, if any."""
        self._ok()

    @property
    def registry(self) -> Registry:
        registry = self._ok().registry
        assert registry is not None  # no problem in fields.toml, so it was read
        return registry

    @property
    def style(self) -> dict:
        return self._ok().style

    @cached_property
    def fingerprint(self) -> str:
        """A digest of every template and data file: what a batch's --resume compares."""
        import hashlib

        h = hashlib.sha256()
        files = [self.shared_file(p.name) for p in sorted({p.name: p for root in self.roots
                                                         for p in (root / SHARED).glob("*.toml")}.values())]
        files += [p for folder in self.form_folders() for p in sorted(folder.iterdir())]
        for p in files:
            if p.is_file() and p.suffix in (".docx", ".toml"):
                h.update(f"{p.parent.name}/{p.name}".encode())
                h.update(p.read_bytes())
        return h.hexdigest()

    @property
    def packs(self) -> dict[str, dict]:
        """The packs of ``packs.toml`` (the admission dossier, the congress), by id."""
        return self._ok().packs

    def pack(self, pack_id: str) -> dict:
        try:
            return self.packs[pack_id]
        except KeyError:
            raise FormError(f"Không có bộ văn bản {pack_id!r}. Có: {', '.join(sorted(self.packs))}") from None

    @property
    def congress_conf(self) -> dict:
        """``congress.toml``: the symbol, the offices, and the congress papers' wording (its
        patterns compiled, as :data:`CONGRESS_WORDING` lists them)."""
        return self._ok().congress

    @property
    def wording(self) -> dict:
        """``wording.toml``: what the context builder prints besides the templates' own wording
        (defaults, the "T/M" lines, the Youth Union's number…), by table as :data:`WORDING`
        lists it, each pattern compiled; ``organization_of``: committee name start → organisation."""
        return self._ok().wording

    @property
    def dossier(self) -> Dossier:
        """``dossier.toml``: the kinds of paper of a dossier in order, a candidate's stages and
        the wording of their deadlines (see :mod:`docgen.load.dossier`)."""
        data = self._ok()
        if isinstance(data.dossier, bytes):  # as kept (_kept_read_all): read back when first asked for
            import pickle

            data.dossier = pickle.loads(data.dossier)
        dossier = data.dossier
        assert dossier is not None and not isinstance(dossier, bytes)  # no problem in dossier.toml: it was read
        return dossier

    @property
    def dossier_kinds(self) -> tuple[DossierKind, ...]:
        """Every kind of paper of dossier.toml, in the file's order."""
        return self.dossier.kinds

    @cached_property
    def work_calendar(self) -> WorkCalendar:
        from ..domain.workdays import WorkCalendar

        return WorkCalendar.from_config(self._ok().calendar, cached_holidays)

    @property
    def legal(self) -> tuple[list[LegalEdition], dict]:
        """The editions of ``legal_basis.toml``, oldest first, and its common lines. Every line
        is compiled when the file is read, so a broken one (a syntax error, ``{% include %}``,
        ``__class__``…) is a form problem naming the file, the key and the tag before any
        document is made; a line that fails later, while it renders, names its file and key too."""
        return self._ok().legal

    def edition_for(self, when: date) -> LegalEdition:
        editions, _ = self.legal
        chosen = [e for e in editions if e.effective_from <= when]
        if not chosen:
            raise FormError(f"Không có căn cứ pháp lý nào có hiệu lực vào {when.isoformat()} (legal_basis.toml).")
        return chosen[-1]

    @property
    def forms(self) -> dict[str, FormSpec]:
        return self._ok().forms

    def get(self, form_id: str) -> FormSpec:
        try:
            return self.forms[form_id]
        except KeyError:
            known = ", ".join(sorted(self.forms))
            raise FormError(f"Không có mẫu {form_id!r}. Các mẫu hiện có: {known}") from None


def _command_info(command_id: str, raw: Any, pack: bool) -> CommandInfo:
    """A manifest's title, help and example; ``TypeError`` when one is not text."""
    title, help_text, example = (raw.get(key, "") for key in ("title", "help", "example"))
    if not (isinstance(title, str) and isinstance(help_text, str) and isinstance(example, str) and title.strip()):
        raise TypeError(f"{command_id}: title, help or example is not text")
    return CommandInfo(command_id, title, help_text, example, pack)


# -- public holidays kept between runs ---------------------------------------------------------------
_HOLIDAYS: dict[int, frozenset[date]] = {}


def cached_holidays(year: int) -> frozenset[date]:
    """Vietnam's public holidays of ``year`` (:func:`~docgen.domain.workdays.vn_holidays`), kept in
    the user's cache folder: importing the ``holidays`` package takes longer than checking a
    profile. The file is named by the installed package's files (their size and time), so an
    upgrade of it reads them anew; a cache that cannot be read or written is done without."""
    if year in _HOLIDAYS:
        return _HOLIDAYS[year]
    import json
    from importlib.util import find_spec

    from .. import cache_dir
    from ..domain.workdays import vn_holidays

    path = None
    try:
        spec = find_spec("holidays")
        origin = Path(spec.origin) if spec and spec.origin else None
        if origin is not None:
            files = (origin, origin.parent / "countries" / "vietnam.py")
            key = "-".join(f"{f.stat().st_size}.{f.stat().st_mtime_ns}" for f in files)
            path = cache_dir() / "holidays" / f"VN-{key}.json"
            cached = json.loads(path.read_text(encoding="utf-8"))
            days = cached.get(str(year))
            if isinstance(days, list):
                _HOLIDAYS[year] = frozenset(date.fromisoformat(d) for d in days)
                return _HOLIDAYS[year]
    except (OSError, ValueError, TypeError, AttributeError, ImportError):
        cached = {}
    _HOLIDAYS[year] = vn_holidays(year)
    if path is not None:
        from .. import write_cached

        cached = cached if isinstance(cached, dict) else {}
        cached[str(year)] = sorted(d.isoformat() for d in _HOLIDAYS[year])
        write_cached(path, json.dumps(cached).encode("utf-8"))
    return _HOLIDAYS[year]


# -- reading every data file ------------------------------------------------------------------------
def form_folders(root: Path) -> list[Path]:
    """The folders of ``root`` that hold a form (a ``form.toml``), by name."""
    return [f for f in sorted(root.iterdir())
            if f.is_dir() and not f.name.startswith(("_", ".")) and (f / "form.toml").exists()]


def _kept_read_all(library: FormLibrary, readers: dict[str, Reader]) -> _Data:
    """:func:`_read_all`, read back from the user's cache folder when it was kept from the same
    files: keyed by the stats (path, size, modification time) of every file of the forms
    folders (each ``_shared`` file, every file of each form folder, the folders' listing), of
    docgen's own modules, and by the readers of the later stages' files. Reading and checking
    every data file takes about 100 ms; reading the kept result back, a few. Only a folder
    with no problem is kept: a broken one is read, and reported, afresh every time."""
    from .. import keep, read_kept, source_stats

    names = tuple((name, f"{reader.__module__}:{reader.__qualname__}") for name, reader in sorted(readers.items()))
    if any("<" in qualname for _, qualname in names):  # a reader made at run time: no name to key it by
        return _read_all(library, readers)
    slot = "\n".join(os.path.abspath(root) for root in library.roots)
    key = (names, folder_stats(library.roots, every_file=True), source_stats())
    data = read_kept("library", slot, key, pickled=True)
    if isinstance(data, _Data):
        return data
    data = _read_all(library, readers)
    if not data.problems:
        # dossier.toml's reading is kept pickled within, read back by FormLibrary.dossier when
        # first asked for: a paper never asks, and the module of its classes (docgen.load.dossier)
        # takes 3-4 ms to import, a third of reading the whole kept library back
        import pickle
        from dataclasses import replace

        keep("library", slot, key, replace(data, dossier=pickle.dumps(data.dossier, pickle.HIGHEST_PROTOCOL)),
             pickled=True)
    return data


def _read_all(library: FormLibrary, readers: dict[str, Reader]) -> _Data:
    """Read and check every data file in effect in ``library`` (those of later stages by their
    ``readers``); nothing raises for a broken file: each problem goes into the result's ``problems``."""
    from .dossier import FormInfo, read_dossier_kinds
    from .roster import read_config

    sink = DataProblems()

    class _Shared:  # ``shared / name``: the file in effect, the user's or the bundled one
        def __truediv__(self, name: str) -> Path:
            return library.shared_file(name)

    shared = _Shared()

    def file(path: Path) -> str:
        return str(path)

    data = _Data(sink.items)
    data.registry = Registry.read(shared / "fields.toml", sink, file(shared / "fields.toml"))
    registry = data.registry
    data.legal = _read_legal(shared / "legal_basis.toml", sink, file(shared / "legal_basis.toml"))
    editions, common = data.legal
    legal_keys = set(common) | {k for e in editions for k in e.lines}
    folders = library.form_folders()
    legal_ok = not any(p.file == file(shared / "legal_basis.toml") for p in sink.items)
    for folder in folders:
        spec = FormSpec.read(folder, sink, file(folder / "form.toml"), registry, legal_keys if legal_ok else None)
        if spec is not None:
            data.forms[spec.id] = spec
    if legal_ok and "exception" not in common:
        users = [f.id for f in data.forms.values() if EXCEPTIONS_KEY in f.legal_basis]
        if users:
            sink.add(file(shared / "legal_basis.toml"), "common.exception",
                     f'[common] thiếu dòng "exception" (các mẫu {", ".join(users)} in dòng "{EXCEPTIONS_KEY}")')
    form_ids = {f.name for f in folders}
    data.packs = _read_packs(shared / "packs.toml", sink, file(shared / "packs.toml"), registry, data.forms, form_ids)
    infos: dict[str, FormInfo | None] = {f: None for f in form_ids}
    # docgen's own forms (a user's copy of one included) each belong to a kind; a user's new form need not
    infos.update((f.id, FormInfo(f.subject, f.applies_when, (library.bundled / f.id / "form.toml").is_file()))
                 for f in data.forms.values())
    data.dossier = read_dossier_kinds(shared / "dossier.toml", sink, file(shared / "dossier.toml"), registry, infos)
    for name in LATER_FILES:
        if name in readers:
            data.later[name] = readers[name](shared / name, sink, file(shared / name), registry, form_ids)
    read_config(shared / "roster.toml", sink, file(shared / "roster.toml"), registry)
    data.calendar = _read_calendar(shared / "calendar.toml", sink, file(shared / "calendar.toml"))
    data.congress = _read_congress(shared / "congress.toml", sink, file(shared / "congress.toml"), registry)
    data.style = _read_style(shared / "style.toml", sink, file(shared / "style.toml"))
    data.wording = _read_wording(shared / "wording.toml", sink, file(shared / "wording.toml"), registry)
    return data


def _read_legal(path: Path, sink: DataProblems, file: str) -> tuple[list[LegalEdition], dict]:
    raw = sink.read_toml(path, file)
    if raw is None:
        return [], {}
    root = sink.table(file, raw)
    root.unknown(("edition", "common"))
    items = raw.get("edition", [])
    if not isinstance(items, list):
        root.problem("edition", f'"edition" phải là các bảng [[edition]], đang là {describe(items)}')
        items = []
    editions = []
    seen: dict[str, str] = {}
    for i, item in enumerate(items):
        name = item.get("id") if isinstance(item, dict) else None
        label = f"[[edition]] {name}" if isinstance(name, str) and name else f"[[edition]] thứ {i + 1}"
        e = sink.table(file, item, f"edition[{i}]", label=label)
        if not e.ok:
            continue
        edition_id = e.text("id", required=True, nonempty=True)
        if edition_id in seen:
            e.problem("id", f'id "{edition_id}" đã dùng cho một lần ban hành khác')
        seen.setdefault(edition_id, edition_id)
        when = _edition_date(e, "effective_from")
        verified = _edition_date(e, "verified_until")
        if when is not None and verified is not None and verified < when:
            e.problem("verified_until", f'khóa "verified_until" ({verified.isoformat()}) trước "effective_from" '
                                        f"({when.isoformat()})")
        source = e.text("source")
        lines = e.sub("lines", required=True)
        e.unknown(("id", "effective_from", "verified_until", "source", "lines"))
        checked = {}
        for key in lines.raw:
            line = lines.text(key, required=True)
            if isinstance(lines.raw[key], str):
                checked[key] = _compiled_line(line, file, f"{e.label}, lines.{key}", sink, lines.key(key))
        if edition_id and when is not None and lines.ok:
            editions.append(LegalEdition(edition_id, when, source, checked, verified))
    common_t = root.sub("common")
    common = {}
    for key in common_t.raw:
        line = common_t.text(key, required=True)
        if isinstance(common_t.raw[key], str):
            common[key] = _compiled_line(line, file, f"[common] {key}", sink, common_t.key(key))
    return sorted(editions, key=lambda e: e.effective_from), common


def _edition_date(e: Table, key: str) -> date | None:
    """The date of ``key`` of an edition (a TOML date or "NNNN-TT-NN"); None, with the problem
    recorded, when it is missing or not a real date."""
    when = e.raw.get(key)
    if key not in e.raw:
        e.problem(key, f'thiếu khóa "{key}"')
        return None
    read = _toml_date(when)
    if read is None:
        e.problem(key, f'khóa "{key}" phải là ngày dạng NNNN-TT-NN, đang là {describe(when)}')
    return read


def _toml_date(value: object) -> date | None:
    """A TOML date, or a real date written "NNNN-TT-NN"; None for anything else."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def _compiled_line(line: str, file: str, where: str, sink: DataProblems, key: str) -> str:
    """A legal-basis line compiled in the sandbox (it then names ``file: where`` if it fails
    while it renders); a line that does not compile is recorded with its tag."""
    from ..sandbox import DataTemplateError, check_text

    try:
        return check_text(line, f"{file}: {where}")
    except DataTemplateError as exc:
        text = str(exc)
        sink.add(file, key, text[len(file) + 2:] if text.startswith(file + ": ") else text)
        return line


def _read_packs(path: Path, sink: DataProblems, file: str, registry: Registry | None,
                forms: dict[str, FormSpec], folders: set[str]) -> dict[str, dict]:
    """The packs; each form a pack lists must have a folder (a form whose form.toml is broken
    is named there, not here) made from the pack's subject."""
    raw = sink.read_toml(path, file)
    if raw is None:
        return {}
    root = sink.table(file, raw)
    root.unknown(("pack",))
    packs_t = root.sub("pack")
    out = {}
    for pack_id in packs_t.raw:
        p = packs_t.sub(pack_id)
        if not p.ok:
            continue
        before = len(sink.items)
        if not _ID.fullmatch(pack_id):
            packs_t.problem(pack_id, f'id "{pack_id}" {_ID_RULE}')
        elif pack_id in COMMAND_NAMES:
            packs_t.problem(pack_id, f'id "{pack_id}" ' + _COMMAND_RULE.format(", ".join(COMMAND_NAMES)))
        subject = p.text("subject", required=True, nonempty=True)
        if subject and subject not in SUBJECTS:
            p.problem("subject", f'khóa "subject" phải là một trong: {", ".join(SUBJECTS)}; đang là "{subject}"'
                                 f"{closest(subject, SUBJECTS)}")
        p.text("title", required=True, nonempty=True)
        fields = {"date_field": p.text("date_field", required=True, nonempty=True),
                  "name_field": p.text("name_field"), "org_name_field": p.text("org_name_field")}
        if not p.has("name_field") and not p.has("org_name_field"):
            p.problem("name_field", 'thiếu khóa "name_field" (tên trong hồ sơ) hoặc "org_name_field" (tên trong tệp '
                                    'tổ chức): tên tệp PDF gộp cần một trong hai')
        p.text("help")
        p.text("example")
        members = p.texts("forms", required=True, nonempty=True)
        for form_id in members:
            spec = forms.get(form_id)
            if form_id not in folders:
                p.problem("forms", f'không có mẫu "{form_id}"{closest(form_id, folders)}')
            elif spec is not None and subject and spec.subject != subject:
                p.problem("forms", f'mẫu "{form_id}" làm từ "{spec.subject}", không phải từ "{subject}" của bộ này')
        if len(set(members)) != len(members):
            p.problem("forms", "một mẫu có mặt hai lần")
        checked_when = p.text("checked_when")
        p.unknown(("subject", "title", "date_field", "name_field", "org_name_field", "forms", "help", "example",
                   "checked_when"))
        if registry is not None and checked_when and not any(
                f == checked_when or f.startswith(checked_when + ".") for f in registry.fields):
            p.problem("checked_when", f'"{checked_when}" không phải trường hay nhóm trường nào trong danh mục '
                                      f"(fields.toml){closest(checked_when, registry.groups)}")
        if registry is not None:
            for key, value in fields.items():
                if value and value not in registry.declared:
                    p.problem(key, f'trường "{value}" không có trong danh mục trường (fields.toml)'
                                   f"{closest(value, registry.fields)}")
        if len(sink.items) == before:
            out[pack_id] = p.raw
    return out


def _read_calendar(path: Path, sink: DataProblems, file: str) -> dict:
    raw = sink.read_toml(path, file)
    if raw is None:
        return {}
    t = sink.table(file, raw)
    out = {}
    weekend = t.raw.get("weekend", [5, 6])
    if not (isinstance(weekend, list) and all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6
                                              for d in weekend)):
        t.problem("weekend", f'khóa "weekend" phải là danh sách số từ 0 (thứ Hai) đến 6 (Chủ nhật), '
                             f"đang là {describe(weekend)}")
    else:
        out["weekend"] = weekend
    for key in ("extra_days_off", "extra_working_days"):
        days = t.raw.get(key, [])
        if not isinstance(days, list):
            t.problem(key, f'khóa "{key}" phải là danh sách ngày dạng "NNNN-TT-NN", đang là {describe(days)}')
            continue
        good: list[date] = []
        for day in days:
            read = _toml_date(day)
            if read is None:
                t.problem(key, f'khóa "{key}": {describe(day)} không phải ngày có thật dạng "NNNN-TT-NN"')
            else:
                good.append(read)
        out[key] = good
    t.unknown(("weekend", "extra_days_off", "extra_working_days"))
    return out


def _read_congress(path: Path, sink: DataProblems, file: str, registry: Registry | None) -> dict:
    raw = sink.read_toml(path, file)
    if raw is None:
        return {}
    t = sink.table(file, raw)
    out = _wording_tables(t, CONGRESS_WORDING, sink)
    out["symbol"] = t.text("symbol", required=True, nonempty=True)
    out["offices"] = raw.get("offices", {})
    offices = t.sub("offices")
    known: tuple[str, ...] = ()
    if registry is not None and "congress.elections[].office" in registry:
        known = registry["congress.elections[].office"].choices
    for name in offices.raw:
        o = offices.sub(name)
        if not o.ok:
            continue
        for key in ("title", "body", "member"):
            o.text(key, required=True, nonempty=True)
        o.unknown(("title", "body", "member"))
        if known and name not in known:
            offices.problem(name, f'chức danh "{name}" không có trong các lựa chọn của congress.elections[].office '
                                  f"(fields.toml){closest(name, known)}")
    for key in OFFICE_KEYS:
        _one_of(t, key, out.get(key), known, "congress.elections[].office")
    out["ratified_offices"] = t.texts("ratified_offices", required=True, nonempty=True)
    for office in out["ratified_offices"]:
        _one_of(t, "ratified_offices", office, known, "congress.elections[].office")
    out["standing_committee_ratifies"] = t.boolean("standing_committee_ratifies", required=True)
    roles: tuple[str, ...] = ()
    if registry is not None and "congress.counting_board[].role" in registry:
        roles = registry["congress.counting_board[].role"].choices
    board = t.sub("vote_counters")
    for key in ("head", "member"):
        _one_of(board, key, out.get("vote_counters", {}).get(key), roles, "congress.counting_board[].role")
    categories: tuple[str, ...] = ()
    if registry is not None and "congress.members.absent[].category" in registry:
        categories = registry["congress.members.absent[].category"].choices
    out["not_counted"] = t.texts("not_counted", required=True)
    for category in out["not_counted"]:
        _one_of(t, "not_counted", category, categories, "congress.members.absent[].category")
    t.unknown(("symbol", "offices", "ratified_offices", "standing_committee_ratifies", "not_counted",
               *CONGRESS_WORDING[""], *(k for k in CONGRESS_WORDING if k)))
    return out


# -- wording (wording.toml, and the congress papers' in congress.toml) -----------------------------
# A file's wording by table ("": the top level): each key with None for text printed as it is,
# or the names its {{ }} pattern may use (a pattern naming another is a problem of the file).
Wording = dict[str, dict[str, "tuple[str, ...] | None"]]
WORDING: Wording = {
    "": {"none": None},
    "committee": {"on_behalf": None, "authority_line": ("name_upper",)},
    "authority": {"on_behalf": None, "authority_line": ("name_upper",)},
    "cell": {"on_behalf": None, "on_behalf_committee": None, "on_behalf_secretary": None, "secretary_title": None},
    "youth_union": {"number": ("number",), "number_blank": None, "superior": None, "signer_title": None},
    "not_counted": {"temporarily_transferred": None, "exempted": None, "suspended_or_detained": None,
                    "group": ("n", "category"), "note": ("groups",)},
}
# [not_counted] words each choice of admission.cell_meeting.not_counted[].category and
# admission.committee_resolution.not_counted[].category (fields.toml); tests keep them equal.
_CONGRESS_NAMES = ("cell", "ordinal_roman", "term")
# congress.toml's keys naming an office (a choice of congress.elections[].office) by its role
OFFICE_KEYS = ("secretary_office", "committee_office", "deputy_office", "delegates_office")
CONGRESS_WORDING: Wording = {
    "": {"name": _CONGRESS_NAMES, "issuer": _CONGRESS_NAMES, "term_upper": _CONGRESS_NAMES,
         **{key: None for key in OFFICE_KEYS}},
    "election": {"elected": ("full_name", "votes", "pct")},
    "vote_counters": {"head": None, "member": None},
    "ratification": {"addressee": ("committee_name", "standing_committee")},
    "ratification_decision": {"authority_line": ("standing_committee", "committee_name_upper"),
                              "on_behalf": ("standing_committee",)},
    "absent": {"accepted_reason": None, "other": None, "official": None, "probationary": None,
               "item": ("full_name", "status", "category", "reason")},
    "signatures": {"presidium_one": None, "presidium_many": None, "secretariat_one": None,
                   "secretariat_many": None},
    "guest": {"line": ("full_name", "title")},
}
# wording.toml's [cell_committee]: from how many official members a cell has a chi ủy
CELL_COMMITTEE_KEYS = ("min_official",)


def _read_wording(path: Path, sink: DataProblems, file: str, registry: Registry | None) -> dict:
    """wording.toml: every key of :data:`WORDING`, ``organization_of``, and ``cell_committee``
    (``min_official``: the official members from which a cell has a chi ủy)."""
    raw = sink.read_toml(path, file)
    if raw is None:
        return {}
    t = sink.table(file, raw)
    out = _wording_tables(t, WORDING, sink)
    orgs = t.sub("organization_of", required=True)
    out["organization_of"] = {}
    for start in orgs.raw:
        replaced = orgs.text(start, required=True)
        if isinstance(orgs.raw[start], str):
            out["organization_of"][start] = replaced
    cell_committee = t.sub("cell_committee", required=True)
    out["cell_committee"] = {"min_official": cell_committee.integer("min_official", required=True, lo=1)}
    cell_committee.unknown(CELL_COMMITTEE_KEYS)
    t.unknown((*WORDING[""], *(k for k in WORDING if k), "organization_of", "cell_committee"))
    return out


def _wording_tables(root: Table, spec: Wording, sink: DataProblems) -> dict[str, Any]:
    """Each key of ``spec`` read from ``root`` and its tables (the unknown keys of each table
    recorded; the root's are the caller's, which knows its other keys), each pattern compiled."""
    out: dict[str, Any] = {}
    for table, keys in spec.items():
        t = root.sub(table, required=True) if table else root
        if table and not (root.has(table) and t.ok):
            continue  # named once, as a missing table (or not a table), not once for each of its keys
        texts = {key: text for key, names in keys.items() if (text := _wording(t, key, names, sink)) is not None}
        if table:
            t.unknown(tuple(keys))
            out[table] = texts
        else:
            out.update(texts)
    return out


def _wording(t: Table, key: str, names: tuple[str, ...] | None, sink: DataProblems) -> str | None:
    """The text of ``key`` (a :class:`~docgen.sandbox.DataText` naming the file and key when it
    is a pattern); ``None``, with the problem recorded, when it is missing, not text, a pattern
    that does not compile or that reads a name it is not given, or ``{{ }}`` where it is printed as it is."""
    from ..sandbox import DataText, text_names

    text = t.text(key, required=True)
    if not isinstance(t.raw.get(key), str):
        return None
    if names is None:
        if "{{" in text or "{%" in text:
            t.problem(key, f'khóa "{key}" được in nguyên văn: không dùng được {{{{ … }}}} hay {{% … %}} ở đây')
            return None
        return text
    where = f"{t.label} {key}" if t.label else key
    compiled = _compiled_line(text, t.file, where, sink, t.key(key))
    if not isinstance(compiled, DataText):
        return None
    unknown = sorted(text_names(compiled) - set(names))
    for name in unknown:
        t.problem(key, f'khóa "{key}": không có tên "{name}"{closest(name, names)}; dùng được: {", ".join(names)}')
    return None if unknown else compiled


def _one_of(t: Table, key: str, value: str | None, choices: tuple[str, ...], path: str) -> None:
    """``value`` of ``key`` must be one of the ``choices`` of the field ``path`` (when it has some)."""
    if value is not None and choices and value not in choices:
        t.problem(key, f'khóa "{key}": "{value}" không phải một lựa chọn của {path} (fields.toml)'
                       f"{closest(value, choices)}")


MARGINS = ("top", "bottom", "left", "right")


def _read_style(path: Path, sink: DataProblems, file: str) -> dict:
    raw = sink.read_toml(path, file)
    if raw is None:
        return {}
    t = sink.table(file, raw)
    margins = t.sub("margins_mm", required=True)
    for side in MARGINS:
        margins.number(side, required=True, lo=0, hi=80)
    margins.unknown(MARGINS)
    t.sub("page")
    t.sub("font")
    t.boolean("print_form_code", required=True)
    t.unknown(("page", "margins_mm", "font", "print_form_code"))
    return raw
