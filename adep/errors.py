"""Mistakes the person running adep can fix: one plain line and a non-zero exit, never a traceback."""
from __future__ import annotations


class UserError(Exception):
    """Something the person running adep can fix (a typo, a busy warehouse, a file that is not rejected).

    Its message is the whole story: the command line prints it as one line and exits with status 2, and the
    engine's console log leaves out the traceback of a flow or task that stopped on one (the run's own log keeps it).
    """


def user_error_names() -> set[str]:
    """Class names of every kind of user error, as Prefect writes them into a failed state's message."""
    names, pending = set(), [UserError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def one_line(exc: BaseException) -> str:
    """The error's message on one line, whatever it holds."""
    return " ".join(str(exc).split()) or type(exc).__name__
