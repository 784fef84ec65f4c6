"""Store stage: the workspace — a folder with an embedded SQLite database (stdlib ``sqlite3``).

Layout of a workspace folder ``DIR``:

* ``DIR/.docgen/workspace.sqlite`` — the database (WAL mode: ``-wal`` and ``-shm`` files beside it);
* ``DIR/to-chuc.json`` — the organisation file given to ``docgen init`` (used unless ``--org``);
* ``DIR/ho-so/<dossier id>/`` — each dossier's papers; attached papers under ``dinh-kem/``.

A command finds its workspace as git finds a repository: ``--workspace DIR``, else
``DOCGEN_WORKSPACE``, else the current folder and each folder above it.

The schema is versioned by ``PRAGMA user_version``: :data:`MIGRATIONS` are applied in order,
each in its own transaction, when a workspace is opened by a docgen newer than its database.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..errors import WorkspaceError

if TYPE_CHECKING:
    import sqlite3

# sqlite3 is imported when a workspace is first opened, not with this module: every command that
# writes a paper looks for its workspace first (:meth:`Workspace.find`), outside one too.

MARKER = ".docgen"
DB_NAME = "workspace.sqlite"
ORG_NAME = "to-chuc.json"
DOSSIERS = "ho-so"
ATTACHED = "dinh-kem"
# how long a process waits for another's write transaction before giving up (seconds)
BUSY_TIMEOUT = 120.0

# Each entry moves the schema one version up. Never edit a released entry: add a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1: dossiers, documents (the number register) and their files
    """
    CREATE TABLE setting (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE dossier (
        id       TEXT PRIMARY KEY,
        subject  TEXT NOT NULL CHECK (subject IN ('candidate', 'congress')),
        name     TEXT NOT NULL,
        born     TEXT,
        profile  TEXT,
        org      TEXT,
        created  TEXT NOT NULL,
        updated  TEXT NOT NULL
    );
    CREATE TABLE document (
        id          INTEGER PRIMARY KEY,
        dossier_id  TEXT NOT NULL REFERENCES dossier(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        form        TEXT NOT NULL,
        item        INTEGER NOT NULL DEFAULT -1,
        code        TEXT NOT NULL DEFAULT '',
        title       TEXT NOT NULL,
        issuer      TEXT NOT NULL DEFAULT '',
        symbol      TEXT NOT NULL DEFAULT '',
        doc_type    TEXT NOT NULL DEFAULT '',
        period      TEXT NOT NULL DEFAULT '',
        series      TEXT,
        number      INTEGER,
        date        TEXT,
        edition     TEXT NOT NULL DEFAULT '',
        digest      TEXT NOT NULL DEFAULT '',
        state       TEXT NOT NULL CHECK (state IN ('writing', 'done')),
        pid         INTEGER,
        host        TEXT,
        created     TEXT NOT NULL,
        updated     TEXT NOT NULL,
        CHECK ((series IS NULL) = (number IS NULL))
    );
    CREATE UNIQUE INDEX document_made ON document (dossier_id, form, item) WHERE form NOT LIKE 'attach:%';
    CREATE UNIQUE INDEX document_number ON document (series, number) WHERE number IS NOT NULL;
    CREATE INDEX document_dossier ON document (dossier_id);
    CREATE TABLE file (
        path         TEXT PRIMARY KEY,
        document_id  INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
        format       TEXT NOT NULL,
        sha256       TEXT,
        size         INTEGER,
        written      TEXT
    );
    CREATE INDEX file_document ON file (document_id);
    """,
)


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class Workspace:
    """An open workspace: its folder. Each use opens its own connection (a batch's worker too)."""

    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / MARKER / DB_NAME

    @property
    def org_path(self) -> Path:
        return self.root / ORG_NAME

    def dossier_dir(self, dossier_id: str) -> Path:
        return self.root / DOSSIERS / dossier_id

    def relative(self, path: Path) -> str:
        """How the database names a file: relative to the workspace with ``/``, or absolute
        when it lies outside (``-o`` elsewhere)."""
        path = Path(os.path.abspath(path))
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def absolute(self, name: str) -> Path:
        path = Path(name)
        return path if path.is_absolute() else self.root / path

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def find(cls, explicit: str | Path | None = None, start: str | Path | None = None) -> "Workspace | None":
        """``explicit`` (``--workspace`` or ``DOCGEN_WORKSPACE``), which must be one; else the
        first folder from ``start`` (the current folder) upwards that holds one; else None."""
        if explicit:
            root = Path(explicit).expanduser().resolve()
            if not (root / MARKER / DB_NAME).is_file():
                raise WorkspaceError(f"{explicit}: không phải thư mục làm việc của docgen (không có "
                                     f"{MARKER}/{DB_NAME}). Tạo bằng: docgen init {explicit} --org TO-CHUC.json")
            return cls(root)
        here = Path(start or os.getcwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / MARKER / DB_NAME).is_file():
                return cls(folder)
        return None

    @classmethod
    def create(cls, root: str | Path, org_text: bytes) -> "Workspace":
        """A new workspace in ``root`` (made if missing) with the organisation file's bytes."""
        folder = Path(root).expanduser().resolve()
        if (folder / MARKER / DB_NAME).exists():
            raise WorkspaceError(f"{root} đã là thư mục làm việc của docgen; không tạo lại.")
        try:
            (folder / MARKER).mkdir(parents=True, exist_ok=True)
            (folder / DOSSIERS).mkdir(exist_ok=True)
            tmp = folder / (ORG_NAME + ".part")
            tmp.write_bytes(org_text)
            os.replace(tmp, folder / ORG_NAME)
        except OSError as exc:
            raise WorkspaceError(f"Không tạo được thư mục làm việc {root}: {exc.strerror or exc}") from exc
        ws = cls(folder)
        with ws.connect() as db:
            db.execute("INSERT OR REPLACE INTO setting VALUES ('created', ?)", (now(),))
        return ws

    def connect(self) -> sqlite3.Connection:
        """A connection in WAL mode with foreign keys on, its schema brought up to date, and the
        writes a killed process left half done put right (:func:`recover`). Autocommit: each
        write is in an explicit :meth:`transaction`."""
        import sqlite3

        try:
            db = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys = ON")
            if db.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
                raise WorkspaceError(f"{self.db_path}: cơ sở dữ liệu không chuyển được sang chế độ WAL.")
            db.execute("PRAGMA synchronous = NORMAL")
            migrate(db)
            recover(self, db)
            return db
        except sqlite3.Error as exc:
            raise WorkspaceError(f"Không mở được cơ sở dữ liệu {self.db_path}: {exc}") from exc


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken at once (``BEGIN IMMEDIATE``): two processes handing out
    numbers wait for each other rather than both reading the same highest number."""
    import sqlite3

    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise WorkspaceError(f"Cơ sở dữ liệu của thư mục làm việc đang bận quá lâu ({exc}); hãy chạy lại.") from exc
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    else:
        db.execute("COMMIT")


def migrate(db: sqlite3.Connection) -> None:
    """Apply the migrations this database has not had, each with its version, in one transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise WorkspaceError(f"Thư mục làm việc được tạo bởi docgen mới hơn (lược đồ {version}, docgen này biết "
                             f"đến {len(MIGRATIONS)}); hãy cập nhật docgen.")
    while version < len(MIGRATIONS):
        with transaction(db):
            # re-read inside the lock: another process may have migrated meanwhile
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(MIGRATIONS):
                break
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    db.execute(statement)
            version += 1
            db.execute(f"PRAGMA user_version = {version}")


# -- crash safety ------------------------------------------------------------------------------
# the machine's name, as socket.gethostname() gives it (POSIX: the uname node name, without
# importing socket)
HOST = os.uname().nodename if hasattr(os, "uname") else __import__("socket").gethostname()


def _proc(pid: int) -> tuple[str, float] | None:
    """Process ``pid`` of this machine as the system tells it (Linux's /proc): its state letter
    (``Z`` a zombie: it has ended, and only waits for its parent to read its exit code) and when
    it started (seconds since the epoch); None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/stat", encoding="ascii") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith("btime "))
        return fields[0], boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


# how far the kernel's start time of a process and the seconds of a row's timestamp may disagree
_CLOCK_SLACK = 2.0


def alive(pid: int | None, host: str | None, since: str | None = None) -> bool:
    """Whether the process that began a write may still be running (on another machine: assume so).

    ``since`` is when it began the write (an ISO timestamp, or seconds since the epoch as text):
    a process with that pid that started later is another process that was given a pid of the
    dead one (pids are reused), so the writer is gone."""
    if pid is None:
        return False
    if host != HOST:
        return True
    if pid != os.getpid():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except (PermissionError, OSError):
            pass
    proc = _proc(pid)
    if proc is None:
        return True
    state, start = proc
    if state == "Z":   # a killed batch's worker whose parent died too, not yet reaped
        return False
    if since:
        try:
            began = float(since) if since.replace(".", "", 1).isdigit() else datetime.fromisoformat(since).timestamp()
        except ValueError:
            return True
        if start > began + _CLOCK_SLACK:
            return False
    return True


def recover(ws: Workspace, db: sqlite3.Connection) -> list[str]:
    """Put right what a process killed while writing left behind (:func:`settle`): the papers
    in state ``writing`` whose process is gone. Returns a line per paper put right."""
    rows = db.execute("SELECT id, pid, host, updated FROM document WHERE state = 'writing'").fetchall()
    dead = [r["id"] for r in rows if not alive(r["pid"], r["host"], r["updated"])]
    return settle(ws, db, dead) if dead else []


def settle(ws: Workspace, db: sqlite3.Connection, ids: list[int]) -> list[str]:
    """Make the register and the files agree for papers whose writing stopped half way: a paper
    keeps the files that reached their place (a file is renamed into place whole), with their
    hashes, and is ``done``; one none of whose files arrived is removed, and its number is free
    again. The writer's temporary files are deleted. Returns each settled paper's title."""
    from .files import sha256_of  # the files module needs this one's types

    lines = []
    with transaction(db):
        for doc_id in ids:
            # read under the lock: another process may have settled it meanwhile
            row = db.execute("SELECT pid, title, state FROM document WHERE id = ?", (doc_id,)).fetchone()
            if row is None or row["state"] == "done":
                continue
            kept = 0
            for f in db.execute("SELECT path FROM file WHERE document_id = ?", (doc_id,)).fetchall():
                path = ws.absolute(f["path"])
                if path.parent.is_dir():
                    for tmp in path.parent.glob(f".docgen-{row['pid']}-*.part"):
                        try:
                            tmp.unlink()
                        except OSError:
                            pass
                if path.is_file():
                    digest, size = sha256_of(path)
                    db.execute("UPDATE file SET sha256 = ?, size = ?, written = ? WHERE path = ?",
                               (digest, size, now(), f["path"]))
                    kept += 1
                else:
                    db.execute("DELETE FROM file WHERE path = ?", (f["path"],))
            if kept:
                db.execute("UPDATE document SET state = 'done', pid = NULL, updated = ? WHERE id = ?", (now(), doc_id))
            else:
                db.execute("DELETE FROM document WHERE id = ?", (doc_id,))
            lines.append(row["title"])
    return lines
