"""Approval under the real scheduler: changes approved, rejected and left to expire over Airflow's REST API, two
runs of one customer started together, and an offboarding end to end.

``airflow standalone`` runs in a throw-away AIRFLOW_HOME (one session for every case, as it takes a minute to
start); the simulator runs as its own process. ``dag.test()`` cannot answer a human-in-the-loop task: only the
scheduler resumes it, from the answer a person gives in the UI or over REST (``PATCH .../hitlDetails``).
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests
from helpers.scheduler_env import scheduler_test_env
from lifecycle_helpers import CHANGE_DAG, OFFBOARDING_DAG, base_order, email, onboard_directly, person, with_suite
from local_stack import SIM_TOKEN, free_port, simulator, standalone

from webex_wholesale.state import migrate, snapshots
from webex_wholesale.state.engine import create_state_engine
from webex_wholesale.state.locks import holder
from webex_wholesale.state.schema import run_table

pytestmark = [pytest.mark.airflow_run, pytest.mark.scheduler]

DEADLINE_S = 600  # a bound for a stuck run, not a speed budget
ENDED = ("success", "failed")
#: How long a person-like client waits after a task starts waiting before answering
#: (see ``Airflow.wait_until_awaiting_input``).
PAUSED_PROCESS_EXIT_S = 5


def wait_for(condition, what: str, timeout: float = DEADLINE_S) -> Any:
    """Poll ``condition`` until it holds; a slow answer of a busy api-server (SQLite locked) is asked again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = condition()
        except requests.RequestException:
            result = None
        if result:
            return result
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


class Airflow:
    """The REST calls a person (or a script) makes: start a run, see a task's state, answer an approval."""

    def __init__(self, local: Any) -> None:
        self.local = local

    @staticmethod
    def path(dag_id: str, run_id: str = "", tail: str = "") -> str:
        """A DAG's runs, or one run (and ``tail`` under it), relative to ``/api/v2``."""
        base = f"dags/{dag_id}/dagRuns"
        return f"{base}/{run_id}{tail}" if run_id else base

    def url(self, dag_id: str, run_id: str = "", tail: str = "") -> str:
        return f"{self.local.base_url}/api/v2/{self.path(dag_id, run_id, tail)}"

    def trigger(self, dag_id: str, run_id: str, conf: dict[str, Any]) -> None:
        body = {"dag_run_id": run_id, "logical_date": None, "conf": conf}
        # 404 until the DAG processor has parsed the DAG folder for the first time.
        wait_for(lambda: self.local.rest.post(self.url(dag_id), json=body, timeout=60).status_code == 200, run_id)

    def task_state(self, dag_id: str, run_id: str, task_id: str) -> str | None:
        answer = self.local.rest.get(self.url(dag_id, run_id, f"/taskInstances/{task_id}"), timeout=60)
        return answer.json().get("state") if answer.status_code == 200 else None

    def run_state(self, dag_id: str, run_id: str) -> str:
        return self.local.rest.get(self.url(dag_id, run_id), timeout=60).json()["state"]

    def wait_until_awaiting_input(self, dag_id: str, run_id: str, task_id: str) -> None:
        """Wait until the task waits for an answer. Answer it only :data:`PAUSED_PROCESS_EXIT_S` later.

        Airflow 3.3 resumes an answered task in a new worker process at once; an answer that arrives while the
        paused process is still exiting (within about a second: no person is that fast) makes the executor
        report that process's exit as the resumed task's end, and the task is failed and retried.
        """
        wait_for(lambda: self.task_state(dag_id, run_id, task_id) == "awaiting_input", f"{run_id} to wait for approval")

    def answer(self, dag_id: str, run_id: str, task_id: str, option: str) -> None:
        tail = f"/taskInstances/{task_id}/-1/hitlDetails"
        self.local.write("PATCH", self.path(dag_id, run_id, tail), {"chosen_options": [option]})

    def pending_approvals(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        details = self.local.rest.get(self.url(dag_id, run_id, "/hitlDetails"), timeout=60).json()["hitl_details"]
        return [d for d in details if not d["response_received"]]

    def report(self, dag_id: str, run_id: str, task_id: str) -> dict[str, Any]:
        tail = f"/taskInstances/{task_id}/xcomEntries/return_value"
        value = self.local.rest.get(self.url(dag_id, run_id, tail), timeout=60).json()["value"]
        return value if isinstance(value, dict) else json.loads(value)


def removal_and_move(external_id: str) -> dict[str, Any]:
    """The change the README shows: the mechanic moves to webex_suite, the seasonal worker is removed."""
    desired = with_suite(base_order(external_id))
    desired["subscribers"] = [
        person("owner", external_id),
        person("mechanic", external_id, "webex_suite", extension="4102"),
    ]
    return {**desired, "removeUnlisted": True}


def test_approve_reject_expire_lock_and_offboard_over_rest(tmp_path, monkeypatch):
    state_url = f"sqlite:///{tmp_path / 'wholesale.db'}"
    engine = create_state_engine(state_url)
    migrate.upgrade(engine)
    customers = ["fjord-approve", "fjord-reject", "fjord-expire", "fjord-locked", "fjord-offboard", "fjord-always"]

    with simulator(free_port(), "--provision-delay", "1", log_path=tmp_path / "sim.log") as sim_url:
        monkeypatch.setenv(
            "AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT",
            json.dumps({"conn_type": "webex_wholesale", "host": f"{sim_url}/v1", "password": SIM_TOKEN}),
        )
        for external_id in customers:
            onboard_directly(base_order(external_id))
        env = scheduler_test_env(tmp_path, sim_url, state_url)
        with standalone(env, tmp_path / "standalone.log") as local:
            airflow = Airflow(local)
            assert local.post("pools", {"name": "webex_wholesale_api", "slots": 4}).status_code == 201
            for external_id in ("fjord-approve", "fjord-reject"):
                airflow.trigger(CHANGE_DAG, external_id, removal_and_move(external_id))
            offboarding = {"externalId": "fjord-offboard", "confirmExternalId": "fjord-offboard"}
            airflow.trigger(OFFBOARDING_DAG, "fjord-offboard", offboarding)
            # Two runs of one customer started together: one takes the lock, the other is refused naming it.
            for n in (1, 2):
                airflow.trigger(CHANGE_DAG, f"fjord-locked-{n}", removal_and_move("fjord-locked"))

            def refused_run() -> int | None:
                states = {n: airflow.task_state(CHANGE_DAG, f"fjord-locked-{n}", "plan_change") for n in (1, 2)}
                return next((n for n, state in states.items() if state == "failed"), None)

            refused = wait_for(refused_run, "one of the two runs of one customer to be refused")
            holding = 3 - refused
            # These plans remove something, so they wait although no Variable says every change waits.
            waiting = [(CHANGE_DAG, r, "approve_plan") for r in ("fjord-approve", "fjord-reject")]
            waiting += [(CHANGE_DAG, f"fjord-locked-{holding}", "approve_plan")]
            waiting += [(OFFBOARDING_DAG, "fjord-offboard", "approve_offboarding")]
            for dag_id, run_id, task_id in waiting:
                airflow.wait_until_awaiting_input(dag_id, run_id, task_id)
            assert holder(engine, "fjord-locked")["dag_run_id"] == f"fjord-locked-{holding}"
            [pending] = airflow.pending_approvals(CHANGE_DAG, "fjord-approve")
            assert "remove `seasonal@" in pending["body"]
            assert "move `mechanic@" in pending["body"]

            # A change that only adds waits too once the Variable says every change waits.
            local.post("variables", {"key": "webex_wholesale_change_approval_always", "value": "true"})
            only_adds = base_order("fjord-always")
            only_adds["subscribers"].append(person("courier", "fjord-always"))
            airflow.trigger(CHANGE_DAG, "fjord-always", only_adds)
            airflow.wait_until_awaiting_input(CHANGE_DAG, "fjord-always", "approve_plan")

            # Every wait so far read the default timeout; the next run reads this one and expires.
            local.post("variables", {"key": "webex_wholesale_approval_timeout_seconds", "value": "3"})
            airflow.trigger(CHANGE_DAG, "fjord-expire", removal_and_move("fjord-expire"))

            time.sleep(PAUSED_PROCESS_EXIT_S)  # see ``wait_until_awaiting_input``: once for every run waiting
            answers = {"fjord-approve": "Approve", "fjord-reject": "Reject", f"fjord-locked-{holding}": "Reject"}
            answers["fjord-always"] = "Approve"
            for run_id, option in answers.items():
                airflow.answer(CHANGE_DAG, run_id, "approve_plan", option)
            airflow.answer(OFFBOARDING_DAG, "fjord-offboard", "approve_offboarding", "Approve")

            runs = [(CHANGE_DAG, r) for r in ("fjord-approve", "fjord-reject", "fjord-expire", "fjord-always")]
            runs += [(CHANGE_DAG, f"fjord-locked-{n}") for n in (1, 2)] + [(OFFBOARDING_DAG, "fjord-offboard")]
            wait_for(lambda: all(airflow.run_state(d, r) in ENDED for d, r in runs), "every run to end")
            states = {r: airflow.run_state(d, r) for d, r in runs}
            reports = {
                r: airflow.report(d, r, "change_report" if d == CHANGE_DAG else "offboarding_report") for d, r in runs
            }
            sim = local.rest.get(f"{sim_url}/_sim/state", timeout=60).json()

    with engine.connect() as conn:
        recorded = {row.dag_run_id: row.state for row in conn.execute(run_table.select())}
    held = {s["email"]: (s["externalCustomerId"], s["packages"][0]) for s in sim["subscribers"]}
    customers_left = {c["externalId"]: c["packages"] for c in sim["customers"]}

    seasonal, mechanic = email("seasonal", "fjord-approve"), email("mechanic", "fjord-approve")
    # Approved: the move and the removal are applied, and recorded with before and after.
    assert states["fjord-approve"] == "success"
    assert reports["fjord-approve"]["outcome"] == recorded["fjord-approve"] == "succeeded"
    assert reports["fjord-approve"]["approval"]["decision"] == "approved"
    assert reports["fjord-approve"]["approval"]["by"] == "admin"
    assert customers_left["fjord-approve"] == ["webex_meetings", "webex_suite"]
    changed = [(c["action"], c["subject"], c["before"], c["after"]) for c in reports["fjord-approve"]["changes"]]
    assert ("add_customer_packages", "fjord-approve", ["webex_meetings"], ["webex_meetings", "webex_suite"]) in changed
    assert ("remove_subscriber", seasonal, "webex_meetings", None) in changed
    assert ("move_subscriber", mechanic, "webex_meetings", "webex_suite") in changed
    assert seasonal not in held
    assert held[mechanic] == ("fjord-approve", "webex_suite")
    # Once approved, the plan's idle step (it removes no customer package) is skipped, not started.
    steps = {s["taskId"]: s["state"] for s in reports["fjord-approve"]["steps"]}
    assert (steps["add_customer_packages"], steps["remove_customer_packages"]) == ("success", "skipped")

    # Rejected and expired: nothing applied, the outcome is rejected, and the DAG run itself succeeded.
    for run_id, decision in (("fjord-reject", "rejected"), ("fjord-expire", "expired")):
        assert states[run_id] == "success", run_id
        assert reports[run_id]["outcome"] == recorded[run_id] == "rejected"
        assert reports[run_id]["approval"]["decision"] == decision
        assert customers_left[run_id] == ["webex_meetings"]
        assert reports[run_id]["changes"] == []

    # The lock: the refused run names the run holding it; the lock is released when both have ended.
    assert states[f"fjord-locked-{refused}"] == "failed"
    assert f"fjord-locked-{holding}" in reports[f"fjord-locked-{refused}"]["problem"]
    assert reports[f"fjord-locked-{holding}"]["outcome"] == "rejected"
    assert holder(engine, "fjord-locked") is None

    # Every change waits when the Variable says so, also one that only adds.
    assert (states["fjord-always"], reports["fjord-always"]["approval"]["decision"]) == ("success", "approved")
    assert held[email("courier", "fjord-always")] == ("fjord-always", "webex_meetings")

    # Offboarded: the customer is gone, a snapshot holds it and its subscribers.
    assert states["fjord-offboard"] == "success"
    assert reports["fjord-offboard"]["outcome"] == recorded["fjord-offboard"] == "offboarded"
    assert "fjord-offboard" not in customers_left
    assert not [email for email, (customer, _) in held.items() if customer == "fjord-offboard"]
    snapshot = snapshots.latest_snapshot(engine, "fjord-offboard")
    assert snapshot["customer_json"]["externalId"] == "fjord-offboard"
    assert sorted(s["email"] for s in snapshot["subscribers_json"]) == sorted(
        email(name, "fjord-offboard") for name in ("owner", "mechanic", "seasonal")
    )
