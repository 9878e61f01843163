"""Entry point: parse the command line, then run a CLI command or the tray app."""

from __future__ import annotations

import sys

from clockwork_desktop.app.logsetup import setup_logging
from clockwork_desktop.app.services import AppServices
from clockwork_desktop.cli import commands
from clockwork_desktop.cli.parser import build_parser
from clockwork_desktop.infra.paths import data_dir, log_dir


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    base = data_dir(args.data_dir)
    setup_logging(log_dir(base))
    services = AppServices(base)
    try:
        if args.command is None:
            # The tray app is not built yet: show where things stand and how to use the CLI.
            args.json = False
            code = commands.run_named("status", args, services)
            parser.print_help()
            return code
        return commands.run(args, services, extra={})
    finally:
        services.close()


if __name__ == "__main__":
    sys.exit(main())
