"""The search box in a real browser: a family member calls back with the person's phone number,
written as people say it, and the specialist is on the person's case in one search."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import AccessLog, Desk
from tests import factories
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_specialist_finds_a_person_by_a_phone_written_with_spaces_and_86(page, live_server, specialist):
    mother = factories.BuyerFactory(account_ref="tb_xiaoyu_mama", nickname="小雨妈妈", phone="13800002266")
    case = factories.CaseFactory(
        owner=specialist, desk=Desk.LIFE, buyer=mother, title="年轻妈妈 · 朋友圈轻生 · 已购除草剂"
    )
    factories.CaseFactory(desk=Desk.FRAUD, buyer=mother, title="另一个工作台的个案")

    log_in(page, live_server.url, specialist.email)
    box = page.get_by_test_id("search-box")
    box.get_by_role("searchbox", name="搜索").fill("+86 138 0000 2266")
    box.get_by_label("用途").select_option(label="联系当事人")
    box.get_by_role("searchbox", name="搜索").press("Enter")

    expect(page).to_have_url(f"{live_server.url}{reverse('interventions:case', args=[case.pk])}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{case.reference} · 年轻妈妈 · 朋友圈轻生 · 已购除草剂")
    searched = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert (searched.user, searched.purpose, searched.object_id) == (specialist, "contact", str(mother.pk))
    assert searched.object_label == "tb_xiaoyu_mama (search: phone)"

    # A word of the title finds it too, among the results, one click away.
    box = page.get_by_test_id("search-box")
    box.get_by_role("searchbox", name="搜索").fill("除草剂")
    box.get_by_role("button", name="搜索").click()
    cases = page.get_by_test_id("found-cases")
    expect(cases).to_contain_text("年轻妈妈 · 朋友圈轻生 · 已购除草剂")
    expect(page.get_by_text("另一个工作台的个案")).to_have_count(0)
    cases.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
