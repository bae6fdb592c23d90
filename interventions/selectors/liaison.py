"""What a police liaison may read: their unit's referrals and stop-payment requests."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.selectors import user_desks
from fraud.models import StopPaymentRequest

from ..models import (
    Case,
    PoliceReferral,
)


def referrals_for_liaison(user: User) -> QuerySet[PoliceReferral]:
    """Referrals made to the liaison's own unit, newest first; never another unit's."""
    return (
        PoliceReferral.objects.filter(unit__liaisons__user=user)
        .select_related("case__buyer__region", "referred_by", "unit")
        .prefetch_related(Prefetch("covers", queryset=Case.objects.order_by("pk")))
        .order_by("-referred_at")
    )


def referral_for_liaison(user: User, pk: int) -> PoliceReferral:
    return get_object_or_404(referrals_for_liaison(user), pk=pk)


def stop_payments_for_liaison(user: User):
    """Stop-payment requests to the liaison's own centre, the ones still running first."""
    return (
        StopPaymentRequest.objects.filter(unit__liaisons__user=user)
        .select_related("case__buyer", "requested_by", "unit")
        .order_by("answered_at", "-requested_at")
    )


def stop_payment_for_liaison(user: User, pk: int):
    return get_object_or_404(stop_payments_for_liaison(user), pk=pk)


def stop_payment_packet(user: User, pk: int):
    """A stop-payment with what its printable packet shows, for the case's desk or the centre's
    liaison; 404 for anyone else."""
    stop = get_object_or_404(
        StopPaymentRequest.objects.select_related("case__buyer__region", "unit__region", "requested_by"), pk=pk
    )
    works_case = stop.case.desk in user_desks(user)
    is_centre = stop.unit.liaisons.filter(user=user).exists()
    if not (works_case or is_centre):
        raise Http404
    return stop
