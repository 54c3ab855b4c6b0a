"""How many examples a property test draws: its full count in CI (CI=true, as .ci/run sets), a
tenth of it on a developer's machine, so the developer's loop stays short while CI keeps the
full search. Tests that name no count get the same from the Hypothesis profile conftest.py loads."""

from __future__ import annotations

import os

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def examples(full: int) -> int:
    return full if IN_CI else max(10, full // 10)
