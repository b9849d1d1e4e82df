"""The known problems of talking to a channel's servers, each with a message for a person.

Outages (refused connection, timeout, a 4xx answer) are ``Unavailable``: the
gateway retries later. A message the server will never take (a 5xx answer) is a
``PermanentFailure``. An account the server does not accept is
``CredentialsRefused``: retrying with the same password cannot help, an
administrator has to act.
"""

from __future__ import annotations

from console.errors import NotPermitted, SwitchboardError, Unavailable


class CredentialsRefused(NotPermitted):
    """The server refused the channel account's user name or password."""


class TemporaryFailure(Unavailable):
    """Sending failed for now (4xx, no connection, timeout): try again later.

    Attributes:
        code: the server's reply code, or None when there was no answer at all.
        reason: the server's text, or what went wrong on the line.
    """

    def __init__(self, message: str, *, code: int | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


class PermanentFailure(SwitchboardError):
    """The server refused the message for good (5xx): it must not be sent again as it is.

    Attributes:
        code: the server's reply code, or None when we refused before asking (the server
            lacks something the message needs).
        reason: the server's text (or ours), to show the agent beside the message.
    """

    def __init__(self, message: str, *, code: int | None, reason: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
