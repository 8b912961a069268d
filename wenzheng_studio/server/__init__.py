"""The engine's network face: HTTP routes and Socket.IO namespaces (no Qt here)."""
