"""The search box of the header and its results page."""

from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page
from accounts.ratelimit import client_address
from accounts.refusals import Refused
from accounts.selectors import user_desks

from ..forms import SearchForm
from ..selectors.search import LIMIT, search_query, search_results
from ..services.search import search_purpose_ensure, search_record


@portal_page(roles.WORK_QUEUE)
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET /search/?q=…&purpose=…: the results grouped by kind, or straight to the one case or
    alert an exact search leads to. A search that can find a person without a purpose is refused
    with the form again, before anything is looked up."""
    form = SearchForm(request.GET)
    form.is_valid()  # nothing in it can be wrong: an unknown purpose is no purpose
    query = search_query(form.cleaned_data.get("q") or "")
    purpose = form.cleaned_data.get("purpose") or ""
    context = {"form": form, "query": query, "results": None, "limit": LIMIT}
    try:
        search_purpose_ensure(query=query, purpose=purpose)
    except Refused as refused:
        form.add_error("purpose", str(refused))
        return render(request, "interventions/search.html", context, status=400)
    results = search_results(query, desks=user_desks(request.user))
    search_record(by=request.user, results=results, purpose=purpose, address=client_address(request))
    destination = results.only_place()
    if destination is not None:
        return redirect(destination)
    context["results"] = results
    return render(request, "interventions/search.html", context)
