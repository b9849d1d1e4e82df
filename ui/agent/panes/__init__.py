"""The window's panes: inbox, conversation, history, scripts and knowledge base."""
