"""A seeded generator of hostile inputs, and the checks every docgen run must pass on them.

Each case starts from a valid sample (a candidate profile, the organisation file, the congress
file, or a JSON list of decisions for a batch, often of people of one name) and applies one to
three mutations drawn from the categories a hostile or careless input brings: huge, negative
or non-finite numbers, deep nesting, duplicate keys, dates at the ends of the calendar, text
with XML and Jinja syntax, control, invisible and bidi characters, lone surrogates, very long
text, wrong types, missing and unknown keys, broken or differently encoded files. Then it runs
one docgen command on it, in process.

The checks (``violations``):
- the exit code is 0 or 3 (an input is accepted, or refused with its problems named);
- an input ``check`` passes, the generator renders (the whole admission dossier);
- no traceback and no "internal error" message;
- every DOCX written is a sound zip whose XML parts parse, and every PDF opens with pypdf;
- a text value that was accepted appears literally in the DOCX (after NFC and white-space
  folding, with the invisible characters docgen removes with a warning left out);
- nothing is written when the exit code is 3, except by a batch, which writes its valid
  items: its summary counts the files on disk and its log names each of them.

``tests/test_fuzz.py`` runs a few hundred cases; ``make fuzz`` runs 10,000.
"""

from __future__ import annotations

import copy
import io
import json
import random
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


TEXT_PIECES = [
    "Nguyễn Thị Ỷ Lan", "ĐẢNG ỦY", "Tổ Ựu", "&", "<", ">", "\"", "'", "&amp;", "<w:t>", "]]>",
    "<!--", "<?xml", "{{ 7*7 }}", "{% for x in range(9) %}", "{#", "#}", "{{", "}}", "\\", "%", "$",
    "\u200b", "\ufeff", "\u202e", "\u2066", "\u00ad", "\u0301", "e\u0301", "\t", "\n", "  ",
    "\x00", "\x07", "\x1b", "\ud800", "\udfff", "😀", "𝔸", "\u00a0", "ß", "İ", "ǅ", "١٢٣",
    "日本", "Ω", "\u2028", "0", "-1", "1e309", "NaN", "null", "Số 06-QĐ/ĐU",
]


@dataclass
class Case:
    seed: int
    kind: str                         # which file was mutated: candidate, org or congress
    command: list[str]                # docgen arguments, with {subject} {org} {out} to fill
    files: dict[str, bytes]           # file name -> bytes
    mutations: list[str] = field(default_factory=list)
    printed: dict[str, str] = field(default_factory=dict)  # path -> accepted text that must be printed

    def label(self) -> str:
        return f"seed {self.seed} ({self.kind}: {', '.join(self.mutations)})"


def _raw(token: str, raws: dict[str, str]) -> str:
    """A placeholder string that is replaced by raw JSON text after serialising."""
    key = f"@@RAW{len(raws)}@@"
    raws[key] = token
    return key


def _text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.1:
        return rng.choice(TEXT_PIECES) * rng.choice([1, 50, 3000, 25000])
    if kind < 0.15:
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(1, 200)))
    if kind < 0.2:
        return rng.choice(["", " ", "\u200b", "\ufeff\u200b", "\u202e"])
    return "".join(rng.choice(TEXT_PIECES) for _ in range(rng.randrange(1, 8)))


def _number(rng: random.Random, raws: dict[str, str]):
    return rng.choice([
        -1, 0, 10**12, 10**5, 10**5 + 1, 2**63, -(10**30), 1.5, True, None, "12", "mười", [], {},
        _raw("9" * rng.choice([25, 5000]), raws), _raw("NaN", raws), _raw("Infinity", raws),
        _raw("-Infinity", raws), _raw("1e400", raws),
    ])


def _date(rng: random.Random):
    return rng.choice([
        "9999-12-31", "9999-01-01", "0001-01-01", "1899-12-31", "2101-01-01", "2020-02-30",
        "31/12/2020", "2020-13-01", "", "2020-1-1", 20200101, None, "2024-02-29", "2023-02-29",
        "ngày 07 tháng 11 năm 2018", "\u200b2020-01-01",
    ])


def _paths(obj, prefix=""):
    """Every (path, parent, key) of a JSON value."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = f"{prefix}.{k}" if prefix else k
            yield p, obj, k
            yield from _paths(v, p)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            p = f"{prefix}[{i}]"
            yield p, obj, i
            yield from _paths(v, p)


def _mutate(rng: random.Random, data: dict, raws: dict[str, str], printed: dict[str, str],
            free_text: str | None) -> str:
    places = [(p, parent, key) for p, parent, key in _paths(data) if not p.startswith("_")]
    if not places:  # every key was removed by an earlier mutation
        data[rng.choice(["candidate", "x"])] = _text(rng)
        return "key on an empty object"
    path, parent, key = rng.choice(places)
    value = parent[key]
    roll = rng.random()
    if not (free_text and roll < 0.25):
        # a later mutation of a printed value (or of what holds it) takes back its promise
        for promised in [k for k in printed if k == path or k.startswith(path + ".") or path.startswith(k + ".")]:
            del printed[promised]
    if free_text and roll < 0.25:
        # a text that the decision prints as it is
        text = _text(rng)
        target = data
        for part in free_text.split(".")[:-1]:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[free_text.split(".")[-1]] = text
            printed[free_text] = text
            return f"text {free_text}"
    if roll < 0.45:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            parent[key] = _date(rng)
            return f"date {path}"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            parent[key] = _number(rng, raws)
            return f"number {path}"
        parent[key] = _text(rng)
        return f"text {path}"
    if roll < 0.55:
        parent[key] = rng.choice([None, [], {}, "", 0, [value], {"x": value}, "x" * 30])
        return f"type {path}"
    if roll < 0.62:
        if isinstance(parent, dict):
            del parent[key]
            return f"missing {path}"
        parent.clear()
        return f"emptied list at {path}"
    if roll < 0.68 and isinstance(parent, dict):
        parent[rng.choice(["fullname", "extra", "\ud800", "candidate", "_note", "x" * 300])] = _text(rng)
        return f"unknown key beside {path}"
    if roll < 0.74:
        depth = rng.choice([21, 100, 600, 5000])
        parent[key] = _raw("[" * depth + "1" + "]" * depth, raws)
        return f"nesting {depth} at {path}"
    if roll < 0.8 and isinstance(parent, dict):
        dup = json.dumps(key, ensure_ascii=False)
        parent[key] = _raw(json.dumps(value, ensure_ascii=False) + f", {dup}: " + json.dumps(_text(rng)), raws)
        return f"duplicate key {path}"
    if roll < 0.86 and isinstance(parent, list):
        parent.extend(copy.deepcopy(parent[:1]) * rng.choice([2, 50, 1000]))
        return f"long list at {path}"
    parent[key] = _number(rng, raws)
    return f"number {path}"


def _encode(data: dict | list, raws: dict[str, str], rng: random.Random) -> tuple[bytes, str | None]:
    text = json.dumps(data, ensure_ascii=rng.random() < 0.3, indent=rng.choice([None, 2]))
    for key, token in raws.items():
        text = text.replace(json.dumps(key), token)
    roll = rng.random()
    if roll < 0.03:
        return text.encode("utf-16", "surrogatepass"), "utf-16"
    if roll < 0.06:
        return "\ufeff".encode() + text.encode("utf-8", "surrogatepass"), "bom"
    if roll < 0.08:
        return text[: rng.randrange(1, max(2, len(text)))].encode("utf-8", "surrogatepass"), "truncated"
    if roll < 0.09:
        return bytes(rng.randrange(256) for _ in range(200)), "garbage"
    if roll < 0.1:
        return text.encode("cp1258", "replace"), "cp1258"
    return text.encode("utf-8", "surrogatepass"), None


def make_case(seed: int) -> Case:
    rng = random.Random(seed)
    kind = rng.choice(["candidate"] * 5 + ["org", "congress", "congress", "batch"])
    org = json.loads((SAMPLES / "org.json").read_text("utf-8"))
    if kind == "batch":
        return _batch_case(seed, rng, org)
    if kind == "congress":
        subject = json.loads((SAMPLES / "congress.json").read_text("utf-8"))
        command = ["congress", "{subject}", "--org", "{org}", "-o", "{out}"]
        free_text = "congress.venue"
    else:
        candidates = sorted((SAMPLES / "candidates").glob("*.json"))
        subject = json.loads(rng.choice(candidates).read_text("utf-8"))
        form = rng.choice(["admission-decision"] * 4 + ["admission-dossier", "check"])
        command = [form, "{subject}", "--org", "{org}"]
        if form != "check":
            command += ["-o", "{out}", "--format", "both" if rng.random() < 0.15 else "docx"]
        free_text = "candidate.workplace" if form != "check" else None
    raws: dict[str, str] = {}
    printed: dict[str, str] = {}
    target = org if kind == "org" else subject
    mutations = [_mutate(rng, target, raws, printed, free_text if kind != "org" else None)
                 for _ in range(rng.choice([1, 1, 2, 3]))]
    if kind == "org" and rng.random() < 0.3:
        org.setdefault("style", {})["margins_mm"] = {
            rng.choice(["top", "left", "bottom", "right"]): rng.choice([0, 80, 81, 400, 10**30, -5, 1.5, "20"])}
        mutations.append("margins")
    files = {}
    for name, data in (("org.json", org), ("subject.json", subject)):
        own = raws if data is target else {}
        blob, how = _encode(data, own, rng) if data is target else (json.dumps(data).encode(), None)
        files[name] = blob
        if how:
            mutations.append(f"file {how}")
            printed = {}  # a file that does not parse promises nothing
    return Case(seed, kind, command, files, mutations, printed)


NAMES = ["Nguyễn Văn An", "Nguyễn Văn An", "Nguyễn Văn An 2", "Nguyễn Văn An-2", "NGUYỄN VĂN AN",
         "Nguye\u0302\u0303n Văn An", "Lê Thị Bình 1", "Lê Thị Bình"]


def _batch_case(seed: int, rng: random.Random, org: dict) -> Case:
    """A JSON list of two to six admission decisions, often of people of one name or of names
    that slug alike, one of them mutated: the batch must write each valid person's decision
    under its own name and count what is on disk."""
    candidates = sorted((SAMPLES / "candidates").glob("*.json"))
    items = []
    for _ in range(rng.randrange(2, 7)):
        full = json.loads(rng.choice(candidates).read_text("utf-8"))
        item = {"candidate": {k: full["candidate"][k] for k in
                              ("full_name", "gender", "date_of_birth", "hometown", "residence", "workplace")},
                "admission": {"cell_meeting": {"date": full["admission"]["cell_meeting"]["date"]},
                              "decision": full["admission"]["decision"]}}
        if rng.random() < 0.7:
            item["candidate"]["full_name"] = rng.choice(NAMES)
        items.append(item)
    raws: dict[str, str] = {}
    mutations = []
    if rng.random() < 0.7:
        mutations.append(_mutate(rng, rng.choice(items), raws, {}, None))
    blob, how = _encode(items, raws, rng)
    files = {"org.json": json.dumps(org).encode(), "subject.json": blob}
    if how:
        mutations.append(f"file {how}")
    command = ["batch", "admission-decision", "{subject}", "--org", "{org}", "-o", "{out}", "-j", "1",
               "--format", "both" if rng.random() < 0.15 else "docx"]
    return Case(seed, "batch", command, files, [f"{len(items)} items", *mutations], {})


def _normal(text: str) -> str:
    from docgen.load.model import INVISIBLE  # what docgen removes from free text, with a warning

    text = re.sub(INVISIBLE, "", unicodedata.normalize("NFC", text))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def violations(case: Case, workdir: Path) -> tuple[int, list[str]]:
    """Run the case's command; its exit code and what went wrong (nothing, when all is well)."""
    from click.testing import CliRunner

    from docgen.cli import main

    from doctext import docx_paragraphs

    workdir.mkdir(parents=True, exist_ok=True)
    for name, blob in case.files.items():
        (workdir / name).write_bytes(blob)
    out = workdir / "out"
    args = [a.format(subject=workdir / "subject.json", org=workdir / "org.json", out=out) for a in case.command]
    result = CliRunner().invoke(main, args)
    text = result.output + (getattr(result, "stderr", "") if _has_stderr(result) else "")
    found = []
    if result.exit_code not in (0, 3):
        found.append(f"exit {result.exit_code}: {text.strip()[-300:]}")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        found.append(f"exception {type(result.exception).__name__}: {result.exception}"[:300])
    if "Traceback" in text or "Lỗi nội bộ" in text:
        found.append("traceback or internal error in the output")
    if case.command[0] == "check" and result.exit_code == 0:
        # what check passes, the generator renders: the whole dossier, the pack check covers
        made = CliRunner().invoke(main, ["admission-dossier", args[1], "--org", args[3], "-o", str(out),
                                         "--format", "docx"])
        if made.exit_code != 0:
            found.append(f"check passed but admission-dossier exited {made.exit_code}: {made.output.strip()[-300:]}")
    written = sorted(p for p in out.rglob("*") if p.is_file()) if out.exists() else []
    if case.kind == "batch":
        found += _batch_problems(result.exit_code, result.output, out, written)
        written = [p for p in written if not p.name.startswith(".docgen")]
    elif result.exit_code == 3 and written:
        found.append(f"exit 3 but {len(written)} files written")
    docx_text = []
    for path in written:
        if path.suffix == ".docx":
            problem = _docx_problem(path.read_bytes())
            if problem:
                found.append(f"{path.name}: {problem}")
            else:
                docx_text.append(" ".join(docx_paragraphs(path.read_bytes())))
        elif path.suffix == ".pdf":
            problem = _pdf_problem(path.read_bytes())
            if problem:
                found.append(f"{path.name}: {problem}")
    if result.exit_code == 0 and docx_text:
        everything = _normal(" ".join(docx_text))
        for value in case.printed.values():
            if _normal(value) and _normal(value) not in everything:
                found.append(f"accepted value not printed literally: {value[:60]!r}")
    return result.exit_code, found


def _batch_problems(code: int, stdout: str, out: Path, written: list[Path]) -> list[str]:
    """A batch reports what is on disk, logs every file it wrote, and leaves no partial file.
    A source that is unreadable as a whole (not JSON, too deep) is refused before any item."""
    files = [p for p in written if not p.name.startswith(".docgen")]
    if "Đã ghi: " not in stdout:
        return [] if code == 3 and not written else ["batch printed no summary"]
    found = []
    count = int(stdout.split("Đã ghi: ", 1)[1].split()[0])
    if count != len(files):
        found.append(f"summary says {count} files written, {len(files)} on disk")
    log = out / ".docgen-batch.jsonl"
    logged = sorted(f for e in map(json.loads, log.read_text("utf-8").splitlines()) if "digest" in e
                    for f in e["files"]) if log.exists() else []
    if logged != sorted(str(p.relative_to(out)) for p in files):
        found.append(f"the log names {len(logged)} files, {len(files)} on disk")
    if any(p.name.endswith(".part") for p in written):
        found.append("a partial file was left")
    return found


def _has_stderr(result) -> bool:
    try:
        return bool(result.stderr) and result.stderr not in result.output
    except ValueError:
        return False


def _docx_problem(data: bytes) -> str | None:
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            bad = z.testzip()
            if bad:
                return f"bad CRC in {bad}"
            for name in z.namelist():
                if name.endswith((".xml", ".rels")):
                    etree.fromstring(z.read(name))
    except Exception as exc:  # any failure to read is the finding
        return f"unreadable DOCX ({type(exc).__name__}: {exc})"[:200]
    return None


def _pdf_problem(data: bytes) -> str | None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if not reader.pages:
            return "PDF without pages"
        for page in reader.pages:
            page.extract_text()
    except Exception as exc:
        return f"unreadable PDF ({type(exc).__name__}: {exc})"[:200]
    return None


def run(n: int, start: int = 0, workdir: Path | None = None) -> tuple[dict[str, list[str]], Counter]:
    """Run cases ``start`` … ``start + n - 1``: each failing case's findings, and how many
    cases ended with each exit code."""
    import shutil
    import tempfile

    failures: dict[str, list[str]] = {}
    codes: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(workdir or tmp)
        for seed in range(start, start + n):
            case = make_case(seed)
            folder = base / f"case{seed}"
            code, found = violations(case, folder)
            codes[code] += 1
            if found:
                failures[case.label()] = found
            shutil.rmtree(folder, ignore_errors=True)
    return failures, codes
