"""The merchant portal: a shop reports danger and answers interceptions, sees only its own, and
screenshots are judged by their content."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import User
from interventions.models import Alert, CaseEvent, Notification, Severity
from interventions.services import alert_claim, order_intercept
from orders.models import InterceptionRequest, MerchantReport, ReportAttachment, ReportNote
from tests import factories

TALK = "她说攒了一瓶安眠药,今晚就吃掉,不想活了"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def orders(shop_a, shop_b):
    girl = factories.BuyerFactory(account_ref="tb_girl_12")
    pills = factories.ProductFactory(merchant=shop_a, name="褪黑素安眠片", risk_category="sedative")
    return {
        "a": factories.OrderFactory(external_ref="TB-A-1", buyer=girl, product=pills),
        "b": factories.OrderFactory(external_ref="TB-B-1", product=factories.ProductFactory(merchant=shop_b)),
    }


def _picture(kind: str = "PNG", size=(40, 30), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    options = {"exif": exif} if exif else {}
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind, **options)
    return out.getvalue()


def _upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _report(client, **fields):
    data = {"kind": "life", "talking_now": "on", "buyer_ref": "TB-A-1", "text": TALK, **fields}
    return client.post(reverse("orders:report_new"), data)


# --- reporting ------------------------------------------------------------------------------------


def test_a_life_report_while_talking_goes_to_the_top_of_the_queue(client, merchant_a, orders, specialist):
    waiting = factories.AlertFactory(desk="life", severity=Severity.HIGH, summary="早先的高危预警")
    client.force_login(merchant_a)
    response = _report(client, screenshots=[_upload("chat.png", _picture())])
    report = MerchantReport.objects.get()
    assert response.url == reverse("orders:report", args=[report.pk])
    alert = report.alert
    assert (alert.desk, alert.severity, alert.source) == ("life", Severity.CRITICAL, "merchant_report")
    assert (alert.buyer, alert.order, alert.merchant) == (orders["a"].buyer, orders["a"], orders["a"].merchant)
    assert alert.matches  # the scanner marked the words
    page = client.get(response.url).text
    assert 'data-testid="guide"' in page
    assert "12356" in page
    client.force_login(specialist)
    queue = client.get(reverse("interventions:queue")).text
    assert queue.index(alert.summary) < queue.index(waiting.summary)


def test_a_fraud_report_goes_to_the_fraud_desk_by_buyer_account(client, merchant_a, orders):
    client.force_login(merchant_a)
    _report(client, kind="fraud", talking_now="", buyer_ref="tb_girl_12", text="买家说有人让她刷单返利,已经转了三千")
    alert = MerchantReport.objects.get().alert
    assert alert.desk == "fraud"
    assert alert.severity >= Severity.MEDIUM


def test_another_shops_order_is_refused_and_the_form_keeps_what_was_typed(client, merchant_a, orders):
    client.force_login(merchant_a)
    response = _report(client, buyer_ref="TB-B-1")
    assert response.status_code == 400
    assert "不是本店的订单号或买家账号" in response.text
    assert TALK in response.text  # what the person typed is still there
    assert not MerchantReport.objects.exists()
    assert not Alert.objects.exists()


# --- screenshots ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),  # a Windows program
        ("chat.png", b"<html><script>alert(1)</script></html>"),
        ("chat.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("broken.png", _picture()[:60]),  # a PNG cut short
    ],
)
def test_a_file_that_is_not_a_picture_is_refused_with_a_clear_message(client, merchant_a, orders, name, content):
    client.force_login(merchant_a)
    response = _report(client, screenshots=[_upload(name, content)])
    assert response.status_code == 400
    assert f"{name} 不是可以打开的图片" in response.text or f"{name} 不是 PNG" in response.text
    assert not MerchantReport.objects.exists()


def test_a_picture_over_5_mb_is_refused(client, merchant_a, orders):
    client.force_login(merchant_a)
    big = _picture() + b"\x00" * (5 * 1024 * 1024)
    response = _report(client, screenshots=[_upload("big.png", big)])
    assert response.status_code == 400
    assert "big.png 超过 5 MB" in response.text


def test_a_picture_of_too_many_pixels_is_refused_whatever_its_file_size(client, merchant_a, orders):
    """Five 6300×6300 PNGs of a few kB each: refused from their headers, with one line each."""
    client.force_login(merchant_a)
    huge = _picture(size=(6300, 6300))
    assert len(huge) < 1024 * 1024
    response = _report(client, screenshots=[_upload(f"bomb{n}.png", huge) for n in range(5)])
    assert response.status_code == 400
    for n in range(5):
        assert f"bomb{n}.png 图片尺寸过大：每张最多 20 百万像素" in response.text
    assert not MerchantReport.objects.exists()


def test_pictures_too_many_pixels_together_are_refused(client, merchant_a, orders):
    client.force_login(merchant_a)
    long_chats = [_upload(f"chat{n}.png", _picture(size=(1000, 15_000))) for n in range(3)]  # 15 MP each
    response = _report(client, screenshots=long_chats)
    assert response.status_code == 400
    assert "这些截图合计尺寸过大：一次报告最多 40 百万像素" in response.text
    assert not MerchantReport.objects.exists()


def test_the_pixel_budget_is_told_in_english_too(client, merchant_a, orders):
    merchant_a.language = "en"
    merchant_a.save(update_fields=["language"])
    client.force_login(merchant_a)
    response = _report(client, screenshots=[_upload("bomb.png", _picture(size=(6300, 6300)))])
    assert "bomb.png is too large a picture: at most 20 megapixels." in response.text


def test_a_sixth_picture_is_refused(client, merchant_a, orders):
    client.force_login(merchant_a)
    response = _report(client, screenshots=[_upload(f"{n}.png", _picture()) for n in range(6)])
    assert response.status_code == 400
    assert "最多 5 张截图" in response.text


def test_a_jpeg_is_kept_without_its_exif(client, merchant_a, orders):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera maker
    exif[0x0132] = "2026:11:23 21:14:00"  # when it was taken
    client.force_login(merchant_a)
    _report(client, screenshots=[_upload("photo.jpg", _picture("JPEG", exif=exif.tobytes()), "image/jpeg")])
    stored = ReportAttachment.objects.get()
    assert (stored.content_type, stored.width, stored.height) == ("image/jpeg", 40, 30)
    with stored.file.open("rb") as handle, Image.open(handle) as picture:
        assert picture.format == "JPEG"
        assert dict(picture.getexif()) == {}
    assert "photo" not in stored.file.name  # the uploader's name never reaches the disk


def test_a_screenshot_is_served_only_to_its_shop_and_the_desk(client, merchant_a, merchant_b, orders, specialist):
    client.force_login(merchant_a)
    _report(client, screenshots=[_upload("chat.png", _picture())])
    url = reverse("orders:attachment", args=[ReportAttachment.objects.get().pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;")
    client.force_login(specialist)
    assert client.get(url).status_code == 200
    client.force_login(merchant_b)
    assert client.get(url).status_code == 404


# --- the thread and the interception requests ------------------------------------------------------


def test_the_specialist_asks_and_the_shop_answers_in_the_thread(client, merchant_a, orders, specialist):
    client.force_login(merchant_a)
    _report(client)
    report = MerchantReport.objects.get()
    alert_claim(alert=report.alert, by=specialist)
    client.force_login(specialist)
    client.post(reverse("interventions:alert_act", args=[report.alert.pk, "reply"]), {"text": "她在哪个城市?"})
    assert Notification.objects.filter(recipient=merchant_a, kind="report_note").exists()
    client.force_login(merchant_a)
    page = client.get(reverse("orders:report", args=[report.pk])).text
    assert "她在哪个城市?" in page
    status = client.get(reverse("orders:report_status", args=[report.pk])).text
    assert 'data-status="claimed"' in status
    client.post(reverse("orders:report_note", args=[report.pk]), {"text": "成都,她说在家"})
    assert [note.text for note in ReportNote.objects.filter(from_platform=False)] == ["成都,她说在家"]
    assert Notification.objects.filter(recipient=specialist, kind="report_note").exists()


def test_an_interception_pages_the_shop_and_its_answer_goes_to_the_case(client, merchant_a, orders, specialist):
    case = factories.CaseFactory(owner=specialist, buyer=orders["a"].buyer, risk_level=3)
    interception = order_intercept(case=case, order=orders["a"], by=specialist)
    assert Notification.objects.filter(recipient=merchant_a, kind="interception_requested", channel="portal").exists()
    client.force_login(merchant_a)
    assert "TB-A-1" in client.get(reverse("orders:interceptions")).text
    url = reverse("orders:interception_answer", args=[interception.pk])
    client.post(url, {"status": "shipped"})
    interception.refresh_from_db()
    assert interception.status == InterceptionRequest.Status.REQUESTED  # shipped needs the tracking number
    client.post(url, {"status": "held", "note": "已拦截,不发货"})
    interception.refresh_from_db()
    assert interception.status == InterceptionRequest.Status.HELD
    event = case.events.get(kind=CaseEvent.Kind.INTERCEPTION_UPDATED)
    assert (event.actor, event.payload["status"]) == (merchant_a, "held")


# --- isolation ------------------------------------------------------------------------------------


def _shop_objects(client, staff, order, specialist) -> dict:
    """A shop's report with a screenshot, an interception of its order, and its admin's membership."""
    client.force_login(staff)
    _report(client, buyer_ref=order.external_ref, screenshots=[_upload("s.png", _picture())])
    report = MerchantReport.objects.get(merchant=order.merchant)
    case = factories.CaseFactory(owner=specialist, buyer=order.buyer)
    interception = order_intercept(case=case, order=order, by=specialist)
    client.logout()
    return {
        "report": report.pk,
        "interception": interception.pk,
        "attachment": report.attachments.get().pk,
        "membership": staff.merchant_membership.pk,
    }


@pytest.fixture
def shop_b_objects(client, merchant_b, orders, specialist):
    return _shop_objects(client, merchant_b, orders["b"], specialist)


def _merchant_urls(objects) -> list[tuple[str, str, dict]]:
    return [
        ("get", reverse("orders:merchant_home"), {}),
        ("get", reverse("orders:reports"), {}),
        ("get", reverse("orders:report_new"), {}),
        ("get", reverse("orders:interceptions"), {}),
        ("get", reverse("orders:report", args=[objects["report"]]), {}),
        ("get", reverse("orders:report_status", args=[objects["report"]]), {}),
        ("post", reverse("orders:report_note", args=[objects["report"]]), {"text": "x"}),
        ("post", reverse("orders:interception_answer", args=[objects["interception"]]), {"status": "held"}),
        ("get", reverse("orders:attachment", args=[objects["attachment"]]), {}),
        ("get", reverse("orders:staff"), {}),
        ("post", reverse("orders:staff_act", args=[objects["membership"], "remove"]), {}),
        # orders:staff_second_factor names no object: it is always the admin's own shop.
    ]


def test_every_merchant_url_is_in_the_matrix():
    from interventions.merchant_urls import urlpatterns

    assert {p.name for p in urlpatterns} == {
        "merchant_home",
        "report_new",
        "reports",
        "report",
        "report_status",
        "report_note",
        "interceptions",
        "interception_answer",
        "attachment",
        "staff",
        "staff_act",
        "staff_second_factor",
    }


OTHER_TENANT_PAGES = {"report", "report_status", "report_note", "interception_answer", "attachment", "staff_act"}


@pytest.mark.parametrize("persona", ["merchant_a", "liaison", "outsider", None])
def test_no_one_reaches_shop_bs_objects(client, personas, shop_b_objects, persona, reauthenticated):
    before = (
        list(User.objects.values_list("is_active", flat=True).order_by("pk")),
        ReportNote.objects.count(),
        list(InterceptionRequest.objects.values_list("status", flat=True)),
        Notification.objects.count(),
    )
    if persona:
        client.force_login(personas[persona])
        reauthenticated(client)  # so that only the shop decides, not a question for the password
    for method, url, data in _merchant_urls(shop_b_objects):
        response = getattr(client, method)(url, data)
        own_shop_page = persona == "merchant_a" and response.resolver_match.url_name not in OTHER_TENANT_PAGES
        if own_shop_page:
            assert response.status_code == 200, url  # merchant A's own pages, showing only A's
            assert "TB-B-1" not in response.text
        elif persona is None:
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("account_login"))
        else:
            assert response.status_code == 404, url
    after = (
        list(User.objects.values_list("is_active", flat=True).order_by("pk")),
        ReportNote.objects.count(),
        list(InterceptionRequest.objects.values_list("status", flat=True)),
        Notification.objects.count(),
    )
    assert after == before


# --- rate limits ------------------------------------------------------------------------------------


def test_the_eleventh_report_in_ten_minutes_is_refused(client, merchant_a, orders, settings):
    client.force_login(merchant_a)
    for _ in range(10):
        assert _report(client).status_code == 302
    refused = _report(client)
    assert refused.status_code == 429
    assert "尝试次数过多" in refused.text
    assert MerchantReport.objects.count() == 10


def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(rf, settings):
    from accounts.ratelimit import client_address

    settings.SHOUHU_TRUSTED_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == "203.0.113.9"  # the first entry is the client's own claim
    settings.SHOUHU_TRUSTED_PROXIES = 0
    assert client_address(request) == "10.0.0.2"


# --- a shop's admin manages its staff ---------------------------------------------------------------


def test_a_shop_admin_adds_a_colleague_who_sets_a_password_from_the_emailed_link(
    client, merchant_a, shop_a, django_capture_on_commit_callbacks, reauthenticated
):
    client.force_login(merchant_a)
    reauthenticated(client)
    with django_capture_on_commit_callbacks(execute=True):
        with_link = client.post(
            reverse("orders:staff"),
            {"display_name": "夜班客服小林", "email": "Lin@Shop-A.test", "paging_phone": "13900001111"},
        )
    assert with_link.status_code == 302
    colleague = User.objects.get(email="lin@shop-a.test")
    assert colleague.merchant_membership.merchant == shop_a
    assert colleague.has_role("merchant_staff")
    assert not colleague.has_usable_password()
    [email] = mail.outbox
    link = re.search(r"http\S+/accounts/password/\S+/", email.body).group(0)
    client.logout()
    form_page = client.get(urlsplit(link).path, follow=True)
    assert form_page.status_code == 200
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "night-shift-2026!", "new_password2": "night-shift-2026!"}
    )
    colleague.refresh_from_db()
    assert colleague.check_password("night-shift-2026!")
    assert client.get(reverse("orders:merchant_home")).status_code == 200  # signed in by the link


def test_staff_who_are_not_admins_cannot_manage_staff(client, shop_a, merchant_a):
    plain = factories.UserFactory(email="plain@shop-a.test")
    from accounts.services import user_set_roles

    user_set_roles(user=plain, roles=["merchant_staff"], by=None)
    factories.MerchantMembershipFactory(user=plain, merchant=shop_a, is_admin=False)
    client.force_login(plain)
    assert client.get(reverse("orders:staff")).status_code == 404
    target = merchant_a.merchant_membership.pk
    assert client.post(reverse("orders:staff_act", args=[target, "remove"])).status_code == 404
    merchant_a.refresh_from_db()
    assert merchant_a.is_active


def test_a_switched_off_colleague_cannot_sign_in_and_an_admin_cannot_remove_themself(
    client, shop_a, merchant_a, reauthenticated
):
    colleague = factories.UserFactory(email="gone@shop-a.test")
    colleague.set_password("left-the-shop-2026")
    colleague.save()
    membership = factories.MerchantMembershipFactory(user=colleague, merchant=shop_a)
    client.force_login(merchant_a)
    reauthenticated(client)
    client.post(reverse("orders:staff_act", args=[membership.pk, "remove"]))
    colleague.refresh_from_db()
    assert not colleague.is_active
    client.post(reverse("orders:staff_act", args=[merchant_a.merchant_membership.pk, "remove"]))
    merchant_a.refresh_from_db()
    assert merchant_a.is_active
    client.logout()
    response = client.post(reverse("account_login"), {"login": "gone@shop-a.test", "password": "left-the-shop-2026"})
    assert response.url == reverse("account_inactive")  # not into the portal
    assert "_auth_user_id" not in client.session


def test_shop_b_does_not_reach_shop_as_objects_either(client, merchant_a, merchant_b, orders, specialist):
    objects = _shop_objects(client, merchant_a, orders["a"], specialist)
    client.force_login(merchant_b)
    for method, url, data in _merchant_urls(objects):
        response = getattr(client, method)(url, data)
        if response.resolver_match.url_name in OTHER_TENANT_PAGES:
            assert response.status_code == 404, url
        else:
            assert "TB-A-1" not in response.text
    assert InterceptionRequest.objects.get().status == InterceptionRequest.Status.REQUESTED
    assert not ReportNote.objects.exists()
