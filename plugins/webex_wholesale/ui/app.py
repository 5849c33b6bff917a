"""The onboarding pages: a FastAPI app with server-rendered HTML, mounted on Airflow's api-server by the plugin.

Routes (relative to the mount, ``/wholesale``):

- ``/orders``: orders by state (counts, filter by state, search by externalId) and the ad-hoc runs by customer;
- ``/orders/{id}``: one order: summary, state history, its runs, the latest report, its audit records;
- ``/runs/{dag_id}/{run_id}``: one onboarding run's report and audit records (the DAG run page's tab);
- ``/health``: customers by health, each open finding with its age; ``POST /health/{id}/repair`` queues the change
  order that repairs a drift finding (users who may start change runs, from this site only).
- ``/api/v1``: the orders API (:mod:`webex_wholesale.ui.api`), an app of its own answering in JSON.

Every route, present and future, depends on :func:`~webex_wholesale.ui.auth.require_onboarding_reader` through
the app's own ``dependencies`` (the API's through its own); the OpenAPI and docs routes are switched off because
they would bypass it (the API serves its schema through an authenticated route). Request bodies are bounded
(:mod:`webex_wholesale.ui.body_limit`) before any route reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from webex_wholesale.models.states import OrderKind, OrderState
from webex_wholesale.queue.loader import FileProblem, ImportRefused
from webex_wholesale.state import orders as queue
from webex_wholesale.state.errors import StateDatabaseMisconfigured
from webex_wholesale.state.machine import ACTIVE_STATES, ATTENTION_STATES, IllegalTransition, can_cancel, can_retry
from webex_wholesale.ui import URL_PREFIX, queries, upload
from webex_wholesale.ui.api import API_PREFIX, create_api
from webex_wholesale.ui.auth import WriterDep, login_redirect, may_trigger_onboarding_runs, require_onboarding_reader
from webex_wholesale.ui.body_limit import MAX_BODY_BYTES, BodySizeLimit
from webex_wholesale.ui.deps import StateDep
from webex_wholesale.ui.formats import timestamp
from webex_wholesale.ui.health_view import NotRepairable, health_page, queue_repair
from webex_wholesale.ui.intake import orders_from_request
from webex_wholesale.ui.order_view import order_view, subscriber_names
from webex_wholesale.ui.report_view import report_view
from webex_wholesale.ui.write_guard import require_change_writer

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
#: The columns of a list of records: every field any of them has, in first-seen order.
templates.env.filters["record_columns"] = lambda rows: list(dict.fromkeys(k for row in rows for k in row))
templates.env.filters["timestamp"] = timestamp
#: Whether an order's ``not_before`` has come (the pages then say "now"), and which buttons its state allows.
templates.env.tests.update(due=queue.is_due, retryable=can_retry, cancellable=can_cancel)
#: The upload form's kind select: every kind of order the queue takes.
templates.env.globals["kinds"] = tuple(OrderKind)

#: How often a page showing something in motion (an order queued, claimed or running; a run running) reloads
#: itself, so it follows the queue and the run without anyone pressing reload.
REFRESH_SECONDS = 10
#: Pages hold customer data: never cached, never framed by another site (the Airflow UI itself may frame them).
_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _airflow_root(request: Request) -> str:
    """Airflow's own URL root (``[api] base_url``'s path), taken from where this app is mounted."""
    return request.scope.get("root_path", "").removesuffix(URL_PREFIX)


def _context(request: Request, **values: Any) -> dict[str, Any]:
    root = _airflow_root(request)
    app_root = request.scope.get("root_path", "")

    def airflow_run_url(dag_id: str, run_id: str) -> str:
        return f"{root}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"

    def run_page_url(dag_id: str, run_id: str) -> str:
        return f"{app_root}/runs/{quote(dag_id, safe='')}/{quote(run_id, safe='')}"

    return {
        "app_root": app_root,
        "airflow_run_url": airflow_run_url,
        "run_page_url": run_page_url,
        "order_states": list(OrderState),
        "attention_states": ATTENTION_STATES,
        "refresh_seconds": REFRESH_SECONDS,
        **values,
    }


def _page(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, template, _context(request, **values), status_code=status_code)
    response.headers.update(_HEADERS)
    return response


def _change_order(request: Request, order_id: int, change: Callable[[], None]) -> RedirectResponse:
    """Apply a button's change and go back to the order's page, or an error page saying why the change is refused."""
    try:
        change()
    except queue.OrderNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no order with id {order_id}") from exc
    except IllegalTransition as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return RedirectResponse(f"{request.scope.get('root_path', '')}/orders/{order_id}", status.HTTP_303_SEE_OTHER)


def _uploaded_by(user: BaseUser) -> str:
    return f"upload, user {user.get_name()}"


def create_app(max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """A new app; the plugin mounts one, tests make their own (with a smaller body limit, say)."""
    app = FastAPI(
        title="Webex Wholesale onboarding",
        dependencies=[Depends(require_onboarding_reader)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    api = create_api()
    api.dependency_overrides = app.dependency_overrides  # one state database for pages and API, in tests too
    app.mount(API_PREFIX, api)

    @app.exception_handler(StarletteHTTPException)
    async def http_error_page(request: Request, exc: StarletteHTTPException) -> Response:
        """Errors as a short HTML page (403/404 included), with the same headers as every page; a person without a
        valid session is sent to Airflow's login and back instead (:func:`~webex_wholesale.ui.auth.login_redirect`)."""
        if exc.status_code == status.HTTP_401_UNAUTHORIZED and (
            redirect := login_redirect(request, _airflow_root(request))
        ):
            redirect.headers.update(_HEADERS)
            return redirect
        response = _page(request, "error.html", status_code=exc.status_code, message=exc.detail)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(StateDatabaseMisconfigured)
    async def not_migrated_page(request: Request, exc: StateDatabaseMisconfigured) -> Response:
        """An un-migrated or unusable state database: say so and how to fix it, rather than a bare 500."""
        return _page(request, "error.html", status_code=status.HTTP_503_SERVICE_UNAVAILABLE, message=str(exc))

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{request.scope.get('root_path', '')}/orders")

    @app.get("/orders", response_class=HTMLResponse, name="orders")
    def orders(
        request: Request,
        engine: StateDep,
        user: GetUserDep,
        state: Annotated[str | None, Query(description="show only orders in this state")] = None,
        q: Annotated[str | None, Query(max_length=255, description="part of an externalId")] = None,
    ) -> HTMLResponse:
        try:
            wanted = OrderState(state) if state else None
        except ValueError:
            choices = ", ".join(OrderState)
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"state: must be one of {choices}") from None
        search = (q or "").strip() or None
        rows, total = queries.list_orders(engine, state=wanted, search=search)
        counts = queries.state_counts(engine)
        return _page(
            request,
            "orders.html",
            refresh=any(counts[s].total for s in ACTIVE_STATES),
            counts=counts,
            state=wanted,
            q=search,
            orders=rows,
            total=total,
            adhoc=queries.adhoc_runs(engine, state=wanted, search=search),
            may_write=may_trigger_onboarding_runs(user),
        )

    @app.get("/orders/{order_id}", response_class=HTMLResponse, name="order")
    def order(request: Request, engine: StateDep, order_id: int, user: GetUserDep) -> HTMLResponse:
        try:
            found = queue.find_order(engine, order_id)
        except queue.OrderNotFound as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no order with id {order_id}") from exc
        runs = queue.order_runs(engine, order_id)[::-1]  # newest first
        latest_report = next((r for r in runs if r.get("report_json")), None)
        audit, audit_total = queries.audit_records(engine, order_id=order_id)
        return _page(
            request,
            "order.html",
            refresh=found["state"] in ACTIVE_STATES,
            order=found,
            ordered=order_view(found["order_json"]),
            names=subscriber_names(found["order_json"].get("subscribers") or []),
            transitions=queue.order_transitions(engine, order_id),
            runs=runs,
            report_run=latest_report,
            report=report_view(latest_report["report_json"]) if latest_report else None,
            audit=audit,
            audit_total=audit_total,
            may_write=may_trigger_onboarding_runs(user),
        )

    @app.get("/health", response_class=HTMLResponse, name="health")
    def health(request: Request, engine: StateDep) -> HTMLResponse:
        return _page(request, "health.html", **health_page(engine))

    @app.post("/health/{finding_id}/repair", dependencies=[Depends(require_change_writer)], name="repair")
    def repair(request: Request, engine: StateDep, finding_id: int) -> RedirectResponse:
        try:
            order_id = queue_repair(engine, finding_id)
        except NotRepairable as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
        except queue.DuplicateOrder as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
        return RedirectResponse(f"{request.scope.get('root_path', '')}/orders/{order_id}", status.HTTP_303_SEE_OTHER)

    @app.get("/upload", response_class=HTMLResponse, name="upload")
    def upload_form(request: Request, user: GetUserDep) -> HTMLResponse:
        return _page(request, "upload.html", may_write=may_trigger_onboarding_runs(user))

    @app.post("/upload/preview", response_class=HTMLResponse)
    async def upload_preview(request: Request, user: WriterDep) -> HTMLResponse:
        """What the files would queue, or every problem in them; nothing is queued here."""
        notes: list[FileProblem] = []
        try:
            queued = await orders_from_request(request, via=_uploaded_by(user), notes=notes)
        except ImportRefused as refused:
            return _page(request, "upload.html", status.HTTP_422_UNPROCESSABLE_CONTENT, problems=refused.problems)
        confirmation = upload.confirmation(queued)
        return _page(request, "upload.html", preview=upload.preview(queued), notes=notes, confirmation=confirmation)

    @app.post("/upload", response_class=HTMLResponse)
    async def upload_confirm(request: Request, engine: StateDep, user: WriterDep) -> Response:
        """Queue the confirmed orders (validated again), then show them in the queue."""
        try:
            queued = await orders_from_request(request, via=_uploaded_by(user))
            await run_in_threadpool(queue.enqueue, engine, queued)
        except ImportRefused as refused:
            return _page(request, "upload.html", status.HTTP_422_UNPROCESSABLE_CONTENT, problems=refused.problems)
        except queue.DuplicateOrder as duplicate:
            return _page(request, "upload.html", status.HTTP_409_CONFLICT, message=str(duplicate))
        return RedirectResponse(f"{request.scope.get('root_path', '')}/orders?state=queued", status.HTTP_303_SEE_OTHER)

    @app.post("/orders/{order_id}/retry", response_class=HTMLResponse)
    def retry_order(request: Request, engine: StateDep, order_id: int, user: WriterDep) -> Response:
        """The order page's Retry button."""
        requested_by = f"{user.get_name()} (Retry button)"
        return _change_order(request, order_id, lambda: queue.retry(engine, order_id, requested_by=requested_by))

    @app.post("/orders/{order_id}/cancel", response_class=HTMLResponse)
    def cancel_order(request: Request, engine: StateDep, order_id: int, _user: WriterDep) -> Response:
        """The order page's Cancel button."""
        return _change_order(request, order_id, lambda: queue.cancel(engine, order_id))

    @app.get("/runs/{dag_id}/{run_id:path}", response_class=HTMLResponse, name="run")
    def run(request: Request, engine: StateDep, dag_id: str, run_id: str) -> HTMLResponse:
        found = queries.get_run(engine, dag_id, run_id)
        audit, audit_total = queries.audit_records(engine, dag_id=dag_id, dag_run_id=run_id)
        report_json = (found or {}).get("report_json")
        order = queue.find_order(engine, found["order_id"]) if found and found["order_id"] else None
        subscribers = (report_json or {}).get("subscribers") or (order or {}).get("order_json", {}).get("subscribers")
        kind = OrderKind.of_dag(dag_id)
        return _page(
            request,
            "run.html",
            refresh=bool(found) and found["state"] == OrderState.RUNNING,
            title=kind.run_title if kind else "Run",
            dag_id=dag_id,
            run_id=run_id,
            run=found,
            order=order,
            report=report_view(report_json) if report_json else None,
            names=subscriber_names(subscribers or []),
            audit=audit,
            audit_total=audit_total,
        )

    return app
