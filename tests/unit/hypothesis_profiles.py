"""One Hypothesis profile for every property test: few examples, derandomized, no deadline,
so that a run in CI is the same run every time and stays quick on a shared machine."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "baocao",
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("baocao")
