"""The web chat the gateway serves at ``/chat/NAME/``: its page, its JSON API, its live feed."""
