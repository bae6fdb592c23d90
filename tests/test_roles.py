from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import Desk
from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.selectors import user_desks
from accounts.services import role_groups_sync, team_add_member, user_set_roles
from tests.factories import UserFactory


def test_every_role_is_a_group_holding_exactly_its_permissions(db):
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(names)


def test_syncing_roles_twice_changes_nothing(db):
    before = {g.name: set(g.permissions.values_list("id", flat=True)) for g in Group.objects.all()}
    role_groups_sync()
    role_groups_sync()
    after = {g.name: set(g.permissions.values_list("id", flat=True)) for g in Group.objects.all()}
    assert after == before


def test_a_permission_taken_away_by_hand_comes_back_on_sync(db):
    group = Group.objects.get(name=Role.SPECIALIST)
    group.permissions.clear()
    role_groups_sync()
    user = UserFactory()
    user_set_roles(user=user, roles=[Role.SPECIALIST], by=None)
    assert user.has_perm(roles.WORK_QUEUE)


def test_admin_access_follows_the_role(db):
    user = UserFactory()
    user_set_roles(user=user, roles=[Role.SUPERVISOR], by=None)
    assert user.is_staff
    user_set_roles(user=user, roles=[Role.SPECIALIST], by=None)
    user.refresh_from_db()
    assert not user.is_staff


def test_a_role_change_is_in_history_with_who_did_it(db, manager):
    user = UserFactory()
    user_set_roles(user=user, roles=[Role.SUPERVISOR], by=manager, reason="promoted to supervisor")
    latest = user.history.latest()
    assert latest.history_user == manager
    assert latest.history_change_reason == "promoted to supervisor"
    assert {row.group.name for row in latest.groups.all()} == {Role.SUPERVISOR}


def test_merchant_staff_cannot_work_the_queue(merchant_a, liaison, integration):
    for user in (merchant_a, liaison, integration):
        assert not user.has_perm(roles.WORK_QUEUE)


def test_a_users_desks_are_read_once_and_again_after_joining_a_team(
    db, specialist, fraud_team, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert user_desks(specialist) == user_desks(specialist) == [Desk.LIFE]
    team_add_member(team=fraud_team, user=specialist, by=None)
    with django_assert_num_queries(1):
        assert user_desks(specialist) == [Desk.LIFE, Desk.FRAUD]
