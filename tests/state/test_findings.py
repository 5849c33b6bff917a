"""Findings kept across checks: one row per problem for as long as it lasts, told once when new and once resolved."""

from __future__ import annotations

from datetime import timedelta

from webex_wholesale.models.health import Finding, FindingKind
from webex_wholesale.state.findings import (
    FindingChanges,
    finish_check,
    last_check,
    mark_notified,
    open_findings,
    pending_notifications,
    record_findings,
    start_check,
)
from webex_wholesale.state.schema import utcnow

T0 = utcnow().replace(microsecond=0)
HOUR = timedelta(hours=1)


def finding(external_id: str = "acme", kind: FindingKind = FindingKind.DRIFT, summary: str = "1 missing") -> Finding:
    return Finding(external_id=external_id, kind=kind, summary=summary, customer_id="C1", order_id=None)


def test_a_finding_seen_again_is_one_finding_with_its_first_and_last_sighting(engine):
    assert record_findings(engine, [finding()], T0) == FindingChanges(opened=1, persisting=0, resolved=0)
    assert record_findings(engine, [finding(summary="2 missing")], T0 + HOUR) == FindingChanges(0, 1, 0)

    (row,) = open_findings(engine)
    assert (row["first_seen"], row["last_seen"], row["resolved_at"]) == (T0, T0 + HOUR, None)
    assert row["summary"] == "2 missing"  # the figures move, the finding stays


def test_a_finding_no_longer_seen_is_resolved_and_one_seen_later_is_a_new_finding(engine):
    record_findings(engine, [finding(), finding("globex", FindingKind.PENDING_RPL_REVIEW)], T0)

    assert record_findings(engine, [finding("globex", FindingKind.PENDING_RPL_REVIEW)], T0 + HOUR).resolved == 1
    assert [(r["external_id"], r["kind"]) for r in open_findings(engine)] == [("globex", "pending_rpl_review")]
    assert record_findings(engine, [finding()], T0 + 2 * HOUR) == FindingChanges(opened=1, persisting=0, resolved=1)


def test_kind_and_subject_tell_findings_of_one_customer_apart(engine):
    stuck = [
        Finding(external_id="acme", kind=FindingKind.STUCK_RUN, subject=run, summary="stuck") for run in ("r1", "r2")
    ]

    assert record_findings(engine, [finding(), *stuck], T0).opened == 3
    assert record_findings(engine, [finding(), stuck[0]], T0 + HOUR) == FindingChanges(0, 2, 1)


def test_each_opening_and_each_resolution_is_pending_to_be_told_once(engine):
    record_findings(engine, [finding()], T0)
    (new,), resolved = pending_notifications(engine)
    assert resolved == []
    mark_notified(engine, new["id"], resolution=False)
    assert pending_notifications(engine) == ([], [])

    record_findings(engine, [finding()], T0 + HOUR)  # persisting: nothing new to tell
    assert pending_notifications(engine) == ([], [])

    record_findings(engine, [], T0 + 2 * HOUR)
    new_after, (closed,) = pending_notifications(engine)
    assert new_after == []
    assert closed["resolved_at"] == T0 + 2 * HOUR
    mark_notified(engine, closed["id"], resolution=True)
    assert pending_notifications(engine) == ([], [])


def test_a_finding_resolved_before_anyone_was_told_it_began_is_told_once_as_new_only(engine):
    record_findings(engine, [finding()], T0)
    record_findings(engine, [], T0 + HOUR)

    (new,), resolved = pending_notifications(engine)
    assert resolved == []
    mark_notified(engine, new["id"], resolution=False)
    assert pending_notifications(engine) == ([], [])


def test_a_check_records_what_it_read_and_the_findings_open_after_it(engine):
    assert last_check(engine) is None
    check_id = start_check(engine, "scheduled__1")
    record_findings(engine, [finding(), finding("globex")], T0)
    finish_check(engine, check_id, customers=5, requests=10)

    check = last_check(engine)
    assert (check["dag_run_id"], check["customers_checked"], check["requests"], check["findings_open"]) == (
        "scheduled__1",
        5,
        10,
        2,
    )
