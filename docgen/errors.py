"""Error types of every stage; only ``docgen.cli`` turns them into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass


class DocgenError(Exception):
    """Root of docgen's errors. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (JSON path + Vietnamese label), what, how bad.

    ``rule`` names the check (``required``, ``type.date``, ``vote.two_thirds`` …);
    ``source`` the rule's legal reference where there is one.
    """

    rule: str
    path: str
    label: str
    message: str
    severity: str = "error"
    source: str = ""
    input: str = ""

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "input": self.input,
            "path": self.path,
            "label": self.label,
            "message": self.message,
            "source": self.source,
        }


class InputError(DocgenError):
    """Raised when an input (profile, organisation, congress) fails its checks; carries every problem found."""

    exit_code = 3

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} lỗi trong dữ liệu đầu vào")


class InputFileError(DocgenError):
    """Raised when an input file cannot be read or is not valid JSON (the file as a whole is unusable)."""

    exit_code = 3


class FormError(DocgenError):
    """Raised when a form folder, its manifest or its template is missing or broken."""

    exit_code = 4


class FontError(DocgenError):
    """Raised when no font with full Vietnamese coverage can be found for the PDF."""

    exit_code = 4


class OutputError(DocgenError):
    """Raised when an output file cannot be written (permissions, disk, unsafe name)."""

    exit_code = 5
