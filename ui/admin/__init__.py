"""Administration screens: staff accounts, queues, greeting templates and channel accounts (admins only)."""
