"""What every window shares: background jobs, the change feed, the workbench, crash
handling, settings and icons."""
