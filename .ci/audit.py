"""Audit what clockwork-desktop installs (not the dev tools) with pip-audit.

Pins every installed distribution that the package needs at run time, following requirements
down from clockwork-desktop itself, and asks pip-audit about exactly those versions. Fails
(exit 1) on a known vulnerability that has a fixed version; one without a fix is printed but
does not fail, since there is nothing to upgrade to. When the advisory service cannot be
reached, says so and exits 0: a network outage is not a vulnerability.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT_PACKAGE = "clockwork-desktop"
NETWORK_HINTS = ("ConnectionError", "ConnectTimeout", "Max retries", "ServiceError", "Timeout")


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def runtime_closure() -> dict[str, str]:
    """name -> installed version, for the package and everything it needs here at run time."""
    found: dict[str, str] = {}
    todo = [ROOT_PACKAGE]
    while todo:
        name = _name(todo.pop())
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a marker excluded it on this platform
        found[name] = dist.version
        for line in dist.requires or []:
            requirement = Requirement(line)
            # Only what a plain install brings: no extras (test/dev), markers for this platform.
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(requirement.name)
    found.pop(ROOT_PACKAGE, None)  # ours is not on PyPI; its requirements are what matter
    return found


def main() -> int:
    pins = runtime_closure()
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "runtime.txt"
        requirements.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins.items())))
        print(f"pip-audit: {len(pins)} runtime distributions: " + ", ".join(sorted(pins)))
        # Not --strict: it stops at the first dependency it cannot look up, without a report.
        # The same rule is applied below, where an unreachable service can be told apart.
        result = subprocess.run(
            [
                *(sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps"),
                *("--progress-spinner", "off", "--format", "json", "-r", str(requirements)),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        if any(hint in result.stderr for hint in NETWORK_HINTS):
            return _unreachable(result.stderr.strip().splitlines()[-1])
        print(result.stderr, file=sys.stderr)
        print("pip-audit: failed without a report", file=sys.stderr)
        return 1
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if dependencies and len(skipped) == len(dependencies):
        # Not one version could be looked up: the service (or a mirror in front of PyPI that
        # lacks its per-version pages) is unreachable from here, not the packages at fault.
        return _unreachable(skipped[0]["skip_reason"])
    for dep in skipped:
        print(f"pip-audit: could not audit {dep['name']}: {dep['skip_reason']}", file=sys.stderr)
    fixable = 0
    for dep in dependencies:
        for vuln in dep.get("vulns", []):
            fixes = vuln.get("fix_versions") or []
            fixable += bool(fixes)
            advice = f"fixed in {', '.join(fixes)}" if fixes else "no fix released yet"
            print(f"pip-audit: {dep['name']} {dep['version']}: {vuln['id']} ({advice})")
    if fixable or skipped:
        print(
            f"pip-audit: {fixable} known vulnerabilities with a fix, {len(skipped)} "
            "dependencies not audited",
            file=sys.stderr,
        )
        return 1
    print("pip-audit: no known vulnerability with a fix in the runtime dependencies")
    return 0


def _unreachable(reason: str) -> int:
    print(
        "pip-audit: NOT AUDITED: the vulnerability data could not be reached from this "
        f"machine ({reason}). Not failing CI for a network reason; run .ci/audit.py where "
        "pypi.org's JSON API (or osv.dev) is reachable."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
