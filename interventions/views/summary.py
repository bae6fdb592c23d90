"""The managers' summary page."""

from django.http import HttpResponse
from django.shortcuts import render

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page

from ..selectors import (
    managers_summary,
)


@portal_page(roles.VIEW_SUMMARY)
def summary(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "interventions/summary.html", {"summary": managers_summary()})
