"""Login throttling: 5 failed logins lock an account at that address for 15 minutes."""

import html
import ipaddress
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from salesmodule.login_throttling import client_ip_address
from settings_app.models import UserSettings

from .test_config import run_manage

pytestmark = pytest.mark.django_db

PASSWORD = "juist-wachtwoord-7"
ATTACKER = "203.0.113.66"
LOCKED = "geblokkeerd voor inloggen vanaf dit adres"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """Dozens of logins per test: a fast hasher keeps them quick (not what is tested here)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def anna(am):
    am.set_password(PASSWORD)
    am.save()
    return am


def log_in(username, password, address=ATTACKER, **headers):
    """One login over HTTP from a fresh browser at `address`: (response, logged in?)."""
    browser = Client()
    response = browser.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )
    return response, "_auth_user_id" in browser.session


def fail_five_times(username, address=ATTACKER, **headers):
    for attempt in range(5):
        response, logged_in = log_in(username, f"fout-{attempt}", address, **headers)
        assert not logged_in


def text(response) -> str:
    return html.unescape(response.content.decode())


def assert_locked(response, logged_in):
    assert not logged_in
    assert response.status_code == 429
    page = text(response)
    assert LOCKED in page and "15 minuten" in page and "ook met het juiste wachtwoord" in page
    assert "<h1>Inloggen</h1>" in page and 'id="id_password"' in page, "the site's own page"


def test_the_sixth_attempt_is_refused_even_with_the_right_password(anna):
    response, logged_in = log_in(anna.username, "fout")
    assert response.status_code == 200 and not logged_in
    assert 'role="alert"' in text(response) and LOCKED not in text(response)
    fail_five_times(anna.username)

    assert_locked(*log_in(anna.username, PASSWORD))


def test_four_failures_do_not_lock_and_a_login_starts_the_count_again(anna):
    for _round in range(3):
        for attempt in range(4):
            log_in(anna.username, f"fout-{attempt}")
        response, logged_in = log_in(anna.username, PASSWORD)
        assert response.status_code == 302 and logged_in


def test_the_same_account_still_logs_in_from_another_address(anna):
    fail_five_times(anna.username)
    response, logged_in = log_in(anna.username, PASSWORD, address="198.51.100.20")
    assert response.status_code == 302 and logged_in


def test_another_account_still_logs_in_from_that_address(anna, other_am):
    other_am.set_password(PASSWORD)
    other_am.save()
    fail_five_times(anna.username)
    response, logged_in = log_in(other_am.username, PASSWORD)
    assert response.status_code == 302 and logged_in


def test_a_keyuser_unlocks_the_account_in_the_settings_screen(anna, keyuser):
    fail_five_times(anna.username)
    assert UserSettings.objects.with_login_locked().get(user=anna).login_locked

    screen = Client()
    screen.force_login(keyuser)
    changelist = reverse("admin:settings_app_usersettings_changelist")
    page = screen.get(changelist)
    assert "Inlogblokkade opheffen" in text(page)
    response = screen.post(
        changelist,
        {"action": "unlock_selected", "_selected_action": [anna.sales_settings.pk]},
        follow=True,
    )
    assert f"De inlogblokkade van {anna} is opgeheven" in text(response)
    assert not UserSettings.objects.with_login_locked().get(user=anna).login_locked

    response, logged_in = log_in(anna.username, PASSWORD)
    assert response.status_code == 302 and logged_in


def test_an_accountmanager_cannot_unlock(anna, other_am):
    fail_five_times(anna.username)
    screen = Client()
    screen.force_login(other_am)
    response = screen.post(
        reverse("admin:settings_app_usersettings_changelist"),
        {"action": "unlock_selected", "_selected_action": [anna.sales_settings.pk]},
    )
    assert response.status_code == 404
    assert_locked(*log_in(anna.username, PASSWORD))


def test_the_lock_ends_after_15_minutes(anna, time_machine):
    time_machine.move_to(START, tick=False)
    fail_five_times(anna.username)

    time_machine.move_to(START + timedelta(minutes=14, seconds=59), tick=False)
    assert_locked(*log_in(anna.username, PASSWORD))

    time_machine.move_to(START + timedelta(minutes=15, seconds=1), tick=False)
    response, logged_in = log_in(anna.username, PASSWORD)
    assert response.status_code == 302 and logged_in


def test_tries_during_the_lock_do_not_prolong_it(anna, time_machine):
    time_machine.move_to(START, tick=False)
    fail_five_times(anna.username)
    time_machine.move_to(START + timedelta(minutes=10), tick=False)
    assert_locked(*log_in(anna.username, "nog-een-gok"))
    time_machine.move_to(START + timedelta(minutes=15, seconds=1), tick=False)
    assert log_in(anna.username, PASSWORD)[1]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(anna):
    for attempt in range(5):
        log_in(anna.username, f"fout-{attempt}", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
    response = log_in(anna.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert_locked(*response)


@pytest.fixture
def behind_proxy(settings):
    """The TLS proxy of the README at 10.0.0.2: the app sees it as the peer."""
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.2"),)
    return "10.0.0.2"


def test_behind_a_trusted_proxy_the_lock_is_per_client_address(anna, behind_proxy):
    fail_five_times(anna.username, behind_proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert_locked(*log_in(anna.username, PASSWORD, behind_proxy, HTTP_X_FORWARDED_FOR=ATTACKER))

    colleague = log_in(anna.username, PASSWORD, behind_proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert colleague[0].status_code == 302 and colleague[1]


def test_a_client_cannot_escape_the_lock_by_writing_x_forwarded_for(anna, behind_proxy):
    # The proxy appends the address it sees; what the client wrote stays on the left.
    for attempt in range(5):
        log_in(
            anna.username,
            f"fout-{attempt}",
            behind_proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, {ATTACKER}",
        )
    spoofed = f"192.0.2.99, {ATTACKER}"
    assert_locked(*log_in(anna.username, PASSWORD, behind_proxy, HTTP_X_FORWARDED_FOR=spoofed))
    # A direct connection is not the proxy: its X-Forwarded-For is not believed.
    assert_locked(*log_in(anna.username, PASSWORD, ATTACKER, HTTP_X_FORWARDED_FOR="10.0.0.2"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.5", "", "203.0.113.5"),
        ("203.0.113.5", "192.0.2.1", "203.0.113.5"),  # not a trusted proxy
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "192.0.2.1", "192.0.2.1"),
        ("10.0.0.2", "192.0.2.9, 192.0.2.1", "192.0.2.1"),
        ("10.0.0.2", "192.0.2.1, 10.0.0.3", "192.0.2.1"),  # two proxies in the chain
        ("10.0.0.2", "not-an-address", "10.0.0.2"),
        ("10.0.0.2", "192.0.2.1, not-an-address", "10.0.0.2"),
        ("10.0.0.2", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_address(settings, peer, forwarded, client):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.0/29"),)
    request = RequestFactory().post("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip_address(request) == client


@pytest.mark.django_db(False)
def test_a_malformed_trusted_proxies_stops_start_up_with_one_line():
    result = run_manage("check", DEBUG="1", TRUSTED_PROXIES="10.0.0.2,proxy.example.com")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "Configuration error: TRUSTED_PROXIES must list IP addresses or networks "
        "(got 'proxy.example.com')"
    ]


def test_exactly_five_failures_refuse_the_sixth_attempt_with_the_right_password(anna):
    """Issue 12, point 11, counted exactly: attempts 1-4 wrong are answered as usual, the 5th
    wrong one locks (and says so), the 6th with the right password is refused."""
    for attempt in range(1, 5):
        response, logged_in = log_in(anna.username, f"fout-{attempt}")
        assert response.status_code == 200 and not logged_in, attempt
        assert LOCKED not in text(response), attempt
    assert_locked(*log_in(anna.username, "fout-5"))
    assert_locked(*log_in(anna.username, PASSWORD))
