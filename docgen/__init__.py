"""docgen: Vietnamese Communist Party paperwork (admission dossiers, congress papers) from JSON to DOCX and PDF."""

__version__ = "0.1.0"
