"""Administration screens: staff accounts, queues and greeting templates (admins only)."""
