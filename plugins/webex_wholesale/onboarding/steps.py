"""Which task instances of a run ended how: what a report task reads to tell each step's end.

Shared by the onboarding report and the change and offboarding reports (``webex_wholesale.lifecycle``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator, Context, TaskGroup

#: A task instance of the run: ``(task_id, map_index or None, state)``.
Instance = tuple[str, int | None, str | None]


def upstream_instances(task: BaseOperator, context: Context) -> list[Instance]:
    """The run's instances of every task upstream of ``task``, mapped ones one by one, in the order the run starts
    them (:func:`run_order`), so a report lists its steps as they happened."""
    ti = context["ti"]
    states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[ti.run_id]).get(ti.run_id, {})
    upstream = task.get_flat_relative_ids(upstream=True)
    instances = [
        (task_id, map_index, state)
        for key, state in states.items()
        for task_id, map_index in [_split_state_key(key, task.dag.task_ids)]
        if task_id in upstream
    ]
    position = {task_id: index for index, task_id in enumerate(run_order(task.dag.task_group))}
    return sorted(instances, key=lambda i: (position[i[0]], i[1] or -1))


def run_order(group: TaskGroup) -> list[str]:
    """The group's task ids in the order a run starts them (every task after its upstream tasks), groups flattened."""
    ids: list[str] = []
    for node in group.topological_sort():
        ids += run_order(node) if isinstance(node, TaskGroup) else [node.task_id]
    return ids


def pull(ti: Any, task_id: str, map_index: int | None, key: str = "return_value") -> Any:
    """One XCom of one task instance (``map_index`` ``None``: an unmapped task)."""
    return ti.xcom_pull(task_ids=task_id, key=key, map_indexes=-1 if map_index is None else map_index)


def step_label(task_id: str, map_index: int | None) -> str:
    """``task_id``, or ``task_id[i]`` for a mapped instance, as reports name steps."""
    return task_id if map_index is None else f"{task_id}[{map_index}]"


def _split_state_key(key: str, task_ids: Sequence[str]) -> tuple[str, int | None]:
    """Task-state keys are ``task_id`` or ``task_id_<map_index>`` for mapped instances."""
    if key in task_ids:
        return key, None
    task_id, _, index = key.rpartition("_")
    return task_id, int(index)
