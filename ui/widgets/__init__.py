"""Small reusable widgets: the message banner and the two-line item delegate."""
