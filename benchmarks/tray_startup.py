"""Tray start-up against a bare PySide6 tray app, and memory growth in long use.

1. On a virtual X screen with a real tray host (Xvfb + trayer), `clockwork-desktop` and
   `baseline_tray.py` started in turn, pair by pair, on an up-to-date database:
   - time from process start until the icon is shown and the event loop runs (goal <= 1.15x),
   - peak RSS of that run, which exits once ready (goal <= 1.10x),
   - time from process start until the icon is embedded in trayer's panel (goal <= 1.15x).
   Each figure is the median of the paired ratios (these machines are noisy).
2. RSS growth after 1,000 menu openings and 100 timer switches (goal <= 5 MiB).

    .venv/bin/python benchmarks/tray_startup.py [--runs 15] [--growth-only | --startup-only]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.support.xdesktop import virtual_desktop  # noqa: E402

TIME_GOAL = 1.15
EMBED_GOAL = 1.15
RSS_GOAL = 1.10


def measure(cmd: list[str], env: dict[str, str], ready: Path) -> tuple[float, float]:
    """Seconds until ready, and the child's peak RSS in MiB."""
    ready.unlink(missing_ok=True)
    env = {**env, "CLOCKWORK_READY_FILE": str(ready), "CLOCKWORK_EXIT_WHEN_READY": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not ready.exists():
        if proc.poll() is not None and not ready.exists():
            raise RuntimeError(f"{cmd} exited before it was ready")
        time.sleep(0.001)
    elapsed = time.perf_counter() - started
    _pid, _status, usage = os.wait4(proc.pid, 0)
    return elapsed, usage.ru_maxrss / 1024


class TrayPanel:
    """trayer's panel, read over the X protocol: which icons are embedded in it."""

    def __init__(self, display_name: str) -> None:
        from Xlib.display import Display

        self.display = Display(display_name)
        self.panel = self._find(self.display.screen().root)

    def _find(self, window: Any) -> Any:
        for child in window.query_tree().children:
            if child.get_wm_name() == "panel":
                return child
            found = self._find(child)
            if found is not None:
                return found
        return None

    def icons(self) -> set[int]:
        """The ids of client windows embedded at a real size (trayer's socket holds each)."""
        from Xlib.error import BadDrawable, BadWindow

        found = set()
        for socket in self.panel.query_tree().children:
            try:
                for icon in socket.query_tree().children:
                    geometry = icon.get_geometry()
                    if geometry.width >= 2 and geometry.height >= 2:
                        found.add(icon.id)
            except (BadWindow, BadDrawable):  # it went away between two requests
                continue
        return found

    def close(self) -> None:
        self.display.close()


def measure_embed(cmd: list[str], env: dict[str, str], panel: TrayPanel) -> float:
    """Seconds from process start until a new icon is embedded in the panel."""
    while panel.icons():  # the previous run's icon leaves with its process
        time.sleep(0.01)
    env = {k: v for k, v in env.items() if k != "CLOCKWORK_EXIT_WHEN_READY"}  # runs until killed
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not panel.icons():
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd} exited before its icon was embedded")
            time.sleep(0.001)
        return time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def _ratio(label: str, ours: list[float], base: list[float], unit: str, goal: float) -> None:
    ratio = statistics.median(a / b for a, b in zip(ours, base, strict=True))
    verdict = "meets" if ratio <= goal else "MISSES"
    print(
        f"{label}: median {statistics.median(ours):.1f} {unit} vs bare tray "
        f"{statistics.median(base):.1f} {unit}: median paired ratio {ratio:.2f}x "
        f"(goal <= {goal}x: {verdict}), {len(ours)} pairs"
    )


def prepare_data(data: Path, env: dict[str, str]) -> None:
    """An up-to-date database with one entry, the first-run question answered."""
    cli = [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data)]
    # A past day: "the latest free stretch today" does not exist just after midnight.
    log = [*cli, "log", "BENCH-1", "1h", "--date", "2026-01-05", "--start", "09:00"]
    subprocess.run(log, env=env, check=True, capture_output=True)
    from clockwork_desktop.infra.db.database import open_database
    from clockwork_desktop.infra.db.store import SqliteStore

    opened = open_database(data)
    SqliteStore(opened.conn).set_setting("first_run_done", True)
    opened.conn.close()


def startup(runs: int) -> None:
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with virtual_desktop(base_env) as desk, tempfile.TemporaryDirectory() as tmp:
        env = desk.env
        data = Path(tmp) / "data"
        prepare_data(data, env)
        ours_cmd = [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data)]
        base_cmd = [sys.executable, str(HERE / "baseline_tray.py")]
        ready = Path(tmp) / "ready"
        measure(ours_cmd, env, ready)
        measure(base_cmd, env, ready)  # warm caches and bytecode
        panel = TrayPanel(desk.display)
        ours, base, ours_embed, base_embed = [], [], [], []
        try:
            for _ in range(runs):
                ours.append(measure(ours_cmd, env, ready))
                base.append(measure(base_cmd, env, ready))
                ours_embed.append(measure_embed(ours_cmd, env, panel))
                base_embed.append(measure_embed(base_cmd, env, panel))
        finally:
            panel.close()
    ms = [t * 1000 for t, _ in ours], [t * 1000 for t, _ in base]
    _ratio("start-up to icon + event loop", *ms, "ms", TIME_GOAL)
    embed = [t * 1000 for t in ours_embed], [t * 1000 for t in base_embed]
    _ratio("time to an icon embedded in the tray", *embed, "ms", EMBED_GOAL)
    _ratio("peak RSS", [r for _, r in ours], [r for _, r in base], "MiB", RSS_GOAL)


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def growth(openings: int, switches: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import gc

    from PySide6.QtWidgets import QApplication

    from clockwork_desktop.app.services import AppServices
    from clockwork_desktop.infra.credentials import SessionCredentials
    from clockwork_desktop.ui.tasks import TaskRunner
    from clockwork_desktop.ui.tray import TrayController

    app = QApplication(["clockwork-desktop"])
    with tempfile.TemporaryDirectory() as tmp:
        services = AppServices(Path(tmp), credentials=SessionCredentials())
        from datetime import timedelta

        today = services.tracker.today()
        for n in range(10):
            services.tracker.log_time(
                f"MEM-{n + 1}", 600, day=today - timedelta(days=n + 1), comment="x"
            )
        runner = TaskRunner()
        tray = TrayController(services, runner, use_tray=False)

        def open_menu() -> None:
            tray.update_menu()
            tray.menu.popup(tray.menu.pos())
            app.processEvents()
            tray.menu.hide()
            app.processEvents()

        for _ in range(50):  # warm-up: caches, fonts, first allocations
            open_menu()
        gc.collect()
        before = rss_mib()
        for _ in range(openings):
            open_menu()
        for n in range(switches):
            # Switching within one second replaces the empty entry; both paths get exercised.
            services.tracker.start(f"MEM-{n % 10 + 1}", comment=str(n))
            tray.refresh()
            app.processEvents()
        gc.collect()
        app.processEvents()
        after = rss_mib()
        tray.shutdown()
        runner.shutdown()
        services.close()
    print(
        f"RSS growth after {openings} menu openings and {switches} timer switches: "
        f"{after - before:+.2f} MiB ({before:.1f} -> {after:.1f} MiB; goal <= 5 MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--growth-only", action="store_true")
    only.add_argument("--startup-only", action="store_true")
    args = parser.parse_args()
    if not args.growth_only:
        startup(args.runs)
    if not args.startup_only:
        growth(1000, 100)


if __name__ == "__main__":
    main()
