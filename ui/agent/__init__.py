"""The agent's console window: inbox, conversation, history, scripts and KB panes, and the contact actions."""
