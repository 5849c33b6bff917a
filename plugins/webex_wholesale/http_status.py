"""Which HTTP answers of Webex are worth another try, and how long to wait when Webex does not say: the one
place these rules live.

Kept free of Airflow and HTTP libraries so that the models (a subscriber outcome knows whether its failure is
transient), the client's errors and the operators all read the same rule.
"""

from __future__ import annotations

#: 4xx codes Webex documents as temporary: 423 (locked, try later) and 429 (rate limited).
TRANSIENT_4XX = frozenset({423, 429})
#: Seconds to wait on 429/423 without a ``Retry-After`` header (as wxc_sdk does): the hook's retry and the
#: budget's shared pause both read it.
DEFAULT_RETRY_AFTER = 5.0


def is_transient_status(status_code: int) -> bool:
    """Whether Webex documents this HTTP status as temporary (423, 429, any 5xx)."""
    return status_code in TRANSIENT_4XX or status_code >= 500
