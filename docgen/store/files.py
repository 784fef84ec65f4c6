"""Store stage: files a workspace writes, and how it knows whether the user has edited them.

The database keeps the sha256 of every file docgen wrote. A file about to be replaced whose
bytes differ from that record (the user corrected it in Word), or that docgen never wrote
(another program put it there), is never replaced: :class:`EditedOutputError` (exit 5) names
it, unless the command was given ``--force``, and then the old file is kept beside the new
one as ``<name>~1.docx`` (``~2`` … when that is taken).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from ..errors import EditedOutputError, OutputError


def sha256_of(path: Path) -> tuple[str, int]:
    """The file's sha256 (hex) and size."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def edited(db: sqlite3.Connection, name: str, path: Path) -> str:
    """Why the file at ``path`` (``name`` in the database) may not be replaced, or '' when it
    may: it is missing, or its bytes are what docgen last wrote there."""
    if not path.exists():
        return ""
    row = db.execute("SELECT sha256 FROM file WHERE path = ?", (name,)).fetchone()
    if row is None:
        return "docgen không ghi tệp này (có thể do người dùng hay chương trình khác đặt vào)"
    if row["sha256"] is None:  # a write of a process that is still running
        return "một lệnh docgen khác đang ghi tệp này"
    try:
        digest, _ = sha256_of(path)
    except OSError as exc:
        raise OutputError(f"Không đọc được {path}: {exc.strerror or exc}") from exc
    if digest != row["sha256"]:
        return "tệp đã được sửa sau khi docgen ghi (nội dung khác bản docgen ghi lần trước)"
    return ""


def backup_name(path: Path) -> Path:
    """``name~1.docx``, or the first ``name~N.docx`` not on disk."""
    n = 1
    while True:
        candidate = path.with_name(f"{path.stem}~{n}{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def guard(db: sqlite3.Connection, targets: list[tuple[str, Path]], force: bool) -> list[str]:
    """Refuse (or, with ``force``, set aside) every target whose file the user edited.
    Returns a line per file set aside."""
    problems = [(path, why) for name, path in targets if (why := edited(db, name, path))]
    if problems and not force:
        lines = "\n".join(f"  {path}: {why}" for path, why in problems)
        raise EditedOutputError(
            f"Không ghi đè {len(problems)} tệp:\n{lines}\nHãy đổi tên hay chuyển tệp đi nơi khác nếu cần giữ, "
            "hoặc chạy lại với --force: khi đó tệp cũ được giữ bên cạnh với tên …~1.")
    kept = []
    for path, _ in problems:
        backup = backup_name(path)
        try:
            os.replace(path, backup)
        except OSError as exc:
            raise OutputError(f"Không đổi tên được {path}: {exc.strerror or exc}") from exc
        kept.append(f"{path.name} → giữ bản cũ là {backup.name}")
    return kept
