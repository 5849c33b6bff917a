"""Everything the simulator remembers, with the indexes that keep lookups O(1) at thousands of subscribers.

Handlers are ``async`` and never ``await`` while changing state, so the single event loop serializes every
change and no lock is needed. ``version`` grows with each change, which lets the saver know when to write.
"""

from __future__ import annotations

import base64
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

REQUEST_LOG_LIMIT = 100_000
"""Requests kept in the introspection log (the oldest are dropped first)."""


def webex_id(kind: str) -> str:
    """An opaque id shaped like Webex's: base64 of ``ciscospark://us/<KIND>/<uuid>`` without padding."""
    return base64.b64encode(f"ciscospark://us/{kind}/{uuid.uuid4()}".encode()).decode().rstrip("=")


def iso(ts: float) -> str:
    """Epoch seconds as the API's ISO-8601 form, e.g. ``2021-08-06T02:03:00.062Z``."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class CustomerRecord:
    """A wholesale customer as stored; its visible status is derived lazily (see ``lifecycle``)."""

    id: str
    external_id: str
    provisioning_id: str
    packages: list[str]
    address: dict[str, Any]
    org_id: str
    owner: str | None
    """The sub-partner org it was created on behalf of, or ``None`` for the partner itself."""
    outcome: str
    """The status the customer reaches when the running phase ends."""
    phase: str
    """``provisioning``, ``updating`` or ``deleting``: the background task started at ``phase_started``."""
    phase_started: float
    has_calling_location: bool = False
    customer_info: dict[str, Any] | None = None
    sub_partner_admin_email: str | None = None


@dataclass
class SubscriberRecord:
    id: str
    customer_id: str
    email: str
    package: str
    status: str
    person_id: str | None
    parameters: dict[str, Any]
    created: float
    last_status_change: float


@dataclass
class SimState:
    """Customers, subscribers, Setup Assist requests and space messages, plus the request log (not persisted)."""

    customers: dict[str, CustomerRecord] = field(default_factory=dict)
    subscribers: dict[str, SubscriberRecord] = field(default_factory=dict)
    admins: dict[str, str] = field(default_factory=dict)
    setup_assist_requests: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    """Messages posted to Webex spaces (``POST /v1/messages``), oldest first."""
    customer_by_external_id: dict[str, str] = field(default_factory=dict)
    subscribers_by_customer: dict[str, dict[str, None]] = field(default_factory=dict)
    """customerId -> subscriber ids in creation order (a dict used as an ordered set)."""
    subscriber_by_email: dict[str, str] = field(default_factory=dict)
    """Lower-cased email -> subscriber id: an email is one Webex user across all customers."""
    deleting: set[str] = field(default_factory=set)
    """Ids of customers whose removal is running, so purging them never scans every customer."""
    request_log: deque[tuple[str, str, int, str]] = field(default_factory=lambda: deque(maxlen=REQUEST_LOG_LIMIT))
    version: int = 0

    def changed(self) -> None:
        self.version += 1

    def add_customer(self, record: CustomerRecord) -> None:
        self.customers[record.id] = record
        self.customer_by_external_id[record.external_id] = record.id
        self.subscribers_by_customer[record.id] = {}
        if record.phase == "deleting":
            self.deleting.add(record.id)
        self.changed()

    def start_deleting(self, record: CustomerRecord, now: float) -> None:
        record.phase, record.phase_started = "deleting", now
        self.deleting.add(record.id)
        self.changed()

    def rename_customer(self, record: CustomerRecord, external_id: str) -> None:
        del self.customer_by_external_id[record.external_id]
        record.external_id = external_id
        self.customer_by_external_id[external_id] = record.id

    def remove_customer(self, customer_id: str) -> None:
        """Drop a customer that finished deleting, with its subscribers and administrator."""
        record = self.customers.pop(customer_id)
        self.deleting.discard(customer_id)
        self.customer_by_external_id.pop(record.external_id, None)
        for subscriber_id in self.subscribers_by_customer.pop(customer_id, {}):
            subscriber = self.subscribers.pop(subscriber_id)
            self.subscriber_by_email.pop(subscriber.email.lower(), None)
        self.admins.pop(customer_id, None)
        self.changed()

    def add_subscriber(self, record: SubscriberRecord) -> None:
        self.subscribers[record.id] = record
        self.subscribers_by_customer[record.customer_id][record.id] = None
        self.subscriber_by_email[record.email.lower()] = record.id
        self.changed()

    def remove_subscriber(self, subscriber_id: str) -> None:
        record = self.subscribers.pop(subscriber_id)
        self.subscribers_by_customer[record.customer_id].pop(subscriber_id, None)
        self.subscriber_by_email.pop(record.email.lower(), None)
        self.changed()

    def find_setup_assist_request(self, request_key: str) -> dict[str, Any] | None:
        """The request already received with this ``requestKey`` (a re-delivered request), if any."""
        return next((r for r in self.setup_assist_requests if r["body"].get("requestKey") == request_key), None)

    def add_setup_assist_request(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        entry = {"id": f"SA-{len(self.setup_assist_requests) + 1:06d}", "receivedAt": iso(now), "body": body}
        self.setup_assist_requests.append(entry)
        self.changed()
        return entry

    def add_message(self, room_id: str, content: dict[str, str], now: float) -> dict[str, Any]:
        """Keep a message posted to a space; return it as Webex's Message object."""
        message = {"id": webex_id("MESSAGE"), "roomId": room_id, "roomType": "group", **content, "created": iso(now)}
        self.messages.append(message)
        self.changed()
        return message

    def to_json(self) -> dict[str, Any]:
        """What the state file keeps: the records, not the indexes (rebuilt on load) or the request log."""
        return {
            "customers": [asdict(c) for c in self.customers.values()],
            "subscribers": [asdict(s) for s in self.subscribers.values()],
            "admins": self.admins,
            "setupAssistRequests": self.setup_assist_requests,
            "messages": self.messages,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SimState:
        state = cls(
            admins=dict(data.get("admins", {})),
            setup_assist_requests=list(data.get("setupAssistRequests", [])),
            messages=list(data.get("messages", [])),
        )
        for customer in data.get("customers", []):
            state.add_customer(CustomerRecord(**customer))
        for subscriber in data.get("subscribers", []):
            state.add_subscriber(SubscriberRecord(**subscriber))
        state.version = 0
        return state
