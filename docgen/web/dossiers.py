"""The dossier pages: every dossier of the workspace, a person's dossier as a form generated
from the field registry, and the register of numbers. Each calls the same pipeline functions
as the command it mirrors (``docgen dossier list``, ``check``, ``admission-dossier``,
``dossier export``, ``register``)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from flask import Blueprint, render_template, send_file

from ..pipeline.dossiers import export_register, list_dossiers, register_rows
from .state import web_state

bp = Blueprint("dossiers", __name__)


@bp.get("/")
def index():
    st = web_state()
    with st.lock:
        listed = list_dossiers(st.engine, st.workspace, date.today())
    return render_template("dossiers.html", listed=listed, workspace=st.workspace.root)


@bp.get("/so-dang-ky")
def register():
    st = web_state()
    with st.lock:
        rows, labels = register_rows(st.engine, st.workspace)
    return render_template("register.html", rows=rows, labels=labels)


@bp.get("/so-dang-ky/so-dang-ky.xlsx")
def register_xlsx():
    """The register as ``docgen register --export so-dang-ky.xlsx`` writes it, downloaded."""
    st = web_state()
    with st.lock, tempfile.TemporaryDirectory(prefix="docgen-so-") as tmp:
        rows, _ = register_rows(st.engine, st.workspace)
        target = Path(tmp) / "so-dang-ky.xlsx"
        export_register(st.engine, rows, target)
        data = target.read_bytes()
    import io

    return send_file(io.BytesIO(data), as_attachment=True, download_name="so-dang-ky.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
