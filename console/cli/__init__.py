"""The ``switchboard`` command: headless subcommands for agents, supervisors and admins."""
