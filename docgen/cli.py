"""Command line: parse options, call the pipeline, print results, map errors to exit codes.

It reaches docgen through :mod:`docgen.pipeline` only (and the error types).

Exit codes: 0 success · 1 internal error (a bug) · 2 usage · 3 input fails its checks (a
batch: any item failed) · 4 form, template or font problem · 5 output cannot be written.
"""

from __future__ import annotations

import atexit
import functools
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__, clitext, file_stats, keep, pipeline, read_kept

if TYPE_CHECKING:
    from datetime import date

    from .errors import DocgenError, Problem
    from .pipeline import CommandInfo, Engine, Inputs, Workspace

# Only what the command line itself needs is imported here: ``pipeline.X`` imports X's module
# when a command first uses it, so `docgen --help` reads the forms' manifests and nothing else
# (json, datetime and docgen's error types too are imported where they are used).

# Click's usage errors and help headings in Vietnamese (docgen/locale/click_vi.toml), before any
# option below is declared
clitext.install()

# When the process ends, Python's own teardown runs its cyclic garbage collector over every
# object left, some 40,000 of them after a paper (the imported modules, the fonts): 70–90 ms
# of a 0.4 s `docgen admission-decision` (bench/bench_paired.py, section 2). Moving them to
# the collector's permanent generation first (gc.freeze) skips that pass; nothing else
# changes: every file is closed and every atexit handler runs as before, and a process that
# goes on (a test, the web server) is untouched until it ends.
atexit.register(gc.freeze)

def json_text(value: Any, indent: int | None = 2) -> str:
    """``value`` as JSON for the user to read: Vietnamese as it is, not escaped."""
    import json

    return json.dumps(value, ensure_ascii=False, indent=indent)


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
    n_err = len(pipeline.errors(problems))
    click.echo(problem_table(problems), err=True)
    click.echo(f"{n_err} lỗi, {len(problems) - n_err} cảnh báo.", err=True)


def handle_errors(fn):
    """Turn docgen's errors into a message on stderr and the error's exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .errors import DocgenError, FormDataError, InputError

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


def _engine_for(ctx: click.Context, forms_dir: Path | str | None, font_dir: Path | str | None) -> Engine:
    """The engine of a forms folder and a font folder, built once per run."""
    cache = ctx.find_root().meta.setdefault("docgen.engines", {})
    key = (str(forms_dir) if forms_dir else None, str(font_dir) if font_dir else None)
    if key not in cache:
        cache[key] = pipeline.Engine.open(forms_dir, font_dir)
    return cache[key]


def _forms_dir_after(args: list[str]) -> str | None:
    """``--forms-dir`` given after the sub-command: needed before its options are parsed, to
    know which forms exist."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--forms-dir" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--forms-dir="):
            return arg.split("=", 1)[1]
    return None


HELP_ARGS = (["--help"], ["-h"])


def help_key() -> tuple[str, tuple]:
    """What the text of ``docgen --help`` is kept under (:meth:`FormCommands.main`): the forms
    folder (``DOCGEN_FORMS_DIR``) and everything the text is made from — its manifests' and
    docgen's modules' stats (:func:`pipeline.commands_key`), the Vietnamese of Click
    (click_vi.toml), Click's own modules, the program's name as Click finds it (``sys.argv[0]``,
    ``python -m``) and the terminal's width as Click reads it (``COLUMNS``, the terminal's size)."""
    forms_dir = os.environ.get("DOCGEN_FORMS_DIR") or None
    slot, commands = pipeline.commands_key(Path(forms_dir) if forms_dir else None)
    main_module = sys.modules.get("__main__")
    try:
        size: tuple | None = tuple(os.get_terminal_size(sys.__stdout__.fileno()))  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        size = None
    sources = file_stats([clitext.CATALOGUE, click.core.__file__, click.formatting.__file__])
    return slot, (commands, sources, sys.argv[0], getattr(main_module, "__package__", None),
                  getattr(getattr(main_module, "__spec__", None), "name", None), os.environ.get("COLUMNS"), size)


class FormCommands(click.Group):
    """docgen's own commands, plus a command for each form folder and each pack: its name,
    help line and example come from its form.toml (or packs.toml), so a new form folder is a
    new command with no change to docgen."""

    _keep_help: tuple[str, tuple] | None = None
    # run as the program (``docgen …`` in a shell; args read from sys.argv): the process ends
    # with the command, as it does not in a test's CliRunner (see :func:`_papers_then_exit`)
    program = False

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """``docgen --help`` (exactly that, or ``-h``) prints the text Click made the last time
        while nothing it is made from has changed (:func:`help_key`): formatting it again, with
        every form's command declared, takes longer than the rest of the run. Any other
        command line, and a text not kept, goes to Click, whose text is then kept."""
        argv = sys.argv[1:] if args is None else list(args)
        self.program = args is None and standalone_mode
        if standalone_mode and prog_name is None and argv in HELP_ARGS:
            slot, key = help_key()
            text = read_kept("help", slot, key)
            if type(text) is str:
                click.echo(text)
                sys.exit(0)
            self._keep_help = (slot, key)
        return super().main(args, prog_name, complete_var, standalone_mode, **extra)

    def get_help(self, ctx: click.Context) -> str:
        text = super().get_help(ctx)
        if self._keep_help is not None:
            keep("help", *self._keep_help, text)
            self._keep_help = None
        return text

    def _library_commands(self, ctx: click.Context) -> dict[str, CommandInfo]:
        # --help is read before the other options: the folder may not be in ctx.params yet
        forms_dir = (ctx.meta.get("docgen.forms_dir_after") or ctx.params.get("forms_dir")
                     or os.environ.get("DOCGEN_FORMS_DIR") or None)
        cache = ctx.find_root().meta.setdefault("docgen.commands", {})
        key = str(forms_dir) if forms_dir else None
        if key not in cache:
            cache[key] = self._read_commands(ctx, forms_dir)
        return cache[key]

    @staticmethod
    def _read_commands(ctx: click.Context, forms_dir: str | None) -> dict[str, CommandInfo]:
        """The forms' and packs' commands from their manifests alone (FormLibrary.commands); when
        those cannot be read that way, from the whole folder, read and checked by the engine."""
        from .errors import DocgenError

        try:
            listed = pipeline.form_commands(Path(forms_dir) if forms_dir else None)
            if listed is None:
                library = _engine_for(ctx, forms_dir, ctx.params.get("font_dir")).library
                library.validate()
                listed = library.commands()
                assert listed is not None  # a folder that passes its checks has readable manifests
        except DocgenError as exc:
            # a broken forms folder: a command still runs, to report every problem of it (exit 4)
            ctx.meta["docgen.forms_error"] = exc
            return {}
        return listed

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._library_commands(ctx)))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        info = self._library_commands(ctx).get(cmd_name)
        if info is None:
            if "docgen.forms_error" in ctx.meta:
                return broken_forms_command(cmd_name, ctx.meta["docgen.forms_error"])
            return None
        # declared when first asked for, not all at once: a paper's command needs its own only
        built = ctx.find_root().meta.setdefault("docgen.built", {})
        if info not in built:
            built[info] = (pack_command if info.pack else form_command)(info)
        return built[info]

    def resolve_command(self, ctx: click.Context, args: list[str]):
        ctx.meta["docgen.forms_dir_after"] = _forms_dir_after(args[1:])
        return super().resolve_command(ctx, args)


def _set_forms_dir(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        root = ctx.find_root()
        root.obj = {**(root.obj or {}), "forms_dir": value}


FORMS_DIR_HELP = ("Thư mục mẫu riêng, đặt trên các mẫu đi kèm: một mẫu hay một tệp _shared/ có ở đó thay cho "
                  "mẫu, tệp cùng tên đi kèm docgen; mọi thứ khác vẫn lấy từ docgen.")


def forms_dir_option(fn):
    """``--forms-dir`` after the sub-command, as before it."""
    return click.option("--forms-dir", type=click.Path(file_okay=False, path_type=Path), expose_value=False,
                        callback=_set_forms_dir, help=FORMS_DIR_HELP)(fn)


@click.group(cls=FormCommands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="docgen")
@click.option("--forms-dir", type=click.Path(file_okay=False, path_type=Path), envvar="DOCGEN_FORMS_DIR",
              is_eager=True, help=FORMS_DIR_HELP)
@click.option("--font-dir", type=click.Path(file_okay=False, path_type=Path), envvar="DOCGEN_FONT_DIR",
              help="Thư mục phông chữ cho PDF (tìm trước phông hệ thống).")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), envvar=pipeline.WORKSPACE_ENV,
              help="Thư mục làm việc (docgen init). Mặc định: thư mục hiện tại hay thư mục cha gần nhất là thư mục "
                   "làm việc.")
@click.pass_context
def main(ctx: click.Context, forms_dir: Path | None, font_dir: Path | None, workspace: Path | None) -> None:
    """docgen — văn bản công tác đảng (hồ sơ kết nạp, đại hội chi bộ) từ JSON ra DOCX và PDF.

    \b
    Ví dụ:
      docgen admission-decision samples/candidates/pham-thi-thu-huong.json --org samples/org.json -o out/
      docgen check samples/candidates/pham-thi-thu-huong.json --org samples/org.json
      docgen forms
    """
    ctx.obj = {"forms_dir": ctx.meta.get("docgen.forms_dir_after") or forms_dir, "font_dir": font_dir,
               "workspace": workspace}


def engine(ctx: click.Context) -> Engine:
    obj = ctx.find_root().obj or {}
    return _engine_for(ctx, obj.get("forms_dir"), obj.get("font_dir"))


def _inputs(ctx: click.Context, eng: Engine, subject_kind: str, profile: Path, org: Path | None) -> Inputs:
    return eng.load_inputs(subject_kind, profile, org_file(ctx, org))


def _warn_font(eng: Engine, formats) -> None:
    if "pdf" in formats and eng.fonts.warning:
        click.echo(eng.fonts.warning, err=True)


FORMAT_CHOICE = click.Choice(["docx", "pdf", "both"])


def _formats(value: str) -> tuple[str, ...]:
    return ("docx", "pdf") if value == "both" else (value,)


def document_options(fn):
    """PROFILE, --org, -o, --format, --force and --auto-number: the options of every command
    that writes documents."""
    for option in reversed([
        click.argument("profile", metavar="TỆP-JSON", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        ORG_OPTION,
        click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Thư mục ghi kết quả. Mặc định: thư mục hồ sơ của người (hay của đại hội) trong thư mục "
                          "làm việc; ngoài thư mục làm việc: thư mục hiện tại."),
        click.option("--format", "fmt", type=FORMAT_CHOICE, default="both", show_default=True,
                     help="Định dạng của từng văn bản (tệp PDF gộp của một bộ văn bản luôn được ghi)."),
        FORCE_OPTION,
        AUTO_NUMBER_OPTION,
        forms_dir_option,
    ]):
        fn = option(fn)
    return fn


ORG_OPTION = click.option(
    "--org", "org", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tệp JSON của tổ chức đảng (cấp ủy, chi bộ, người ký). Trong thư mục làm việc, mặc định là tệp tổ chức "
         "của nó.")
FORCE_OPTION = click.option(
    "--force", is_flag=True,
    help="Ghi cả khi tệp cũ đã được sửa sau khi docgen ghi; tệp cũ được giữ bên cạnh với tên …~1.")
AUTO_NUMBER_OPTION = click.option(
    "--auto-number", is_flag=True,
    help="Cấp số tiếp theo của sổ đăng ký cho văn bản chưa ghi số (như ghi \"auto\"); chỉ trong thư mục làm việc.")

NOT_REGISTERED = ("Không ở trong thư mục làm việc nào (docgen init): văn bản không được đăng ký số, không gắn vào "
                  "hồ sơ.")


def workspace(ctx: click.Context) -> Workspace | None:
    """The workspace of this run: --workspace, DOCGEN_WORKSPACE, or the current folder upwards."""
    obj = ctx.find_root().meta
    if "docgen.workspace" not in obj:
        obj["docgen.workspace"] = pipeline.Workspace.find((ctx.find_root().obj or {}).get("workspace"))
    return obj["docgen.workspace"]


def org_file(ctx: click.Context, org: Path | None) -> Path:
    """``--org``, else the workspace's organisation file."""
    if org is not None:
        return org
    ws = workspace(ctx)
    if ws is None:
        raise click.UsageError(
            "Thiếu tùy chọn --org (tệp JSON của tổ chức đảng: cấp ủy, chi bộ, người ký). Ngoài thư mục làm việc, "
            "hãy ghi --org TỆP-TỔ-CHỨC.json, hoặc chạy lệnh trong thư mục làm việc tạo bằng "
            "docgen init THƯ-MỤC --org TỆP-TỔ-CHỨC.json (ở đó docgen tự dùng tệp tổ chức đã chép vào).")
    return ws.org_path


def _help(summary: str, name: str, example: str) -> str:
    lines = [summary.strip(), "", "\b", "Ví dụ:"]
    if example:
        lines += [f"  docgen {name} {example} --org samples/org.json -o out/",
                  f"  docgen {name} {example} --org samples/org.json --format pdf",
                  f"  docgen {name} {example}          (trong thư mục làm việc: đăng ký số, gắn vào hồ sơ)"]
    return "\n".join(lines if example else lines[:1])


def _load_subject(ctx: click.Context, eng: Engine, target: str, profile: Path, org: Path | None,
                  auto_number: bool) -> tuple[Inputs, Workspace | None]:
    """The inputs of a command that writes papers; with --auto-number, "auto" for the numbers
    its papers take that the profile lacks."""
    from .pipeline.filing import auto_values

    ws = workspace(ctx)
    kind = eng.subject_of(target)
    org_record = eng.load(org_file(ctx, org), "org")
    subject = eng.load(profile, kind)
    if auto_number and not pipeline.errors(subject.problems):
        again = eng.record(auto_values(eng, subject.data, kind, target), kind)
        again.problems[:0] = subject.problems
        subject = again
    return eng.inputs(org_record, subject), ws


def _write(ctx: click.Context, eng: Engine, target: str, forms: list, inputs: Inputs, outdir: Path | None,
           formats: tuple[str, ...], force: bool, auto_number: bool, ws: Workspace | None) -> None:
    """Check, then write the papers: filed in the workspace, or into the output folder."""
    from .errors import InputError
    from .pipeline.filing import file_papers, outside_problems

    if eng.library.user is not None:  # only a forms folder of the user's own has templates to lint
        from .pipeline.lint import require_known_names

        require_known_names(eng, eng.target_forms(target, inputs))
    warnings = eng.require_valid(forms, inputs)
    kind = eng.subject_of(target)
    if ws is None:
        problems = outside_problems(eng, inputs, kind)
        if problems:
            raise InputError(problems + warnings)
    if warnings:
        _report(warnings)
    _warn_font(eng, formats if not eng.is_pack(target) else ("pdf",))
    if ws is None:
        if eng.is_pack(target):
            files = eng.pack_files(target, inputs, formats)
        else:
            docs = eng.render_all(forms, inputs, formats)
            files = [(n, d) for doc in docs for n, d in pipeline.files_of(doc) if n.rsplit(".", 1)[1] in formats]
        for path in pipeline.write_files(outdir or Path("."), files):
            click.echo(str(path))
        click.echo(NOT_REGISTERED, err=True)
        return
    filed = file_papers(eng, ws, target, inputs, formats, folder=outdir, force=force, auto_all=auto_number)
    if filed.warnings:
        _report(filed.warnings)
    for line in filed.kept:
        click.echo(f"Giữ tệp cũ đã sửa: {line}", err=True)
    for line in filed.numbers:
        click.echo(f"Đã đăng ký {line}", err=True)
    for path in filed.paths:
        click.echo(str(path))
    click.echo(f"Hồ sơ {filed.dossier}: {ws.dossier_dir(filed.dossier)}", err=True)


def _papers_then_exit(ctx: click.Context) -> None:
    """A form's or a pack's command, run as the program, ends the process when its papers are
    written: the cyclic garbage collector is switched off for it. Its passes over the objects
    the renderers and the imports leave (some 27,000 after a decision) took 18-20 ms of a 0.35 s
    decision, and a pack's memory is no higher without them (peak RSS of admission-dossier:
    51 MiB with, 48 without); the objects are freed as the process ends (gc.freeze at exit,
    above). In another process (a test's CliRunner, the web server, which call docgen's code
    themselves), nothing changes; a batch and every other command keep the collector."""
    if getattr(ctx.find_root().command, "program", False):
        gc.disable()


def pack_command(info: CommandInfo) -> click.Command:
    """``docgen <pack> INPUT --org ORG``: every paper of a pack (packs.toml) and its merged PDF."""
    pack_id = info.id

    @click.command(name=pack_id, help=_help(info.help or info.title, pack_id, info.example))
    @document_options
    @click.pass_context
    @handle_errors
    def command(ctx, profile: Path, org: Path | None, outdir: Path | None, fmt: str, force: bool,
                auto_number: bool) -> None:
        _papers_then_exit(ctx)
        eng = engine(ctx)
        inputs, ws = _load_subject(ctx, eng, pack_id, profile, org, auto_number)
        _write(ctx, eng, pack_id, eng.pack_forms(inputs, pack_id), inputs, outdir, _formats(fmt), force,
               auto_number, ws)

    return command


def form_command(info: CommandInfo) -> click.Command:
    """``docgen <form-id> PROFILE --org ORG``: one form, its help and example from its form.toml."""
    form_id = info.id

    @click.command(name=form_id, help=_help(info.help or info.title, form_id, info.example))
    @document_options
    @click.pass_context
    @handle_errors
    def command(ctx, profile: Path, org: Path | None, outdir: Path | None, fmt: str, force: bool,
                auto_number: bool) -> None:
        _papers_then_exit(ctx)
        eng = engine(ctx)
        form = eng.library.get(form_id)
        inputs, ws = _load_subject(ctx, eng, form_id, profile, org, auto_number)
        _write(ctx, eng, form_id, [form], inputs, outdir, _formats(fmt), force, auto_number, ws)

    return command


def broken_forms_command(name: str, error: DocgenError) -> click.Command:
    """What any form command is while the forms folder cannot be read: every problem, exit 4."""

    @click.command(name=name, context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
                   add_help_option=False)
    @handle_errors
    def command() -> None:
        raise error

    return command


@main.command()
@click.argument("profile", metavar="TỆP-JSON", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ORG_OPTION
@click.option("--form", "form_id", help="Chỉ kiểm tra cho một mẫu (mặc định: cả hồ sơ kết nạp, và cả hồ sơ công "
                                         "nhận đảng viên chính thức khi tệp có nhóm recognition).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@forms_dir_option
@click.pass_context
@handle_errors
def check(ctx, profile: Path, org: Path | None, form_id: str | None, as_json: bool) -> None:
    """Kiểm tra hồ sơ kết nạp hoặc tệp đại hội: thiếu trường, sai kiểu, vi phạm quy định.
    Mã thoát 0 khi đủ, 3 khi có lỗi. Không có --form: kiểm tra cả hồ sơ kết nạp, thêm hồ sơ công nhận đảng
    viên chính thức khi tệp có nhóm recognition (hoặc cả bộ văn kiện đại hội).
    Trong thư mục làm việc, kiểm tra cả số văn bản với sổ đăng ký (số đã cấp cho văn bản khác).

    \b
    Ví dụ:
      docgen check samples/congress.json --org samples/org.json
      docgen check samples/candidates/pham-thi-thu-huong.json --org samples/org.json --form admission-decision
      docgen check hoso.json --org org.json --json
    """
    from .pipeline.filing import check_problems

    eng = engine(ctx)
    if form_id:
        kind = eng.library.get(form_id).subject
    else:
        kind = "congress" if isinstance(eng.load(profile, "congress").data.get("congress"), dict) else "candidate"
    inputs = _inputs(ctx, eng, kind, profile, org)
    problems = check_problems(eng, inputs, kind, workspace(ctx), form_id)
    if as_json:
        click.echo(json_text({"ok": not pipeline.errors(problems), "problems": [p.as_dict() for p in problems]}))
    elif problems:
        _report(problems)
    else:
        click.echo("Hồ sơ đầy đủ, không có lỗi.")
    sys.exit(3 if pipeline.errors(problems) else 0)


@main.command()
@click.argument("target", metavar="MẪU")
@click.argument("source", metavar="NGUỒN", type=click.Path(exists=True, path_type=Path))
@ORG_OPTION
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục ghi kết quả (bắt buộc ngoài thư mục làm việc). Trong thư mục làm việc, mặc định là thư "
                   "mục hồ sơ của từng người; có -o thì ghi vào -o/<mã hồ sơ>/ và vẫn đăng ký.")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="both", show_default=True, help="Định dạng kết quả.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Số tiến trình song song (mặc định: docgen chọn theo khối lượng việc, theo "
                   "forms/_shared/batch.toml: nhiều tiến trình chỉ khi tạo PDF cho đủ nhiều hồ sơ).")
@click.option("--resume", is_flag=True, help="Bỏ qua các mục đã ghi xong với dữ liệu không đổi.")
@FORCE_OPTION
@AUTO_NUMBER_OPTION
@forms_dir_option
@click.pass_context
@handle_errors
def batch(ctx, target: str, source: Path, org: Path | None, outdir: Path | None, fmt: str, jobs: int | None,
          resume: bool, force: bool, auto_number: bool) -> None:
    """Chạy một mẫu, cả hồ sơ kết nạp (admission-dossier) hoặc bộ văn kiện đại hội (congress) cho nhiều
    hồ sơ một lúc. SOURCE là thư mục các tệp JSON, một tệp JSON dạng danh sách, bảng Excel (.xlsx)
    có tiêu đề cột tiếng Việt (Họ và tên, Ngày sinh, Quê quán …), hoặc bảng tính do docgen workbook tạo
    (mỗi phần một trang, nối bằng cột mã: đủ cho cả hồ sơ kết nạp hay văn kiện đại hội).

    Kiểm tra từng hồ sơ ngay trước khi tạo văn bản của nó; hồ sơ lỗi không được tạo, và cuối cùng
    báo tất cả hồ sơ lỗi.
    Trong thư mục làm việc (docgen init), văn bản của mỗi người vào hồ sơ của người đó và số văn bản
    được đăng ký. Mã thoát 0 chỉ khi mọi mục đều thành công.

    \b
    Ví dụ:
      docgen batch admission-decision samples/roster.xlsx --org samples/org.json -o out/batch/
      docgen batch admission-dossier samples/candidates/ --org samples/org.json -o out/dossiers/ -j 2
      docgen batch admission-decision ds.xlsx --org org.json -o out/ --resume
      docgen batch admission-dossier ho-so-moi/ --auto-number      (trong thư mục làm việc)
    """
    from .pipeline.batch import run_batch

    eng = engine(ctx)
    ws = workspace(ctx)
    org = org_file(ctx, org)
    if ws is None and outdir is None:
        raise click.UsageError("Thiếu -o THƯ-MỤC (ngoài thư mục làm việc phải chỉ rõ nơi ghi kết quả).")
    formats = _formats(fmt)
    if "pdf" in formats:
        _warn_font(eng, formats)
    progress, finish = _progress_reporter()
    try:
        report = run_batch(target, source, org, outdir, engine=eng, formats=formats, jobs=jobs,
                           resume=resume, progress=progress, workspace=ws, force=force, auto_number=auto_number)
    finally:
        finish()
    if report.org_warnings:  # the organisation file's, once for the whole batch
        click.echo(problem_table(report.org_warnings), err=True)
    _batch_summary(report)
    if ws is None:
        click.echo(NOT_REGISTERED, err=True)
    if report.faults:
        click.echo(f"Lỗi nội bộ của docgen ở {report.faults} mục (xem trên). Hãy báo lại cho người quản trị, "
                   "kèm lệnh đã chạy (không gửi hồ sơ cá nhân).", err=True)
    sys.exit(report.exit_code)


@main.command()
@click.argument("kind", metavar="LOẠI")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp Excel (.xlsx) sẽ ghi.")
@click.option("--force", is_flag=True, help="Ghi đè tệp -o nếu đã có.")
@forms_dir_option
@click.pass_context
@handle_errors
def workbook(ctx, kind: str, output: Path, force: bool) -> None:
    """Tạo bảng tính Excel để điền cả hồ sơ kết nạp (admission-dossier) hay văn kiện đại hội (congress)
    cho nhiều người: mỗi phần một trang (người vào Đảng, người giới thiệu, chi bộ họp xét …), tiêu đề
    tiếng Việt, chú thích ở mỗi tiêu đề, danh sách chọn, cột ngày, và một dòng ví dụ (mã "VÍ DỤ", chữ
    nghiêng màu xám, không được đọc). Điền xong, chạy docgen batch LOẠI TỆP.xlsx.

    \b
    Ví dụ:
      docgen workbook admission-dossier -o ho-so.xlsx
      docgen batch admission-dossier ho-so.xlsx --org org.json -o out/
      docgen workbook congress -o dai-hoi.xlsx
    """
    from .errors import OutputError
    from .pipeline.workbook import workbook_kinds, write_workbook

    eng = engine(ctx)
    kinds = workbook_kinds(eng)
    if kind not in kinds:
        raise click.BadParameter(f'"{kind}" không có bảng tính. Chọn một trong: {", ".join(kinds)}.',
                                 param_hint="LOẠI")
    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter(f'tệp ra phải có đuôi .xlsx: "{output.name}".', param_hint="-o")
    if output.exists() and not force:
        raise OutputError(f"{output} đã có; docgen không ghi đè (có thể đó là bảng tính đã điền). Hãy chọn tên "
                          "khác, hoặc thêm --force để ghi đè.")
    write_workbook(eng, kind, output)
    click.echo(f"Đã ghi {output}")
    click.echo(f"Điền mỗi người một dòng ở trang đầu, các trang khác nối với trang đầu bằng cột mã; rồi chạy: "
               f"docgen batch {kind} {output.name}")


@main.command()
@click.argument("directory", metavar="THƯ-MỤC", type=click.Path(file_okay=False, path_type=Path))
@click.option("--org", "org", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Tệp JSON của tổ chức đảng: được chép vào thư mục làm việc và dùng khi không có --org.")
@forms_dir_option
@click.pass_context
@handle_errors
def init(ctx, directory: Path, org: Path) -> None:
    """Tạo thư mục làm việc: hồ sơ của từng người (và của từng đại hội), sổ đăng ký số văn bản, và
    dấu vết mọi tệp docgen ghi, trong một cơ sở dữ liệu SQLite nhúng (DIRECTORY/.docgen/).

    Các lệnh chạy trong thư mục này (hay thư mục con), hoặc với --workspace DIRECTORY, ghi văn bản vào
    DIRECTORY/ho-so/<mã hồ sơ>/, đăng ký số, và không ghi đè tệp người dùng đã sửa.

    \b
    Ví dụ:
      docgen init chi-bo-lap-rap --org samples/org.json
      cd chi-bo-lap-rap && docgen admission-dossier ../samples/candidates/pham-thi-thu-huong.json
    """
    from .errors import InputError

    eng = engine(ctx)
    record = eng.load(org, "org")
    if pipeline.errors(record.problems):
        raise InputError(record.problems)
    ws = pipeline.Workspace.create(directory, org.read_bytes())
    click.echo(f"Đã tạo thư mục làm việc {ws.root}")
    click.echo(f"  tệp tổ chức: {ws.org_path}")
    click.echo(f"  hồ sơ: {ws.root / 'ho-so'}")
    click.echo(f"  cơ sở dữ liệu: {ws.db_path}")


def _progress_reporter():
    """A live bar (count, rate, time left) on a terminal; plain lines in a log."""
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

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
    click.echo(f"Đã ghi: {report.written} tệp · Bỏ qua (đã có, --resume): {report.skipped} mục · "
               f"Lỗi: {len(report.failed)} mục · Cảnh báo: {report.warnings} · {report.seconds:.1f} giây")
    for line in report.notes:
        click.echo(line)
    if report.registered and report.written:
        click.echo("Văn bản đã vào hồ sơ của từng người trong thư mục làm việc, số văn bản đã đăng ký.")
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
@forms_dir_option
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
    library = eng.library
    reg = library.registry
    for f in library.forms.values():
        code = f"Mẫu {f.code}" if f.code else "(không có mẫu trung ương)"
        where = f"mẫu riêng, {f.folder}" if library.origin(f) == "riêng" else "đi kèm docgen"
        click.echo(f"{f.id}  {code}  {f.title}  [{where}]")
        for path in f.required:
            click.echo(f"    {path}  ({reg[path].label})")
        for cond in f.required_when:
            click.echo(f"    khi {cond.field} = {json_text(cond.equals, indent=None)}:")
            for path in cond.paths:
                click.echo(f"      {path}  ({reg[path].label})")


@forms.command()
@forms_dir_option
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
@click.argument("profile", metavar="TỆP-JSON", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ORG_OPTION
@click.option("--form", "form_id", required=True, help="Mã mẫu, ví dụ admission-decision.")
@forms_dir_option
@click.pass_context
@handle_errors
def context_cmd(ctx, profile: Path, org: Path | None, form_id: str) -> None:
    """In ngữ cảnh điền mẫu dạng JSON (cho người soạn mẫu và để đo tốc độ với docxtpl).

    \b
    Ví dụ:
      docgen context samples/candidates/pham-thi-thu-huong.json --org samples/org.json --form admission-decision
    """
    eng = engine(ctx)
    form = eng.library.get(form_id)
    inputs = _inputs(ctx, eng, form.subject, profile, org)
    eng.require_valid([form], inputs)
    click.echo(json_text(eng.context(form, inputs)))


@main.command()
@click.argument("kind", metavar="LOẠI", type=click.Choice(sorted(pipeline.INPUT_TITLES)))
@forms_dir_option
@click.pass_context
@handle_errors
def schema(ctx, kind: str) -> None:
    """In JSON Schema của một loại tệp đầu vào (org, candidate, congress).

    \b
    Ví dụ:
      docgen schema org
      docgen schema candidate > candidate.schema.json
    """
    click.echo(json_text(engine(ctx).json_schema(kind)))


# -- the workspace's dossiers and its number register ---------------------------------------------------
def _workspace_required(ctx: click.Context) -> Workspace:
    """The workspace these commands read; outside one, a WorkspaceError (exit 5)."""
    from .pipeline.dossiers import outside_workspace

    ws = workspace(ctx)
    if ws is None:
        raise outside_workspace()
    return ws


def _today(value: str | None) -> date:
    from datetime import date

    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f'"{value}" không phải ngày dạng NĂM-THÁNG-NGÀY (ví dụ 2026-02-05).',
                                 param_hint="--today") from None


TODAY_OPTION = click.option("--today", "today", metavar="YYYY-MM-DD",
                            help="Tính hạn như thể hôm nay là ngày này (mặc định: hôm nay).")


@main.group()
@forms_dir_option
def dossier() -> None:
    """Hồ sơ trong thư mục làm việc (docgen init): xem giấy tờ có và còn thiếu, giai đoạn và hạn
    tiếp theo; đính kèm giấy tờ viết tay hay bản chụp; xuất một tệp zip; kiểm tra tệp.

    \b
    Ví dụ:
      docgen dossier list --due 30
      docgen dossier show pham-thi-thu-huong-20001215
      docgen dossier attach pham-thi-thu-huong-20001215 don.pdf --kind application --date 2025-08-01
      docgen dossier export pham-thi-thu-huong-20001215 -o gui-cap-tren/
      docgen dossier verify --all
    """


@dossier.command("show")
@click.argument("dossier_id", metavar="MÃ-HỒ-SƠ")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@TODAY_OPTION
@forms_dir_option
@click.pass_context
@handle_errors
def dossier_show(ctx, dossier_id: str, as_json: bool, today: str | None) -> None:
    """Giấy tờ của hồ sơ MÃ-HỒ-SƠ theo thứ tự Hướng dẫn 06-HD/TW §8.1 (có, còn thiếu, không bắt buộc),
    với ngày, số, mẫu, tệp và sha256; giai đoạn và hạn tiếp theo.

    \b
    Ví dụ:
      docgen dossier show pham-thi-thu-huong-20001215
      docgen dossier show pham-thi-thu-huong-20001215 --json
      docgen dossier show pham-thi-thu-huong-20001215 --today 2026-01-15
    """
    from .pipeline.dossiers import dossier_view, show_lines, view_json

    eng = engine(ctx)
    view = dossier_view(eng, _workspace_required(ctx), dossier_id, _today(today))
    if as_json:
        click.echo(json_text(view_json(view)))
        return
    for line in show_lines(eng, view):
        click.echo(line)


@dossier.command("list")
@click.option("--due", "due", type=click.IntRange(0, 100000), default=None, metavar="N",
              help="Chỉ các hồ sơ có hạn trong N ngày tới (kể cả hồ sơ đã quá hạn).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@TODAY_OPTION
@forms_dir_option
@click.pass_context
@handle_errors
def dossier_list(ctx, due: int | None, as_json: bool, today: str | None) -> None:
    """Mọi hồ sơ: mã, họ tên, giai đoạn, hạn tiếp theo (ngày, còn bao nhiêu ngày), hạn gần nhất trước.

    \b
    Ví dụ:
      docgen dossier list
      docgen dossier list --due 30
    """
    from dataclasses import asdict

    from .pipeline.dossiers import list_dossiers, list_lines

    eng = engine(ctx)
    listed = list_dossiers(eng, _workspace_required(ctx), _today(today), due)
    if as_json:
        click.echo(json_text([asdict(x) for x in listed]))
        return
    for line in list_lines(eng, listed, due):
        click.echo(line)


@dossier.command("attach")
@click.argument("dossier_id", metavar="MÃ-HỒ-SƠ")
@click.argument("file", metavar="TỆP", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", "kind", required=True, help="Loại giấy tờ (dossier.toml), ví dụ application, biography, scan.")
@click.option("--date", "when", metavar="YYYY-MM-DD", help="Ngày của giấy tờ.")
@click.option("--number", "number", type=click.IntRange(1, 10**9), help="Số của giấy tờ (nếu có).")
@forms_dir_option
@click.pass_context
@handle_errors
def dossier_attach(ctx, dossier_id: str, file: Path, kind: str, when: str | None, number: int | None) -> None:
    """Đính kèm TỆP vào hồ sơ MÃ-HỒ-SƠ: chép vào ho-so/MÃ-HỒ-SƠ/dinh-kem/ (không ghi đè: tên trùng thì thêm -2 …)
    và ghi vào sổ cùng sha256. Dùng cho giấy tờ docgen không làm: đơn xin vào Đảng, lý lịch, giấy
    chứng nhận, văn bản thẩm tra lý lịch, bản chụp.

    \b
    Ví dụ:
      docgen dossier attach pham-thi-thu-huong-20001215 don.pdf --kind application --date 2025-08-01
      docgen dossier attach pham-thi-thu-huong-20001215 ly-lich.pdf --kind biography
      docgen dossier attach pham-thi-thu-huong-20001215 giay-chung-nhan.jpg --kind awareness_certificate --number 15
    """
    from .pipeline.dossiers import attach

    eng = engine(ctx)
    _, line = attach(eng, _workspace_required(ctx), dossier_id, file, kind, when, number)
    click.echo(line)


@dossier.command("export")
@click.argument("dossier_id", metavar="MÃ-HỒ-SƠ")
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi tệp MÃ-HỒ-SƠ.zip.")
@click.option("--force", is_flag=True, help="Ghi cả khi MÃ-HỒ-SƠ.zip đã có; tệp cũ được giữ bên cạnh với tên …~1.zip.")
@TODAY_OPTION
@forms_dir_option
@click.pass_context
@handle_errors
def dossier_export(ctx, dossier_id: str, outdir: Path, force: bool, today: str | None) -> None:
    """Xuất hồ sơ MÃ-HỒ-SƠ thành một tệp zip gửi cấp trên: giấy tờ theo thứ tự hồ sơ, một tệp PDF gộp,
    và manifest.json (đường dẫn, loại, mẫu, số, ngày, sha256, bản hướng dẫn của từng tệp). Mọi tệp
    được kiểm sha256 trước; tệp bị sửa hay mất thì không xuất (mã thoát 5).

    \b
    Ví dụ:
      docgen dossier export pham-thi-thu-huong-20001215 -o gui-cap-tren/
    """
    from .pipeline.dossiers import export

    eng = engine(ctx)
    _warn_font(eng, ("pdf",))
    _, lines = export(eng, _workspace_required(ctx), dossier_id, outdir, _today(today), force)
    for line in lines:
        click.echo(line)


@dossier.command("verify")
@click.argument("dossier_id", metavar="MÃ-HỒ-SƠ", required=False)
@click.option("--all", "every", is_flag=True, help="Kiểm mọi hồ sơ.")
@forms_dir_option
@click.pass_context
@handle_errors
def dossier_verify(ctx, dossier_id: str | None, every: bool) -> None:
    """Tính lại sha256 của mọi tệp đã đăng ký của hồ sơ MÃ-HỒ-SƠ (hay mọi hồ sơ, --all) và báo tệp đã bị
    sửa hay không còn. Mã thoát 0 khi mọi tệp khớp, 5 khi không.

    \b
    Ví dụ:
      docgen dossier verify pham-thi-thu-huong-20001215
      docgen dossier verify --all
    """
    from .pipeline.dossiers import all_ids, check_dossier, verify_lines

    if every == (dossier_id is not None):
        raise click.UsageError("Ghi một MÃ-HỒ-SƠ, hoặc --all (không cả hai).")
    eng = engine(ctx)
    ws = _workspace_required(ctx)
    bad = 0
    for one in all_ids(eng, ws) if every else [dossier_id or ""]:
        checked = check_dossier(eng, ws, one)
        bad += sum(c.state != "ok" for c in checked)
        for line in verify_lines(eng, one, checked):
            click.echo(line)
    sys.exit(5 if bad else 0)


@main.command("register")
@click.option("--series", "series", metavar="TEXT",
              help="Chỉ sổ có tên chứa TEXT (ví dụ QĐ/ĐUC, NQ/CB, hay tên cấp ủy).")
@click.option("--year", "year", type=click.IntRange(1900, 2100), help="Chỉ văn bản đề ngày trong năm này.")
@click.option("--export", "target", type=click.Path(dir_okay=False, path_type=Path),
              help="Ghi sổ ra tệp .xlsx (Excel) hoặc .csv (UTF-8, tiêu đề tiếng Việt).")
@click.option("--force", is_flag=True, help="Ghi cả khi tệp xuất đã có; tệp cũ được giữ bên cạnh với tên …~1.")
@forms_dir_option
@click.pass_context
@handle_errors
def register_cmd(ctx, series: str | None, year: int | None, target: Path | None, force: bool) -> None:
    """Sổ đăng ký văn bản của thư mục làm việc: mọi văn bản có số, theo sổ rồi theo số: cơ quan ban
    hành, số và ký hiệu, ngày, loại, mẫu, trích yếu, kỳ đánh số, hồ sơ, bản hướng dẫn, tệp, sha256.

    \b
    Ví dụ:
      docgen register
      docgen register --series QĐ/ĐUC --year 2025
      docgen register --export so-dang-ky.xlsx
    """
    from .pipeline.dossiers import export_register, register_lines, register_rows

    eng = engine(ctx)
    rows, labels = register_rows(eng, _workspace_required(ctx), series, year)
    if target is not None:
        click.echo(export_register(eng, rows, target, force))
        return
    for line in register_lines(eng, rows, labels, series, year):
        click.echo(line)



# -- the local web application --------------------------------------------------------------------------
NO_WORKSPACE_FOR_SERVE = (
    "docgen serve chạy trong một thư mục làm việc: trang web đọc và ghi hồ sơ, sổ đăng ký của thư mục đó. "
    "Tạo một thư mục làm việc bằng: docgen init THƯ-MỤC --org TO-CHUC.json, rồi chạy docgen serve trong thư mục "
    "đó (hoặc docgen --workspace THƯ-MỤC serve).")


@main.command("serve")
@click.option("--port", "port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Cổng trên 127.0.0.1 (0: một cổng còn trống, docgen in địa chỉ).")
@click.option("--no-browser", is_flag=True, help="Không tự mở trình duyệt.")
@forms_dir_option
@click.pass_context
@handle_errors
def serve_cmd(ctx, port: int, no_browser: bool) -> None:
    """Mở trang web của docgen trên máy này (chỉ 127.0.0.1, máy khác không vào được): danh sách hồ sơ,
    biểu mẫu hồ sơ của từng người với lỗi hiện bên cạnh từng ô, tạo và tải văn bản, sổ đăng ký.
    Hồ sơ được lưu thành tệp JSON như dòng lệnh đọc (du-lieu/<mã>.json). Nhấn Ctrl+C để dừng.

    \b
    Ví dụ:
      docgen serve
      docgen serve --port 8080 --no-browser
      docgen --workspace chi-bo-lap-rap serve
    """
    from .errors import WorkspaceError
    from .web.app import bind, create_app, serve

    ws = workspace(ctx)
    if ws is None:
        raise WorkspaceError(NO_WORKSPACE_FOR_SERVE)
    app = create_app(ws.root, engine=engine(ctx))
    try:
        server = bind(app, port)
    except OSError as exc:
        raise click.UsageError(f"Không mở được cổng {port} trên 127.0.0.1 ({exc.strerror or exc}). Hãy chọn cổng "
                               "khác, ví dụ: docgen serve --port 8766, hoặc --port 0 để docgen tự chọn.") from None
    serve(server, open_browser=not no_browser, echo=lambda line: click.echo(line))


if __name__ == "__main__":  # pragma: no cover
    main()
