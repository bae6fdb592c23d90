import zoneinfo
from typing import TYPE_CHECKING

from django.template import Library
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccessLog
from orders.models import InterceptionRequest

from ..models import PoliceReferral, RiskAssessment
from ..risk import CSSRS_QUESTIONS

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


@register.filter
def interception_status(value: str) -> "StrOrPromise":
    """The label of an interception's status ("Already shipped") from a timeline line's value."""
    try:
        return InterceptionRequest.Status(value).label
    except ValueError:
        return value


@register.filter
def referral_status(value: str) -> "StrOrPromise":
    """The label of a police referral's status from a timeline line's value."""
    try:
        return PoliceReferral.Status(value).label
    except ValueError:
        return value


@register.filter
def screener_answers(assessment: RiskAssessment) -> list[tuple[int, "StrOrPromise", bool, bool]]:
    """The C-SSRS screener's six questions as the assessment answered them: (number, question,
    yes, and for question 6 whether it was within the past three months)."""
    answers = assessment.cssrs
    return [
        (number, question, bool(answers.get(key)), key == "q6" and bool(answers.get(key) and answers.get("q6_recent")))
        for number, (key, question) in enumerate(CSSRS_QUESTIONS.items(), start=1)
    ]


@register.filter
def risk_factor_labels(assessment: RiskAssessment) -> list["StrOrPromise"]:
    """The risk factors the assessment found, in the reader's language and the form's order."""
    return [label for value, label in RiskAssessment.Factor.choices if value in assessment.factors]
