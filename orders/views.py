from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import roles
from accounts.access import portal_page

from .selectors import merchant_for_user, merchant_recent_orders


@portal_page(roles.USE_MERCHANT_PORTAL)
def merchant_home(request: HttpRequest) -> HttpResponse:
    merchant = merchant_for_user(request.user)
    if merchant is None:
        raise Http404
    orders = merchant_recent_orders(merchant=merchant)
    return render(request, "orders/merchant_home.html", {"merchant": merchant, "orders": orders})
