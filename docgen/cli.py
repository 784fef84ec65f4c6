"""Command line: parse options, call the pipeline, print results, map errors to exit codes.

It reaches docgen through :mod:`docgen.pipeline` only (and the error types).

Exit codes: 0 success · 1 internal error (a bug) · 2 usage · 3 input fails its checks (a
batch: any item failed) · 4 form, template or font problem · 5 output cannot be written.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import DocgenError, FormDataError, InputError, Problem
from .pipeline import INPUT_TITLES, Engine, Inputs, errors, files_of, write_files

SEVERITY_VI = {"error": "LỖI", "warning": "CẢNH BÁO"}


def problem_table(problems: list[Problem]) -> str:
    """Problems as a plain-text table: severity, rule id, JSON path, message."""
    if not problems:
        return ""
    rows = [(SEVERITY_VI.get(p.severity, p.severity), p.rule, p.path or "-", p.message) for p in problems]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    head = f"{'MỨC':<{w0}}  {'QUY TẮC':<{w1}}  {'TRƯỜNG':<{w2}}  NỘI DUNG"
    lines = [head] + [f"{a:<{w0}}  {b:<{w1}}  {c:<{w2}}  {d}" for a, b, c, d in rows]
    return "\n".join(lines)


def _report(problems: list[Problem]) -> None:
    n_err = len(errors(problems))
    click.echo(problem_table(problems), err=True)
    click.echo(f"{n_err} lỗi, {len(problems) - n_err} cảnh báo.", err=True)


def handle_errors(fn):
    """Turn docgen's errors into a message on stderr and the error's exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            _report(exc.problems)
            click.echo("Không tạo văn bản nào. Hãy sửa các lỗi trên rồi chạy lại.", err=True)
            sys.exit(exc.exit_code)
        except FormDataError as exc:  # every problem of every data file, a line each
            click.echo(f"Lỗi: {exc}", err=True)
            click.echo("Không tạo văn bản nào. Hãy sửa các tệp trên (hoặc chạy docgen forms lint) rồi chạy lại.",
                       err=True)
            sys.exit(exc.exit_code)
        except DocgenError as exc:
            click.echo(f"Lỗi: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # whoever read the output stopped early (``docgen forms | head``): end quietly, as
            # a process ended by SIGPIPE does, and let nothing try to flush into the closed pipe
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError):
                pass
            sys.exit(141)
        except Exception as exc:  # a bug: say so briefly, never dump inputs
            click.echo(f"Lỗi nội bộ của docgen ({type(exc).__name__}). Hãy báo lại cho người quản trị, "
                       "kèm lệnh đã chạy (không gửi hồ sơ cá nhân).", err=True)
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="docgen")
@click.option("--forms-dir", type=click.Path(file_okay=False, path_type=Path), envvar="DOCGEN_FORMS_DIR",
              help="Thư mục mẫu riêng (mặc định: các mẫu đi kèm docgen).")
@click.option("--font-dir", type=click.Path(file_okay=False, path_type=Path), envvar="DOCGEN_FONT_DIR",
              help="Thư mục phông chữ cho PDF (tìm trước phông hệ thống).")
@click.pass_context
def main(ctx: click.Context, forms_dir: Path | None, font_dir: Path | None) -> None:
    """docgen — văn bản công tác đảng (hồ sơ kết nạp, đại hội chi bộ) từ JSON ra DOCX và PDF.

    \b
    Ví dụ:
      docgen admission-decision samples/candidates/pham-thi-thu-huong.json --org samples/org.json -o out/
      docgen check samples/candidates/pham-thi-thu-huong.json --org samples/org.json
      docgen forms
    """
    ctx.obj = {"forms_dir": forms_dir, "font_dir": font_dir}


def engine(ctx: click.Context) -> Engine:
    obj = ctx.find_root().obj or {}
    if "engine" not in obj:
        obj["engine"] = Engine.open(obj.get("forms_dir"), obj.get("font_dir"))
    return obj["engine"]


def _inputs(eng: Engine, subject_kind: str, profile: Path, org: Path) -> Inputs:
    return eng.load_inputs(subject_kind, profile, org)


def _warn_font(eng: Engine, formats) -> None:
    if "pdf" in formats and eng.fonts.warning:
        click.echo(eng.fonts.warning, err=True)


FORMAT_CHOICE = click.Choice(["docx", "pdf", "both"])


def _formats(value: str) -> tuple[str, ...]:
    return ("docx", "pdf") if value == "both" else (value,)


def document_options(fn):
    """PROFILE, --org, -o and --format: the options of every command that writes documents."""
    for option in reversed([
        click.argument("profile", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option("--org", "org", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Tệp JSON của tổ chức đảng (cấp ủy, chi bộ, người ký)."),
        click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path),
                     default=Path("."), show_default=True, help="Thư mục ghi kết quả."),
        click.option("--format", "fmt", type=FORMAT_CHOICE, default="both", show_default=True,
                     help="Định dạng của từng văn bản (tệp PDF gộp của một bộ văn bản luôn được ghi)."),
    ]):
        fn = option(fn)
    return fn


def pack_command(pack_id: str, help_text: str):
    """``docgen <pack> INPUT --org ORG``: every paper of a pack and its merged PDF."""

    @click.command(name=pack_id, help=help_text)
    @document_options
    @click.pass_context
    @handle_errors
    def command(ctx, profile: Path, org: Path, outdir: Path, fmt: str) -> None:
        eng = engine(ctx)
        kind = eng.library.pack(pack_id)["subject"]
        inputs = _inputs(eng, kind, profile, org)
        warnings = eng.require_valid(eng.pack_forms(inputs, kind), inputs, all_rules=True)
        if warnings:
            _report(warnings)
        _warn_font(eng, ("pdf",))
        for path in write_files(outdir, eng.pack_files(pack_id, inputs, _formats(fmt))):
            click.echo(str(path))

    return command


def form_command(form_id: str, subject_kind: str, help_text: str):
    """A ``docgen <form-id> PROFILE --org ORG`` command for one form."""

    @click.command(name=form_id, help=help_text)
    @document_options
    @click.pass_context
    @handle_errors
    def command(ctx, profile: Path, org: Path, outdir: Path, fmt: str) -> None:
        eng = engine(ctx)
        form = eng.library.get(form_id)
        inputs = _inputs(eng, subject_kind, profile, org)
        warnings = eng.require_valid([form], inputs)
        if warnings:
            _report(warnings)
        formats = _formats(fmt)
        _warn_font(eng, formats)
        docs = eng.render_all([form], inputs, formats)
        files = [(n, d) for doc in docs for n, d in files_of(doc) if n.rsplit(".", 1)[1] in formats]
        for path in write_files(outdir, files):
            click.echo(str(path))

    return command


FORM_COMMANDS = {
    "admission-decision": ("candidate", "Quyết định kết nạp đảng viên (Mẫu 9-KNĐ) cho một người.",
                           "samples/candidates/pham-thi-thu-huong.json"),
    "nomination": ("candidate", "Giấy giới thiệu người vào Đảng (Mẫu 3-KNĐ), một tờ cho mỗi người giới thiệu.",
                   "samples/candidates/ly-thi-y-lan.json"),
    "youth-union-resolution": ("candidate", "Nghị quyết giới thiệu đoàn viên ưu tú vào Đảng (Mẫu 4-KNĐ).",
                               "samples/candidates/pham-thi-thu-huong.json"),
    "comments-summary": ("candidate", "Tổng hợp ý kiến nhận xét (Mẫu 5-KNĐ).", "samples/candidates/ly-thi-y-lan.json"),
    "cell-resolution": ("candidate", "Nghị quyết đề nghị kết nạp đảng viên của chi bộ (Mẫu 6-KNĐ).",
                        "samples/candidates/ly-thi-y-lan.json"),
    "committee-resolution": ("candidate", "Nghị quyết đề nghị kết nạp đảng viên của đảng ủy (Mẫu 8-KNĐ).",
                             "samples/candidates/ly-thi-y-lan.json"),
    "attendance-report": ("congress", "Báo cáo tình hình đảng viên tham dự đại hội chi bộ.", "samples/congress.json"),
    "candidate-list": ("congress", "Danh sách bầu cử, một tờ cho mỗi cuộc bầu.", "samples/congress.json"),
    "ballot": ("congress", "Phiếu bầu cử, một mẫu cho mỗi cuộc bầu (có hoặc không có số dư).", "samples/congress.json"),
    "vote-count-minutes": ("congress", "Biên bản kiểm phiếu, một bản cho mỗi cuộc bầu.", "samples/congress.json"),
    "congress-minutes": ("congress", "Biên bản đại hội chi bộ.", "samples/congress.json"),
    "congress-resolution": ("congress", "Nghị quyết đại hội chi bộ.", "samples/congress.json"),
    "ratification-request": ("congress", "Tờ trình đề nghị chuẩn y kết quả bầu cử.", "samples/congress.json"),
}

main.add_command(pack_command("admission-dossier", """Cả hồ sơ kết nạp theo thứ tự: giấy giới thiệu (3-KNĐ),
    nghị quyết Đoàn (4-KNĐ) nếu có, tổng hợp ý kiến (5-KNĐ), nghị quyết chi bộ (6-KNĐ), nghị quyết
    đảng ủy (8-KNĐ), quyết định kết nạp (9-KNĐ); kèm một tệp PDF gộp có mục lục (bookmark) để in.

    \b
    Ví dụ:
      docgen admission-dossier samples/candidates/pham-thi-thu-huong.json --org samples/org.json -o out/dossier/
    """))
main.add_command(pack_command("congress", """Bộ văn kiện đại hội chi bộ: báo cáo tình hình đảng viên dự đại
    hội, danh sách bầu cử, phiếu bầu, biên bản kiểm phiếu, biên bản và nghị quyết đại hội, tờ trình đề
    nghị chuẩn y; mọi số liệu lấy từ một tệp, đánh số liên tục; kèm một PDF gộp có mục lục để in.

    \b
    Ví dụ:
      docgen congress samples/congress.json --org samples/org.json -o out/congress/
    """))

for _form_id, (_subject, _summary, _sample) in FORM_COMMANDS.items():
    main.add_command(form_command(_form_id, _subject, f"""{_summary}

        \b
        Ví dụ:
          docgen {_form_id} {_sample} --org samples/org.json -o out/
          docgen {_form_id} {_sample} --org samples/org.json --format pdf
        """))


@main.command()
@click.argument("profile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Tệp JSON của tổ chức đảng.")
@click.option("--form", "form_id", help="Chỉ kiểm tra cho một mẫu (mặc định: cả hồ sơ kết nạp).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
@handle_errors
def check(ctx, profile: Path, org: Path, form_id: str | None, as_json: bool) -> None:
    """Kiểm tra hồ sơ kết nạp hoặc tệp đại hội: thiếu trường, sai kiểu, vi phạm quy định.
    Mã thoát 0 khi đủ, 3 khi có lỗi. Không có --form: kiểm tra cả hồ sơ (hoặc cả bộ văn kiện đại hội).

    \b
    Ví dụ:
      docgen check samples/congress.json --org samples/org.json
      docgen check samples/candidates/pham-thi-thu-huong.json --org samples/org.json --form admission-decision
      docgen check hoso.json --org org.json --json
    """
    eng = engine(ctx)
    if form_id:
        forms = [eng.library.get(form_id)]
        inputs = _inputs(eng, forms[0].subject, profile, org)
    else:
        kind = "congress" if isinstance(eng.load(profile, "congress").data.get("congress"), dict) else "candidate"
        inputs = _inputs(eng, kind, profile, org)
        forms = eng.pack_forms(inputs, kind)
    problems = eng.problems(forms, inputs, all_rules=not form_id)
    if as_json:
        click.echo(json.dumps({"ok": not errors(problems), "problems": [p.as_dict() for p in problems]},
                              ensure_ascii=False, indent=2))
    elif problems:
        _report(problems)
    else:
        click.echo("Hồ sơ đầy đủ, không có lỗi.")
    sys.exit(3 if errors(problems) else 0)


@main.command()
@click.argument("target")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--org", "org", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Tệp JSON của tổ chức đảng.")
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Thư mục ghi kết quả.")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="both", show_default=True, help="Định dạng kết quả.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Số tiến trình song song (mặc định: số nhân CPU).")
@click.option("--resume", is_flag=True, help="Bỏ qua các mục đã ghi xong với dữ liệu không đổi.")
@click.pass_context
@handle_errors
def batch(ctx, target: str, source: Path, org: Path, outdir: Path, fmt: str, jobs: int | None, resume: bool) -> None:
    """Chạy một mẫu, cả hồ sơ kết nạp (admission-dossier) hoặc bộ văn kiện đại hội (congress) cho nhiều
    hồ sơ một lúc. SOURCE là thư mục các tệp JSON, một tệp JSON dạng danh sách, hoặc bảng Excel (.xlsx)
    có tiêu đề cột tiếng Việt (Họ và tên, Ngày sinh, Quê quán …).

    Kiểm tra mọi hồ sơ trước, báo tất cả hồ sơ lỗi, rồi tạo văn bản cho các hồ sơ hợp lệ.
    Mã thoát 0 chỉ khi mọi mục đều thành công.

    \b
    Ví dụ:
      docgen batch admission-decision samples/roster.xlsx --org samples/org.json -o out/batch/
      docgen batch admission-dossier samples/candidates/ --org samples/org.json -o out/dossiers/ -j 2
      docgen batch admission-decision ds.xlsx --org org.json -o out/ --resume
    """
    from .pipeline.batch import default_jobs, run_batch

    eng = engine(ctx)
    formats = _formats(fmt)
    if "pdf" in formats:
        _warn_font(eng, formats)
    progress, finish = _progress_reporter()
    try:
        report = run_batch(target, source, org, outdir, engine=eng, formats=formats, jobs=jobs or default_jobs(),
                           resume=resume, progress=progress)
    finally:
        finish()
    _batch_summary(report)
    if report.faults:
        click.echo(f"Lỗi nội bộ của docgen ở {report.faults} mục (xem trên). Hãy báo lại cho người quản trị, "
                   "kèm lệnh đã chạy (không gửi hồ sơ cá nhân).", err=True)
    sys.exit(1 if report.faults else 0 if report.ok else 3)


def _progress_reporter():
    """A live bar (count, rate, time left) on a terminal; plain lines in a log."""
    if sys.stderr.isatty():
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn)
        from rich.console import Console

        bar = Progress(TextColumn("[bold]Đang tạo"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=Console(stderr=True))
        state: dict = {}

        def update(done: int, total: int, label: str) -> None:
            if "task" not in state:
                bar.start()
                state["task"] = bar.add_task("batch", total=total, rate="")
                state["t0"] = __import__("time").perf_counter()
            elapsed = __import__("time").perf_counter() - state["t0"]
            rate = f"{done / elapsed:.1f} mục/giây" if elapsed > 0 else ""
            bar.update(state["task"], completed=done, rate=rate)

        return update, bar.stop

    def plain(done: int, total: int, label: str) -> None:
        click.echo(f"[{done}/{total}] {label}", err=True)

    return plain, lambda: None


def _batch_summary(report) -> None:
    click.echo(f"Đã ghi: {len(report.written)} tệp · Bỏ qua (đã có, --resume): {len(report.skipped)} mục · "
               f"Lỗi: {len(report.failed)} mục · Cảnh báo: {report.warnings} · {report.seconds:.1f} giây")
    if report.renamed:
        click.echo("Các mục ghi dưới tên khác, để không ghi đè văn bản của người khác:")
        for line in report.renamed:
            click.echo(f"  {line}")
    if report.failed:
        click.echo("Các mục lỗi (không tạo văn bản):")
        for f in report.failed:
            click.echo(f"  {f.label}:")
            for reason in f.reasons:
                click.echo(f"    - {reason}")


@main.group(invoke_without_command=True)
@click.pass_context
@handle_errors
def forms(ctx) -> None:
    """Danh sách mẫu: mã mẫu, tên, các trường bắt buộc.

    \b
    Ví dụ:
      docgen forms
      docgen forms lint
    """
    if ctx.invoked_subcommand:
        return
    eng = engine(ctx)
    reg = eng.library.registry
    for f in eng.library.forms.values():
        code = f"Mẫu {f.code}" if f.code else "(không có mẫu trung ương)"
        click.echo(f"{f.id}  {code}  {f.title}")
        for path in f.required:
            click.echo(f"    {path}  ({reg[path].label})")


@forms.command()
@click.pass_context
@handle_errors
def lint(ctx) -> None:
    """Kiểm tra các mẫu: mọi lỗi trong các tệp dữ liệu (form.toml của từng mẫu và
    _shared/*.toml: khóa thiếu, sai kiểu, tham chiếu không có, lỗi cú pháp TOML, chuỗi mẫu
    trong legal_basis.toml và rules.toml không biên dịch được), mỗi lỗi một dòng với tệp và
    khóa; rồi từng mẫu Word: mở và biên dịch được (thẻ nào không biên dịch được thì in phần và
    nguyên văn thẻ), tên biến nào không có trong danh mục trường hay ngữ cảnh điền mẫu (kèm tên
    gần nhất), cách điền (compiled, hoặc docxtpl kèm lý do), cách kiểm XML (theo khuôn, hay phân
    tích lại mỗi bản với phần có chú thích, CDATA hoặc xuống dòng trong mẫu), và những tính
    năng Word mà bản PDF không dựng lại được. Mã thoát 4 nếu có lỗi nào.

    \b
    Ví dụ:
      docgen forms lint
    """
    from .pipeline.lint import lint_forms

    for line in lint_forms(engine(ctx)):
        click.echo(line)


@main.command("context")
@click.argument("profile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--form", "form_id", required=True, help="Mã mẫu, ví dụ admission-decision.")
@click.pass_context
@handle_errors
def context_cmd(ctx, profile: Path, org: Path, form_id: str) -> None:
    """In ngữ cảnh điền mẫu dạng JSON (cho người soạn mẫu và để đo tốc độ với docxtpl).

    \b
    Ví dụ:
      docgen context samples/candidates/pham-thi-thu-huong.json --org samples/org.json --form admission-decision
    """
    eng = engine(ctx)
    form = eng.library.get(form_id)
    inputs = _inputs(eng, form.subject, profile, org)
    eng.require_valid([form], inputs)
    click.echo(json.dumps(eng.context(form, inputs), ensure_ascii=False, indent=2))


@main.command()
@click.argument("kind", type=click.Choice(sorted(INPUT_TITLES)))
@click.pass_context
@handle_errors
def schema(ctx, kind: str) -> None:
    """In JSON Schema của một loại tệp đầu vào (org, candidate, congress).

    \b
    Ví dụ:
      docgen schema org
      docgen schema candidate > candidate.schema.json
    """
    click.echo(json.dumps(engine(ctx).library.registry.json_schema(kind), ensure_ascii=False, indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
