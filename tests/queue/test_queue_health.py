"""``wholesale-queue health``: the open findings with their age, as a table and as JSON."""

from __future__ import annotations

import json
from datetime import timedelta

from webex_wholesale.models.health import Finding, FindingKind
from webex_wholesale.queue.cli import main
from webex_wholesale.state.findings import finish_check, record_findings, start_check
from webex_wholesale.state.schema import utcnow


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    return status, capsys.readouterr().out


def test_before_any_check_it_says_so(state_db, capsys):
    status, out = run_cli(capsys, "health")

    assert status == 0
    assert out.splitlines()[-2:] == [  # Airflow may log its configuration's loading first
        "no health check has finished yet (the webex_wholesale_health DAG runs hourly)",
        "(no open findings)",
    ]


def test_findings_are_listed_with_their_age_and_as_json(state_db, capsys):
    opened = utcnow() - timedelta(hours=26, minutes=5)
    drift = Finding(
        external_id="acme-1",
        kind=FindingKind.DRIFT,
        summary="1 ordered subscriber(s) missing",
        customer_id="C1",
        order_id=4,
        details={"missing": ["a@acme.example"]},
    )
    held = Finding(external_id="globex-2", kind=FindingKind.PENDING_RPL_REVIEW, summary="Webex says pending_rpl_review")
    record_findings(state_db, [drift, held], opened)
    check = start_check(state_db, "scheduled__1")
    record_findings(state_db, [drift, held], utcnow())
    finish_check(state_db, check, customers=2, requests=4)

    status, out = run_cli(capsys, "health")

    assert status == 0
    lines = out.splitlines()[-4:]
    assert lines[0].endswith("2 customers, 4 requests, 2 findings open")
    assert lines[2].split() == ["acme-1", "drift", "1", "d", "2", "h", "1", "ordered", "subscriber(s)", "missing"]
    assert lines[3].startswith("globex-2")

    status, out = run_cli(capsys, "health", "--json")
    data = json.loads(out)
    assert data["lastCheck"]["customers"] == 2
    first = data["findings"][0]
    assert (first["externalId"], first["kind"], first["orderId"]) == ("acme-1", "drift", 4)
    assert first["details"] == {"missing": ["a@acme.example"]}
    assert 26 * 3600 <= first["ageSeconds"] < 27 * 3600
