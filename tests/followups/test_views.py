"""Issue 15, points 1 and 2 over HTTP: the Taken widget, Mijn taken and its groups, who sees
which task (mine, someone else's is 404 and absent, the beheerder sees all), bad input."""

import datetime
import re

import pytest
from django.urls import reverse

from followups.models import Task
from trajects.models import DossierKind

from ..factories import AccountmanagerFactory, TaskFactory, TrajectFactory

# A Thursday: "Deze week" runs to Sunday 3 January 2027, across the year's end.
THURSDAY = datetime.datetime(2026, 12, 31, 10, tzinfo=datetime.UTC)
TODAY = THURSDAY.date()
MINE = reverse("followups:mine")


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def group_of_row(page: str, task: Task) -> str | None:
    """The id of the section the task's row is in (None when it is not on the page)."""
    row = page.find(f'id="taak-{task.pk}"')
    if row < 0:
        return None
    return re.findall(r'<section class="task-group" id="groep-([\w-]+)"', page[:row])[-1]


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(THURSDAY, tick=False)


@pytest.mark.django_db
def test_groups_by_due_date_across_the_year_end(client_for, am, clock):
    traject = TrajectFactory(accountmanagers=[am], expected_close=days(30))
    expected = {
        TaskFactory(traject=traject, due_on=days(-1)): "verlopen",
        TaskFactory(traject=traject, due_on=days(-400)): "verlopen",
        TaskFactory(traject=traject, due_on=TODAY): "vandaag",
        TaskFactory(traject=traject, due_on=days(1)): "week",  # 1 January
        TaskFactory(traject=traject, due_on=days(3)): "week",  # Sunday 3 January
        TaskFactory(traject=traject, due_on=days(4)): "later",  # Monday
    }
    done = TaskFactory(traject=traject, due_on=days(-2), done_at=THURSDAY)
    page = client_for(am).get(MINE).text
    assert {task: group_of_row(page, task) for task in expected} == expected
    assert group_of_row(page, done) is None
    # Within a group by due date: the oldest overdue first.
    old, recent = sorted(
        (t for t, g in expected.items() if g == "verlopen"), key=lambda t: t.due_on
    )
    assert page.index(f'id="taak-{old.pk}"') < page.index(f'id="taak-{recent.pk}"')


@pytest.mark.django_db
def test_on_a_sunday_this_week_is_empty_and_monday_is_later(client_for, am, time_machine):
    time_machine.move_to(datetime.datetime(2027, 1, 3, 10, tzinfo=datetime.UTC), tick=False)
    traject = TrajectFactory(accountmanagers=[am])
    sunday = TaskFactory(traject=traject, due_on=datetime.date(2027, 1, 3))
    monday = TaskFactory(traject=traject, due_on=datetime.date(2027, 1, 4))
    page = client_for(am).get(MINE).text
    assert group_of_row(page, sunday) == "vandaag"
    assert group_of_row(page, monday) == "later"


@pytest.mark.django_db
def test_the_badge_counts_overdue_and_today(client_for, am, other_am, clock):
    traject = TrajectFactory(accountmanagers=[am, other_am])
    for due in (days(-3), days(-1), TODAY, days(1)):
        TaskFactory(traject=traject, assignee=am, due_on=due)
    TaskFactory(traject=traject, assignee=other_am, due_on=days(-1))
    TaskFactory(traject=traject, assignee=am, due_on=days(-1), done_at=THURSDAY)
    page = client_for(am).get(reverse("trajects:list")).text
    assert re.search(r'class="badge task-badge"><span aria-hidden="true">3</span>', page)


@pytest.mark.django_db
def test_each_row_shows_the_traject_the_relation_and_the_remaining_days(client_for, am, clock):
    traject = TrajectFactory(accountmanagers=[am], expected_close=days(2))
    task = TaskFactory(traject=traject, due_on=TODAY, title="Offerte nabellen")
    page = client_for(am).get(MINE).text
    row = page[page.index(f'id="taak-{task.pk}"') :].split("</tr>")[0]
    assert "Offerte nabellen" in row
    assert reverse("trajects:detail", args=[traject.pk]) in row
    assert reverse("crm:relation_detail", args=[traject.relation_id]) in row
    assert 'data-remaining-level="red"' in row
    assert reverse("followups:complete", args=[task.pk]) in row


@pytest.mark.django_db
def test_visibility_mine_someone_elses_and_the_beheerders(
    client_for, am, other_am, beheerder, keyuser, clock
):
    mine = TaskFactory(traject=TrajectFactory(accountmanagers=[am]), due_on=TODAY)
    theirs = TaskFactory(traject=TrajectFactory(accountmanagers=[other_am]), due_on=TODAY)
    client = client_for(am)
    page = client.get(MINE).text
    assert group_of_row(page, mine) == "vandaag" and group_of_row(page, theirs) is None
    # Someone else's task does not exist for him: every URL of it is a 404, no list shows it.
    for name in ("complete", "reopen", "delete"):
        assert client.post(reverse(f"followups:{name}", args=[theirs.pk])).status_code == 404
        assert client.get(reverse(f"followups:{name}", args=[theirs.pk])).status_code == 404
    traject_url = reverse("followups:traject", args=[theirs.traject_id])
    assert client.post(traject_url, {"title": "x", "due_on": "31-12-2026"}).status_code == 404
    assert client.get(traject_url, headers={"HX-Request": "true"}).status_code == 404
    # Asking for another's list as an accountmanager shows one's own.
    page = client.get(MINE, {"voor": other_am.pk}).text
    assert group_of_row(page, theirs) is None and group_of_row(page, mine) == "vandaag"
    more = client.get(reverse("followups:more"), {"groep": "vandaag", "voor": other_am.pk}).text
    assert f"taak-{theirs.pk}" not in more
    theirs.refresh_from_db()
    assert theirs.done_at is None

    # The beheerder sees anyone's, and everyone's.
    client = client_for(beheerder)
    page = client.get(MINE, {"voor": other_am.pk}).text
    assert group_of_row(page, theirs) == "vandaag" and group_of_row(page, mine) is None
    page = client.get(MINE, {"voor": "alle"}).text
    assert group_of_row(page, theirs) == group_of_row(page, mine) == "vandaag"
    # The key-user has no tasks page, and no task exists for him.
    client = client_for(keyuser)
    assert client.get(MINE).status_code == 404
    assert client.get(reverse("followups:more"), {"groep": "vandaag"}).status_code == 404
    assert client.post(reverse("followups:complete", args=[mine.pk])).status_code == 404
    assert client.post(reverse("followups:traject", args=[mine.traject_id])).status_code == 404


@pytest.mark.django_db
def test_a_forbidden_action_on_a_visible_task_is_403_with_a_message(client_for, am, other_am):
    traject = TrajectFactory(accountmanagers=[am, other_am])
    task = TaskFactory(traject=traject, assignee=am, created_by=am)
    response = client_for(other_am).post(reverse("followups:delete", args=[task.pk]))
    assert response.status_code == 403
    assert "Alleen wie de taak aanmaakte of een beheerder" in response.text
    assert Task.objects.filter(pk=task.pk).exists()


@pytest.mark.django_db
def test_widget_add_complete_reopen_delete_with_htmx_and_without(client_for, am, clock):
    traject = TrajectFactory(accountmanagers=[am])
    client = client_for(am)
    detail = client.get(reverse("trajects:detail", args=[traject.pk])).text
    assert 'id="taken"' in detail and "data-datepicker" in detail.split('id="taken"')[1]
    url = reverse("followups:traject", args=[traject.pk])
    htmx = {"HX-Request": "true", "HX-Target": "taken"}
    data = {"title": "Offerte nabellen", "due_on": "04-01-2027", "assignee": am.pk}
    response = client.post(url, data, headers=htmx)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="taken"')  # only the widget
    assert "dossier-changed" in response["HX-Trigger"]
    task = Task.objects.get()
    assert (task.title, task.due_on, task.assignee) == (
        "Offerte nabellen",
        datetime.date(2027, 1, 4),
        am,
    )
    response = client.post(reverse("followups:complete", args=[task.pk]), headers=htmx)
    assert reverse("followups:reopen", args=[task.pk]) in response.text
    task.refresh_from_db()
    assert task.done_at is not None
    # Without JavaScript: a plain POST and a redirect back.
    response = client.post(reverse("followups:reopen", args=[task.pk]))
    assert response.status_code == 302 and response["Location"].endswith("#taken")
    assert client.get(reverse("followups:delete", args=[task.pk])).status_code == 200
    response = client.post(reverse("followups:delete", args=[task.pk]))
    assert response.status_code == 302 and not Task.objects.exists()
    actions = [e.data["action"] for e in traject.dossier_entries.filter(kind=DossierKind.TASK)]
    assert sorted(actions) == ["created", "deleted", "done", "reopened"]


@pytest.mark.django_db
def test_klaar_in_mijn_taken_swaps_only_the_row(client_for, am, clock):
    task = TaskFactory(traject=TrajectFactory(accountmanagers=[am]), due_on=TODAY)
    response = client_for(am).post(
        reverse("followups:complete", args=[task.pk]),
        {"next": MINE},
        headers={"HX-Request": "true", "HX-Target": f"taak-{task.pk}"},
    )
    assert response.text.lstrip().startswith(f'<tr id="taak-{task.pk}" class="done"')
    response = client_for(am).post(reverse("followups:complete", args=[task.pk]), {"next": MINE})
    assert response["Location"] == MINE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 5000}, "title"),
        ({"due_on": "31-02-2027"}, "due_on"),
        ({"due_on": "01-01-0001"}, "due_on"),
        ({"due_on": "٣١-١٢-٢٠٢٦"}, "due_on"),
        ({"due_time": "25:99"}, "due_time"),
        ({"assignee": "999999999"}, "assignee"),
        ({"assignee": "٣"}, "assignee"),
        ({"assignee": "9" * 40}, "assignee"),
    ],
)
def test_bad_input_comes_back_with_a_message_never_a_500(client_for, am, other_am, data, field):
    traject = TrajectFactory(accountmanagers=[am])
    url = reverse("followups:traject", args=[traject.pk])
    post = {"title": "Bellen", "due_on": "31-12-2026", "assignee": am.pk, **data}
    for headers in ({}, {"HX-Request": "true", "HX-Target": "taken"}):
        response = client_for(am).post(url, post, headers=headers)
        assert response.status_code == 200
        assert f'id="taak-{field}_error"' in response.text
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_an_accountmanager_not_on_the_traject_is_no_assignee(client_for, am, other_am):
    traject = TrajectFactory(accountmanagers=[am])
    url = reverse("followups:traject", args=[traject.pk])
    data = {"title": "Bellen", "due_on": "31-12-2026", "assignee": other_am.pk}
    response = client_for(am).post(url, data)
    assert 'id="taak-assignee_error"' in response.text
    assert not Task.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"groep": "verlopen", "na": "2026-13-45_1"},
        {"groep": "verlopen", "na": "٢٠٢٦-١٢-٠١_١"},
        {"groep": "verlopen", "na": "x" * 10000},
        {"groep": "verlopen", "na": "2026-12-01_" + "9" * 40},
        {"groep": "nergens"},
        {},
        {"groep": "vandaag", "voor": "٣"},
        {"groep": "zonder-eigenaar"},
    ],
)
def test_forged_more_parameters_never_500(client_for, am, query):
    response = client_for(am).get(reverse("followups:more"), query)
    assert response.status_code in (200, 400)


@pytest.mark.django_db
def test_forged_ids_in_urls_are_404(client_for, am):
    client = client_for(am)
    for path in ("/taken/999999999/klaar/", "/taken/99999999999999999999/klaar/",
                 "/taken/traject/0/", "/taken/٣/klaar/"):  # fmt: skip
        assert client.post(path).status_code == 404


@pytest.mark.django_db
def test_each_group_shows_50_and_loads_more_by_keyset(client_for, am, clock):
    traject = TrajectFactory(accountmanagers=[am])
    tasks = [TaskFactory(traject=traject, due_on=days(-1 - n % 3)) for n in range(53)]
    client = client_for(am)
    page = client.get(MINE).text
    shown = [t for t in tasks if f'id="taak-{t.pk}"' in page]
    assert len(shown) == 50
    link = re.search(r'hx-get="([^"]*groep=verlopen[^"]*)"', page).group(1).replace("&amp;", "&")
    more = client.get(link, headers={"HX-Request": "true", "HX-Target": "meer-verlopen"}).text
    rest = [t for t in tasks if f'id="taak-{t.pk}"' in more]
    assert len(rest) == 3 and not set(rest) & set(shown)
    assert "Meer laden" not in more
    in_order = sorted(tasks, key=lambda t: (t.due_on, t.pk))
    assert [t.pk for t in in_order[50:]] == sorted((t.pk for t in rest), key=lambda pk: next(
        (t.due_on, t.pk) for t in tasks if t.pk == pk))  # fmt: skip
    # Without JavaScript the same link is a page of its own.
    assert client.get(link).status_code == 200


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_number_of_tasks(
    client_for, am, clock, django_assert_max_num_queries
):
    traject = TrajectFactory(accountmanagers=[am])
    TaskFactory(traject=traject, due_on=TODAY)
    client = client_for(am)
    client.get(MINE)
    with django_assert_max_num_queries(20) as few:
        client.get(MINE)
    for n in range(40):
        other = TrajectFactory(accountmanagers=[am])
        TaskFactory(traject=other, due_on=days(n - 20))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(MINE)


@pytest.mark.django_db
def test_no_next_step_lists_my_open_trajects_without_an_open_task(client_for, am, other_am, clock):
    with_task = TrajectFactory(accountmanagers=[am], subject="Met taak")
    TaskFactory(traject=with_task, due_on=TODAY)
    with_done = TrajectFactory(accountmanagers=[am], subject="Alleen afgerond")
    TaskFactory(traject=with_done, due_on=TODAY, done_at=THURSDAY)
    lead = TrajectFactory(accountmanagers=[am], subject="Kale lead", converted_at=None)
    TrajectFactory(accountmanagers=[other_am], subject="Van Bob")
    page = client_for(am).get(MINE).text
    section = page.split('id="groep-zonder-vervolgactie"')[1]
    assert f'id="traject-{with_done.pk}"' in section and f'id="traject-{lead.pk}"' in section
    assert f'id="traject-{with_task.pk}"' not in section
    assert "Van Bob" not in page


@pytest.mark.django_db
def test_a_deactivated_users_open_tasks_are_without_owner_for_the_beheerder(
    client_for, am, beheerder, clock
):
    gone = AccountmanagerFactory(username="am_weg")
    task = TaskFactory(traject=TrajectFactory(accountmanagers=[am, gone]), assignee=gone)
    gone.is_active = False
    gone.save()
    page = client_for(beheerder).get(MINE).text
    assert group_of_row(page, task) == "zonder-eigenaar"
    assert 'id="groep-zonder-eigenaar"' not in client_for(am).get(MINE).text


@pytest.mark.django_db
def test_handing_over_on_the_traject_page_moves_my_open_tasks(
    client_for, am, other_am, django_capture_on_commit_callbacks
):
    traject = TrajectFactory(accountmanagers=[am])
    task = TaskFactory(traject=traject, assignee=am)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(am).post(
            reverse("trajects:hand_over", args=[traject.pk]),
            {"overdragen-accountmanager": other_am.pk},
        )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee == other_am
    # Gone from my list, on the new accountmanager's.
    assert f'id="taak-{task.pk}"' not in client_for(am).get(MINE).text
    assert f'id="taak-{task.pk}"' in client_for(other_am).get(MINE).text


@pytest.mark.django_db
def test_a_failing_listener_never_undoes_or_breaks_the_change(
    client_for, am, other_am, beheerder, django_capture_on_commit_callbacks
):
    from unittest import mock

    from trajects import signals
    from trajects.signals import traject_changed

    def broken(sender, **kwargs):
        raise RuntimeError("listener down")

    traject_changed.connect(broken)
    try:
        traject = TrajectFactory(accountmanagers=[am, other_am])
        url = reverse("trajects:accountmanager_remove", args=[traject.pk, other_am.pk])
        with (
            mock.patch.object(signals.logger, "error") as logged,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client_for(beheerder).post(url)
    finally:
        traject_changed.disconnect(broken)
    assert response.status_code == 302
    assert list(traject.accountmanagers.all()) == [am]
    assert str(logged.call_args.kwargs["exc_info"][1]) == "listener down"


@pytest.mark.django_db
def test_titles_subjects_and_names_are_escaped_in_every_row(client_for, am, clock):
    traject = TrajectFactory(accountmanagers=[am], subject='<b>Bouw</b> "& co"')
    TaskFactory(traject=traject, due_on=TODAY, title='<script>alert("x")</script>')
    TrajectFactory(accountmanagers=[am], subject="<i>Zonder</i>")
    page = client_for(am).get(MINE).text
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)" in page
    assert "<b>Bouw</b>" not in page and "&lt;b&gt;Bouw&lt;/b&gt;" in page
    assert "<i>Zonder</i>" not in page
