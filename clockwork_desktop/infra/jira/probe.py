"""check-jira: ask a real site, on a scratch issue, how it behaves where Jira versions differ.

Every step talks to the site through the same client the app uses, with raw requests where the
point is to see what the site does rather than what our parsing expects. It writes two short
worklogs (a minute each, a day in the past, with a comment saying what they are), reads them
back, pages, edits, clears a comment and deletes them again; whatever happens, the worklogs
it made are deleted before it returns, and the report says if any could not be.

Every create is recorded before it leaves, as the sync records its writes: when Jira saves a
worklog but the answer is lost or unreadable, the probe looks for it among the issue's worklogs
by fingerprint (author is me, the exact `started`, seconds and this run's own comment) and
deletes it. What it cannot find or delete, the report names.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from clockwork_desktop.core.errors import JiraError, JiraOutcomeUnknownError, JiraRefusedError
from clockwork_desktop.core.jira_format import parse_jira_time, text_from_adf, to_epoch_ms
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import FALLBACK_ZONE, unknown_zone_note, zone_or_none
from clockwork_desktop.core.ports import WorklogWrite
from clockwork_desktop.core.probe import Finding, Outcome, ProbeReport
from clockwork_desktop.core.sync_plan import PROPERTY_KEY, fits
from clockwork_desktop.core.worklog_state import SentWrite
from clockwork_desktop.infra.jira.client import JiraClient

log = get_logger(__name__)

MARK = "clockwork-desktop check-jira: a test worklog, deleted at once"
RATE_HEADERS = ("retry-after", "x-ratelimit-", "ratelimit-", "x-seraph-", "x-ausername")


class _Probe:
    def __init__(self, client: JiraClient, issue_key: str, now: datetime) -> None:
        self.client = client
        self.issue = issue_key
        self.now = now
        self.findings: list[Finding] = []
        self.made: list[str] = []
        # Creates that left and whose answer (with the new id) has not come back yet.
        self.sent: list[SentWrite] = []
        self.headers: dict[str, str] = {}
        self.run_id = uuid.uuid4().hex[:12]
        # This run's own comment: with the start and length, a fingerprint no other worklog has.
        self.comment = f"{MARK} ({self.run_id})"

    def note(self, key: str, outcome: Outcome, summary: str, detail: str = "") -> None:
        self.findings.append(Finding(key, outcome, summary, detail))

    def check(self, key: str, holds: bool | None, summary: str, detail: str = "") -> None:
        outcome = Outcome.UNKNOWN if holds is None else Outcome.HOLDS if holds else Outcome.DIFFERS
        self.note(key, outcome, summary, detail)

    # -- raw access ---------------------------------------------------------------------------

    def path(self, suffix: str = "") -> str:
        return f"{self.client.api}/issue/{self.issue}/worklog{suffix}"

    def get_worklog(self, worklog_id: str) -> dict[str, Any]:
        data = self.client.request("GET", self.path(f"/{worklog_id}"), params=self.client.expand())
        return data if isinstance(data, dict) else {}

    def comment_of(self, data: dict[str, Any]) -> str:
        return text_from_adf(data.get("comment")).strip()

    @contextlib.contextmanager
    def watching_headers(self) -> Iterator[None]:
        def hook(response: httpx.Response) -> None:
            for name, value in response.headers.items():
                if name.lower().startswith(RATE_HEADERS):
                    self.headers[name] = value

        hooks = self.client.http.event_hooks
        hooks["response"] = [*hooks.get("response", []), hook]
        try:
            yield
        finally:
            hooks["response"] = [h for h in hooks["response"] if h is not hook]

    # -- the steps ----------------------------------------------------------------------------

    def create(self, started: datetime, zone: str, seconds: int, tag: bool) -> dict[str, Any]:
        write = WorklogWrite(
            started,
            zone,
            seconds,
            self.comment,
            {PROPERTY_KEY: {"probe": self.run_id}} if tag else {},
        )
        record = SentWrite(started.astimezone(UTC).replace(microsecond=0), seconds, self.comment)
        self.sent.append(record)  # before it leaves: a lost answer is looked for afterwards
        try:
            data = self.client.request(
                "POST",
                self.path(),
                params={"adjustEstimate": "leave", "notifyUsers": "false", **self.client.expand()},
                body=self.client.payload(write),
            )
        except JiraRefusedError:
            self.sent.remove(record)  # refused: nothing was saved
            raise
        if not isinstance(data, dict) or "id" not in data:
            raise JiraOutcomeUnknownError("The site's answer to a new worklog has no id.")
        self.made.append(str(data["id"]))
        self.sent.remove(record)
        return data

    def delete(self, worklog_id: str) -> None:
        """Delete one of our worklogs; one already gone counts as deleted."""
        try:
            self.client.delete_worklog(self.issue, worklog_id)
        except JiraRefusedError as exc:
            if exc.status != 404:
                log.warning("check-jira could not delete worklog %s: %s", worklog_id, exc)
                return
        except JiraError as exc:
            log.warning("check-jira could not delete worklog %s: %s", worklog_id, exc)
            return
        self.made.remove(worklog_id)

    def clean_up(self) -> None:
        """Delete every worklog this run made, those whose answer was lost included."""
        for worklog_id in list(self.made):
            self.delete(worklog_id)
        if not self.sent:
            return
        try:
            me = self.client.myself().account_id
            worklogs = self.client.worklogs_of(self.issue)
        except JiraError as exc:
            log.warning("check-jira could not look for its unconfirmed worklogs: %s", exc)
            return
        for record in list(self.sent):
            self.sent.remove(record)
            for worklog in worklogs:
                if worklog.author_id == me and fits(worklog, record):
                    self.made.append(worklog.id)
                    self.delete(worklog.id)

    def unconfirmed(self) -> tuple[str, ...]:
        """What each write whose outcome is still unknown may have left, for the user to find."""
        return tuple(
            f"started {r.started.isoformat()}, {r.seconds} s, comment {r.comment!r}"
            for r in self.sent
        )

    def run(self, profile_zone: str) -> None:
        zone = zone_or_none(profile_zone) or ZoneInfo(FALLBACK_ZONE)
        zone_name = zone.key
        note = unknown_zone_note(profile_zone, f"the test worklogs are written in {zone_name}")
        if note:
            log.warning("check-jira: %s", note)
            self.note("profile-zone", Outcome.FACT, note)
        day = (self.now.astimezone(zone) - timedelta(days=1)).date()
        started = datetime(day.year, day.month, day.day, 3, 0, tzinfo=zone)
        before = self.client.issue(self.issue).updated

        # 1. Inline properties on create: kept, dropped or refused.
        try:
            first = self.create(started, zone_name, 120, tag=True)
            inline = "accepted"
        except JiraRefusedError as exc:
            if exc.status != 400:
                raise
            first = self.create(started, zone_name, 120, tag=False)
            inline = "refused"
            detail = str(exc)
        first_id = str(first["id"])
        stored = self.client.get_worklog_property(self.issue, first_id, PROPERTY_KEY)
        if inline == "accepted":
            inline = "kept" if stored == {"probe": self.run_id} else "dropped"
            detail = "" if inline == "kept" else "the create answered 201 but no property exists"
        self.note(
            "inline-properties",
            Outcome.FACT,
            f"Entity properties inside a new worklog are {inline}.",
            detail,
        )
        echoed = any(p.get("key") == PROPERTY_KEY for p in first.get("properties") or [])
        self.note(
            "properties-in-replies",
            Outcome.FACT,
            "Worklog replies "
            + ("include" if echoed else "do not include")
            + " properties (expand=properties).",
        )

        # 2. The property resource, which we use where inline properties do not work.
        try:
            before_tag = self.get_worklog(first_id).get("updated")
            self.client.set_worklog_property(
                self.issue, first_id, PROPERTY_KEY, {"probe": self.run_id}
            )
            after_tag = self.get_worklog(first_id).get("updated")
            self.note(
                "property-moves-updated",
                Outcome.FACT,
                "Setting a worklog property "
                + ("moves" if after_tag != before_tag else "does not move")
                + " the worklog's `updated`.",
                "Sync notices either way (one read per account).",
            )
            read = self.client.get_worklog_property(self.issue, first_id, PROPERTY_KEY)
            self.check(
                "property-resource",
                read == {"probe": self.run_id},
                "PUT/GET .../worklog/{id}/properties/{key} stores and returns our tag.",
            )
        except JiraRefusedError as exc:
            if exc.status == 404 and self.client.deployment != "cloud":
                # Data Center's REST definitions list no worklog property resource: the sync
                # sends no tag there, so its absence is what we expect, not a difference.
                self.note(
                    "property-resource",
                    Outcome.FACT,
                    "This Data Center has no worklog property resource (404).",
                    "Sync tags nothing here; a lost answer is recognised by its fingerprint.",
                )
            else:
                self.check(
                    "property-resource", False, "The worklog property resource works.", str(exc)
                )

        # 3. Formats: `started` kept to the second, seconds kept exactly, the zone of answers.
        back = self.get_worklog(first_id)
        back_started = parse_jira_time(str(back.get("started")))
        self.check(
            "started-kept",
            back_started == started,
            "`started` comes back as the same instant, to the second.",
            f"sent {started.isoformat()}, got {back.get('started')}",
        )
        self.check(
            "seconds-kept",
            back.get("timeSpentSeconds") == 120,
            "timeSpentSeconds comes back exactly as sent (120).",
            f"got {back.get('timeSpentSeconds')}",
        )
        offset = str(back.get("started", ""))[-5:]
        profile = started.strftime("%z")
        self.note(
            "answer-zone",
            Outcome.FACT,
            f"Times come back with offset {offset} "
            + ("(your Jira profile's zone)." if offset == profile else f"(profile: {profile})."),
            "Compared as instants, never as text.",
        )

        # 4. Paging: a second worklog, then pages of one.
        self.create(started + timedelta(minutes=5), zone_name, 60, tag=False)
        plain = self.client.request("GET", self.path())
        default = plain.get("maxResults") if isinstance(plain, dict) else None
        self.note(
            "worklog-page-size",
            Outcome.FACT,
            f"An issue's worklog list answers {default} per page unless asked.",
            "We always page with startAt/maxResults until total.",
        )
        pages = [
            self.client.request("GET", self.path(), params={"startAt": n, "maxResults": 1})
            for n in (0, 1)
        ]
        ids = [str(w.get("id")) for p in pages for w in (p.get("worklogs") or [])]
        total = pages[0].get("total") if isinstance(pages[0], dict) else None
        self.check(
            "worklog-paging",
            len(ids) == 2 and ids[0] != ids[1] and isinstance(total, int) and total >= 2,
            "startAt/maxResults page an issue's worklogs, with a total.",
            f"pages gave {ids}, total {total}",
        )

        # 5. Logging work moves the issue's `updated` (the Data Center reconcile relies on it).
        after = self.client.issue(self.issue).updated
        self.check(
            "issue-updated-moves",
            None if before is None or after is None else after > before,
            "Logging work moves the issue's `updated`.",
            f"before {before}, after {after}",
        )

        # 6. An edit moves the worklog's `updated`; `null` leaves a comment; empty clears it.
        edited = self.client.request(
            "PUT",
            self.path(f"/{first_id}"),
            params={"adjustEstimate": "leave", "notifyUsers": "false"},
            body=self.client.payload(WorklogWrite(started, zone_name, 180, "edited", {})),
        )
        self.check(
            "edit-moves-updated",
            parse_jira_time(str(edited.get("updated"))) > parse_jira_time(str(first["updated"])),
            "Editing a worklog moves its `updated`.",
        )
        self.client.request(
            "PUT",
            self.path(f"/{first_id}"),
            params={"adjustEstimate": "leave", "notifyUsers": "false"},
            body={"timeSpentSeconds": 180, "comment": None},
        )
        self.check(
            "null-comment-kept",
            self.comment_of(self.get_worklog(first_id)) == "edited",
            "A `null` comment leaves the comment as it was (so we clear with an empty one).",
        )
        self.client.update_worklog(
            self.issue, first_id, WorklogWrite(started, zone_name, 180, "", {})
        )
        self.check(
            "empty-comment-clears",
            self.comment_of(self.get_worklog(first_id)) == "",
            'An empty comment (empty ADF on Cloud, "" on Data Center) clears it.',
        )

        # 7. JQL finds our worklogs (search index), as import and team weeks need.
        found = self.client.search(
            f'issue = "{self.issue}" AND worklogAuthor = currentUser()', limit=1
        )
        self.check(
            "jql-worklog-author",
            True if found else None,
            "JQL worklogAuthor = currentUser() finds the issue we logged on.",
            "" if found else "not found yet: the search index may lag; run again later",
        )

        # 8. The feeds (Cloud): our edit in /worklog/updated, its time equal to `updated`.
        if self.client.deployment == "cloud":
            self.check_feed(first_id, self.get_worklog(first_id))

        # 9. Clean up.
        for worklog_id in list(self.made):
            self.client.delete_worklog(self.issue, worklog_id)
            self.made.remove(worklog_id)

    def check_feed(self, worklog_id: str, latest: dict[str, Any]) -> None:
        since = to_epoch_ms(self.now - timedelta(minutes=10))
        seen: dict[str, int] = {}
        with contextlib.suppress(JiraError):
            for _ in range(20):  # a busy site: at most 20 pages of changes in ten minutes
                values, until, last = self.client.worklog_feed("updated", since)
                seen.update(values)
                if last:
                    break
                since = until
        if worklog_id not in seen:
            self.check(
                "feed-updated",
                None,
                "/worklog/updated lists our edit.",
                "not listed yet: the feed leaves out the last minute or so; run again later",
            )
            return
        updated_ms = to_epoch_ms(parse_jira_time(str(latest.get("updated"))))
        self.check(
            "feed-time-is-updated",
            abs(seen[worklog_id] - updated_ms) <= 1,
            "The feed's updatedTime equals the worklog's `updated` (reconcile reads no more).",
            f"feed {seen[worklog_id]}, worklog {updated_ms}",
        )


def probe_site(
    client: JiraClient, issue_key: str, *, now: datetime, zone: str, site: str
) -> ProbeReport:
    """Run every step; whatever fails, delete the worklogs made before returning.

    A failure from Jira ends the run early: the report carries it, with what is left behind.
    """
    probe = _Probe(client, issue_key, now)
    info = client.server_info()
    error = ""
    try:
        with probe.watching_headers():
            probe.run(zone)
    except JiraOutcomeUnknownError as exc:
        log.warning("check-jira: the answer to a write was lost: %s", exc)
        error = (
            "Jira's answer to a test worklog write was lost or unreadable, so check-jira "
            "stopped and looked for what the write may have left."
        )
    except JiraError as exc:
        error = str(exc)
    finally:
        probe.clean_up()
    probe.note(
        "rate-limit-headers",
        Outcome.FACT,
        "Rate-limit headers seen: "
        + (", ".join(sorted(probe.headers)) if probe.headers else "none on these requests")
        + ".",
    )
    return ProbeReport(
        site=site,
        deployment=str(info.get("deploymentType", client.deployment)),
        version=str(info.get("version", "")),
        issue=issue_key,
        findings=tuple(probe.findings),
        left_behind=tuple(probe.made),
        unconfirmed=probe.unconfirmed(),
        error=error,
    )
