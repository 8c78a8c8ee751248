"""What every app shares: configuration, auth, error pages, security headers,
health checks and logging. Nothing here owns a database: each app passes its own
``db`` and ``User`` in, so the apps share code and never state."""
