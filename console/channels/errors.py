"""The known problems of talking to a channel's servers, each with a message for a person.

Outages are ``TemporaryFailure`` (an ``Unavailable``): the gateway retries
later. A message the server will never take is a ``PermanentFailure``. An
account the server does not accept is ``CredentialsRefused``: retrying with
the same password or token cannot help, an administrator has to act.

SMTP and HTTP number their answers the other way round: for mail a 4xx reply
is temporary and a 5xx permanent; for the messaging providers' HTTP APIs
(console.channels.providers) 429, 5xx and no answer are temporary, 401/403
refuse the credentials and any other 4xx is permanent.
"""

from __future__ import annotations

from console.errors import NotPermitted, SwitchboardError, Unavailable


class CredentialsRefused(NotPermitted):
    """The server refused the channel account's user name or password."""


class TemporaryFailure(Unavailable):
    """Sending failed for now (SMTP 4xx, HTTP 429 or 5xx, no connection, timeout): try again later.

    Attributes:
        code: the server's reply code, or None when there was no answer at all.
        reason: the server's text, or what went wrong on the line.
        retry_after_s: how long the server asked us to wait before trying again (HTTP
            ``Retry-After``), in seconds; None when it did not say and the queue's own
            backoff applies.
    """

    def __init__(self, message: str, *, code: int | None = None, reason: str = "",
                 retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.retry_after_s = retry_after_s


class PermanentFailure(SwitchboardError):
    """The server refused the message for good (SMTP 5xx, HTTP 4xx): it must not be sent again as it is.

    Attributes:
        code: the server's reply code, or None when we refused before asking (the server
            lacks something the message needs).
        reason: the server's text (or ours), to show the agent beside the message.
    """

    def __init__(self, message: str, *, code: int | None, reason: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
