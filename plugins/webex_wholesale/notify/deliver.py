"""Hand one event to every configured channel: a few attempts each, failures logged, never an exception.

A notification reports on work that is done: an email server that is down must not fail the onboarding it
reports on, nor the health check. So every error is caught here, logged with the channel and the attempt (the
connection's password is masked in Airflow's logs, and never part of a message), and retried after a pause; the
caller learns which channels took the event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from webex_wholesale.models.notification import NotificationEvent
from webex_wholesale.notify.channels import Channel, configured_channels

__all__ = ["ATTEMPTS", "deliver"]

log = logging.getLogger(__name__)

#: Tries per channel and event, the first included; the pauses between them grow 2 s, 4 s.
ATTEMPTS = 3
FIRST_PAUSE = 2.0


def deliver(
    event: NotificationEvent,
    channels: Sequence[Channel] | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, bool]:
    """Send ``event`` on each channel (default: the configured ones); return channel name -> delivered."""
    if channels is None:
        try:
            channels = configured_channels()
        except ValueError as error:
            log.error("Notifications are misconfigured, nothing sent: %s", error)
            return {}
    results = {}
    for channel in channels:
        results[channel.name] = _send(channel, event, sleep)
    return results


def _send(channel: Channel, event: NotificationEvent, sleep: Callable[[float], None]) -> bool:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            channel.notifier_for(event).notify({})
        except Exception as error:  # any failure of a channel is logged, never raised (see the module's docstring)
            log.warning(
                "Notification %s for %s by %s failed (attempt %d of %d): %s: %s",
                event.kind.value,
                event.external_id,
                channel.name,
                attempt,
                ATTEMPTS,
                type(error).__name__,
                error,
            )
            if attempt < ATTEMPTS:
                sleep(FIRST_PAUSE * 2 ** (attempt - 1))
        else:
            log.info("Notification %s for %s sent by %s", event.kind.value, event.external_id, channel.name)
            return True
    log.error(
        "Notification %s for %s by %s not delivered after %d attempts",
        event.kind.value,
        event.external_id,
        channel.name,
        ATTEMPTS,
    )
    return False
