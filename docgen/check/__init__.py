"""Check stage: every problem of a document's inputs at once — required fields, the type and
bounds of each value (:mod:`.values`), then the party rules (:mod:`.engine` runs them,
:mod:`.rules` holds one function per rule of ``rules.toml``, and reads that file)."""

from . import rules as _rules  # noqa: F401  (registers the rule functions)
from .engine import RuleBook, RuleSpec, Violation, check, errors, rule
from .rules import PARAMS, read_rules
from .values import field_problems, present_field_problems, well_formed

__all__ = ["PARAMS", "RuleBook", "RuleSpec", "Violation", "check", "errors", "field_problems",
           "present_field_problems", "read_rules", "rule", "well_formed"]
