"""The test mail servers, which live in tools/mailservers.py (the channel benchmark starts them too).

Kept as a name the tests import from, so their imports need not change.
"""

from tools.mailservers import (
    DOVECOT_ENV,
    PASSWORD,
    STRANGER,
    USERS,
    DeliveringHandler,
    Dovecot,
    SmtpServer,
    dovecot_binary,
    free_port,
    start_dovecot,
    wait_until_listening,
)

__all__ = ["DOVECOT_ENV", "PASSWORD", "STRANGER", "USERS", "DeliveringHandler", "Dovecot",
           "SmtpServer", "dovecot_binary", "free_port", "start_dovecot", "wait_until_listening"]
