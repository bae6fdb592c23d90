from django import forms
from django.utils.translation import gettext_lazy as _

from .models import InterceptionRequest, MerchantReport
from .screenshots import MAX_FILES, ScreenshotRefused, screenshots_clean
from .selectors import merchant_order_or_buyer


class ScreenshotsInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ScreenshotsField(forms.FileField):
    """Up to MAX_FILES pictures within the pixel budgets, each checked by its content and re-encoded."""

    widget = ScreenshotsInput(attrs={"accept": "image/png,image/jpeg,image/webp"})

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data or []) if upload]
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(_("At most %(n)d screenshots.") % {"n": MAX_FILES})
        try:
            return screenshots_clean(uploads)
        except ScreenshotRefused as refused:
            raise forms.ValidationError(refused.messages) from None


class MerchantReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=MerchantReport.Kind.choices, widget=forms.RadioSelect)
    talking_now = forms.BooleanField(label=_("I am talking with this person right now"), required=False)
    buyer_ref = forms.CharField(
        label=_("The buyer: order number or buyer account"),
        max_length=64,
        help_text=_("One of your shop's order numbers, or the account of a buyer who ordered from you."),
    )
    text = forms.CharField(
        label=_("What they said (paste or type the conversation)"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    screenshots = ScreenshotsField(label=_("Screenshots (up to 5; PNG, JPEG or WebP, 5 MB each)"), required=False)

    def __init__(self, *args, merchant, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.merchant = merchant

    def clean_buyer_ref(self) -> str:
        ref = self.cleaned_data["buyer_ref"]
        order, buyer = merchant_order_or_buyer(merchant=self.merchant, ref=ref)
        if order is None and buyer is None:
            raise forms.ValidationError(_("This is not an order number or a buyer account of your shop."))
        self.cleaned_data["order"], self.cleaned_data["buyer"] = order, buyer
        return ref


class ReportNoteForm(forms.Form):
    text = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ShopAnswerForm(forms.Form):
    """The shop's answer to an interception request."""

    ANSWERS = [
        (InterceptionRequest.Status.HELD, _("Held: it will not ship")),
        (InterceptionRequest.Status.SHIPPED, _("Already shipped")),
        (InterceptionRequest.Status.FAILED, _("Could not stop it")),
    ]
    # No answer is chosen for the shop: the first choice is a prompt, and sending it is an error.
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[("", _("Choose your answer")), *ANSWERS],
        error_messages={"required": _("Choose what became of the order.")},
    )
    tracking_no = forms.CharField(label=_("tracking number"), max_length=64, required=False)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == InterceptionRequest.Status.SHIPPED and not data.get("tracking_no", "").strip():
            self.add_error("tracking_no", _("Give the tracking number, so the parcel can be recalled."))
        return data


class StaffInviteForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(label=_("Email"))
    paging_phone = forms.CharField(label=_("Phone for urgent requests"), max_length=32, required=False)
    is_admin = forms.BooleanField(label=_("Shop admin (manages staff)"), required=False)
