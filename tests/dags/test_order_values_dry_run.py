"""A dry run of an order holding the issue's values Webex refuses: nothing reaches the simulator.

The trigger form refuses what its schema can say (a country of no country, a time zone off Webex's list);
``validate_order`` refuses the rest (a locale that does not exist, phone numbers not in use or of the wrong length)
before any API call.
"""

from __future__ import annotations

import pytest
from dag_helpers import order_with
from helpers.order_values import COUNTRY, LANGUAGE, LOCATION_COUNTRY, LOCATION_ZONE, MEETINGS_ZONE, set_path

pytestmark = pytest.mark.airflow_run

#: Values the form has only the shape of: the run must refuse them at ``validate_order``.
PAST_THE_FORM = {
    LANGUAGE: "xx_YY",
    "subscribers[1].provisioningParameters.primaryPhoneNumber": "+10005551212",
    "subscribers[2].provisioningParameters.primaryPhoneNumber": "+1240555121",
    "subscribers[3].provisioningParameters.primaryPhoneNumber": "+4420794609580",
}
#: Values the form's schema refuses itself, before a run exists.
AT_THE_FORM = {
    COUNTRY: "XX",
    LOCATION_COUNTRY: "ZZ",
    LOCATION_ZONE: "America/Los_Angles",
    MEETINGS_ZONE: "America/Los_Angles",
}


def dry_run_order(values: dict[str, str]) -> dict:
    order = order_with(dryRun=True)
    for path, value in values.items():
        set_path(order, path, value)
    return order


def test_a_dry_run_with_values_webex_refuses_fails_at_validate_order_with_no_api_call(run_order):
    run = run_order(dry_run_order(PAST_THE_FORM))

    assert run.state == "failed"
    assert run.task_states["validate_order"] == "failed"
    assert run.sim_state["requests"] == []  # every request the simulator received, token and precheck included
    assert run.bodies == []
    (step,) = [s for s in run.report["steps"] if s["taskId"] == "validate_order"]
    assert f"invalid onboarding order ({len(PAST_THE_FORM)} problems)" in step["message"]
    for path in PAST_THE_FORM:
        assert f"- {path}: " in step["message"]


@pytest.mark.parametrize(("path", "value"), AT_THE_FORM.items(), ids=AT_THE_FORM)
def test_the_form_refuses_a_country_or_time_zone_off_the_list_at_trigger(onboarding_dag, wired_simulator, path, value):
    from airflow.sdk.definitions.param import ParamValidationError

    with pytest.raises(ParamValidationError, match=path.split(".")[0]):
        onboarding_dag.test(run_conf=dry_run_order({path: value}))

    assert wired_simulator.state()["requests"] == []
