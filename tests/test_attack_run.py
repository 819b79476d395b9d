"""The attack run (tests/attack_run.py), small: a few hundred seeded command runs.

Every command that reads files, over mutated and hostile inputs and special targets,
in-process and a sample as real subprocesses: no traceback, no hang, no write over an
input, no raw control character on stdout, no exit code but 0, 1, 2 (and 128 + signo
for a run that was sent a signal).  The full run (10,000 runs) is in docs/performance.md.
"""

from __future__ import annotations

import json

import attack_run

RUNS = 250


def test_a_small_attack_run_finds_nothing() -> None:
    tally = attack_run.campaign(RUNS, seed=7, subprocess_share=0.03)
    report = "\n".join(json.dumps(f, ensure_ascii=True) for f in tally.failures)
    assert tally.runs == RUNS
    assert (tally.tracebacks, tally.hangs, tally.overwrites, tally.raw_control,
            tally.bad_exit, tally.harness_errors) == (0, 0, 0, 0, 0, 0), report
    # The seed reaches every command, both kinds of run, refusals and successes.
    assert set(tally.per_command) == {"score", "compare", "summary", "validate", "show",
                                      "template", "list", "assess"}
    assert tally.subprocesses > 0 and tally.in_process > 0
    assert {"0", "1"} <= set(tally.exit_codes)


def test_the_mutations_are_deterministic_and_do_damage() -> None:
    import random

    raw = (attack_run.EXAMPLES / "riverside-cafe.yaml").read_bytes()
    first = [attack_run.mutate_bytes(raw, random.Random(seed)) for seed in range(20)]
    again = [attack_run.mutate_bytes(raw, random.Random(seed)) for seed in range(20)]
    assert first == again
    assert all(m != raw for m in first[:5]) and len(set(first)) > 15
    data = {"a": {"b": [1, "x"]}, "c": "text"}
    changed = [attack_run.mutate_structure(data, random.Random(seed)) for seed in range(20)]
    assert data == {"a": {"b": [1, "x"]}, "c": "text"}  # the original is left alone
    assert sum(c != data for c in changed) >= 18
