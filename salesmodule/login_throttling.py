"""Login throttling with django-axes: who the client is, and the page a locked account gets."""

import ipaddress

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_ip_address(request) -> str:
    """The client's address: X-Forwarded-For counts only as far as trusted proxies wrote it.

    Walked from the right, each entry was appended by the hop before it; the first hop that is
    not a trusted proxy is the client. What a client put in the header itself is never reached.
    """
    address = _address(request.META.get("REMOTE_ADDR", ""))
    if address is None:
        return request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while _trusted(address) and forwarded:
        previous = _address(forwarded.pop())
        if previous is None:
            break  # garbage from beyond the proxies: the last hop we can name is the client
        address = previous
    return str(address)


def lockout_response(request, original_response=None, credentials=None):
    """The login page in the site's look, saying the account is locked here for a while."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    message = _(
        "Dit account is na %(limit)s mislukte inlogpogingen %(minutes)s minuten geblokkeerd "
        "voor inloggen vanaf dit adres, ook met het juiste wachtwoord. Probeer het later "
        "opnieuw, of vraag een key-user om het account te ontgrendelen."
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
    return render(
        request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
