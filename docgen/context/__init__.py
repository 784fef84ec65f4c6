"""Context stage: the one place that formats. :func:`build_context` turns a document's inputs
into its render context, every value finished Vietnamese text (:mod:`.builder`)."""

from .builder import build_context, candidate_sections, count, date_text, legal_basis_lines, share

__all__ = ["build_context", "candidate_sections", "count", "date_text", "legal_basis_lines", "share"]
