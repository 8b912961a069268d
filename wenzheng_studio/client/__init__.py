"""A client of the engine's public interface, for windows and tools.

It runs its own asyncio loop on a thread named "engine-client" and never touches Qt:
ui/bridge.py turns its callbacks into Qt signals. Everything goes over HTTP and
Socket.IO exactly as PROTOCOL.md describes, so a window works the same against an
embedded engine or one on another PC.
"""

from .engine_client import EngineClient, EngineReply
from .embedded import EmbeddedEngine

__all__ = ["EngineClient", "EngineReply", "EmbeddedEngine"]
