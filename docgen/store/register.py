"""Store stage: the number register (sổ đăng ký văn bản) and the dossiers' documents.

A number series is one issuing body's numbers of one document type in one period: the body's
name, its symbol, the type (``QĐ``, ``NQ`` …, or ``*`` for a congress, whose papers share one
sequence across types) and the period (the body's term, or the calendar year). A number is
held by one document; a document is one form made for one dossier (and list item).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .db import HOST, now

ANY_TYPE = "*"


@dataclass
class Paper:
    """One document a command is about to write into a dossier."""

    form: str
    item: int                  # -1 for a form made once; the list item otherwise
    kind: str                  # the dossier's kind of paper (dossier.toml)
    code: str                  # the form code ("9-KNĐ")
    title: str                 # what it is, for the register ("Quyết định kết nạp đảng viên — Nguyễn Văn An")
    date: str | None
    edition: str = ""
    issuer: str = ""
    symbol: str = ""
    doc_type: str = ""
    period: str = ""
    series: str | None = None  # None: not numbered in this register
    number: int | None = None  # the number asked for (None: auto or unnumbered)
    auto: bool = False
    offset: int | None = None  # a congress paper's place in its congress's one sequence (0 for the first)
    number_path: str = ""      # where the profile holds it
    number_label: str = ""
    files: list[tuple[str, Path]] = field(default_factory=list)   # (name in the database, path)


def series_key(issuer: str, symbol: str, doc_type: str, period: str) -> str:
    return json.dumps([issuer, symbol, doc_type, period], ensure_ascii=False)


def series_label(issuer: str, symbol: str, doc_type: str, period: str) -> str:
    kind = "mọi loại" if doc_type == ANY_TYPE else doc_type
    return f"{kind}/{symbol} của {issuer}, {period}"


def next_free(db: sqlite3.Connection, series: str) -> int:
    """The number after the highest one registered in ``series`` (01 for a new series)."""
    return db.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM document WHERE series = ?", (series,)).fetchone()[0]


def holder(db: sqlite3.Connection, series: str, number: int) -> sqlite3.Row | None:
    return db.execute("SELECT * FROM document WHERE series = ? AND number = ?", (series, number)).fetchone()


def made(db: sqlite3.Connection, dossier_id: str, form: str, item: int) -> sqlite3.Row | None:
    """The register's entry of a form made for a dossier, if it has one."""
    return db.execute("SELECT * FROM document WHERE dossier_id = ? AND form = ? AND item = ?",
                      (dossier_id, form, item)).fetchone()


def ensure_dossier(db: sqlite3.Connection, dossier_id: str, subject: str, name: str, born: str | None,
                   profile: dict | None, org: dict | None) -> None:
    stamp = now()
    db.execute(
        "INSERT INTO dossier (id, subject, name, born, profile, org, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, born = COALESCE(excluded.born, dossier.born), "
        "profile = COALESCE(excluded.profile, dossier.profile), org = COALESCE(excluded.org, dossier.org), "
        "updated = excluded.updated",
        (dossier_id, subject, name, born, _json(profile), _json(org), stamp, stamp))


def _json(data: dict | None) -> str | None:
    return None if data is None else json.dumps(data, ensure_ascii=False, sort_keys=True)


def begin_paper(db: sqlite3.Connection, dossier_id: str, paper: Paper, number: int | None, digest: str) -> int:
    """Enter ``paper`` in the register as being written (state ``writing``, this process's id),
    with ``number``, replacing the entry of the same form and item in the same dossier; its
    files are listed with no hash until they are in place. Returns the document's id."""
    stamp = now()
    old = made(db, dossier_id, paper.form, paper.item)
    values = (paper.kind, paper.code, paper.title, paper.issuer, paper.symbol, paper.doc_type, paper.period,
              paper.series if number is not None else None, number, paper.date, paper.edition, digest, HOST)
    if old is None:
        cur = db.execute(
            "INSERT INTO document (kind, code, title, issuer, symbol, doc_type, period, series, number, date, edition, "
            "digest, host, dossier_id, form, item, state, pid, created, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'writing', ?, ?, ?)",
            (*values, dossier_id, paper.form, paper.item, os.getpid(), stamp, stamp))
        doc_id = int(cur.lastrowid or 0)
    else:
        doc_id = old["id"]
        db.execute(
            "UPDATE document SET kind = ?, code = ?, title = ?, issuer = ?, symbol = ?, doc_type = ?, period = ?, "
            "series = ?, number = ?, date = ?, edition = ?, digest = ?, host = ?, state = 'writing', pid = ?, "
            "updated = ? WHERE id = ?", (*values, os.getpid(), stamp, doc_id))
    for name, path in paper.files:
        db.execute("INSERT INTO file (path, document_id, format, sha256, size, written) "
                   "VALUES (?, ?, ?, NULL, NULL, NULL) "
                   "ON CONFLICT (path) DO UPDATE SET document_id = excluded.document_id, format = excluded.format, "
                   "sha256 = NULL, size = NULL", (name, doc_id, path.suffix.lstrip(".").lower()))
    return doc_id


def finish_paper(db: sqlite3.Connection, doc_id: int, hashes: dict[str, tuple[str, int]]) -> None:
    """The paper's files are in place: record their hashes, and the entry is done."""
    stamp = now()
    for name, (digest, size) in hashes.items():
        db.execute("UPDATE file SET sha256 = ?, size = ?, written = ? WHERE path = ?", (digest, size, stamp, name))
    db.execute("UPDATE document SET state = 'done', pid = NULL, updated = ? WHERE id = ?", (stamp, doc_id))


def files_of(db: sqlite3.Connection, doc_id: int) -> list[sqlite3.Row]:
    return db.execute("SELECT * FROM file WHERE document_id = ? ORDER BY path", (doc_id,)).fetchall()
