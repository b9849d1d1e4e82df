"""One ``Hook`` per channel kind: how its webhook requests are checked and split into events."""
