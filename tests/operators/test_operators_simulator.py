"""Operators against the simulator over real HTTP on 127.0.0.1 (``op.execute`` with a minimal context)."""

from __future__ import annotations

import pytest
from wholesale_op_helpers import (
    context,
    customer_body,
    meetings_subscribers,
    order_with,
    precheck_body,
    provisioned_customer,
    setup_assist_request,
)

from webex_wholesale.operators.batch_outcomes import join_outcomes


def posts(sim, path: str = "/v1/wholesale/subscribers") -> list[dict]:
    return [r for r in sim.state()["requests"] if r["method"] == "POST" and r["path"] == path]


# ---------------------------------------------------------------------- check template


def test_check_template_passes_for_a_known_template(sim):
    from webex_wholesale.operators import WebexCheckTemplateOperator

    result = WebexCheckTemplateOperator(task_id="check", precheck_body=precheck_body(order_with())).execute(context())

    assert result["info"][0]["infoCode"] == 100
    assert sim.state()["customers"] == []  # a precheck creates nothing


def test_check_template_refuses_an_unknown_template(sim):
    from webex_wholesale.operators import WebexCheckTemplateOperator, WebexTemplateRefusedError

    op = WebexCheckTemplateOperator(
        task_id="check", precheck_body=precheck_body(order_with(provisioningId="no-such-template"))
    )

    with pytest.raises(WebexTemplateRefusedError) as info:
        op.execute(context())

    err = info.value
    assert err.status_code == 400
    assert err.error_codes
    assert err.tracking_id
    assert "no-such-template" in str(err)
    assert err.tracking_id in str(err)


def test_check_template_passes_again_when_the_customer_already_exists(sim):
    from webex_wholesale.operators import WebexCheckTemplateOperator

    order = order_with()
    existing = provisioned_customer(order)

    result = WebexCheckTemplateOperator(task_id="check", precheck_body=precheck_body(order)).execute(context())

    assert result["existingCustomerId"] == existing["id"]
    assert result["info"][0]["infoCode"] == 100


# ---------------------------------------------------------------------- provision customer


def test_provision_customer_twice_adopts_the_first(sim):
    from webex_wholesale.operators import WebexProvisionCustomerOperator

    order = order_with()
    first = WebexProvisionCustomerOperator(task_id="p", customer_body=customer_body(order)).execute(context())
    second = WebexProvisionCustomerOperator(task_id="p", customer_body=customer_body(order)).execute(context())

    assert first["adopted"] is False
    assert second["adopted"] is True
    assert second["customerId"] == first["customerId"]
    assert second["externalId"] == order["externalId"]
    assert len(sim.state()["customers"]) == 1
    assert len(posts(sim, "/v1/wholesale/customers")) == 1


# ---------------------------------------------------------------------- provision subscribers


def test_admin_then_250_subscribers_then_a_rerun_posts_nothing(sim):
    from webex_wholesale.operators import WebexProvisionSubscribersOperator

    customer = provisioned_customer()
    admin = meetings_subscribers(1, domain="admin.example.com")
    others = meetings_subscribers(250, domain="staff.example.com")

    admin_ctx = context()
    WebexProvisionSubscribersOperator(
        task_id="admin", customer_id=customer["id"], subscribers=admin, is_admin_batch=True
    ).execute(admin_ctx)
    ctx = context()
    counts = WebexProvisionSubscribersOperator(
        task_id="subs", customer_id=customer["id"], subscribers=others, max_concurrency=8, batch_label="2-251"
    ).execute(ctx)

    (admin_out,) = join_outcomes(admin, admin_ctx["ti"].xcom["outcomes"])
    assert admin_out["isAdmin"] is True
    assert admin_out["result"] == "provisioned"
    assert sim.state()["admins"] == {customer["id"]: admin[0]["email"]}
    assert counts == {"provisioned": 250}
    assert [o["email"] for o in join_outcomes(others, ctx["ti"].xcom["outcomes"])] == [s["email"] for s in others]
    assert len(posts(sim)) == 251

    rerun_ctx = context()
    WebexProvisionSubscribersOperator(
        task_id="subs", customer_id=customer["id"], subscribers=others, max_concurrency=8
    ).execute(rerun_ctx)

    rerun = join_outcomes(others, rerun_ctx["ti"].xcom["outcomes"])
    assert [o["result"] for o in rerun] == ["already_present"] * 250
    assert len(posts(sim)) == 251  # no new POST
    assert all(o["subscriberId"] for o in rerun)


def listings(sim) -> list[dict]:
    return [r for r in sim.state()["requests"] if r["method"] == "GET" and r["path"] == "/v1/wholesale/subscribers"]


def test_a_customer_this_run_created_is_not_listed_on_the_first_try_and_is_on_a_retry(sim):
    from webex_wholesale.operators import WebexProvisionSubscribersOperator

    customer = provisioned_customer()
    users = meetings_subscribers(120, domain="harbour-clinic.example.org")

    counts = WebexProvisionSubscribersOperator(
        task_id="subs", customer_id=customer["id"], subscribers=users[:80], customer_adopted=False
    ).execute(context())

    assert counts == {"provisioned": 80}
    assert listings(sim) == []  # nothing of a new customer to look up: every request is a POST
    retry = context(try_number=2)
    counts = WebexProvisionSubscribersOperator(
        task_id="subs", customer_id=customer["id"], subscribers=users, customer_adopted=False
    ).execute(retry)
    assert counts == {"already_present": 80, "provisioned": 40}
    assert listings(sim)  # a retry looks up what the first try created...
    assert len(posts(sim)) == 120  # ...and posts only the rest


def test_a_user_that_exists_after_all_is_found_by_its_409_when_nothing_was_listed(sim):
    from webex_wholesale.operators import WebexProvisionSubscribersOperator

    customer = provisioned_customer()
    users = meetings_subscribers(3, domain="quay-dental.example.org")
    WebexProvisionSubscribersOperator(task_id="by_hand", customer_id=customer["id"], subscribers=users[1:2]).execute(
        context()
    )
    ctx = context()

    counts = WebexProvisionSubscribersOperator(
        task_id="subs", customer_id=customer["id"], subscribers=users, customer_adopted=False
    ).execute(ctx)

    assert counts == {"provisioned": 2, "already_present": 1}
    outcome = join_outcomes(users, ctx["ti"].xcom["outcomes"])[1]
    assert outcome["message"] == "409 on POST: already in this customer"


def test_duplicate_email_fails_alone_and_is_reported(sim):
    from webex_wholesale.operators import WebexProvisionSubscribersOperator, WebexSubscribersRefusedError

    first = provisioned_customer()
    second = provisioned_customer()
    taken = meetings_subscribers(1, domain="shared.example.com")
    WebexProvisionSubscribersOperator(task_id="a", customer_id=first["id"], subscribers=taken).execute(context())
    batch = meetings_subscribers(3, domain="second.example.com") + taken
    ctx = context()

    with pytest.raises(WebexSubscribersRefusedError) as info:
        WebexProvisionSubscribersOperator(task_id="b", customer_id=second["id"], subscribers=batch).execute(ctx)

    outcomes = {o["email"]: o for o in join_outcomes(batch, ctx["ti"].xcom["outcomes"])}
    refused = outcomes.pop(taken[0]["email"])
    assert refused["result"] == "failed"
    assert refused["httpStatus"] == 409
    assert refused["errorCodes"] == [10022]
    assert refused["trackingId"]
    assert {o["result"] for o in outcomes.values()} == {"provisioned"}
    assert taken[0]["email"] in str(info.value)


def test_migrating_user_is_pending(sim):
    from webex_wholesale.operators import WebexProvisionSubscribersOperator

    customer = provisioned_customer()
    subs = meetings_subscribers(1, domain="migrate.example.com")

    ctx = context()
    WebexProvisionSubscribersOperator(task_id="s", customer_id=customer["id"], subscribers=subs).execute(ctx)

    (outcome,) = join_outcomes(subs, ctx["ti"].xcom["outcomes"])
    assert outcome["result"] == "pending_user_migration"
    assert outcome["status"] == "pending_user_migration"


# ---------------------------------------------------------------------- setup assistance


def test_setup_assistance_is_delivered_to_the_intake(sim):
    from webex_wholesale.operators import WebexSetupAssistanceOperator

    order = order_with()
    customer = {"id": "cust-9", "orgId": "org-9", "status": "provisioned"}

    op = WebexSetupAssistanceOperator(task_id="sa", request=setup_assist_request(order), customer=customer)
    result = op.execute(context())

    (intake,) = sim.state()["setupAssistRequests"]
    assert result["reference"] == intake["id"]
    assert intake["body"] == result["request"]
    assert intake["body"]["orgId"] == "org-9"
    assert intake["body"]["totalUsers"] == len(order["subscribers"])


def test_setup_assistance_without_its_connection_is_left_to_submit_by_hand(sim, monkeypatch):
    from webex_wholesale.operators import WebexSetupAssistanceOperator

    monkeypatch.delenv("AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT")
    order = order_with()
    customer = {"id": "c", "orgId": "o", "status": "provisioned"}

    result = WebexSetupAssistanceOperator(task_id="sa", request=setup_assist_request(order), customer=customer).execute(
        context()
    )

    assert result["delivery"] == "to submit by hand"
    assert result["reference"] is None
    assert result["request"]["orgId"] == "o"
    assert result["request"]["requestKey"] == f"{order['externalId']}:c"
    assert sim.state()["setupAssistRequests"] == []


def test_setup_assistance_with_an_unusable_connection_fails_clearly(sim, monkeypatch):
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowFailException

    from webex_wholesale.operators import WebexSetupAssistanceOperator, WebexSetupAssistConnectionMissingError

    def unreadable(conn_id):
        raise RuntimeError(f"secrets backend unreachable while reading {conn_id}")

    monkeypatch.setattr(BaseHook, "get_connection", staticmethod(unreadable))
    op = WebexSetupAssistanceOperator(
        task_id="sa", request=setup_assist_request(order_with()), customer={"id": "c", "orgId": "o"}
    )

    with pytest.raises(WebexSetupAssistConnectionMissingError) as info:
        op.execute(context())

    assert isinstance(info.value, AirflowFailException)
    assert "webex_setup_assist_default" in str(info.value)
    assert "secrets backend unreachable" in str(info.value)
    assert "AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT" in str(info.value)
    assert sim.state()["setupAssistRequests"] == []


# ---------------------------------------------------------------------- customer packages


def customer_reads(sim, customer_id: str) -> list[str]:
    """The methods of the requests sent to one customer's own path."""
    return [r["method"] for r in sim.state()["requests"] if r["path"] == f"/v1/wholesale/customers/{customer_id}"]


def package_step(customer: dict, packages: list[str], action: str = "add_customer_packages", **kwargs):
    """The change DAG's customer-package step for ``customer``, giving it ``packages``."""
    from webex_wholesale.operators.change import WebexUpdateCustomerPackagesOperator

    return WebexUpdateCustomerPackagesOperator(
        task_id=action, customer_id=customer["id"], packages=packages, action=action, **kwargs
    )


def test_packages_already_held_by_a_settled_customer_send_nothing_and_wait_for_nothing(sim):
    customer = provisioned_customer()
    reads_before = len(customer_reads(sim, customer["id"]))
    op = package_step(customer, list(reversed(customer["packages"])))

    result = op.execute(ctx := context())

    assert result["status"] == "provisioned"
    assert customer_reads(sim, customer["id"])[reads_before:] == ["GET"]  # the one read that found them held
    assert ctx["ti"].xcom["changes"][0]["message"] == "already held"


def test_packages_already_held_while_an_update_is_under_way_are_waited_for(sim):
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook

    customer = provisioned_customer()
    hook = WebexWholesaleHook()
    try:  # an earlier run's update, still under way when this one starts
        hook.update_customer(customer["id"], {"packages": customer["packages"]})
        assert hook.get_customer(customer["id"]).status.value == "updating"
    finally:
        hook.close()
    reads_before = len(customer_reads(sim, customer["id"]))
    op = package_step(customer, customer["packages"])

    result = op.execute(context())

    assert result["status"] == "provisioned"
    sent = customer_reads(sim, customer["id"])[reads_before:]
    assert "PUT" not in sent
    assert sent.count("GET") >= 2  # the read, then polls until the update ended


def test_a_smaller_package_set_is_sent_and_recorded_with_its_before(sim):
    customer = provisioned_customer()
    kept = customer["packages"][:1]
    op = package_step(customer, kept, "remove_customer_packages")

    result = op.execute(ctx := context())

    assert result["packages"] == kept
    assert "PUT" in customer_reads(sim, customer["id"])
    [change] = ctx["ti"].xcom["changes"]
    assert (change["before"], change["after"]) == (customer["packages"], kept)
