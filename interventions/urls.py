from django.urls import path

from . import views

app_name = "interventions"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/next/", views.queue_next, name="queue_next"),
    path("queue/bulk/", views.queue_bulk, name="queue_bulk"),
    path("alerts/new/", views.alert_new, name="alert_new"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    # Before the actions, whose <str:action> would take "contact" too.
    path("alerts/<int:pk>/contact/", views.alert_contact, name="alert_contact"),
    path("alerts/<int:pk>/<str:action>/", views.alert_act, name="alert_act"),
    path("cases/break-glass/", views.break_glass, name="break_glass"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/contact/", views.case_contact, name="case_contact"),
    path("cases/<int:pk>/legal-hold/", views.case_legal_hold, name="case_legal_hold"),
    path("cases/<int:pk>/<str:action>/", views.case_act, name="case_act"),
    path("reviews/", views.reviews, name="reviews"),
    path("police/", views.police_units, name="police_units"),
    path("search/", views.search, name="search"),
    path("reviews/<int:pk>/", views.review_act, name="review_act"),
    path("reviews/incidents/", views.incident_review_list, name="incident_reviews"),
    path("reviews/incidents/new/<int:case_pk>/", views.incident_review_start, name="incident_review_start"),
    path("reviews/incidents/<int:pk>/", views.incident_review, name="incident_review"),
    path("reviews/incidents/<int:pk>/<str:action>/", views.incident_review_act, name="incident_review_act"),
    path("reviews/follow-ups/<int:pk>/done/", views.review_follow_up_done, name="review_follow_up_done"),
    path("summary/", views.summary, name="summary"),
    path("figures/", views.figures, name="figures"),
    path("scanner/", views.scanner, name="scanner"),
    path("scanner/propose/", views.scanner_propose, name="scanner_propose"),
    path("scanner/changes/<int:pk>/withdraw/", views.scanner_withdraw, name="scanner_withdraw"),
    path("scanner/backtest/", views.scanner_backtest, name="scanner_backtest"),
    path("scanner/backtests/<int:pk>/publish/", views.scanner_publish, name="scanner_publish"),
    path("figures/export/<str:table>/", views.figures_export, name="figures_export"),
    path("audit/", views.audit_search, name="audit"),
    path("audit/<str:what>/<int:pk>/", views.object_history, name="object_history"),
    path("today/", views.today, name="today"),
    path("today/checkins/<int:pk>/call/", views.checkin_call, name="checkin_call"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("liaison/", views.liaison_home, name="liaison_home"),
    path("liaison/referrals/<int:pk>/", views.referral_answer, name="referral_answer"),
    path("liaison/stop-payments/<int:pk>/", views.stop_payment_answer_view, name="stop_payment_answer"),
    path("stop-payments/<int:pk>/packet/", views.stop_payment_print, name="stop_payment_packet"),
]
