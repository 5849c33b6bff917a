"""What every report task shares: the report shown as Markdown in the task's rendered view, and its steps.

The onboarding report and the change and offboarding reports (``webex_wholesale.lifecycle``) are teardowns that
gather what the run's steps did; this is the part that does not depend on what kind of run it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator, Context

from webex_wholesale.onboarding.steps import Instance, pull, step_label
from webex_wholesale.onboarding.tasks import FAILURE_XCOM_KEY


class ReportOperatorBase(BaseOperator):
    """A report task: ``report_markdown`` is rendered as Markdown in the UI and written again after execution.

    :param report_markdown: what the rendered view shows before the run has finished.
    """

    template_fields: Sequence[str] = ("report_markdown",)
    template_fields_renderers = {"report_markdown": "md"}
    overwrite_rtif_after_execution = True
    ui_color = "#e8f4ea"

    def __init__(
        self, *, report_markdown: str = "The report is written here when the run has finished.", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.report_markdown = report_markdown

    @staticmethod
    def steps(context: Context, instances: list[Instance]) -> list[Any]:
        """Each upstream instance's ``StepResult``: its state and, when it failed, the reason it recorded."""
        from webex_wholesale.models.report import StepResult  # pydantic: at run time, not parse

        ti = context["ti"]
        return [
            StepResult(
                task_id=step_label(task_id, map_index),
                state=state,
                message=pull(ti, task_id, map_index, FAILURE_XCOM_KEY) if state == "failed" else None,
            )
            for task_id, map_index, state in instances
        ]
