"""The API token never leaves the connection: not in task output, XCom or the report of a whole run."""

from __future__ import annotations

import json

import pytest
from dag_helpers import DAG_ID, SIM_TOKEN

pytestmark = pytest.mark.airflow_run


def test_token_is_absent_from_logs_xcom_and_report(run_order, capfd):
    run = run_order()
    output = capfd.readouterr()

    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        values = [
            XComModel.deserialize_value(x) for x in session.scalars(select(XComModel).where(XComModel.dag_id == DAG_ID))
        ]
    assert run.state == "success"
    assert values, "the run pushed no XCom at all"
    assert "webex_api_call" in output.out + output.err  # the structured call lines were captured
    assert SIM_TOKEN not in json.dumps(values)
    assert SIM_TOKEN not in output.out + output.err
    assert SIM_TOKEN not in json.dumps(run.report)
