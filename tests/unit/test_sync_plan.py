"""The pure sync planning: recovery of lost creates and the steps that make Jira match."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from clockwork_desktop.core.models import Account, JiraUser, RemoteWorklog
from clockwork_desktop.core.sync_plan import (
    PROPERTY_KEY,
    WantedWorklog,
    check_day,
    foreign_change,
    plan_steps,
    recover_create,
    remote_changes,
)
from clockwork_desktop.core.worklog_state import DayWorklog, SentWrite

T0 = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
SENT = SentWrite(T0, 3600, "standup", 1)
UPDATED = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)


def worklog(
    wid: str,
    *,
    author: str = "me",
    started: datetime = T0,
    seconds: int = 3600,
    comment: str = "standup",
    tag: dict | None = None,
    updated: datetime = UPDATED,
) -> RemoteWorklog:
    props: dict[str, object] = {PROPERTY_KEY: tag} if tag is not None else {}
    return RemoteWorklog(wid, "1", started, seconds, comment, author, updated, props)


def recover(worklogs: list[RemoteWorklog], linked: set[str] | None = None):  # type: ignore[no-untyped-def]
    return recover_create(
        worklogs, me="me", entry_uuid="u1", day="2026-03-05", sent=SENT, linked=linked or set()
    )


def test_one_fingerprint_match_is_adopted() -> None:
    found = recover([worklog("1", author="bob"), worklog("2"), worklog("3", seconds=60)])
    assert (found.action, found.worklog and found.worklog.id) == ("adopt", "2")


def test_our_tag_wins_over_fingerprints_and_extra_tagged_copies_are_duplicates() -> None:
    ours = {"uuid": "u1", "day": "2026-03-05"}
    found = recover([worklog("1"), worklog("2", tag=ours), worklog("3", tag=ours)])
    assert found.action == "adopt"
    assert found.worklog is not None
    assert found.worklog.id == "2"
    assert [w.id for w in found.duplicates] == ["3"]


def test_linked_or_tagged_for_another_entry_is_never_a_candidate() -> None:
    other = {"uuid": "u2", "day": "2026-03-05"}
    found = recover([worklog("1", tag=other), worklog("2")], linked={"2"})
    assert found.action == "post"


def test_several_candidates_ask_the_user() -> None:
    found = recover([worklog("1"), worklog("2")])
    assert found.action == "ask"
    assert [w.id for w in found.candidates] == ["1", "2"]


def test_a_legacy_record_without_seconds_or_comment_matches_on_start_alone() -> None:
    legacy = SentWrite(T0, None, None)
    found = recover_create(
        [worklog("9", seconds=120, comment="x")],
        me="me",
        entry_uuid="u1",
        day="2026-03-05",
        sent=legacy,
        linked=set(),
    )
    assert found.action == "adopt"


worklogs_strategy = st.lists(
    st.builds(
        worklog,
        st.text("0123456789", min_size=1, max_size=3),
        author=st.sampled_from(["me", "bob"]),
        started=st.sampled_from([T0, T0 + timedelta(seconds=1), T0 + timedelta(minutes=1)]),
        seconds=st.sampled_from([3600, 3660]),
        comment=st.sampled_from(["standup", "other"]),
        tag=st.none()
        | st.fixed_dictionaries(
            {"uuid": st.sampled_from(["u1", "u2"]), "day": st.just("2026-03-05")}
        ),
    ),
    max_size=6,
    unique_by=lambda w: w.id,
)


@given(worklogs_strategy, st.sets(st.text("0123456789", min_size=1, max_size=3)))
def test_recovery_never_takes_someone_elses_or_a_linked_worklog(
    worklogs: list[RemoteWorklog], linked: set[str]
) -> None:
    found = recover(worklogs, linked)
    touched = [found.worklog] if found.worklog else []
    touched += list(found.duplicates)
    for w in touched:
        assert w.author_id == "me"
        tag = w.properties.get(PROPERTY_KEY)
        if tag is None:
            assert w.id not in linked
            assert (w.started, w.seconds, w.comment) == (T0, 3600, "standup")
        else:
            assert tag == {"uuid": "u1", "day": "2026-03-05"}
    if found.action == "ask":
        assert len(found.candidates) > 1


days_strategy = st.dictionaries(
    st.sampled_from(["2026-03-05", "2026-03-06", "2026-03-07"]),
    st.builds(
        DayWorklog,
        issue=st.sampled_from(["A-1", "B-2"]),
        worklog_id=st.none() | st.sampled_from(["10", "11", "12"]),
        gone=st.booleans(),
    ),
)
wanted_strategy = st.dictionaries(
    st.sampled_from(["2026-03-05", "2026-03-06", "2026-03-07"]),
    st.just(WantedWorklog("x", T0, 3600)),
)


@given(days_strategy, wanted_strategy, st.booleans())
def test_plan_leaves_jira_with_one_worklog_per_wanted_day(
    days: dict[str, DayWorklog], wanted: dict[str, WantedWorklog], changed: bool
) -> None:
    steps = plan_steps(days, wanted, issue_key="A-1", changed=changed)
    # Apply the plan to a model of Jira: day -> issue holding our worklog.
    jira = {d: w.issue for d, w in days.items() if w.worklog_id is not None and not w.gone}
    kinds = [s.action for s in steps]
    assert kinds == sorted(kinds, key=["delete", "create", "check"].index)
    for step in steps:
        if step.action == "delete":
            jira.pop(step.day, None)
        elif step.action == "create":
            assert step.day not in jira, "a second worklog for one day"
            jira[step.day] = step.issue
    unresolved = {d for d, w in days.items() if w.worklog_id is None}
    for day in wanted:
        if day not in unresolved:
            assert jira.get(day) == "A-1"
    for day in jira:
        assert day in wanted


def test_check_flags_a_change_made_in_jira_but_not_our_own_lost_update() -> None:
    want = WantedWorklog("2026-03-05", T0, 1800)
    seen = DayWorklog("A-1", "10", updated=UPDATED)
    moved = worklog("10", updated=UPDATED + timedelta(seconds=5))
    assert check_day(seen, moved, want, "standup").action == "conflict"
    assert check_day(seen._replace(force=True), moved, want, "standup").action == "update"
    landed = worklog("10", seconds=1800, updated=UPDATED + timedelta(seconds=5))
    ours = seen._replace(sent=SentWrite(T0, 1800, "standup", 2))
    assert check_day(ours, landed, want, "standup").action == "keep"
    # The same instant written in another zone is no change.
    same = worklog("10", updated=UPDATED.astimezone(ZoneInfo("Asia/Tokyo")))
    assert check_day(seen, same, WantedWorklog("d", T0, 3600), "standup").action == "keep"


def test_remote_changes_judge_only_what_was_looked_for() -> None:
    days = {
        "2026-03-05": DayWorklog("A-1", "10", updated=UPDATED),
        "2026-03-06": DayWorklog("A-1", "11", updated=UPDATED),
        "2026-03-07": DayWorklog("A-1", "12", updated=UPDATED),
    }
    present = {"11": worklog("11", updated=UPDATED + timedelta(seconds=1))}
    changes = remote_changes(days, present, {"10", "11"})
    assert [(c.day, c.kind) for c in changes] == [
        ("2026-03-05", "deleted"),
        ("2026-03-06", "changed"),
    ]


ALICE_ACCOUNT = Account("work", "https://x.example", "cloud", "basic", None, "me", "Alice", None)
ALICE = JiraUser("me", "Alice", None)
BOB = JiraUser("bob", "Bob", None)


def test_only_the_accounts_own_worklogs_with_its_own_token_may_be_changed() -> None:
    assert foreign_change(ALICE_ACCOUNT, ALICE, worklog("1"), "2026-03-05") is None
    # Another person's token under Alice's account: even her own worklog stays as it is.
    token = foreign_change(ALICE_ACCOUNT, BOB, worklog("1"), "2026-03-05")
    assert token is not None
    assert "belongs to Bob" in token
    assert "--name work" in token
    # A worklog someone else wrote, with the right token: not ours to change either.
    theirs = worklog("1", author="bob")._replace(author_name="Bob")
    found = foreign_change(ALICE_ACCOUNT, ALICE, theirs, "2026-03-05")
    assert found is not None
    assert "is Bob's" in found
    assert "not changed" in found
