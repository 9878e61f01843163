"""Helpers shared by the benchmark scripts: interleaved timing and medians."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def cli_command() -> list[str]:
    """The installed console script when present, else ``python -m clockwork_desktop``."""
    script = Path(sys.executable).with_name("clockwork-desktop")
    if script.exists():
        return [str(script)]
    found = shutil.which("clockwork-desktop")
    return [found] if found else [sys.executable, "-m", "clockwork_desktop"]


# As installed by pip, our modules have compiled bytecode, like the standard library the
# baseline imports. Let the warm-up runs write it even where the environment forbids that.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(cmd: Sequence[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    return time.perf_counter() - start


def interleaved(a: Sequence[str], b: Sequence[str], runs: int) -> tuple[list[float], list[float]]:
    """Time ``a`` and ``b`` alternately so machine noise hits both alike."""
    wall(a)
    wall(b)  # warm the page cache
    times_a, times_b = [], []
    for _ in range(runs):
        times_a.append(wall(a))
        times_b.append(wall(b))
    return times_a, times_b


def report(label: str, a: list[float], b: list[float], goal: float) -> float:
    """The median of the paired ratios: ``a`` and ``b`` ran alternately, pair by pair."""
    ma, mb = statistics.median(a), statistics.median(b)
    ratio = statistics.median(x / y for x, y in zip(a, b, strict=True))
    verdict = "meets" if ratio <= goal else "MISSES"
    print(f"{label}: median {ma * 1000:.1f} ms vs baseline {mb * 1000:.1f} ms")
    print(f"median paired ratio {ratio:.2f}x (goal <= {goal}x: {verdict}), {len(a)} pairs")
    return ratio
