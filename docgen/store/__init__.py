"""Store stage: the workspace — its SQLite database (dossiers, the number register, the files
written and their hashes), the files it writes, and its data file ``register.toml``.

* :mod:`.db` — finding, creating and opening a workspace; schema migrations; crash recovery;
* :mod:`.register` — number series, the register's entries;
* :mod:`.files` — hashes, and refusing to replace a file the user edited;
* :mod:`.conf` — ``forms/_shared/register.toml``.
"""

# the variable naming a workspace folder; here rather than in .db, so that ``docgen --help``
# names it without importing sqlite3 and socket (tests/test_startup.py)
ENV = "DOCGEN_WORKSPACE"
