"""The channel layer: customers' messages in and agents' replies out (e-mail first). No Qt."""
