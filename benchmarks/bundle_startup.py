"""Start-up of the PyInstaller bundle against the same app run from source.

Time from process start until the tray icon is shown and the event loop runs, on a virtual X
screen with a real tray host (Xvfb + trayer), for `dist/clockwork-desktop/clockwork-desktop`
and `python -m clockwork_desktop` from this checkout, interleaved, same data folder. The
baseline (from source) is measured in the same run. Goal: ratio <= 1.0 (the bundle is no
slower). Build the bundle first: `.venv/bin/pyinstaller --noconfirm build.spec`.

    .venv/bin/python benchmarks/bundle_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import ENV  # noqa: E402
from benchmarks.tray_startup import measure  # noqa: E402
from tests.support.xdesktop import virtual_desktop  # noqa: E402

BUNDLE = ROOT / "dist" / "clockwork-desktop" / "clockwork-desktop"
GOAL = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    args = parser.parse_args()
    if not args.bundle.is_file():
        raise SystemExit(f"no bundle at {args.bundle}: run `pyinstaller build.spec` first")
    with virtual_desktop(ENV) as desk, tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        from clockwork_desktop.infra.db.database import open_database
        from clockwork_desktop.infra.db.store import SqliteStore

        opened = open_database(data)
        store = SqliteStore(opened.conn)
        store.set_setting("first_run_done", True)
        opened.conn.close()
        bundle = [str(args.bundle), "--data-dir", str(data)]
        source = [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data)]
        ready = Path(tmp) / "ready"
        measure(bundle, desk.env, ready)
        measure(source, desk.env, ready)  # warm the page cache and the bytecode
        ours, base = [], []
        for _ in range(args.runs):
            ours.append(measure(bundle, desk.env, ready))
            base.append(measure(source, desk.env, ready))
    t_ours = statistics.median(t for t, _ in ours)
    t_base = statistics.median(t for t, _ in base)
    r_ours = statistics.median(r for _, r in ours)
    r_base = statistics.median(r for _, r in base)
    ratio = t_ours / t_base
    verdict = "meets" if ratio <= GOAL else "MISSES"
    print(
        f"bundle start-up to icon + event loop: {t_ours * 1000:.0f} ms vs from source "
        f"{t_base * 1000:.0f} ms: ratio {ratio:.3f}x (goal <= {GOAL}x: {verdict}), "
        f"median of {args.runs} runs each"
    )
    print(f"peak RSS: bundle {r_ours:.1f} MiB, from source {r_base:.1f} MiB")


if __name__ == "__main__":
    main()
