"""What every Webex Wholesale operator shares: the connection arguments and the hook.

The hook (``requests``, HttpHook) is imported when a task first uses it, not at module import: DAG files import
the operators on every parse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from webex_wholesale.ids import DEFAULT_CONN_ID
from webex_wholesale.operators.exceptions import WebexInvalidInputError

if TYPE_CHECKING:
    import jinja2
    from airflow.sdk import Context

    from webex_wholesale.hooks.wholesale import WebexWholesaleHook
    from webex_wholesale.state.audit import AuditWriter


class WebexWholesaleBaseOperator(BaseOperator):
    """Base of the Webex Wholesale operators; ``__init__`` only stores arguments, ``execute`` trusts them.

    :param webex_wholesale_conn_id: Airflow connection of type ``webex_wholesale`` (templated).
    :param on_behalf_of_sub_partner_org_id: act for this sub-partner org (templated; may be an XComArg); empty or
        ``None`` acts as the partner itself.
    """

    ui_color = "#d6ecfa"
    ui_fgcolor = "#0b3d5c"
    #: Whether this task's audit rows are written in batches (the fan-out, which closes its writer itself) or each
    #: at once (tasks that make a handful of calls and may fail at any of them).
    audit_buffered = False
    #: Template fields that carry order data (bodies, subscribers, requests): an XComArg there is resolved, but no
    #: string in them is rendered as Jinja. A subscriber named ``{{ conn.webex_wholesale_default.password }}`` is
    #: sent as written and reads no connection; and a batch of 250 subscribers costs no thousand template compiles.
    order_data_fields: Sequence[str] = ()

    def __init__(
        self,
        *,
        webex_wholesale_conn_id: str = DEFAULT_CONN_ID,
        on_behalf_of_sub_partner_org_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.webex_wholesale_conn_id = webex_wholesale_conn_id
        self.on_behalf_of_sub_partner_org_id = on_behalf_of_sub_partner_org_id
        #: This task's audit trail, opened when the task runs (:meth:`pre_execute`); ``None`` before.
        self.audit: AuditWriter | None = None

    def pre_execute(self, context: Any) -> None:
        """Open the audit trail for this task: the hook reports every API call to it (state database)."""
        super().pre_execute(context)
        from webex_wholesale.state.audit import RunContext, open_run_audit
        from webex_wholesale.state.store import open_state

        self.audit = open_run_audit(open_state(), RunContext.from_airflow(context), buffered=self.audit_buffered)

    def _do_render_template_fields(
        self,
        parent: Any,
        template_fields: Iterable[str],
        context: Context,
        jinja_env: jinja2.Environment,
        seen_oids: set[int],
    ) -> None:
        """Render the template fields, except that order data is only resolved (see ``order_data_fields``).

        Airflow renders a mapped task's expanded arguments as templates, and renders the strings of any literal
        value given to a template field; neither may happen to what a customer's order says.
        """
        fields = list(template_fields)
        data = [name for name in fields if name in self.order_data_fields]
        rendered = [name for name in fields if name not in self.order_data_fields]
        super()._do_render_template_fields(parent, rendered, context, jinja_env, seen_oids)
        for name in data:
            value = getattr(parent, name)
            if (resolve := getattr(value, "resolve", None)) is not None:
                setattr(parent, name, resolve(context))

    def for_customer(self, customer_id: Any) -> str:
        """The customer id this task works on (checked, see :func:`require_customer_id`); its audit rows name it."""
        checked = require_customer_id(customer_id)
        if self.audit is not None:
            self.audit.set_customer_id(checked)
        return checked

    def hook_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for the hook beyond the connection and the sub-partner; subclasses add theirs.

        The one place an operator-wide hook option (such as the audit trail's ``call_observer``) gets passed in.
        """
        return {} if self.audit is None else {"call_observer": self.audit}

    @cached_property
    def hook(self) -> WebexWholesaleHook:
        """The API client, built on first use (after templates are rendered)."""
        from webex_wholesale.hooks.wholesale import WebexWholesaleHook

        return WebexWholesaleHook(
            self.webex_wholesale_conn_id,
            on_behalf_of_sub_partner_org_id=self.on_behalf_of_sub_partner_org_id or None,
            **self.hook_kwargs(),
        )


def require_customer_id(customer_id: Any) -> str:
    """The customer id an operator was given, or a clear failure before any call when it is missing."""
    if not isinstance(customer_id, str) or not customer_id:
        raise WebexInvalidInputError(f"customer_id must be a Wholesale customer id, got {customer_id!r}")
    return customer_id
