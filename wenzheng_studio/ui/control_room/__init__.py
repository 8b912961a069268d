"""The director's control room: running order, clocks, speakers, votes, questions, preview."""

from .window import ControlRoomWindow, freeze_startup_objects

__all__ = ["ControlRoomWindow", "freeze_startup_objects"]
