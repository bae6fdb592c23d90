"""Refusals: what a service says when it will not do what it was asked. One small family, so a
page or the API can tell "not possible as asked" from "the state moved on" from "not yours"
without reading the message, and every message is translated: it is shown to the person as it is.
"""


class Refused(Exception):
    """A service will not do what it was asked; the message (translated) says why."""


class Invalid(Refused, ValueError):
    """Not possible as asked: a required reason is missing, a choice does not fit the case. A
    ValueError too, so the pages and API that show a ValueError's words show these."""


class Conflict(Refused):
    """The state of things has moved on: the case is closed, the alert was claimed meanwhile."""


class NotYours(Refused):
    """Not the asker's to see or do; pages and the API answer it as not found, never forbidden."""
