"""The API's one error shape, apart from config.api so that what answers before DRF is loaded (the
request size limit) can use it: config.api imports DRF's views, which read config.api's classes
from the settings as they load."""


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}
