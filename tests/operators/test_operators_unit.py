"""Operator logic with a fake hook: idempotency branches, outcome and exception rules. No HTTP, milliseconds."""

from __future__ import annotations

import logging
import math
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from helpers.clocks import FakeClock
from wholesale_op_helpers import context, customer_body, meetings_subscribers, order_with, precheck_body

CID = "cust-1"


def customer(status: str = "provisioned", **extra: Any):
    from webex_wholesale.models import Customer

    return Customer.model_validate({"id": CID, "externalId": "acme-1", "status": status, **extra})


def subscriber(email: str, status: str = "provisioned", customer_id: str = CID, sid: str | None = None):
    from webex_wholesale.models import Subscriber

    return Subscriber.model_validate(
        {
            "id": sid or f"sub-{email}",
            "email": email,
            "customerId": customer_id,
            "status": status,
            "packages": ["webex_meetings"],
        }
    )


def permanent(status: int, message: str, codes: list[int] | None = None, path: str = "/wholesale/subscribers"):
    from webex_wholesale.exceptions import WebexPermanentError

    return WebexPermanentError(status, message, error_codes=codes, tracking_id="TRK-1", method="POST", path=path)


def ambiguous(path: str = "/wholesale/subscribers"):
    from webex_wholesale.exceptions import WebexAmbiguousWriteError

    return WebexAmbiguousWriteError("POST", path, "ReadTimeout: no answer within 30 s", tracking_id="TRK-A")


class FakeHook:
    """Records calls; behaviours are set per test. Thread-safe enough for the operator's pool (GIL, appends)."""

    log = logging.getLogger("fake-webex-hook")

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.lookups: list[Any] = []  # answers of find_customer_by_external_id, in order
        self.provision_result: Any = "new-cust"
        self.existing: list = []  # list_subscribers(customer_id=...) answer
        self.by_email: dict[str, list] = {}  # list_subscribers(email=...) answers
        self.post_script: dict[str, list] = {}  # email -> [exception or Subscriber, ...]
        self.customers: list = []  # get_customer answers in order (last one repeats)
        self.precheck: Any = None
        self.closed = 0
        #: What the operator asks of the shared API budget: requests in flight, and its figures (none sent).
        self.budget = SimpleNamespace(in_flight=lambda: 4)

    def budget_stats(self) -> None:
        return None

    def _next(self, seq: list) -> Any:
        item = seq.pop(0) if len(seq) > 1 else seq[0]
        if isinstance(item, Exception):
            raise item
        return item

    def find_customer_by_external_id(self, external_id):
        self.calls.append(("find", external_id))
        return self._next(self.lookups) if self.lookups else None

    def provision_customer(self, body):
        self.calls.append(("post_customer", body["externalId"]))
        if isinstance(self.provision_result, Exception):
            raise self.provision_result
        return self.provision_result

    def precheck_customer(self, body):
        self.calls.append(("precheck", body.get("provisioningId")))
        if isinstance(self.precheck, Exception):
            raise self.precheck
        from webex_wholesale.models import PrecheckResult

        return PrecheckResult.model_validate({"message": "success", "info": [{"infoCode": 100}]})

    def get_customer(self, customer_id):
        self.calls.append(("get_customer", customer_id))
        return self._next(self.customers)

    def list_subscribers(self, *, customer_id=None, email=None):
        self.calls.append(("list", customer_id, email))
        if email is None:
            return list(self.existing)
        answers = self.by_email.get(email.lower(), [[]])
        return self._next(answers)

    def provision_subscriber(self, body):
        email = body["email"]
        self.calls.append(("post", email))
        script = self.post_script.get(email)
        if script:
            return self._next(script)
        return subscriber(email)

    def close(self):
        self.closed += 1

    def wait_for_customer(self, customer_id, *, end_time, poll_interval, until_gone=False):
        """The hook's own poll loop, run over this fake's answers."""
        from webex_wholesale.hooks.wholesale import WebexWholesaleHook

        return WebexWholesaleHook.wait_for_customer(
            self, customer_id, end_time=end_time, poll_interval=poll_interval, until_gone=until_gone
        )


@pytest.fixture
def fake() -> FakeHook:
    return FakeHook()


def with_hook(op, hook):
    op.__dict__["hook"] = hook  # replaces the cached_property
    return op


# ---------------------------------------------------------------------- check template


def test_check_template_returns_precheck_result(fake):
    from webex_wholesale.operators import WebexCheckTemplateOperator

    op = with_hook(WebexCheckTemplateOperator(task_id="check", precheck_body=precheck_body(order_with())), fake)

    result = op.execute(context())

    assert result["message"] == "success"
    assert result["info"][0]["infoCode"] == 100
    assert fake.calls == [("precheck", "demo-us-all")]


def test_check_template_refusal_keeps_type_and_webex_details(fake):
    from airflow.sdk.exceptions import AirflowFailException

    from webex_wholesale.exceptions import WebexPermanentError
    from webex_wholesale.operators import WebexCheckTemplateOperator, WebexTemplateRefusedError

    fake.precheck = permanent(400, "Unknown provisioningId", [900002], path="/wholesale/customers/validate")
    op = with_hook(
        WebexCheckTemplateOperator(task_id="check", precheck_body=precheck_body(order_with(provisioningId="nope"))),
        fake,
    )

    with pytest.raises(WebexTemplateRefusedError) as info:
        op.execute(context())

    err = info.value
    assert isinstance(err, WebexPermanentError)
    assert isinstance(err, AirflowFailException)
    assert err.provisioning_id == "nope"
    assert err.error_codes == [900002]
    assert err.tracking_id == "TRK-1"
    text = str(err)
    assert "onboarding template" in text
    assert "'nope'" in text
    assert "Unknown provisioningId" in text
    assert "TRK-1" in text
    assert "900002" in text


def test_template_refused_error_pickles():
    import pickle

    from webex_wholesale.operators import WebexTemplateRefusedError

    err = WebexTemplateRefusedError.from_api_error(permanent(400, "bad", [1]), provisioning_id="p", external_id="e")
    copy = pickle.loads(pickle.dumps(err))  # noqa: S301 (our own bytes)
    assert type(copy) is WebexTemplateRefusedError
    assert str(copy) == str(err)
    assert copy.provisioning_id == "p"


# ---------------------------------------------------------------------- provision customer


def test_provision_customer_adopts_existing(fake):
    from webex_wholesale.operators import WebexProvisionCustomerOperator

    fake.lookups = [customer("provisioned")]
    op = with_hook(WebexProvisionCustomerOperator(task_id="p", customer_body=customer_body(order_with())), fake)

    result = op.execute(context())

    assert result == {"customerId": CID, "externalId": "acme-1", "adopted": True, "status": "provisioned"}
    assert [c[0] for c in fake.calls] == ["find"]


def test_provision_customer_posts_when_absent(fake):
    from webex_wholesale.operators import WebexProvisionCustomerOperator

    order = order_with()
    op = with_hook(WebexProvisionCustomerOperator(task_id="p", customer_body=customer_body(order)), fake)

    result = op.execute(context())

    assert result == {
        "customerId": "new-cust",
        "externalId": order["externalId"],
        "adopted": False,
        "status": "provisioning",
    }
    assert [c[0] for c in fake.calls] == ["find", "post_customer"]


def test_provision_customer_that_waits_returns_its_reference_and_the_provisioned_customer(fake):
    from webex_wholesale.operators import WebexProvisionCustomerOperator

    order = order_with()
    fake.customers = [customer("provisioning", id="new-cust"), customer("provisioned", id="new-cust", orgId="org-9")]
    op = WebexProvisionCustomerOperator(
        task_id="p", customer_body=customer_body(order), wait_for_provisioning=True, worker_wait=3.0
    )
    ctx = context()

    result = with_hook(op, fake).execute(ctx)

    ref = {"customerId": "new-cust", "externalId": order["externalId"], "adopted": False, "status": "provisioning"}
    assert {k: v for k, v in result.items() if k != "customer"} == ref
    assert result["customer"]["orgId"] == "org-9"
    assert ctx["ti"].xcom["customer_ref"] == ref  # pushed before the wait: a failed wait still names the customer
    assert [c[0] for c in fake.calls] == ["find", "post_customer", "get_customer", "get_customer"]


def test_provision_customer_that_defers_resumes_with_its_reference(fake):
    from airflow.sdk.exceptions import TaskDeferred

    from webex_wholesale.operators import WebexProvisionCustomerOperator

    fake.lookups = [customer("provisioning")]
    fake.customers = [customer("provisioning")]
    op = WebexProvisionCustomerOperator(
        task_id="p", customer_body=customer_body(order_with()), wait_for_provisioning=True, worker_wait=0
    )
    with pytest.raises(TaskDeferred) as info:
        with_hook(op, fake).execute(context())

    ref = {"customerId": CID, "externalId": "acme-1", "adopted": True, "status": "provisioning"}
    assert info.value.kwargs == {"ref": ref}
    body = {"id": CID, "orgId": "org-1", "status": "provisioned"}
    assert op.execute_complete(context(), event("provisioned", body), **info.value.kwargs) == {**ref, "customer": body}


def test_ambiguous_customer_post_is_reconciled_by_lookup(fake):
    from webex_wholesale.operators import WebexProvisionCustomerOperator

    fake.lookups = [None, customer("provisioning")]
    fake.provision_result = ambiguous("/wholesale/customers")
    op = with_hook(WebexProvisionCustomerOperator(task_id="p", customer_body=customer_body(order_with())), fake)

    result = op.execute(context())

    assert result["adopted"] is True
    assert result["customerId"] == CID
    assert [c[0] for c in fake.calls] == ["find", "post_customer", "find"]


def test_ambiguous_customer_post_with_nothing_found_fails_retryably(fake):
    from airflow.sdk.exceptions import AirflowFailException

    from webex_wholesale.exceptions import WebexAmbiguousWriteError
    from webex_wholesale.operators import WebexProvisionCustomerOperator

    fake.provision_result = ambiguous("/wholesale/customers")
    op = with_hook(WebexProvisionCustomerOperator(task_id="p", customer_body=customer_body(order_with())), fake)

    with pytest.raises(WebexAmbiguousWriteError) as info:
        op.execute(context())
    assert not isinstance(info.value, AirflowFailException)
    assert [c[0] for c in fake.calls] == ["find", "post_customer", "find"]


def test_customer_409_is_reconciled_by_lookup(fake):
    from webex_wholesale.operators import WebexProvisionCustomerOperator

    fake.lookups = [None, customer("provisioned")]
    fake.provision_result = permanent(409, "externalId already used", [900004], path="/wholesale/customers")
    op = with_hook(WebexProvisionCustomerOperator(task_id="p", customer_body=customer_body(order_with())), fake)

    result = op.execute(context())

    assert result["adopted"] is True


def test_customer_409_with_nothing_found_fails_permanently(fake):
    from webex_wholesale.exceptions import WebexPermanentError
    from webex_wholesale.operators import WebexProvisionCustomerOperator

    fake.provision_result = permanent(409, "conflict", path="/wholesale/customers")
    op = with_hook(WebexProvisionCustomerOperator(task_id="p", customer_body=customer_body(order_with())), fake)

    with pytest.raises(WebexPermanentError, match="409"):
        op.execute(context())


def test_customer_400_is_not_reconciled(fake):
    from webex_wholesale.exceptions import WebexPermanentError
    from webex_wholesale.operators import WebexProvisionCustomerOperator

    fake.provision_result = permanent(400, "bad address", path="/wholesale/customers")
    op = with_hook(WebexProvisionCustomerOperator(task_id="p", customer_body=customer_body(order_with())), fake)

    with pytest.raises(WebexPermanentError, match="bad address"):
        op.execute(context())
    assert [c[0] for c in fake.calls] == ["find", "post_customer"]


def test_the_sub_partner_given_reaches_the_hook():
    from webex_wholesale.operators import WebexProvisionCustomerOperator

    op = WebexProvisionCustomerOperator(
        task_id="p", customer_body=customer_body(order_with()), on_behalf_of_sub_partner_org_id="sub-9"
    )
    assert op.hook.on_behalf_of_sub_partner_org_id == "sub-9"
    assert WebexProvisionCustomerOperator(task_id="p2", customer_body={}).hook.on_behalf_of_sub_partner_org_id is None


def test_operators_default_to_the_hooks_connection():
    from webex_wholesale import DEFAULT_CONN_ID
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook
    from webex_wholesale.operators import WebexProvisionCustomerOperator

    assert WebexWholesaleHook.default_conn_name == DEFAULT_CONN_ID
    assert WebexProvisionCustomerOperator(task_id="p", customer_body={}).webex_wholesale_conn_id == DEFAULT_CONN_ID


# ---------------------------------------------------------------------- wait for customer


def event(status: str, customer_body: dict | None = None, message: str = "m") -> dict:
    return {"status": status, "customer_id": CID, "customer": customer_body, "message": message}


def wait_op(**kwargs):
    from webex_wholesale.operators import WebexWaitForCustomerOperator

    return WebexWaitForCustomerOperator(task_id="wait", customer_id=CID, **kwargs)


def test_wait_provisioned_returns_customer():
    body = {"id": CID, "orgId": "org-1", "status": "provisioned"}

    assert wait_op().execute_complete(context(), event("provisioned", body)) == body


def test_wait_provisioned_with_errors_returns_customer_and_warns_with_codes():
    import structlog

    body = {
        "id": CID,
        "orgId": "org-1",
        "status": "provisioned_with_errors",
        "resourceDetails": {
            "packages": [
                {"name": "webex_meetings", "status": "provisioned"},
                {
                    "name": "webex_calling",
                    "status": "error",
                    "warnings": [{"errorCode": 2560, "description": "Webex Calling under maintenance"}],
                },
            ]
        },
    }
    with structlog.testing.capture_logs() as logs:
        result = wait_op().execute_complete(context(), event("provisioned_with_errors", body))

    assert result == body
    warnings = [entry for entry in logs if entry.get("log_level") == "warning"]
    assert warnings
    text = str(warnings[0])
    assert "2560" in text
    assert "webex_calling" in text


def test_wait_error_raises_provisioning_error_with_codes():
    from airflow.sdk.exceptions import AirflowFailException

    from webex_wholesale.operators import WebexCustomerOnHoldError, WebexCustomerProvisioningError

    body = {"id": CID, "status": "error", "errors": [{"errorCode": 2560, "description": "Calling in maintenance"}]}
    ctx = context()
    with pytest.raises(WebexCustomerProvisioningError) as info:
        wait_op().execute_complete(ctx, event("error", body))

    assert ctx["ti"].xcom["customer"] == body  # the report can still show the status

    err = info.value
    assert isinstance(err, AirflowFailException)
    assert not isinstance(err, WebexCustomerOnHoldError)
    assert err.error_codes == [2560]
    assert err.descriptions == ["Calling in maintenance"]
    assert "2560" in str(err)
    assert "Calling in maintenance" in str(err)


def test_wait_on_hold_raises_on_hold_error_explaining_what_to_do():
    from airflow.sdk.exceptions import AirflowFailException

    from webex_wholesale.operators import WebexCustomerOnHoldError

    with pytest.raises(WebexCustomerOnHoldError) as info:
        wait_op().execute_complete(context(), event("on_hold", {"id": CID, "status": "pending_rpl_review"}))

    text = str(info.value)
    assert isinstance(info.value, AirflowFailException)
    assert "pending_rpl_review" in text
    assert "Denied Party List" in text
    assert "Partner Hub" in text
    assert "safe" in text


def test_wait_timeout_is_retryable():
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    from webex_wholesale.operators import WebexCustomerTimeoutError

    with pytest.raises(WebexCustomerTimeoutError) as info:
        wait_op().execute_complete(context(), event("timeout", {"id": CID, "status": "provisioning"}))

    assert isinstance(info.value, AirflowException)
    assert not isinstance(info.value, AirflowFailException)
    assert info.value.status == "provisioning"


@pytest.mark.parametrize("payload", [event("failure", None, "Polling failed: 404"), None, {"status": "weird"}])
def test_wait_failure_or_unknown_event_raises_polling_error(payload):
    from webex_wholesale.operators import WebexCustomerPollingError

    with pytest.raises(WebexCustomerPollingError):
        wait_op().execute_complete(context(), payload)


def test_wait_exceptions_pickle():
    import pickle

    from webex_wholesale.operators import WebexCustomerOnHoldError, WebexCustomerTimeoutError

    for err in (
        WebexCustomerOnHoldError("held", customer_id="c", error_codes=[1], descriptions=["d"]),
        WebexCustomerTimeoutError("late", customer_id="c", status="provisioning"),
    ):
        copy = pickle.loads(pickle.dumps(err))  # noqa: S301 (our own bytes)
        assert type(copy) is type(err)
        assert str(copy) == str(err)
        assert copy.customer_id == "c"


def test_wait_finishes_at_once_when_already_terminal(fake):
    fake.customers = [customer("provisioned", orgId="org-1")]
    op = with_hook(wait_op(), fake)

    result = op.execute(context())

    assert result["orgId"] == "org-1"
    assert fake.calls == [("get_customer", CID)]


def test_wait_defers_with_an_absolute_deadline(fake):
    from airflow.sdk.exceptions import TaskDeferred

    fake.customers = [customer("provisioning")]
    op = with_hook(
        wait_op(timeout=timedelta(minutes=10), poll_interval=7.0, worker_wait=0, on_behalf_of_sub_partner_org_id="s"),
        fake,
    )

    before = time.time()
    with pytest.raises(TaskDeferred) as info:
        op.execute(context())

    deferred = info.value
    assert deferred.method_name == "execute_complete"
    classpath, kwargs = deferred.trigger.serialize()
    assert classpath == "webex_wholesale.triggers.customer.WebexCustomerStatusTrigger"
    assert kwargs["customer_id"] == CID
    assert kwargs["poll_interval"] == 7.0
    assert kwargs["on_behalf_of_sub_partner_org_id"] == "s"
    assert before + 600 <= kwargs["end_time"] <= time.time() + 600
    assert deferred.timeout >= timedelta(minutes=10)  # Airflow's own timeout is only a safety net


def test_wait_polls_in_the_worker_for_worker_wait_before_deferring(fake, monkeypatch):
    from airflow.sdk.exceptions import TaskDeferred

    from webex_wholesale.hooks import wholesale
    from webex_wholesale.operators import customer as customer_module
    from webex_wholesale.operators.customer import WORKER_POLL_INTERVAL

    clock = FakeClock()  # the operator's and the hook's: polls are counted in its 1.5 s, not in a loaded machine's
    for module in (customer_module, wholesale):
        monkeypatch.setattr(module, "time", SimpleNamespace(time=clock.time, sleep=clock.sleep))
    fake.customers = [customer("provisioning"), customer("provisioned", orgId="o")]
    assert with_hook(wait_op(worker_wait=3.0), fake).execute(context())["orgId"] == "o"  # ready on the 2nd poll
    assert fake.calls == [("get_customer", CID)] * 2

    fake.calls, fake.customers = [], [customer("provisioning")]
    started = clock.time()
    with pytest.raises(TaskDeferred):
        with_hook(wait_op(worker_wait=1.5), fake).execute(context())
    assert clock.time() - started == 1.5
    # at once, every WORKER_POLL_INTERVAL and at 1.5 s; then the triggerer's turn
    assert len(fake.calls) == 1 + math.ceil(1.5 / WORKER_POLL_INTERVAL)


def test_wait_non_deferrable_polls_in_the_worker(fake):
    fake.customers = [customer("provisioning"), customer("provisioning"), customer("provisioned", orgId="o")]
    op = with_hook(wait_op(deferrable=False, poll_interval=0.01), fake)

    result = op.execute(context())

    assert result["orgId"] == "o"
    assert len(fake.calls) == 3


def test_wait_non_deferrable_times_out(fake):
    from webex_wholesale.operators import WebexCustomerTimeoutError

    fake.customers = [customer("provisioning")]
    op = with_hook(wait_op(deferrable=False, poll_interval=0.01, timeout=0.05), fake)

    with pytest.raises(WebexCustomerTimeoutError, match="still provisioning"):
        op.execute(context())


def test_wait_non_deferrable_on_hold(fake):
    from webex_wholesale.operators import WebexCustomerOnHoldError

    fake.customers = [customer("provisioning"), customer("pending_rpl_review")]
    op = with_hook(wait_op(deferrable=False, poll_interval=0.01), fake)

    with pytest.raises(WebexCustomerOnHoldError):
        op.execute(context())


@pytest.mark.parametrize("bad", ["", None, {"customerId": "c"}])
def test_wait_rejects_a_missing_customer_id(fake, bad):
    from webex_wholesale.operators import WebexInvalidInputError, WebexWaitForCustomerOperator

    op = with_hook(WebexWaitForCustomerOperator(task_id="w", customer_id=bad), fake)
    with pytest.raises(WebexInvalidInputError):
        op.execute(context())
    assert fake.calls == []


# ---------------------------------------------------------------------- provision subscribers


def subs_op(subscribers, **kwargs):
    from webex_wholesale.operators import WebexProvisionSubscribersOperator

    return WebexProvisionSubscribersOperator(task_id="subs", customer_id=CID, subscribers=subscribers, **kwargs)


def by_email(outcomes):
    return {o["email"]: o for o in outcomes}


def outcomes_of(ctx, subs):
    """The batch's outcomes as the report reads them: XCom ``outcomes`` joined with the subscribers it sent."""
    from webex_wholesale.operators.batch_outcomes import join_outcomes

    return join_outcomes(subs, ctx["ti"].xcom["outcomes"])


def test_subscribers_already_present_are_skipped(fake):
    subs = meetings_subscribers(3)
    fake.existing = [subscriber(subs[1]["email"].upper(), sid="existing-2")]  # emails compare case-insensitively
    ctx = context()
    op = with_hook(subs_op(subs), fake)

    counts = op.execute(ctx)

    outcomes = outcomes_of(ctx, subs)
    assert [o["result"] for o in outcomes] == ["provisioned", "already_present", "provisioned"]
    assert outcomes[1]["subscriberId"] == "existing-2"
    assert counts == {"provisioned": 2, "already_present": 1}
    assert not any("email" in o for o in ctx["ti"].xcom["outcomes"])  # the input holds them: kept once in XCom
    posted = [c[1] for c in fake.calls if c[0] == "post"]
    assert sorted(posted) == sorted([subs[0]["email"], subs[2]["email"]])
    assert [c for c in fake.calls if c[0] == "list"] == [("list", CID, None)]  # one list call


def test_admin_batch_posts_the_admin_first_and_flags_it(fake):
    subs = meetings_subscribers(5)
    op = with_hook(subs_op(subs, is_admin_batch=True, max_concurrency=4), fake)
    ctx = context()

    op.execute(ctx)

    outcomes = outcomes_of(ctx, subs)
    posted = [c[1] for c in fake.calls if c[0] == "post"]
    assert posted[0] == subs[0]["email"]
    assert [o["isAdmin"] for o in outcomes] == [True, False, False, False, False]


def test_pending_user_migration_is_its_own_result(fake):
    subs = meetings_subscribers(1)
    fake.post_script[subs[0]["email"]] = [subscriber(subs[0]["email"], status="pending_user_migration")]
    ctx = context()
    with_hook(subs_op(subs), fake).execute(ctx)

    outcomes = outcomes_of(ctx, subs)
    assert outcomes[0]["result"] == "pending_user_migration"
    assert outcomes[0]["httpStatus"] == 202


def test_email_taken_elsewhere_is_reported_and_others_succeed(fake):
    from webex_wholesale.operators import WebexSubscribersRefusedError

    subs = meetings_subscribers(4)
    taken = subs[2]["email"]
    fake.post_script[taken] = [permanent(409, "The email is already associated with an existing user.", [10022])]
    fake.by_email[taken] = [[subscriber(taken, customer_id="someone-else")]]
    ctx = context()
    op = with_hook(subs_op(subs), fake)

    with pytest.raises(WebexSubscribersRefusedError) as info:
        op.execute(ctx)

    outcomes = outcomes_of(ctx, subs)
    results = {o["email"]: o["result"] for o in outcomes}
    assert results.pop(taken) == "failed"
    assert set(results.values()) == {"provisioned"}
    failed = by_email(outcomes)[taken]
    assert failed["httpStatus"] == 409
    assert failed["errorCodes"] == [10022]
    assert failed["trackingId"] == "TRK-1"
    assert type(info.value) is WebexSubscribersRefusedError  # every failure permanent: no retry
    assert taken in str(info.value)
    assert "already associated" in str(info.value)
    assert [o["email"] for o in info.value.outcomes] == [taken]


def test_409_for_an_email_in_this_customer_counts_as_already_present(fake):
    subs = meetings_subscribers(2)
    raced = subs[0]["email"]
    fake.post_script[raced] = [permanent(409, "taken", [10022])]
    fake.by_email[raced] = [[subscriber(raced, sid="raced-1")]]

    ctx = context()
    with_hook(subs_op(subs), fake).execute(ctx)
    outcomes = outcomes_of(ctx, subs)

    assert by_email(outcomes)[raced]["result"] == "already_present"
    assert by_email(outcomes)[raced]["subscriberId"] == "raced-1"


def test_ambiguous_post_found_by_lookup_is_not_repeated(fake):
    subs = meetings_subscribers(1)
    email = subs[0]["email"]
    fake.post_script[email] = [ambiguous()]
    fake.by_email[email] = [[subscriber(email, sid="made-it")]]

    ctx = context()
    with_hook(subs_op(subs), fake).execute(ctx)
    outcomes = outcomes_of(ctx, subs)

    assert outcomes[0]["result"] == "provisioned"
    assert outcomes[0]["subscriberId"] == "made-it"
    assert [c for c in fake.calls if c[0] == "post"] == [("post", email)]


def test_ambiguous_post_not_found_is_posted_once_more(fake):
    subs = meetings_subscribers(1)
    email = subs[0]["email"]
    fake.post_script[email] = [ambiguous(), subscriber(email, sid="second-try")]
    fake.by_email[email] = [[]]

    ctx = context()
    with_hook(subs_op(subs), fake).execute(ctx)
    outcomes = outcomes_of(ctx, subs)

    assert outcomes[0]["result"] == "provisioned"
    assert outcomes[0]["attempts"] == 2
    assert [c[0] for c in fake.calls].count("post") == 2


def test_ambiguous_twice_fails_transiently_and_the_task_is_retryable(fake):
    from airflow.sdk.exceptions import AirflowFailException

    from webex_wholesale.operators import WebexSubscribersFailedError

    subs = meetings_subscribers(2)
    email = subs[0]["email"]
    fake.post_script[email] = [ambiguous()]
    fake.by_email[email] = [[]]
    ctx = context()

    with pytest.raises(WebexSubscribersFailedError) as info:
        with_hook(subs_op(subs), fake).execute(ctx)

    assert not isinstance(info.value, AirflowFailException)
    assert "transient" in str(info.value)
    assert [c[0] for c in fake.calls].count("post") == 3  # 2 for the ambiguous one, never more; 1 for the other
    assert by_email(outcomes_of(ctx, subs))[subs[1]["email"]]["result"] == "provisioned"


def test_mixed_permanent_and_transient_failures_are_retryable(fake):
    from airflow.sdk.exceptions import AirflowFailException

    from webex_wholesale.exceptions import WebexTransientError
    from webex_wholesale.operators import WebexSubscribersFailedError

    subs = meetings_subscribers(2)
    fake.post_script[subs[0]["email"]] = [permanent(400, "bad extension")]
    fake.post_script[subs[1]["email"]] = [
        WebexTransientError(503, "busy", method="POST", path="/wholesale/subscribers")
    ]

    with pytest.raises(WebexSubscribersFailedError) as info:
        with_hook(subs_op(subs), fake).execute(context())
    assert not isinstance(info.value, AirflowFailException)


def test_failure_message_is_capped(fake):
    from webex_wholesale.operators import WebexSubscribersRefusedError

    subs = meetings_subscribers(25)
    for s in subs:
        fake.post_script[s["email"]] = [permanent(400, "nope")]
    ctx = context()

    with pytest.raises(WebexSubscribersRefusedError) as info:
        with_hook(subs_op(subs), fake).execute(ctx)

    text = str(info.value)
    assert "25 of 25" in text
    assert "and 5 more" in text
    assert text.count("nope") == 20
    assert len(ctx["ti"].xcom["outcomes"]) == 25


def test_outcomes_are_pushed_even_when_listing_fails(fake):
    from webex_wholesale.exceptions import WebexTransientError

    ctx = context()
    fake.existing = None

    def boom(**_):
        raise WebexTransientError(503, "busy", method="GET", path="/wholesale/subscribers")

    fake.list_subscribers = boom
    with pytest.raises(WebexTransientError):
        with_hook(subs_op(meetings_subscribers(2)), fake).execute(ctx)
    assert ctx["ti"].xcom["outcomes"] == []


def test_invalid_subscriber_input_fails_before_any_call(fake):
    from webex_wholesale.operators import WebexInvalidInputError

    subs = meetings_subscribers(2)
    subs[1]["email"] = "not-an-email"
    with pytest.raises(WebexInvalidInputError, match=r"subscribers\[1\]"):
        with_hook(subs_op(subs), fake).execute(context())
    assert fake.calls == []


def test_customer_without_id_is_rejected(fake):
    from webex_wholesale.operators import WebexInvalidInputError, WebexProvisionSubscribersOperator

    op = with_hook(WebexProvisionSubscribersOperator(task_id="s", customer_id="", subscribers=[]), fake)
    with pytest.raises(WebexInvalidInputError):
        op.execute(context())


def test_5000_subscribers_one_list_call(fake):
    subs = meetings_subscribers(5000)
    fake.existing = [subscriber(s["email"]) for s in subs[:2500]]

    ctx = context()
    counts = with_hook(subs_op(subs, max_concurrency=8), fake).execute(ctx)

    outcomes = outcomes_of(ctx, subs)
    assert counts == {"already_present": 2500, "provisioned": 2500}
    assert len(outcomes) == 5000
    assert [c for c in fake.calls if c[0] == "list"] == [("list", CID, None)]
    assert sum(o["result"] == "already_present" for o in outcomes) == 2500
    assert [o["email"] for o in outcomes] == [s["email"] for s in subs]  # order kept


def test_check_template_on_a_rerun_prechecks_without_the_taken_external_id(fake):
    from webex_wholesale.operators import WebexCheckTemplateOperator

    calls = []

    def precheck(body):
        calls.append(body)
        if "externalId" in body:
            raise permanent(409, "externalId exists", [900004], path="/wholesale/customers/validate")
        from webex_wholesale.models import PrecheckResult

        return PrecheckResult.model_validate({"message": "success", "info": [{"infoCode": 100}]})

    fake.precheck_customer = precheck
    fake.lookups = [customer("provisioned")]
    op = with_hook(WebexCheckTemplateOperator(task_id="check", precheck_body=precheck_body(order_with())), fake)

    result = op.execute(context())

    assert result["message"] == "success"
    assert result["existingCustomerId"] == CID
    assert ["externalId" in body for body in calls] == [True, False]


def test_check_template_409_without_an_existing_customer_is_refused(fake):
    from webex_wholesale.operators import WebexCheckTemplateOperator, WebexTemplateRefusedError

    fake.precheck = permanent(409, "conflict", path="/wholesale/customers/validate")
    op = with_hook(WebexCheckTemplateOperator(task_id="check", precheck_body=precheck_body(order_with())), fake)

    with pytest.raises(WebexTemplateRefusedError, match="conflict"):
        op.execute(context())
