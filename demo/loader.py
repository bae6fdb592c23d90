"""Loads the demo through the product's services, so the demo exercises the real write paths."""

from datetime import timedelta
from decimal import Decimal

from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import Desk
from accounts.services import api_token_issue, team_add_member, team_create, user_create
from fraud.models import Indicator
from fraud.services import indicator_sight
from interventions.models import Alert, Case, EmergencyAction, Message, PoliceUnit, Severity, Source
from interventions.services import (
    alert_claim,
    alert_dismiss,
    alert_raise,
    case_add_note,
    case_assess_risk,
    case_open,
    case_rate_risk,
    figures_roll_up,
    incident_review_conclude,
    incident_review_open,
    incident_review_write,
    interception_record_answer,
    merchant_report_submit,
    message_store,
    order_intercept,
    police_liaison_link,
    police_unit_register,
    reorders_watch,
    review_action_add,
    stop_payment_request,
)
from orders.models import Merchant, MerchantReport, Order, Product, Region
from orders.services import (
    buyer_record,
    merchant_add_staff,
    merchant_register,
    order_record,
    product_record,
    region_record,
)

from . import stories
from .history import load_history

ADMIN_EMAIL = "admin@shouhu.demo"


def demo_is_loaded() -> bool:
    return get_user_model().objects.filter(email=ADMIN_EMAIL).exists()


@transaction.atomic
def load_demo() -> str:
    """Load everything once; returns the key of the chat system's intake token (shown once).
    The caller checks demo_is_loaded() first."""
    admin = get_user_model().objects.create_superuser(ADMIN_EMAIL, stories.DEMO_PASSWORD, display_name="系统管理员")
    TOTP.activate(admin, stories.DEMO_TOTP_SECRET)
    regions = _load_regions()
    intake_key = _load_police(regions, by=admin)
    staff = _load_staff(by=admin)
    merchants, products = _load_shops(regions, by=admin)
    buyers = {
        ref: buyer_record(account_ref=ref, nickname=nick, phone=phone, address=address, region=regions[code])
        for ref, nick, phone, address, code in stories.BUYERS
    }
    now = timezone.now()
    _herbicide_story(staff, merchants, products, buyers, regions, now)
    _sleeping_pills_story(merchants, products, buyers, regions, now)
    _sms_code_ring_story(staff, buyers, now)
    _game_currency_story(staff, buyers, now)
    _everyday_traffic(staff, merchants, products, buyers, regions, now)
    _earlier_ring_cases(staff)
    # Eight weeks of past work, for the figures. Loaded last so that the stories keep the numbers
    # the screenshots open; every list sorts by time, so the stories still read as the newest.
    load_history(staff, merchants, products, buyers, regions, now)
    _reviews_of_flagged_actions(staff)
    figures_roll_up(now=now)
    return intake_key


def _load_regions() -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for code, name, level, parent in stories.REGIONS:
        above = regions.get(parent) if parent is not None else None  # a province has none
        regions[code] = region_record(code=code, name=name, level=level, parent=above)
    return regions


def _load_police(regions: dict[str, Region], *, by) -> str:
    for name, kind, code, phone, address in stories.POLICE_UNITS:
        police_unit_register(name=name, kind=kind, region=regions[code], phone_24h=phone, address=address, by=by)
    for email, display_name, unit_name in stories.LIAISONS:
        user = user_create(
            email=email, display_name=display_name, password=stories.DEMO_PASSWORD, roles=["police_liaison"], by=by
        )
        police_liaison_link(user=user, unit=PoliceUnit.objects.get(name=unit_name), by=by)
    key = ""
    for email, display_name in stories.INTEGRATIONS:
        integration = user_create(email=email, display_name=display_name, password=None, roles=["integration"], by=by)
        _token, key = api_token_issue(user=integration, name="demo intake", scopes=["intake:write"], by=by)
    return key


def _load_staff(*, by) -> dict:
    staff = {}
    for email, display_name, roles, _desk in stories.STAFF:
        user = user_create(email=email, display_name=display_name, password=stories.DEMO_PASSWORD, roles=roles, by=by)
        # Staff must log in with a second factor; the demo's share one published secret.
        TOTP.activate(user, stories.DEMO_TOTP_SECRET)
        staff[email.split("@")[0]] = user
    teams = {
        Desk.LIFE: team_create(name="防自杀一组", desk=Desk.LIFE, lead=staff["wang"], by=by),
        Desk.FRAUD: team_create(name="反欺诈一组", desk=Desk.FRAUD, lead=staff["wang"], by=by),
    }
    for email, _name, _roles, desk in stories.STAFF:
        for team_desk, team in teams.items():
            if desk in (team_desk, "both"):
                team_add_member(team=team, user=staff[email.split("@")[0]], by=by)
    return staff


def _load_shops(regions: dict[str, Region], *, by) -> tuple[dict[str, Merchant], dict[str, Product]]:
    merchants = {}
    for ref, name, contact, emergency_name, emergency_phone, code in stories.MERCHANTS:
        merchants[ref] = merchant_register(
            external_ref=ref,
            name=name,
            contact_name=contact,
            emergency_contact_name=emergency_name,
            emergency_phone=emergency_phone,
            region=regions[code],
            by=by,
        )
    for ref, email, display_name, is_admin in stories.MERCHANT_STAFF:
        user = user_create(
            email=email, display_name=display_name, password=stories.DEMO_PASSWORD, roles=["merchant_staff"], by=by
        )
        merchant_add_staff(merchant=merchants[ref], user=user, is_admin=is_admin, by=by)
    products = {
        item: product_record(merchant=merchants[shop], external_ref=item, name=name, risk_category=category)
        for shop, item, name, category in stories.PRODUCTS
    }
    return merchants, products


def _matches(message, terms: list[tuple[str, str]]) -> list[dict]:
    """Where each term occurs in the message text, as the scanner reports it."""
    found = []
    for term, category in terms:
        start = message.text.find(term)
        if start >= 0:
            found.append(
                {"term": term, "category": category, "start": start, "end": start + len(term), "message_id": message.pk}
            )
    return found


def _message(source: str, ref: str, text: str, sent_at, **links):
    message, _ = message_store(source=source, external_id=ref, text=text, sent_at=sent_at, **links)
    return message


def _alert_from(message, *, desk: str, severity: int, summary: str, terms: list[tuple[str, str]], **links):
    """Raise the alert a specialist would see for this message, with the terms' offsets in it. The
    message counts as scanned: this alert is the scanner's word on it, and beat's sweep must not
    raise a second one on a case already open."""
    Message.objects.filter(pk=message.pk).update(scanned_at=message.sent_at)
    return alert_raise(
        desk=desk,
        source=message.source,
        severity=severity,
        summary=summary,
        matches=_matches(message, terms),
        messages=[message],
        buyer=links.pop("buyer", message.buyer),
        raised_at=message.sent_at,
        **links,
    )


def _herbicide_story(staff, merchants, products, buyers, regions, now) -> None:
    """15:00: a user reports a young mother who posted that she will end her life, with a
    screenshot of herbicide she bought. An hour later she re-orders at another shop, and asks a
    third from a second account on the same phone."""
    buyer = buyers["tb_xiaoyu_mama"]
    order_a, _ = order_record(
        external_ref="TB20261123150001",
        buyer=buyer,
        merchant=merchants["shop-qinghe"],
        product=products["qh-001"],
        status=Order.Status.PAID,
        region=regions["510100"],
        ordered_at=now - timedelta(hours=2, minutes=10),
    )
    report = _message(
        Source.COMPLAINT,
        "complaint-88120",
        "有用户举报:一位年轻妈妈在朋友圈说今晚就想结束自己的生命,不想活了,还晒出了刚买的除草剂订单截图。",
        now - timedelta(hours=1, minutes=50),
        buyer=buyer,
        order=order_a,
    )
    first = _alert_from(
        report,
        desk=Desk.LIFE,
        severity=Severity.CRITICAL,
        summary="明确意图(不想活了)+ 已购买除草剂:高危",
        terms=[("结束自己的生命", "intent"), ("不想活了", "intent"), ("除草剂", "method")],
        order=order_a,
    )
    li = staff["li"]
    alert_claim(alert=first, by=li)
    case = case_open(
        desk=Desk.LIFE, title="年轻妈妈 · 朋友圈轻生 · 已购除草剂", opened_by=li, buyer=buyer, alerts=[first]
    )
    case_assess_risk(
        case=case,
        by=li,
        cssrs={"q1": True, "q2": True, "q3": True, "q4": True},
        factors=["explicit_intent", "prepared_method", "recent_setback"],
        note="明确意图 + 已准备方法(除草剂订单);近期与家人争吵",
    )
    interception = order_intercept(case=case, order=order_a, by=li, note="当事人在朋友圈晒出购买截图,请暂停发货")
    interception_record_answer(
        interception=interception, by=li, status="confirmed", note="已电话联系青禾农资周店长,订单尚未出库,正在拦截"
    )
    _herbicide_reorders(merchants, products, buyers, regions, now, buyer=buyer)


def _herbicide_reorders(merchants, products, buyers, regions, now, *, buyer) -> None:
    """An hour after the report: the re-order at another shop, and the ask from her second account."""
    order_b, _ = order_record(
        external_ref="TB20261123160502",
        buyer=buyer,
        merchant=merchants["shop-wotu"],
        product=products["wt-001"],
        status=Order.Status.PAID,
        region=regions["510100"],
        ordered_at=now - timedelta(minutes=12),
    )
    # The same watch that runs on every order from the order system raises the critical alert.
    reorders_watch(orders=[order_b])
    # Minutes later, from her second account on the same phone, she asks a third shop to hurry.
    # Nothing links the accounts but the phone: the case page lists this alert through it.
    ask = _message(
        Source.CHAT,
        "chat-88177",
        "你们的除草剂今晚能送到吗?越快越好,买完就再也不用麻烦谁了。",
        now - timedelta(minutes=6),
        buyer=buyers["tb_yu_0412"],
    )
    _alert_from(
        ask,
        desk=Desk.LIFE,
        severity=Severity.HIGH,
        summary="催促送达除草剂 + 告别式措辞",
        terms=[("除草剂", "method"), ("再也不用麻烦谁了", "goodbye")],
    )


def _sleeping_pills_story(merchants, products, buyers, regions, now) -> None:
    """20:00: a 12-year-old asks a pharmacy's support for sleeping pills and says she will jump.
    The pharmacy's agent reports it from the merchant portal while still talking with her."""
    agent = get_user_model().objects.get(email="kangning-kefu@shop.demo")
    merchant_report_submit(
        merchant=merchants["shop-kangning"],
        by=agent,
        kind=MerchantReport.Kind.LIFE,
        talking_now=True,
        buyer=buyers["tb_xiaolu_2019"],
        text="顾客在咨询安眠药,说:你不卖给我,我就从8楼跳下去。再过一会儿,等爸妈睡着了。"
        "她说自己12岁,被爸妈批评了,之前也自杀过。我们客服正在陪她聊天,请尽快介入!",
    )


def _sms_code_ring_story(staff, buyers, now) -> None:
    """Complaints of accounts registered on people's phone numbers without them: SMS codes
    intercepted from phones with implanted malware. Linking the phones exposes the ring."""
    chen = staff["chen"]
    complaints = [
        (
            "tb_zhang_a",
            "complaint-90211",
            "我从来没注册过淘宝,可是用我手机号注册的账号里有交易记录,还有人收货!",
            ["+86 170 5550 1001", "acct_ring_0001"],
            timedelta(days=2, hours=3),
        ),
        (
            "tb_liu_b",
            "complaint-90245",
            "没注册过账号,手机却收到了验证码,后来发现这个号码已经被注册,里面还有订单。",
            ["17055501001", "acct_ring_0002"],
            timedelta(days=1, hours=20),
        ),
        (
            "tb_he_c",
            "complaint-90302",
            "我的手机号被人注册了账号并且领了新人红包,我根本不知道验证码是怎么被拿走的。",
            ["170-5550-1002", "acct_ring_0002"],
            timedelta(hours=5),
        ),
    ]
    alerts = []
    for buyer_ref, ref, text, (phone, account), ago in complaints:
        message = _message(Source.COMPLAINT, ref, text, now - ago, buyer=buyers[buyer_ref])
        alert = _alert_from(
            message,
            desk=Desk.FRAUD,
            severity=Severity.HIGH,
            summary="手机号被冒用注册:疑似短信验证码被拦截",
            terms=[("验证码", "verification_code"), ("没注册过", "account_takeover")],
            buyer=buyers[buyer_ref],
        )
        indicator_sight(kind=Indicator.Kind.PHONE, raw=phone, alert=alert)
        indicator_sight(kind=Indicator.Kind.ACCOUNT, raw=account, alert=alert)
        alerts.append(alert)
    case = case_open(desk=Desk.FRAUD, title="短信验证码拦截团伙 · 冒用手机号注册", opened_by=chen, alerts=alerts[:2])
    for phone in ("17055501001", "17055501002"):
        indicator_sight(kind=Indicator.Kind.PHONE, raw=phone, case=case, by=chen)
    indicator_sight(kind=Indicator.Kind.DEVICE, raw="imei-86-5550-0000-77", case=case, by=chen)
    case_rate_risk(case=case, by=chen, level=Case.RiskLevel.HIGH, reason="多起投诉挂接到同一批手机号,疑似团伙作案")
    case_add_note(case=case, by=chen, text="潜伏进“任务人”微信群确认:对方提供手机号并代收验证码,扫码领红包。")


def _reviews_of_flagged_actions(staff) -> None:
    """The past weeks' flagged emergency actions each opened a blameless review; the oldest flagged
    interception's has been written up and concluded, with a follow-up still open."""
    wang = staff["wang"]
    flagged = EmergencyAction.objects.filter(review=EmergencyAction.Review.FLAGGED).select_related("case")
    reviews = [incident_review_open(case=a.case, by=wang, flagged_action=a) for a in flagged.order_by("taken_at")]
    # Each review names the action it was opened for (flagged_action above), so none is None.
    interceptions = [
        r
        for r in reviews
        if r.flagged_action is not None and r.flagged_action.kind == EmergencyAction.Kind.INTERCEPTION
    ]
    if not interceptions:
        return
    first = incident_review_write(
        review=interceptions[0],
        by=wang,
        # A title that names the matter: the account below tells of the person and is encrypted, so the
        # review list finds reviews by their titles and follow-ups.
        title=f"{interceptions[0].title}:拦截前未确认订单状态",
        what_happened="凌晨的预警,专员在确认订单状态之前就联系了商家拦截,商家回复订单其实已取消。",
        went_well="从预警到联系当事人不到五分钟;商家十分钟内回复。",
        made_it_hard="个案页面没有显示订单的最新状态,夜班只有一名专员。",
    )
    review_action_add(review=first, by=wang, description="个案页面显示订单的最新状态与更新时间", owner=staff["li"])
    incident_review_conclude(review=first, by=wang)


def _earlier_ring_cases(staff) -> None:
    """Two earlier cases of the SMS-code ring, opened from complaints weeks before: the same
    "task" phone and the same device tie them to today's case, and the ring page draws all three.
    Loaded last, so the stories' case numbers stay as the screenshots name them."""
    chen = staff["chen"]
    earlier = [
        ("新人红包被领 · 手机号被冒用", ["17055501002", "17055501003"], "acct_ring_0003"),
        ("收到陌生验证码后账号被注册", ["17055501003"], "acct_ring_0004"),
    ]
    for title, phones, account in earlier:
        case = case_open(desk=Desk.FRAUD, title=title, opened_by=chen)
        for phone in phones:
            indicator_sight(kind=Indicator.Kind.PHONE, raw=phone, case=case, by=chen)
        indicator_sight(kind=Indicator.Kind.ACCOUNT, raw=account, case=case, by=chen)
        indicator_sight(kind=Indicator.Kind.DEVICE, raw="imei-86-5550-0000-77", case=case, by=chen)


def _game_currency_story(staff, buyers, now) -> None:
    """12:00 a game friend offers 200 million game coins for 13,000 yuan; the victim pays by
    Alipay and the seller vanishes. The money can still be stopped within the hour."""
    buyer = buyers["tb_lin_0915"]
    message = _message(
        Source.COMPLAINT,
        "complaint-91001",
        "游戏好友说2亿游戏币只卖1.3万,我通过支付宝转了13000元到他给的账号,转完就联系不上了,是不是被骗了?",
        now - timedelta(minutes=25),
        buyer=buyer,
    )
    alert = _alert_from(
        message,
        desk=Desk.FRAUD,
        severity=Severity.HIGH,
        summary="游戏币交易诈骗 · 已付款 13,000 元 · 止付窗口内",
        terms=[("游戏币", "game_currency"), ("转了13000元", "payment")],
    )
    chen = staff["chen"]
    alert_claim(alert=alert, by=chen)
    case = case_open(
        desk=Desk.FRAUD, title="游戏币诈骗 · 13,000 元 · 待止付", opened_by=chen, buyer=buyer, alerts=[alert]
    )
    indicator_sight(kind=Indicator.Kind.PAYEE, raw="alipay:game_coin_seller_88", case=case, by=chen)
    case_rate_risk(case=case, by=chen, level=Case.RiskLevel.HIGH, reason="已付款,付款约 25 分钟前,仍可止付")
    # The money can still be stopped: the request to Xiamen's anti-fraud centre is on the clock.
    stop_payment_request(
        case=case,
        unit=PoliceUnit.objects.get(name="厦门市反诈骗中心"),
        by=chen,
        payee_account="alipay:game_coin_seller_88",
        amount=Decimal("13000"),
        paid_at=now - timedelta(minutes=25),
        reported_at=now - timedelta(minutes=8),
        transaction_ref="2026112312000001",
    )


def _everyday_traffic(staff, merchants, products, buyers, regions, now) -> None:
    """Ordinary orders for the shops' pages, and alerts that were dismissed or are routine."""
    buyer = buyers["tb_buyer_hz"]
    for number, (item, status, hours) in enumerate(
        [
            ("nd-001", Order.Status.SHIPPED, 30),
            ("nd-002", Order.Status.DELIVERED, 70),
            ("kn-002", Order.Status.PAID, 4),
            ("yp-001", Order.Status.CREATED, 1),
            ("qh-002", Order.Status.DELIVERED, 200),
        ]
    ):
        product = products[item]
        order_record(
            external_ref=f"TB2026112200{number:04d}",
            buyer=buyer,
            merchant=product.merchant,
            product=product,
            status=status,
            region=regions["330100"],
            ordered_at=now - timedelta(hours=hours),
            carrier="顺丰速运" if status in (Order.Status.SHIPPED, Order.Status.DELIVERED) else "",
            tracking_no=f"SF55500{number:05d}" if status in (Order.Status.SHIPPED, Order.Status.DELIVERED) else "",
        )
    joke = _message(
        Source.CHAT, "chat-77001", "这件羽绒服今天跳楼价,笑死,想死你们了哈哈", now - timedelta(hours=6), buyer=buyer
    )
    dismissed = _alert_from(
        joke,
        desk=Desk.LIFE,
        severity=Severity.MEDIUM,
        summary="“跳楼”“想死”出现在促销用语中",
        terms=[("跳楼", "method"), ("想死", "intent")],
    )
    alert_dismiss(alert=dismissed, by=staff["wugang"], reason=Alert.DismissReason.FALSE_ALARM)
    worry = _message(
        Source.CHAT,
        "chat-77002",
        "最近一直失眠,有没有效果强一点的助眠药?",
        now - timedelta(minutes=40),
        buyer=buyers["tb_zhang_a"],
        merchant=merchants["shop-kangning"],
    )
    _alert_from(
        worry,
        desk=Desk.LIFE,
        severity=Severity.MEDIUM,
        summary="长期失眠 · 求购强效助眠药",
        terms=[("失眠", "risk_factor"), ("助眠药", "method")],
        buyer=buyers["tb_zhang_a"],
        merchant=merchants["shop-kangning"],
    )
