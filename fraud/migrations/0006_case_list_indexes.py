"""The stop-payments the anti-fraud centre has not answered: few, looked up by the case list's
views and clocks on every page (interventions/selectors/caseload.py)."""


from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('fraud', '0005_dissuasion_note_encrypted'),
        ('interventions', '0026_notification_kinds_escalation_first_action'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='stoppaymentrequest',
            index=models.Index(condition=models.Q(('answered_at__isnull', True), ('status', 'requested')), fields=['case'], name='stop_unanswered_idx'),
        ),
    ]
