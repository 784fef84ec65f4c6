"""The stages import in one direction only, and no module imports itself round a circle.

Every ``import`` and ``from … import`` of every module under docgen/ counts, those inside a
function too (read with ``ast``, nothing is imported). Each module belongs to one stage; a
stage may import its own modules and those of the stages before it, never a later one:

    domain < base < load < check < context < render < store < pipeline < web < cli

The domain helpers import nothing of docgen; the renderers read only the base (errors, the
sandbox) and the domain; a batch reaches the stages only through the pipeline's engine; the
command line imports only the pipeline, the error types and the Vietnamese it gives Click
(docgen.clitext). The web application (``docgen serve``) is a second face over the same
pipeline: it comes after it and before the command line, imports only the pipeline, the error
types and the domain's formatting helpers (dates as a listing prints them), so it cannot check
or file a paper any other way than the CLI does; the command line imports it inside ``serve``
only (a test below holds that).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. ``name.*`` is a package and every module under it; a plain name is that
# module alone (``docgen`` is docgen/__init__.py).
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("domain", ("docgen.domain.*",)),
    ("base", ("docgen", "docgen.errors", "docgen.sandbox")),
    ("load", ("docgen.load.*",)),
    ("check", ("docgen.check.*",)),
    ("context", ("docgen.context.*",)),
    ("render", ("docgen.render.*",)),
    ("store", ("docgen.store.*",)),
    ("pipeline", ("docgen.pipeline.*",)),
    ("web", ("docgen.web.*",)),
    # the command line, and the Vietnamese it gives Click (docgen.clitext, which imports only the
    # cache helpers of docgen/__init__.py)
    ("cli", ("docgen.cli", "docgen.clitext")),
]
# Narrower than the rank allows: what these modules may import at all (the first pattern that
# names a module applies). A batch goes through the engine, as one document does, rather than
# assembling the stages again; a docgen workbook's entries it takes from the workbook reader.
ONLY: dict[str, tuple[str, ...]] = {
    "docgen.domain.*": ("docgen.domain.*",),
    "docgen.render.*": ("docgen.render.*", "docgen.domain.*", "docgen", "docgen.errors", "docgen.sandbox"),
    "docgen.pipeline.batch": ("docgen", "docgen.errors", "docgen.pipeline.engine",
                              "docgen.pipeline.write", "docgen.pipeline.filing", "docgen.pipeline.lint",
                              "docgen.pipeline.workbook", "docgen.store.*"),
    # the workspace keeps to the database, its files and the base; it knows no form or profile
    "docgen.store.*": ("docgen.store.*", "docgen", "docgen.errors", "docgen.sandbox"),
    "docgen.web.*": ("docgen.web.*", "docgen.pipeline.*", "docgen", "docgen.errors", "docgen.domain.*"),
    "docgen.cli": ("docgen", "docgen.errors", "docgen.pipeline.*", "docgen.web.*", "docgen.clitext"),
    "docgen.clitext": ("docgen",),
}


def _matches(module: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        package = pattern[:-2]
        return module == package or module.startswith(package + ".")
    return module == pattern


def modules(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` (the folder ``root / package``) by dotted name."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(root: Path, package: str) -> dict[str, set[str]]:
    """For each module of ``package``, the modules of ``package`` it imports anywhere in its
    source. ``from a import b`` is an import of ``a.b`` when that is a module, else of ``a``."""
    known = modules(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        is_package = path.name == "__init__.py"
        here = name.split(".") if is_package else name.split(".")[:-1]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = here[:len(here) - (node.level - 1)] if node.level > 1 else here
                    base = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                           for alias in node.names]
            else:
                continue
            for target in targets:
                # ``import a.b.c`` imports a, a.b and a.b.c: the deepest module of the package it names
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.add(target)
        graph[name] = found
    return graph


def stage_of(module: str, stages=STAGES) -> tuple[int, str] | None:
    for rank, (stage, patterns) in enumerate(stages):
        if any(_matches(module, p) for p in patterns):
            return rank, stage
    return None


def wrong_direction(graph: dict[str, set[str]], stages=STAGES, only=ONLY) -> list[str]:
    """Each import of a later stage (or of what ``only`` does not allow), and each module of no stage."""
    out = []
    for module in sorted(graph):
        mine = stage_of(module, stages)
        if mine is None:
            out.append(f"{module} belongs to no stage (add it to STAGES in tests/test_imports.py)")
            continue
        allowed = next((allow for pattern, allow in only.items() if _matches(module, pattern)), None)
        for target in sorted(graph[module]):
            theirs = stage_of(target, stages)
            if theirs is None:
                continue  # said above, for that module
            if theirs[0] > mine[0]:
                out.append(f"{module} ({mine[1]}) imports {target} ({theirs[1]}), a later stage")
            elif allowed is not None and not any(_matches(target, p) for p in allowed):
                out.append(f"{module} ({mine[1]}) imports {target} ({theirs[1]}); it may import only "
                           + ", ".join(allowed))
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Circles of imports, each as the modules round it (first one repeated at the end)."""
    found: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    path: list[str] = []

    def walk(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                circle = path[path.index(target):]
                start = circle.index(min(circle))
                key = tuple(circle[start:] + circle[:start])
                if key not in seen:
                    seen.add(key)
                    found.append(list(key) + [key[0]])
            elif target not in state:
                walk(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module)
    return found


def problems(root: Path, package: str, stages=STAGES, only=ONLY) -> list[str]:
    graph = imports(root, package)
    return wrong_direction(graph, stages, only) + [
        "import cycle: " + " -> ".join(circle) for circle in cycles(graph)]


# -- docgen ------------------------------------------------------------------------------------------
def test_the_stages_import_in_one_direction_only_and_without_a_cycle():
    found = problems(ROOT, "docgen")
    assert found == [], "\n".join(found)


def test_the_walk_sees_the_imports_inside_functions_too():
    graph = imports(ROOT, "docgen")
    assert len(graph) > 20
    assert {"docgen", "docgen.errors", "docgen.pipeline"} <= graph["docgen.cli"]
    assert {"docgen.check", "docgen.context", "docgen.load.forms"} <= graph["docgen.pipeline.engine"]
    assert "docgen.pipeline.batch" in graph["docgen.cli"]  # imported inside the batch command
    assert "docgen.web.app" in graph["docgen.cli"]  # imported inside the serve command


def test_the_command_line_imports_the_web_app_inside_serve_only():
    """Every other command starts without Flask: only the body of ``serve`` imports docgen.web."""
    tree = ast.parse((ROOT / "docgen" / "cli.py").read_text(encoding="utf-8"))
    where = []
    for top in tree.body:
        for node in ast.walk(top):
            if isinstance(node, ast.ImportFrom) and (node.module or "").lstrip(".").startswith("web"):
                where.append(getattr(top, "name", type(top).__name__))
    assert where and set(where) == {"serve_cmd"}, where


# -- the checker itself catches a wrong import and a cycle -------------------------------------------
def _package(root: Path, files: dict[str, str]) -> None:
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


TOY_STAGES = [("low", ("toy", "toy.low.*")), ("high", ("toy.high.*",)), ("top", ("toy.top",))]
TOY_ONLY = {"toy.top": ("toy.high.*",)}


def test_the_checker_reports_a_lower_stage_importing_a_higher_one_and_a_cycle(tmp_path):
    _package(tmp_path, {
        "toy/__init__.py": "",
        "toy/low/__init__.py": "from .a import A\n",
        "toy/low/a.py": "from . import b\nA = 1\n",
        # the wrong way, hidden in a function; and b -> a closes a circle inside the stage
        "toy/low/b.py": "def f():\n    from ..high.view import V\n    import toy.low.a\n    return V\n",
        "toy/high/__init__.py": "",
        "toy/high/view.py": "from toy.low import A\nV = A\n",
        "toy/top.py": "from toy.high import view\nfrom toy import low\n",
    })
    graph = imports(tmp_path, "toy")
    assert graph["toy.low.b"] == {"toy.high.view", "toy.low.a"}
    assert graph["toy.top"] == {"toy.high.view", "toy.low"}
    found = problems(tmp_path, "toy", TOY_STAGES, TOY_ONLY)
    assert found == [
        "toy.low.b (low) imports toy.high.view (high), a later stage",
        "toy.top (top) imports toy.low (low); it may import only toy.high.*",
        "import cycle: toy.high.view -> toy.low -> toy.low.a -> toy.low.b -> toy.high.view",
        "import cycle: toy.low.a -> toy.low.b -> toy.low.a",
    ]
    # mended, the same package passes
    _package(tmp_path, {"toy/low/b.py": "def f():\n    return 1\n", "toy/top.py": "from toy.high import view\n"})
    assert problems(tmp_path, "toy", TOY_STAGES, TOY_ONLY) == []


def test_a_module_of_no_stage_is_named(tmp_path):
    _package(tmp_path, {"toy/__init__.py": "", "toy/stray.py": "import toy\n"})
    assert problems(tmp_path, "toy", TOY_STAGES, TOY_ONLY) == [
        "toy.stray belongs to no stage (add it to STAGES in tests/test_imports.py)"]


# -- the runtime dependencies are the libraries docgen imports ---------------------------------------
# Declared in pyproject.toml without an import of their own in docgen/: python-docx, which docxtpl
# writes with (pinned for the same bytes), and rl-accel, the C helpers reportlab uses when present.
NOT_IMPORTED = {"python-docx", "rl-accel"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def third_party_imports(root: Path, package: str) -> set[str]:
    """The top-level modules outside the standard library that ``package`` imports anywhere."""
    found: set[str] = set()
    for path in modules(root, package).values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m != package and m not in sys.stdlib_module_names}


def test_the_runtime_dependencies_are_the_libraries_docgen_imports():
    """pypdf and psutil serve the tests only: they are test dependencies, and no module of the
    package may import them (nor anything else not declared)."""
    declared = {_canonical(re.match(r"[A-Za-z0-9._-]+", spec).group(0))
                for spec in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
                    "dependencies"]}
    distributions = packages_distributions()
    imported = {_canonical(dist) for module in third_party_imports(ROOT, "docgen")
                for dist in distributions.get(module, [module])}
    assert imported - declared == set(), "imported by docgen/ but not a dependency in pyproject.toml"
    assert declared - imported - NOT_IMPORTED == set(), "a dependency in pyproject.toml that docgen/ does not use"
    assert not {"pypdf", "psutil"} & declared
