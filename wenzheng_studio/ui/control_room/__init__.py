"""The director's control room: running order, clocks, speakers, votes, questions, preview."""

from .window import ControlRoomWindow

__all__ = ["ControlRoomWindow"]
