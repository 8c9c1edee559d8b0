"""The machine API's domain (docs/api.md): API keys, OpenDSR submissions and their status,
signatures and status callbacks. Flask-free; ``portal.machine`` is the HTTP edge."""
