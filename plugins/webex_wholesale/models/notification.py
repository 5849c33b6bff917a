"""A notification: one event told to people, rendered for an email and for a Webex space.

Every message names the customer and its externalId, says what happened and what to do, and links to the
order's page. It is built only from what the pipeline decided (a run's report, a finding), never from headers or
connection fields, so it cannot carry a token.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["EventKind", "NotificationEvent"]

#: Detail lines a message lists; the rest are counted, so one message stays readable whatever the customer's size.
MAX_DETAIL_LINES = 20


class EventKind(StrEnum):
    """What a message is about."""

    RUN_FAILED = "run_failed"
    RUN_NEEDS_ATTENTION = "run_needs_attention"
    RUN_SUCCEEDED = "run_succeeded"
    FINDING_NEW = "finding_new"
    FINDING_RESOLVED = "finding_resolved"

    @property
    def headline(self) -> str:
        return _HEADLINES[self]

    @property
    def advice(self) -> str:
        """What to do about a run's end (a finding's message says its own kind's advice instead)."""
        return _RUN_ADVICE.get(self, "")


_HEADLINES = {
    EventKind.RUN_FAILED: "failed",
    EventKind.RUN_NEEDS_ATTENTION: "needs attention",
    EventKind.RUN_SUCCEEDED: "succeeded",
    EventKind.FINDING_NEW: "health finding",
    EventKind.FINDING_RESOLVED: "health finding resolved",
}

_RUN_ADVICE = {
    EventKind.RUN_FAILED: "Read the report (failed steps first), fix the cause, then retry the order "
    "(wholesale-queue retry ID, or trigger the run again): every step adopts what already exists.",
    EventKind.RUN_NEEDS_ATTENTION: "A person must act: Cisco's compliance review must clear the customer, or users "
    "must accept the move in the email Webex sent them. The health check follows it up.",
    EventKind.RUN_SUCCEEDED: "Nothing.",
}


@dataclass(frozen=True)
class NotificationEvent:
    """One message's content, whatever the channel."""

    kind: EventKind
    external_id: str
    customer_name: str | None
    what: str
    """What happened, in one sentence."""
    todo: str
    """What to do about it, in one sentence."""
    link: str | None = None
    """The order's page (or the run's, for a run without a queued order)."""
    details: tuple[str, ...] = field(default_factory=tuple)

    @property
    def customer(self) -> str:
        """The customer as people call it, with the externalId the systems use."""
        if self.customer_name and self.customer_name != self.external_id:
            return f"{self.customer_name} ({self.external_id})"
        return self.external_id

    def subject(self) -> str:
        return f"Webex Wholesale: {self.customer}: {self.kind.headline}"

    def _shown_details(self) -> list[str]:
        shown = list(self.details[:MAX_DETAIL_LINES])
        if len(self.details) > MAX_DETAIL_LINES:
            shown.append(f"... and {len(self.details) - MAX_DETAIL_LINES} more")
        return shown

    def text(self) -> str:
        """Plain text: the subject line, what happened, the details, what to do, the link."""
        lines = [self.subject(), "", self.what, *(f"- {line}" for line in self._shown_details()), "", self.todo]
        if self.link:
            lines.append(self.link)
        return "\n".join(lines)

    def markdown(self) -> str:
        """For a Webex space (Webex renders Markdown in messages)."""
        lines = [f"**{_md(self.customer)}: {self.kind.headline}**", _md(self.what)]
        lines += [f"- {_md(line)}" for line in self._shown_details()]
        lines.append(f"What to do: {_md(self.todo)}")
        if self.link:
            lines.append(f"[Open the order]({self.link})")
        return "\n".join(lines)

    def html(self) -> str:
        """For an email; every value escaped."""
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self._shown_details())
        parts = [
            f"<p><b>{html.escape(self.customer)}</b>: {html.escape(self.kind.headline)}</p>",
            f"<p>{html.escape(self.what)}</p>",
            f"<ul>{items}</ul>" if items else "",
            f"<p>What to do: {html.escape(self.todo)}</p>",
            f'<p><a href="{html.escape(self.link, quote=True)}">Open the order</a></p>' if self.link else "",
        ]
        return "".join(parts)


def _md(value: str) -> str:
    """Text shown as written in Markdown: the characters that would format it are escaped."""
    return "".join(f"\\{c}" if c in "\\`*_[]<>#|" else c for c in value)
