import zoneinfo
from typing import TYPE_CHECKING

from django.template import Library
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccessLog

if TYPE_CHECKING:  # django_stubs_ext comes with the dev extras, not at run time
    from django_stubs_ext import StrOrPromise

register = Library()


@register.filter
def get_item(mapping: dict, key):
    """mapping[key] in a template, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def zone_label(zone: str) -> str:
    """A time zone as people say it ("北京时间 (UTC+08:00)"), not as an IANA id."""
    names = {"Asia/Shanghai": _("China Standard Time"), "Asia/Hong_Kong": _("Hong Kong time")}
    try:
        offset = timezone.now().astimezone(zoneinfo.ZoneInfo(zone)).strftime("%z")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zone
    utc = f"UTC{offset[:3]}:{offset[3:]}"
    return f"{names[zone]} ({utc})" if zone in names else utc


@register.filter
def access_purpose(value: str) -> "StrOrPromise":
    """The label of an access-log purpose ("Contacting the person") from its stored value."""
    try:
        return AccessLog.Purpose(value).label
    except ValueError:
        return value
