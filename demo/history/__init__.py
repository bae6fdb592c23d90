"""Eight weeks of past work, so the managers' figures have something to draw: the alerts that came
in, how fast they were claimed, the cases they became, what was done for each person and how each
case ended.

Past records cannot go through the services, which stamp everything "now" (and page shops, call
webhooks), so this writes the rows the services would have written, timeline events included, with
their own past times, one bulk insert per table. Nothing is left for the sweeps to act on: every
old alert is decided, every interception and stop-payment answered, every check-in over.

The history has people of its own: an alert about someone with a case on the other desk links to
that case, and the stories' people must come to the stories without a past. Repeatable: one
random.Random(SEED) makes every choice, in the same order, for the same `now`.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts.models import Desk
from orders.models import Product

from .past import _Past
from .scenarios import DAYS, FRAUD, HOURS, LIFE, PER_DAY


def load_history(staff: dict, merchants: dict, products: dict[str, Product], buyers: dict, regions: dict, now) -> None:
    """Write eight weeks of decided alerts and their cases, ending the day before `now`. The
    stories' `merchants` and `buyers` are not used: the history has buyers and orders of its own."""
    past = _Past(staff=staff, products=products, regions=regions, now=now)
    zone = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(zone).date()
    for days_ago in range(DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        for desk, scenarios in ((Desk.LIFE, LIFE), (Desk.FRAUD, FRAUD)):
            weekday, weekend = PER_DAY[desk]
            moments = sorted(
                datetime.combine(
                    day,
                    time(past.rng.choices(range(24), HOURS[desk])[0], past.rng.randrange(60), past.rng.randrange(60)),
                    tzinfo=zone,
                )
                for _ in range(past.rng.choice(weekend if day.weekday() >= 5 else weekday))
            )
            for raised_at in moments:
                scenario = past.rng.choices(scenarios, [s.weight for s in scenarios])[0]
                past.alert(desk, scenario, raised_at)
    past.write()
