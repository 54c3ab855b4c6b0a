"""Hypothesis profiles: "ci" (CI=true) with Hypothesis' own count of examples, "dev" (the default)
with a tenth; property tests that name their count scale it through profiles.examples."""

from __future__ import annotations

from hypothesis import settings
from profiles import IN_CI, examples

settings.register_profile("ci", max_examples=100)
settings.register_profile("dev", max_examples=examples(100))
settings.load_profile("ci" if IN_CI else "dev")
