"""Store stage: ``forms/_shared/register.toml``, read and checked with the other data files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import DataProblems
from ..sandbox import DataTemplateError, check_text

PERIODS = ("term", "year")
PERIOD_TEXTS = ("term", "year", "congress")
MESSAGES = ("taken", "cited_auto", "cited_differs", "auto_outside", "same_dossier")
COLUMNS = ("issuer", "number", "date", "doc_type", "code", "title", "period", "dossier", "edition", "files", "sha256")
# what the dossier and register commands print ([texts]) and their problems ([errors])
TEXTS = ("heading", "folder", "stage", "deadline", "source", "no_deadline", "papers", "congress_papers", "others",
         "print", "paper", "document", "file", "summary", "present", "missing", "optional", "later", "not_expected",
         "list_line", "list_empty", "list_none_due", "congress_stage", "attached", "changed", "gone", "writing",
         "verified", "exported", "not_merged", "why_attached", "why_no_docx", "register_series", "register_line",
         "register_empty", "register_written", "sheet")
ERRORS = ("unknown_dossier", "no_dossiers", "unknown_kind", "not_a_file", "same_file", "bad_date", "tampered",
          "exists", "bad_export")


def read_register_conf(path: Path, sink: DataProblems, file: str, registry: Any, form_ids: set) -> dict:
    """``period``, ``[period_text]``, ``no_term``, ``[columns]`` (every column, with its header),
    ``[messages]``, and the dossier and register commands' ``[texts]`` and ``[errors]``."""
    raw = sink.read_toml(path, file)
    if raw is None:
        return {}
    t = sink.table(file, raw)
    out: dict[str, Any] = {"period": t.text("period", required=True, nonempty=True)}
    if out["period"] and out["period"] not in PERIODS:
        t.problem("period", f'phải là một trong: {", ".join(PERIODS)}; đang là "{out["period"]}"')

    def compiled(table, key: str, where: str) -> str:
        text = table.text(key, required=True, nonempty=True)
        try:
            return check_text(text, f"{file}: {where}") if text else text
        except DataTemplateError as exc:
            table.problem(key, str(exc))
            return ""

    texts = t.sub("period_text", required=True)
    out["period_text"] = {k: compiled(texts, k, f"[period_text] {k}") for k in PERIOD_TEXTS}
    texts.unknown(PERIOD_TEXTS)
    out["no_term"] = compiled(t, "no_term", "no_term")
    columns = t.sub("columns", required=True)
    out["columns"] = {k: columns.text(k, required=True, nonempty=True) for k in COLUMNS}
    columns.unknown(COLUMNS)
    messages = t.sub("messages", required=True)
    out["messages"] = {k: compiled(messages, k, f"[messages] {k}") for k in MESSAGES}
    messages.unknown(MESSAGES)
    for name, keys in (("texts", TEXTS), ("errors", ERRORS)):
        table = t.sub(name, required=True)
        out[name] = {k: compiled(table, k, f"[{name}] {k}") for k in keys}
        table.unknown(keys)
    t.unknown(("period", "period_text", "no_term", "columns", "messages", "texts", "errors"))
    return out
