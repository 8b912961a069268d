"""Domain errors carry a stable machine code (used verbatim in HTTP and acks)."""


class DomainError(Exception):
    """A command the show refuses. `code` is the public error code."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def invalid(message: str) -> DomainError:
    return DomainError("invalid", message, 400)


def not_found(message: str) -> DomainError:
    return DomainError("not_found", message, 404)


def bad_transition(message: str) -> DomainError:
    return DomainError("bad_transition", message, 409)
