"""Revealing how to reach a person: the full phone number and street address behind the masks.

A reveal is a read of personal data with a purpose: the access log keeps who, when, from where and
why; a case's timeline says who looked and why. Neither ever holds the values themselves.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import AccessLog, User
from accounts.refusals import Invalid
from accounts.services import access_record
from orders.models import Buyer

from ..models import Alert, Case, CaseEvent
from .timeline import case_event_record


@transaction.atomic
def case_contact_reveal(*, case: Case, by: User, purpose: str, reason: str = "", address: str | None = None) -> Buyer:
    """Reveal the case's person's phone and address to `by`, who has the case through
    case_for_user. Returns the buyer: its phone and address may be shown in that one response.
    Raises ValueError (nothing written) without a purpose or with nothing to reveal."""
    buyer = _contact_reveal(
        buyer=case.buyer, by=by, purpose=purpose, reason=reason, address=address, seen_on=case.reference
    )
    case_event_record(case=case, actor=by, kind=CaseEvent.Kind.CONTACT_REVEALED, purpose=purpose, reason=reason)
    return buyer


@transaction.atomic
def alert_contact_reveal(
    *, alert: Alert, by: User, purpose: str, reason: str = "", address: str | None = None
) -> Buyer:
    """Reveal the alert's person's phone and address to `by`, who has the alert through
    alert_for_user. An alert already in a case puts the reveal on that case's timeline too."""
    buyer = _contact_reveal(
        buyer=alert.buyer, by=by, purpose=purpose, reason=reason, address=address, seen_on=f"#{alert.pk}"
    )
    if alert.case is not None:  # no query when the alert is in no case
        case_event_record(
            case=alert.case,
            actor=by,
            kind=CaseEvent.Kind.CONTACT_REVEALED,
            purpose=purpose,
            reason=reason,
            alert=alert.pk,
        )
    return buyer


def _contact_reveal(
    *, buyer: Buyer | None, by: User, purpose: str, reason: str, address: str | None, seen_on: str
) -> Buyer:
    if purpose not in AccessLog.Purpose.values:
        raise Invalid(_("Choose why you need the contact details."))
    if buyer is None or not (buyer.phone or buyer.address):
        raise Invalid(_("No phone number or address is known for this person."))
    access_record(
        user=by,
        action=AccessLog.Action.REVEAL,
        obj=buyer,
        # The account and where it was revealed, never the person's name or the values.
        object_label=f"{buyer.account_ref} ({seen_on})",
        purpose=purpose,
        reason=reason.strip(),
        address=address,
    )
    return buyer
