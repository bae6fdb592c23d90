from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessLog, Desk, User
from fraud.models import DissuasionScript, StopPaymentRequest
from orders.models import InterceptionRequest, Product

from .choices import Severity
from .models import Alert, Case, CheckIn, PoliceReferral, RiskAssessment, ScanTermChange
from .risk import CSSRS_QUESTIONS
from .scanner.categories import Category as ScanCategory
from .selectors.scanner import scan_term_named
from .services import MAX_TEXT_LENGTH
from .services.search import SEARCH_PURPOSES

if TYPE_CHECKING:  # django_stubs_ext comes with the dev extras, not at run time
    from django_stubs_ext import StrOrPromise


class ManualAlertForm(forms.Form):
    """A signal that reached a specialist outside the platform's traffic: a phone call, a report
    from a partner, a colleague's message."""

    desk = forms.ChoiceField(label=_("Desk"), choices=Desk.choices)
    severity = forms.TypedChoiceField(
        label=_("Severity"),
        choices=[(value, label) for value, label in reversed(Severity.choices) if value > Severity.NONE],
        coerce=int,
        initial=Severity.HIGH,
        help_text=_("When the scanner rates the text higher, its rating is used."),
    )
    summary = forms.CharField(label=_("In one line"), max_length=300)
    text = forms.CharField(
        label=_("What was said or reported"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The scanner marks the terms it knows in this text."),
    )
    buyer_ref = forms.CharField(
        label=_("Platform account of the person"),
        max_length=64,
        required=False,
        help_text=_("Leave empty when not known."),
    )


class RiskAssessmentForm(forms.Form):
    q1 = forms.BooleanField(required=False, label=CSSRS_QUESTIONS["q1"])
    q2 = forms.BooleanField(required=False, label=CSSRS_QUESTIONS["q2"])
    q3 = forms.BooleanField(required=False, label=CSSRS_QUESTIONS["q3"])
    q4 = forms.BooleanField(required=False, label=CSSRS_QUESTIONS["q4"])
    q5 = forms.BooleanField(required=False, label=CSSRS_QUESTIONS["q5"])
    q6 = forms.BooleanField(required=False, label=CSSRS_QUESTIONS["q6"])
    q6_recent = forms.BooleanField(required=False, label=_("…and was that within the past three months?"))
    factors = forms.MultipleChoiceField(
        label=_("Risk factors"),
        choices=RiskAssessment.Factor.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Why (what the person said)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InterceptForm(forms.Form):
    order = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note for the merchant"), required=False, max_length=500)


class InterceptionAnswerForm(forms.Form):
    """The shop's answer as the specialist heard it (by phone). Nothing is chosen for them: the
    first choice is a prompt, and sending it is an error."""

    ANSWERS = [(status.value, status.label) for status in InterceptionRequest.SHOP_ANSWERS]

    interception = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Merchant's answer"),
        choices=[("", _("Choose the shop's answer")), *ANSWERS],
        error_messages={"required": _("Choose what the shop answered.")},
    )
    tracking_no = forms.CharField(label=_("tracking number"), required=False, max_length=64)
    note = forms.CharField(label=_("note"), required=False, max_length=500)


class ReferralForm(forms.Form):
    unit = forms.IntegerField(label=_("Police unit"))
    what_reported = forms.CharField(label=_("What was reported"), widget=forms.Textarea(attrs={"rows": 3}))
    reference_no = forms.CharField(label=_("police reference number"), required=False, max_length=64)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class HandOverForm(forms.Form):
    to = forms.IntegerField(label=_("Hand over to"))
    note = forms.CharField(label=_("What they need to know"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class BulkHandOverForm(forms.Form):
    """A supervisor's hand-over of many cases to one colleague: the ticked cases, or every open
    case of one person (going off shift), with one note for every case's timeline."""

    cases = forms.ModelMultipleChoiceField(queryset=Case.objects.none(), required=False)
    of = forms.ModelChoiceField(label=_("Or every open case of"), queryset=User.objects.none(), required=False)
    to = forms.ModelChoiceField(label=_("Hand over to"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("Hand-over note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Written on the timeline of every case handed over."),
    )

    def __init__(self, *args, cases, staff, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["cases"]).queryset = cases
        cast(forms.ModelChoiceField, self.fields["of"]).queryset = staff
        cast(forms.ModelChoiceField, self.fields["to"]).queryset = staff

    def clean(self) -> dict:
        data = super().clean() or {}
        if "cases" in self.errors or "of" in self.errors:
            return data  # a choice that is not offered: told as such
        if bool(data.get("cases")) == bool(data.get("of")):
            raise forms.ValidationError(gettext("Tick some cases, or choose whose open cases to hand over."))
        return data


class CheckInForm(forms.Form):
    local_day = forms.DateField(
        label=_("Day (the person's time)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    local_time = forms.TimeField(
        label=_("Time (the person's time)"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=CheckIn.Channel.choices)
    text = forms.CharField(
        label=_("Message"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    days = forms.IntegerField(
        label=_("Every day, for how many days"), min_value=1, max_value=31, initial=1, required=False
    )

    def clean_days(self) -> int:
        return self.cleaned_data["days"] or 1


class CallForm(forms.Form):
    reached = forms.BooleanField(label=_("Reached the person"), required=False)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class BreakGlassForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=20, help_text=_("e.g. LP-000042"))
    reason = forms.CharField(
        label=_("Why you must read it now"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactRevealForm(forms.Form):
    """Why the full phone number and address are needed: the access log keeps it, and the case's
    timeline says it. Reading outside one's desk (break-glass) can only be an emergency."""

    purpose = forms.ChoiceField(label=_("Purpose"))
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)

    def __init__(self, *args, outside_desk: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        emergency = AccessLog.Purpose.EMERGENCY
        purposes = [(v, label) for v, label in AccessLog.Purpose.choices if (v == emergency) == outside_desk]
        cast(forms.ChoiceField, self.fields["purpose"]).choices = [("", _("Choose why")), *purposes]


class SearchForm(forms.Form):
    """The search box: what to look for, and, for a search that can find a person, why (the
    access log keeps it, as for a reveal). Working the case is chosen unless the searcher says
    otherwise; the emergency outside one's desks is break-glass's, not the search's."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    # Any text: a purpose that is not one a search may give is no purpose, and the search service
    # refuses it in its own words (search_purpose_ensure) rather than as a bad choice.
    purpose = forms.CharField(label=_("Purpose"), max_length=20, required=False)

    @property
    def purpose_choices(self) -> list[tuple[str, "StrOrPromise"]]:
        purposes = [(value, label) for value, label in AccessLog.Purpose.choices if value in SEARCH_PURPOSES]
        return [("", _("Choose why")), *purposes]


class ReleaseForm(forms.Form):
    interception = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why the order may ship again"), max_length=500)


class CloseForm(forms.Form):
    """How the case ended. Given the case, it offers its desk's outcomes only; whichever is sent,
    case_close refuses an outcome of the other desk. Nothing is chosen beforehand: a case must not
    close as "safe" because that came first."""

    PROMPT = ("", _("Choose how it ended"))

    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[PROMPT, *Case.Outcome.choices],
        error_messages={"required": _("Choose how the case ended.")},
    )
    summary = forms.CharField(label=_("closing summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case: Case | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            outcome = cast(forms.ChoiceField, self.fields["outcome"])
            outcome.choices = [self.PROMPT, *((choice.value, choice.label) for choice in case.outcomes)]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("flag", _("Flag for a review"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "flag" and not data.get("note", "").strip():
            raise forms.ValidationError(_("Say what the review should look at."))
        return data


class ReferralReceiptForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s, label) for s, label in PoliceReferral.Status.choices if s != PoliceReferral.Status.REPORTED],
    )
    outcome = forms.CharField(label=_("outcome"), required=False, max_length=2000)


class PlaybookForm(forms.Form):
    playbook = forms.IntegerField(label=_("playbook"))


class TickForm(forms.Form):
    step = forms.IntegerField(min_value=0)


class BulkTriageForm(forms.Form):
    alerts = forms.TypedMultipleChoiceField(coerce=int, choices=[], error_messages={"required": _("Tick some alerts.")})
    reason = forms.ChoiceField(label=_("Dismiss as"), choices=Alert.DismissReason.choices, required=False)
    case = forms.IntegerField(label=_("Or merge into case number"), required=False, min_value=1)

    def __init__(self, *args, alert_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["alerts"]).choices = [(pk, pk) for pk in alert_ids]


class StopPaymentForm(forms.Form):
    unit = forms.IntegerField(label=_("anti-fraud centre"))
    payee_account = forms.CharField(label=_("payee account"), max_length=100)
    amount = forms.DecimalField(
        label=_("amount paid (yuan)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    paid_at = forms.DateTimeField(
        label=_("paid"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    reported_at = forms.DateTimeField(
        label=_("victim reported"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    transaction_ref = forms.CharField(label=_("transaction reference"), max_length=100, required=False)


class StopPaymentAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (s, label) for s, label in StopPaymentRequest.Status.choices if s != StopPaymentRequest.Status.REQUESTED
        ],
    )
    frozen_amount = forms.DecimalField(
        label=_("amount frozen (yuan)"), required=False, min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )


class DissuasionForm(forms.Form):
    scam_type = forms.ChoiceField(label=_("kind of scam"), choices=DissuasionScript.ScamType.choices)
    reached = forms.BooleanField(label=_("reached the person"), required=False)
    convinced = forms.BooleanField(label=_("convinced not to pay"), required=False)
    amount_protected = forms.DecimalField(
        label=_("amount protected (yuan)"), min_value=Decimal(0), max_digits=12, decimal_places=2, required=False
    )
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


class IncidentReviewForm(forms.Form):
    """The review's words. On purpose, no field asks who was at fault."""

    title = forms.CharField(label=_("Title"), max_length=200)
    what_happened = forms.CharField(
        label=_("What happened"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    went_well = forms.CharField(
        label=_("What went well"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    made_it_hard = forms.CharField(
        label=_("What made it hard"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The tools, the information, the time, the rules: what would have made it easier."),
    )


class FollowUpForm(forms.Form):
    description = forms.CharField(label=_("What will change"), max_length=500)
    owner: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(label=_("Who sees it through"), queryset=None)
    due_on = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class LegalHoldForm(forms.Form):
    """Place or lift a case's legal hold; either way the reason is required and kept."""

    hold = forms.TypedChoiceField(
        label=_("Legal hold"),
        choices=[("1", _("Place a legal hold")), ("0", _("Lift the legal hold"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("The legal matter"),
        max_length=300,
        help_text=_("A court order, a police request, a complaint: name the matter, not the person."),
    )


class TermChangeForm(forms.Form):
    action = forms.ChoiceField(label=_("Change"), choices=ScanTermChange.Action.choices)
    phrase = forms.CharField(label=_("Phrase"), max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=ScanCategory.choices)
    weight = forms.IntegerField(label=_("Weight"), min_value=0, max_value=3, initial=2)
    goods = forms.ChoiceField(
        label=_("High-risk goods"), required=False, choices=[("", "—"), *Product.RiskCategory.choices]
    )
    reason = forms.CharField(label=_("Why"), max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("action") and data["action"] != ScanTermChange.Action.ADD and data.get("phrase"):
            data["term"] = scan_term_named(data["phrase"].strip(), data.get("category"))
            if data["term"] is None:
                raise forms.ValidationError(gettext("There is no such term in that category to change."))
        return data
