"""The queue's filters (django-filter). Querysets come from selectors; this only narrows them."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Desk, User

from .choices import Severity, Source
from .models import Alert, Case, IncidentReview, Playbook


class QueueFilter(django_filters.FilterSet):
    desk = django_filters.ChoiceFilter(label=_("Desk"), choices=Desk.choices, empty_label=_("All my desks"))
    severity = django_filters.MultipleChoiceFilter(
        label=_("Severity"), choices=[(v, label) for v, label in reversed(Severity.choices) if v > Severity.NONE]
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices, empty_label=_("Any source"))
    merchant = django_filters.CharFilter(label=_("Shop ID"), field_name="merchant__external_ref")
    region = django_filters.CharFilter(label=_("Region code"), method="in_region")
    show = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[("unclaimed", _("Unclaimed")), ("mine", _("Claimed by me"))],
        empty_label=_("All open"),
        method="by_claim",
    )

    class Meta:
        model = Alert
        fields = ["desk", "severity", "source", "merchant", "region", "show"]

    def in_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A person is in a region when they live there or their order ships there; a province
        # code takes in its cities (GB/T 2260 codes share their prefix).
        prefix = value.rstrip("0") or value
        return queryset.filter(Q(buyer__region__code__startswith=prefix) | Q(order__region__code__startswith=prefix))

    def by_claim(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "unclaimed":
            return queryset.filter(status=Alert.Status.NEW)
        if value == "mine":
            return queryset.filter(claimed_by=self.request.user)
        return queryset


class IncidentReviewFilter(django_filters.FilterSet):
    """Search the blameless reviews: by words of their titles or follow-ups, by a case reference,
    by status, and for those with follow-ups still open."""

    q = django_filters.CharFilter(label=_("Words or case reference"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=IncidentReview.Status.choices, empty_label=_("Any status")
    )
    follow_ups = django_filters.ChoiceFilter(
        label=_("Follow-ups"),
        choices=[("open", _("Some still open"))],
        empty_label=_("Any"),
        method="with_open_follow_ups",
    )

    class Meta:
        model = IncidentReview
        fields = ["q", "status", "follow_ups"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        prefix, _dash, number = value.strip().upper().partition("-")
        if prefix in ("LP", "AF") and number.isdigit():
            return queryset.filter(case_id=int(number))
        # The title and the follow-ups name the matter; the account of what happened tells of the
        # person and is encrypted, so SQL cannot search it.
        words = Q()
        for field in ("title", "follow_ups__description"):
            words |= Q(**{f"{field}__icontains": value.strip()})
        matching = IncidentReview.objects.filter(words).values("pk")
        return queryset.filter(pk__in=matching)

    def with_open_follow_ups(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(open_follow_ups__gt=0) if value == "open" else queryset


class CaseListFilter(django_filters.FilterSet):
    """The case list's filters, over a saved view of the user's desks. The desk is offered only to
    whoever works several; the people and playbooks offered are those of the user's desks."""

    desk = django_filters.ChoiceFilter(label=_("Desk"), choices=Desk.choices, empty_label=_("All my desks"))
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=User.objects.none(), empty_label=_("Anyone"))
    # Five levels, each a tick away: a multiple select hides all but two and needs Ctrl to pick two.
    risk = django_filters.MultipleChoiceFilter(
        label=_("Risk"),
        field_name="risk_level",
        choices=list(reversed(Case.RiskLevel.choices)),
        widget=forms.CheckboxSelectMultiple,
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Case.Status.choices, empty_label=_("Any status"))
    playbook = django_filters.ModelChoiceFilter(
        label=_("Playbook"), queryset=Playbook.objects.none(), empty_label=_("Any playbook")
    )
    opened = django_filters.DateFromToRangeFilter(
        label=_("Opened between"),
        field_name="opened_at",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Case
        fields = ["desk", "owner", "risk", "status", "playbook", "opened"]

    def __init__(self, *args, desks: list[str], staff: QuerySet[User], playbooks: QuerySet[Playbook], **kwargs):
        super().__init__(*args, **kwargs)
        if len(desks) > 1:
            self.filters["desk"].extra["choices"] = [(desk, Desk(desk).label) for desk in desks]
        else:
            del self.filters["desk"]
        self.filters["owner"].queryset = staff
        self.filters["playbook"].queryset = playbooks
