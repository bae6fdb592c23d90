"""Refusals: what a service says when it will not do what it was asked. One small family, so a
page or the API can tell "not possible as asked" from "the state moved on" from "not yours"
without reading the message, and every message is translated: it is shown to the person as it is.

Each kind carries the HTTP status and the error code the API answers it with (config/api.py), and
pages tell it in one way (accounts/feedback.py): not yours is not found, never forbidden.
"""


class Refused(Exception):
    """A service will not do what it was asked; the message (translated) says why."""

    status = 422
    code = "refused"


class Invalid(Refused, ValueError):
    """Not possible as asked: a required reason is missing, a choice does not fit the case. A
    ValueError too, so the pages and API that show a ValueError's words show these."""


class Conflict(Refused):
    """The state of things has moved on: the case is closed, the alert was claimed meanwhile."""

    status = 409
    code = "conflict"


class NotYours(Refused):
    """Not the asker's to see or do; pages and the API answer it as not found, never forbidden."""

    status = 404
    code = "not_found"
