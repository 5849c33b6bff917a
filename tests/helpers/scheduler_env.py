"""The environment of an ``airflow standalone`` that a scheduler test starts from the pytest process."""

from __future__ import annotations

from pathlib import Path

from local_stack import free_port, standalone_env


def scheduler_test_env(tmp_path: Path, sim_url: str, state_url: str, **extra: str) -> dict[str, str]:
    """A fresh Airflow home under ``tmp_path`` on the simulator and the state database, the queue and the health
    check left unscheduled (a test triggers what it needs; the hourly health check would start a run of its own
    as the scheduler starts), and the two settings a test process needs changed for the Airflow it starts."""
    return standalone_env(
        tmp_path / "airflow-home",
        sim_url,
        free_port(),
        fresh=True,
        AIRFLOW_CONN_WHOLESALE_DB=state_url,
        WEBEX_WHOLESALE_QUEUE_SCHEDULE="none",
        WEBEX_WHOLESALE_HEALTH_SCHEDULE="none",
        # tests/conftest.py sets unit-test mode for this process; in it every Airflow process would sign its
        # Execution API tokens with its own random secret, and the api-server would refuse the workers'.
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        # A loaded CI machine answers slowly; Airflow's 5 s default fails tasks that would have run.
        AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT="60",
        **extra,
    )
