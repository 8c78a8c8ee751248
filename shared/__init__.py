"""What the three capstone apps share: configuration, auth, error pages,
security headers, health checks and request logging.

Nothing here owns a database: each app passes its own ``db`` and ``User``
model in, so the apps share code and never state.
"""
