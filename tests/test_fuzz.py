"""Hostile inputs (tests/fuzzing.py): no crash, no traceback, sound files, values printed as
given, nothing written on refusal. ``make test`` runs 500 cases; ``make fuzz`` runs 10,000
(``DOCGEN_FUZZ_CASES``)."""

from __future__ import annotations

import os
import time

from fuzzing import make_case, run

CASES = int(os.environ.get("DOCGEN_FUZZ_CASES", "500"))


def test_the_generator_is_seeded():
    assert make_case(7).files == make_case(7).files
    assert make_case(7).files != make_case(8).files


def test_hostile_inputs(tmp_path):
    start = time.perf_counter()
    failures, codes = run(CASES, workdir=tmp_path)
    print(f"\nfuzz: {CASES} cases in {time.perf_counter() - start:.1f} s; exit codes "
          + ", ".join(f"{code}: {n}" for code, n in sorted(codes.items())) + f"; failing cases: {len(failures)}")
    report = "\n".join(f"{label}\n    " + "\n    ".join(found) for label, found in list(failures.items())[:25])
    assert not failures, f"{len(failures)} of {CASES} cases failed:\n{report}"
    assert codes[0] and codes[3], "the generator must produce both accepted and refused inputs"
