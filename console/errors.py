"""Domain errors: each carries a message meant for the person at the screen."""

from __future__ import annotations


class SwitchboardError(Exception):
    """A known problem (not a bug) with a message a person can act on."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(SwitchboardError):
    """Input that cannot be accepted; nothing was changed."""


class NotFound(SwitchboardError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class NotPermitted(SwitchboardError):
    """The caller's role does not allow this operation."""


class SignInRequired(SwitchboardError):
    """The action needs a signed-in person and nobody is (or the session has ended)."""

    exit_code = 4


class Unavailable(SwitchboardError):
    """The database or a channel cannot be reached right now."""


class ProviderUnavailable(Unavailable):
    """An outside system (the phone system, a provider's API) cannot be reached right now.

    The database can: a window does not count it as being offline.
    """


class StaleContact(SwitchboardError):
    """Someone else changed the contact since it was loaded."""


class ClaimConflict(SwitchboardError):
    """Another agent already has the contact.

    Attributes:
        owner_login: login of the agent who has it.
        owner_name: display name of the agent who has it.
    """

    exit_code = 3

    def __init__(self, contact_id: int, owner_login: str, owner_name: str) -> None:
        super().__init__(f"Contact {contact_id} is already claimed by {owner_name} ({owner_login}).")
        self.contact_id = contact_id
        self.owner_login = owner_login
        self.owner_name = owner_name


class SignInFailed(NotPermitted):
    """Wrong login or password, or the account is locked for a while."""
