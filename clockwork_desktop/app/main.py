"""Entry point: parse the command line, then run a CLI command or the tray app."""

from __future__ import annotations

import sys
from pathlib import Path

from clockwork_desktop.app import commands
from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.logs import on_first_use
from clockwork_desktop.infra.paths import data_dir, log_dir


def _setup_logging(base: Path) -> None:
    from clockwork_desktop.app.logsetup import setup_logging

    setup_logging(log_dir(base))


def _run_demo(base: Path) -> int:
    """The demo keeps everything, its log included, in a folder of its own that it removes."""
    import logging
    import shutil
    import tempfile

    from clockwork_desktop.app.gui import run_gui

    folder = Path(tempfile.mkdtemp(prefix="clockwork-demo-"))
    on_first_use(lambda: _setup_logging(folder))
    try:
        return run_gui(base, demo=True, demo_dir=folder)
    finally:
        root = logging.getLogger()
        for handler in root.handlers[:]:  # a later record would re-create the log file
            handler.close()
            root.removeHandler(handler)
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    try:
        return _main(argv)
    except ClockworkError as exc:
        # The tray, `pick` and the timesheet window start outside the CLI's own error
        # handling: an unsafe or unreadable data folder is said in one line, not a traceback
        # (and not logged: the log lives in that folder).
        sys.stderr.write(f"clockwork-desktop: {exc}\n")
        return exc.exit_code


def _main(argv: list[str]) -> int:
    args = commands.build_parser(argv).parse_args(argv)
    if args.self_test:
        # Before the data folder is chosen: the self-test never touches the user's files.
        from clockwork_desktop.app.selftest import run_self_test

        return run_self_test()
    base = data_dir(args.data_dir)
    if args.command is None and args.demo:
        return _run_demo(base)
    on_first_use(lambda: _setup_logging(base))
    if args.command is None:
        from clockwork_desktop.app.gui import run_gui

        return run_gui(base, demo=False)
    return commands.run(args, base)


if __name__ == "__main__":
    sys.exit(main())
