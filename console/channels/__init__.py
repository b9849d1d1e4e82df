"""The channel layer (no Qt): channel accounts' secrets and endpoints, and the channels themselves.

The gateway (``switchboard gateway``) uses it to take customers' messages in
and deliver agents' replies; e-mail lives in ``console.channels.mail``.
"""
