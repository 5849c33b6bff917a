"""What every Webex Wholesale operator shares: the connection arguments and the hook.

The hook (``requests``, HttpHook) is imported when a task first uses it, not at module import: DAG files import
the operators on every parse.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from webex_wholesale import DEFAULT_CONN_ID

if TYPE_CHECKING:
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook


class WebexWholesaleBaseOperator(BaseOperator):
    """Base of the Webex Wholesale operators; ``__init__`` only stores arguments, ``execute`` trusts them.

    :param webex_wholesale_conn_id: Airflow connection of type ``webex_wholesale`` (templated).
    :param on_behalf_of_sub_partner_org_id: act for this sub-partner org (templated; may be an XComArg); empty or
        ``None`` acts as the partner itself.
    """

    ui_color = "#d6ecfa"
    ui_fgcolor = "#0b3d5c"

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

    def hook_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for the hook beyond the connection and the sub-partner; subclasses add theirs.

        The one place an operator-wide hook option (such as the audit trail's ``call_observer``) gets passed in.
        """
        return {}

    @cached_property
    def hook(self) -> WebexWholesaleHook:
        """The API client, built on first use (after templates are rendered)."""
        from webex_wholesale.hooks.wholesale import WebexWholesaleHook

        return WebexWholesaleHook(
            self.webex_wholesale_conn_id,
            on_behalf_of_sub_partner_org_id=self.on_behalf_of_sub_partner_org_id or None,
            **self.hook_kwargs(),
        )
