"""The orders API (``/wholesale/api/v1``): orders in and results out over HTTP, for sales systems and scripts.

Routes (relative to the API's root):

- ``POST /orders``: queue one order, a list, or a CSV of subscribers plus its customer (:mod:`.intake`), all or
  nothing: 201 with the orders and a ``Location``; 422 with every problem; 409 when an externalId is already
  queued, claimed or running; 413 over the body limit; 415 for another content type;
- ``GET /orders`` (``state``, ``externalId``, ``limit``, ``offset``), ``GET /orders/{id}``;
- ``POST /orders/{id}/retry``, ``POST /orders/{id}/cancel``: 409 with the reason when the life cycle forbids it;
- ``GET /orders/{id}/outcomes.csv``: the outcomes in the import's columns (:mod:`webex_wholesale.queue.export`);
- ``GET /openapi.json``: this API's schema, behind the same check as everything else.

Reading needs read access to the onboarding DAG's runs, every write the right to trigger them and the cross-site
check (:mod:`.auth`, :mod:`.csrf`). Validation, duplicates and transitions are the queue's own (the loader and
:mod:`webex_wholesale.state.orders`), so the API refuses what ``wholesale-queue`` refuses, in the same words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Query, Request, status
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from webex_wholesale.models import OnboardingOrder, SubscriberOutcome
from webex_wholesale.models.states import OrderState
from webex_wholesale.queue.export import order_outcomes_csv
from webex_wholesale.queue.loader import FileProblem, ImportRefused
from webex_wholesale.state import orders as queue
from webex_wholesale.state.errors import StateDatabaseMisconfigured
from webex_wholesale.state.machine import IllegalTransition
from webex_wholesale.ui import queries
from webex_wholesale.ui.api_models import (
    Created,
    OrderDetail,
    OrderPage,
    OrderSummary,
    ProblemOut,
    Refusal,
    Run,
    Transition,
)
from webex_wholesale.ui.auth import WriterDep, require_onboarding_reader, require_onboarding_writer
from webex_wholesale.ui.body_limit import MAX_BODY_BYTES
from webex_wholesale.ui.deps import StateDep
from webex_wholesale.ui.intake import CUSTOMER_PART, ORDERS_PART, SUBSCRIBERS_PART, orders_from_request

__all__ = ["API_PREFIX", "create_api"]

#: Where the pages' app mounts the API (under its own ``/wholesale``).
API_PREFIX = "/api/v1"
#: Most orders one ``GET /orders`` page holds.
MAX_PAGE = 500

_WRITER = [Depends(require_onboarding_writer)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid Airflow token (Bearer header or the UI's cookie)"},
    403: {"description": "the auth manager refuses this user, or a cookie write came from another site"},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no order with this id"}}
_CHANGE: dict[int | str, dict[str, Any]] = {
    **_NOT_FOUND,
    409: {"description": "the order's life cycle forbids it; the detail says why and what is allowed"},
}


def _api_root(request: Request) -> str:
    return request.scope.get("root_path", "")


def _summary(request: Request, row: dict[str, Any]) -> OrderSummary:
    return OrderSummary.of(row, _api_root(request))


def _refused(status_code: int) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """An exception handler answering ``status_code`` with the refusal's own message (the CLI prints the same)."""

    async def handler(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status_code)

    return handler


def _request_body_doc() -> dict[str, Any]:
    """The ``POST /orders`` body in the schema: the loader reads it, so FastAPI cannot infer it."""
    order = {"$ref": "#/components/schemas/OnboardingOrder"}
    text = {"type": "string"}
    return {
        "requestBody": {
            "required": True,
            "description": f"At most {MAX_BODY_BYTES} bytes.",
            "content": {
                "application/json": {"schema": {"oneOf": [order, {"type": "array", "items": order, "minItems": 1}]}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            ORDERS_PART: {**text, "description": "an order or a list of orders, as JSON"},
                            SUBSCRIBERS_PART: {**text, "description": "a CSV of subscribers (wholesale-queue add)"},
                            CUSTOMER_PART: {**text, "description": "the order without subscribers, as JSON"},
                        },
                    }
                },
            },
        }
    }


def _schema(api: FastAPI, root: str) -> dict[str, Any]:
    schema = dict(api.openapi())
    order = OnboardingOrder.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    components = dict(schema.get("components", {}))
    components["schemas"] = {**components.get("schemas", {}), **order.pop("$defs", {}), "OnboardingOrder": order}
    components["securitySchemes"] = {"airflowToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    security = [{"airflowToken": []}]
    return {**schema, "components": components, "security": security, "servers": [{"url": root}]}


def create_api() -> FastAPI:
    """A new orders API app; :func:`webex_wholesale.ui.app.create_app` mounts it at :data:`API_PREFIX`."""
    api = FastAPI(
        title="Webex Wholesale orders",
        version="1",
        description=__doc__.split("\n\n")[0],
        dependencies=[Depends(require_onboarding_reader)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        responses=_ERRORS,
    )
    api.add_exception_handler(queue.DuplicateOrder, _refused(status.HTTP_409_CONFLICT))
    api.add_exception_handler(IllegalTransition, _refused(status.HTTP_409_CONFLICT))
    api.add_exception_handler(queue.OrderNotFound, _refused(status.HTTP_404_NOT_FOUND))
    api.add_exception_handler(StateDatabaseMisconfigured, _refused(status.HTTP_503_SERVICE_UNAVAILABLE))

    @api.exception_handler(ImportRefused)
    async def import_refused(_request: Request, exc: ImportRefused) -> JSONResponse:
        """Every problem of the request, each with its place, field and reason; nothing was queued."""
        body = Refusal(detail=str(exc).split("\n")[0], problems=[ProblemOut.of(p) for p in exc.problems])
        return JSONResponse(body.model_dump(mode="json"), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @api.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> dict[str, Any]:
        return _schema(api, _api_root(request))

    @api.post(
        "/orders",
        status_code=status.HTTP_201_CREATED,
        openapi_extra=_request_body_doc(),
        responses={
            409: {"description": "an externalId is already queued, claimed or running"},
            413: {"description": "the body is over the limit"},
            415: {"description": "neither JSON nor multipart"},
            422: {"model": Refusal, "description": "bad orders or rows: every problem; nothing was queued"},
        },
    )
    async def create_orders(request: Request, response: Response, engine: StateDep, user: WriterDep) -> Created:
        """Queue the orders in the body, all or nothing. ``Location`` is the order's URL, or the list's for several."""
        notes: list[FileProblem] = []
        queued = await orders_from_request(request, via=f"API, user {user.get_name()}", notes=notes)
        ids = await run_in_threadpool(queue.enqueue, engine, queued)
        created = Created(
            orders=[_summary(request, queue.find_order(engine, order_id)) for order_id in ids],
            normalized=[ProblemOut.of(note) for note in notes],
        )
        response.headers["Location"] = created.orders[0].url if len(ids) == 1 else f"{_api_root(request)}/orders"
        return created

    @api.get("/orders")
    def list_orders(
        request: Request,
        engine: StateDep,
        state: Annotated[OrderState | None, Query()] = None,
        external_id: Annotated[str | None, Query(alias="externalId", max_length=255)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> OrderPage:
        """Orders, most recently changed first."""
        rows, total = queries.list_orders(engine, state=state, external_id=external_id, limit=limit, offset=offset)
        return OrderPage(orders=[_summary(request, row) for row in rows], total=total, limit=limit, offset=offset)

    @api.get("/orders/{order_id}", responses=_NOT_FOUND)
    def get_order(request: Request, engine: StateDep, order_id: int) -> OrderDetail:
        """The order, its state history, runs, latest per-subscriber outcomes and audit records."""
        row = queue.find_order(engine, order_id)
        runs = queue.order_runs(engine, order_id)
        reports = [run["report_json"] for run in runs if run.get("report_json")]
        latest = reports[-1]["subscribers"] if reports else []
        audit, audit_total = queries.audit_records(engine, order_id=order_id)
        return OrderDetail(
            **_summary(request, row).model_dump(),
            order=row["order_json"],
            transitions=[Transition.model_validate(t) for t in queue.order_transitions(engine, order_id)],
            runs=[Run.model_validate(run) for run in runs],
            outcomes=[SubscriberOutcome.model_validate(outcome) for outcome in latest],
            outcomes_url=f"{_api_root(request)}/orders/{order_id}/outcomes.csv",
            audit=audit,
            audit_total=audit_total,
        )

    @api.post("/orders/{order_id}/retry", responses=_CHANGE)
    def retry_order(request: Request, engine: StateDep, order_id: int, user: WriterDep) -> OrderSummary:
        """Queue a failed or needs_attention order again (a new attempt)."""
        queue.retry(engine, order_id, requested_by=f"{user.get_name()} (orders API)")
        return _summary(request, queue.find_order(engine, order_id))

    @api.post("/orders/{order_id}/cancel", dependencies=_WRITER, responses=_CHANGE)
    def cancel_order(request: Request, engine: StateDep, order_id: int) -> OrderSummary:
        """Cancel a queued, failed or needs_attention order for good."""
        queue.cancel(engine, order_id)
        return _summary(request, queue.find_order(engine, order_id))

    @api.get(
        "/orders/{order_id}/outcomes.csv",
        response_class=Response,
        responses={**_NOT_FOUND, 200: {"content": {"text/csv": {}}}},
    )
    def order_outcomes(engine: StateDep, order_id: int) -> Response:
        """One row per subscriber in the import's CSV columns plus result, subscriberId, errorCodes, trackingId
        and message: fix the failed rows and queue them again as they are."""
        order, text = order_outcomes_csv(engine, order_id)
        filename = quote(f"{order['external_id']}-outcomes.csv")
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
        )

    return api
