"""The case list's indexes (interventions/selectors/caseload.py), measured with bench/caseload.py on
the bench seed (100,000 cases): the open cases in list order with what the views and counts ask of
each, so that a page reads the first rows of the index and the counts read it alone; the closed
cases' index carries what the closed view reads; the referrals the police have not acknowledged,
which the views and clocks look up on every page.

Built in the migration's transaction, not CONCURRENTLY: on the 100,000 cases of the bench seed the
two case indexes took 62 and 128 ms (the closed cases' is rebuilt with its new columns), and the
referrals' is partial and small.
"""


from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interventions', '0026_notification_kinds_escalation_first_action'),
        ('orders', '0010_buyer_nickname_words'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='case_closed_idx',
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ['open', 'monitoring'])), fields=['-risk_level', 'opened_at', 'id'], include=('desk', 'owner', 'tier'), name='case_open_list_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('closed_at__isnull', False)), fields=['closed_at'], include=('desk', 'status', 'risk_level', 'opened_at', 'id'), name='case_closed_idx'),
        ),
        migrations.AddIndex(
            model_name='policereferral',
            index=models.Index(condition=models.Q(('received_at__isnull', True), ('status', 'reported')), fields=['case'], name='referral_unacked_idx'),
        ),
    ]
