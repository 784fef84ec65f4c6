"""Web stage: ``docgen serve``, a local web application over the pipeline (issue 15).

* :mod:`.app` — :func:`create_app` (Flask, Flask-WTF's CSRF protection, upload limit, the
  Vietnamese error pages) and :func:`serve` (werkzeug's server on 127.0.0.1 only);
* :mod:`.state` — the workspace and engine of the running app, for every blueprint;
* :mod:`.dossiers` — the dossier list, a person's dossier form and the register.

It reaches docgen through :mod:`docgen.pipeline` only (and the error types), as the command
line does, so the web and the CLI read, check, write and file the same way.
"""
