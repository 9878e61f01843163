"""Tray start-up against a bare PySide6 tray app, and memory growth in long use.

1. Time from process start until the icon is shown and the event loop runs, and peak RSS, for
   `clockwork-desktop` and `baseline_tray.py`, interleaved, on a virtual X screen with a real
   tray host (Xvfb + trayer). Goals: <= 1.3x time, <= 1.25x peak RSS.
2. RSS growth after 1,000 menu openings and 100 timer switches (goal <= 5 MiB).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.support.xdesktop import virtual_desktop  # noqa: E402


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


def startup(runs: int) -> None:
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with virtual_desktop(base_env) as desk:
        env = desk.env
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            cli = [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data)]
            subprocess.run([*cli, "log", "BENCH-1", "1h"], env=env, check=True, capture_output=True)
            from clockwork_desktop.infra.db.database import open_database
            from clockwork_desktop.infra.db.store import SqliteStore

            opened = open_database(data)
            SqliteStore(opened.conn).set_setting("first_run_done", True)
            opened.conn.close()
            ours_cmd = cli
            base_cmd = [sys.executable, str(HERE / "baseline_tray.py")]
            ready = Path(tmp) / "ready"
            measure(ours_cmd, env, ready)
            measure(base_cmd, env, ready)  # warm caches and bytecode
            ours, base = [], []
            for _ in range(runs):
                ours.append(measure(ours_cmd, env, ready))
                base.append(measure(base_cmd, env, ready))
    t_ours = statistics.median(t for t, _ in ours)
    t_base = statistics.median(t for t, _ in base)
    r_ours = statistics.median(r for _, r in ours)
    r_base = statistics.median(r for _, r in base)
    print(
        f"start-up to icon + event loop: {t_ours * 1000:.0f} ms vs bare tray "
        f"{t_base * 1000:.0f} ms: ratio {t_ours / t_base:.2f}x (goal <= 1.3x), {runs} runs"
    )
    print(
        f"peak RSS: {r_ours:.1f} MiB vs bare tray {r_base:.1f} MiB: ratio "
        f"{r_ours / r_base:.2f}x (goal <= 1.25x)"
    )


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
    parser.add_argument("--growth-only", action="store_true")
    args = parser.parse_args()
    if not args.growth_only:
        startup(args.runs)
    growth(1000, 100)


if __name__ == "__main__":
    main()
