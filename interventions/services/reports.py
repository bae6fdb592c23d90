"""Reports from partner shops (上报): each lands in the queue as an alert, scanned by the same
scanner; the shop and the specialist talk about it in a thread."""

from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Desk, User
from accounts.refusals import Invalid
from orders.models import Buyer, InterceptionRequest, Merchant, MerchantReport, Order, ReportAttachment, ReportNote
from orders.screenshots import CleanScreenshot

from ..choices import Severity, Source
from ..models import Notification
from .alerts import alert_raise_by_hand
from .notifications import notify


@transaction.atomic
def merchant_report_submit(
    *,
    merchant: Merchant,
    by: User,
    kind: str,
    text: str,
    talking_now: bool,
    buyer: Buyer | None = None,
    order: Order | None = None,
    screenshots: Sequence[CleanScreenshot] = (),
) -> MerchantReport:
    """File a shop's report. Life risk while the shop is talking to the person right now is
    critical, at the top of the queue; otherwise the scanner's verdict on the text, at least
    medium, since a person chose to report it."""
    desk = Desk.FRAUD if kind == MerchantReport.Kind.FRAUD else Desk.LIFE
    urgent = kind == MerchantReport.Kind.LIFE and talking_now
    summary = _("Report from %(shop)s: %(kind)s") % {"shop": merchant.name, "kind": MerchantReport.Kind(kind).label}
    if talking_now:
        summary += _(" (talking with them now)")
    alert = alert_raise_by_hand(
        by=by,
        desk=desk,
        severity=Severity.CRITICAL if urgent else Severity.MEDIUM,
        summary=summary,
        text=text,
        buyer=buyer or (order.buyer if order else None),
        source=Source.MERCHANT_REPORT,
        merchant=merchant,
        order=order,
    )
    report = MerchantReport.objects.create(
        merchant=merchant,
        reported_by=by,
        kind=kind,
        talking_now=talking_now,
        buyer=alert.buyer,
        order=order,
        text=text,
        alert=alert,
    )
    for picture in screenshots:
        attachment = ReportAttachment(
            report=report,
            content_type=picture.content_type,
            extension=picture.extension,
            size=len(picture.content),
            width=picture.width,
            height=picture.height,
        )
        attachment.file.save("screenshot", ContentFile(picture.content), save=False)
        attachment.save()
    return report


@transaction.atomic
def report_note_add(*, report: MerchantReport, by: User, text: str, from_platform: bool) -> ReportNote:
    """One message in a report's thread; the other side is told in the portal."""
    if not text.strip():
        raise Invalid(_("Write a message."))
    note = ReportNote.objects.create(report=report, author=by, from_platform=from_platform, text=text.strip())
    if from_platform:
        recipients = [report.reported_by]
        link = reverse("orders:report", args=[report.pk])
    else:
        alert = report.alert
        recipients = [user for user in (alert.claimed_by, alert.case.owner if alert.case else None) if user]
        link = reverse("interventions:alert", args=[alert.pk])
    notify(
        recipients=recipients,
        kind=Notification.Kind.REPORT_NOTE,
        title=_("New message about the report of %(when)s")
        % {"when": timezone.localtime(report.created_at).strftime("%m-%d %H:%M")},
        link=link,
        key=f"report-note:{note.pk}",
    )
    return note


def interception_page_shop(*, interception: InterceptionRequest) -> None:
    """Page the shop's staff: the platform asks them to hold one of their orders, with a deadline."""
    staff = [membership.user for membership in interception.order.merchant.memberships.select_related("user")]
    notify(
        recipients=[user for user in staff if user.is_active],
        kind=Notification.Kind.INTERCEPTION_REQUESTED,
        title=_("Hold order %(order)s now: answer by %(deadline)s")
        % {
            "order": interception.order.external_ref,
            "deadline": timezone.localtime(interception.deadline).strftime("%H:%M"),
        },
        link=reverse("orders:interceptions"),
        key=f"interception:{interception.pk}:shop",
    )
