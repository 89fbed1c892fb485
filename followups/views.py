"""Mijn taken and the Taken widget of the traject page (issue 15, follow-up tasks).

Tasks follow their traject's visibility: a task or traject the user may not see answers 404;
an action on a visible task he may not perform answers 403 with the reason. Every action works
as a plain POST with a redirect, and with htmx as a swap of the widget or the row.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from salesmodule.ids import parse_id
from settings_app.roles import person_name, roles_of
from trajects.indicators import today as local_today
from trajects.models import Traject

from . import lists, services
from .forms import TaskForm
from .models import Task

WIDGET = "followups/_traject_tasks.html"
DOSSIER_CHANGED = "dossier-changed"  # the traject page's dossier reloads itself on it


def _sales_only(request) -> None:
    """Mijn taken is for the sales roles; for anyone else the page does not exist."""
    roles = roles_of(request.user)
    if not (roles.accountmanager or roles.beheerder):
        raise Http404


def _forbidden(request, error: PermissionDenied):
    message = str(error) or _("U mag dit niet doen.")
    return render(request, "403.html", {"message": message}, status=403)


def _visible_traject(request, pk: int) -> Traject:
    trajects = Traject.objects.visible_to(request.user).select_related("relation")
    return get_object_or_404(trajects, pk=pk)


def _visible_task(request, pk: int) -> Task:
    tasks = Task.objects.visible_to(request.user).select_related("traject")
    return get_object_or_404(tasks, pk=pk)


def _next_url(request, default: str) -> str:
    """Where a plain POST goes back to: `next` when it is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site (redirect() would take any other word for a view's name).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _widget(request, traject: Traject, form=None, status: int = 200):
    context = {"traject": traject, "task_form": form}
    return render(request, WIDGET, context, status=status)


def _traject_anchor(traject_id: int) -> str:
    return reverse("trajects:detail", args=[traject_id]) + "#taken"


@require_http_methods(["GET", "HEAD", "POST"])
def traject_tasks(request, pk: int):
    """GET: the Taken widget (htmx) or the traject page. POST: plan a task on the traject."""
    traject = _visible_traject(request, pk)
    if request.method != "POST":
        if request.htmx:
            return _widget(request, traject)
        return redirect(_traject_anchor(traject.pk))
    form = TaskForm(request.POST, traject=traject, user=request.user)
    if form.is_valid():
        try:
            services.task_create(
                traject=traject,
                user=request.user,
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
                due_time=form.cleaned_data["due_time"],
                assignee=form.cleaned_data["assignee"],
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            if not request.htmx:
                return redirect(_traject_anchor(traject.pk))
            response = _widget(request, traject)
            trigger_client_event(response, DOSSIER_CHANGED)
            return response
    if request.htmx:
        return _widget(request, traject, form)
    # Without JavaScript the form comes back on a page of its own, with what was typed.
    return render(request, "followups/task_form.html", {"traject": traject, "task_form": form})


def _after_action(request, task: Task):
    """The answer to Klaar / Heropenen / Verwijderen: the widget or the row htmx asked for,
    else back to where the button was."""
    target = request.htmx.target if request.htmx else None
    if target == "taken":
        response = _widget(request, task.traject)
        trigger_client_event(response, DOSSIER_CHANGED)
        return response
    if target and target.startswith("taak-"):
        task = Task.objects.select_related("traject__relation", "assignee").get(pk=task.pk)
        lists.links_add([task])
        context = {"rows": [task], "next_url": _next_url(request, reverse("followups:mine"))}
        return render(request, "followups/_task_row.html", context)
    return HttpResponseRedirect(_next_url(request, _traject_anchor(task.traject_id)))


def _task_action(request, pk: int, action):
    task = _visible_task(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        task = action(task=task, user=request.user)
    except PermissionDenied as error:
        return _forbidden(request, error)
    except Task.DoesNotExist as gone:
        raise Http404 from gone
    return _after_action(request, task)


@require_http_methods(["GET", "POST"])
def task_complete(request, task_id: int):
    """Klaar: one click marks the task done."""
    return _task_action(request, task_id, services.task_complete)


@require_http_methods(["GET", "POST"])
def task_reopen(request, task_id: int):
    """Heropenen: one click makes a done task open again."""
    return _task_action(request, task_id, services.task_reopen)


@require_http_methods(["GET", "POST"])
def task_delete(request, task_id: int):
    """GET: the confirmation (without JavaScript). POST: delete (creator or beheerder)."""
    task = _visible_task(request, task_id)
    if not services.may_delete_task(task=task, user=request.user):
        return _forbidden(
            request,
            PermissionDenied(
                _("Alleen wie de taak aanmaakte of een beheerder kan haar verwijderen.")
            ),
        )
    if request.method == "GET":
        return render(request, "followups/task_delete.html", {"task": task})
    traject = task.traject
    try:
        services.task_delete(task=task, user=request.user)
    except PermissionDenied as error:
        return _forbidden(request, error)
    except Task.DoesNotExist as gone:
        raise Http404 from gone
    if request.htmx and request.htmx.target == "taken":
        response = _widget(request, traject)
        trigger_client_event(response, DOSSIER_CHANGED)
        return response
    return redirect(_traject_anchor(traject.pk))


def _subject(request):
    """Whose tasks: one's own; a beheerder chooses anyone's (?voor=<id>) or everyone's."""
    chosen = request.GET.get("voor", "")
    if not roles_of(request.user).beheerder:
        return request.user, ""
    if chosen == lists.EVERYONE:
        return None, chosen
    pk = parse_id(chosen)
    if pk is None or pk == request.user.pk:
        return request.user, ""
    person = get_user_model().objects.filter(pk=pk).first()
    if person is None:
        raise Http404
    return person, str(pk)


def _people():
    """The beheerder's filter: every user who has an open task or may get one."""
    users = get_user_model().objects.filter(sales_settings__is_accountmanager=True)
    return [(user.pk, person_name(user)) for user in users.order_by("first_name", "last_name")]


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def my_tasks(request):
    """Mijn taken: my open tasks by due date in four groups, and my trajects with no task."""
    _sales_only(request)
    subject, chosen = _subject(request)
    today = local_today()
    viewer = request.user
    beheerder = roles_of(viewer).beheerder
    sections = [task_section for task_section in (
        lists.task_section(viewer, subject, key, today) for key in lists.GROUPS
    )]  # fmt: skip
    context = {
        "overview": "tasks",
        "today": today,
        "sections": sections,
        "orphans": lists.task_section(viewer, None, lists.WITHOUT_OWNER, today)
        if beheerder
        else None,
        "no_next_step": lists.no_next_step_section(viewer, subject),
        "subject": subject,
        "chosen": chosen,
        "people": _people() if beheerder else (),
        "everyone": lists.EVERYONE,
        "more_query": f"voor={chosen}" if chosen else "",
        "next_url": request.get_full_path(),
    }
    return render(request, "followups/task_list.html", context)


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def my_tasks_more(request):
    """Meer laden: the next 50 rows of one section (?groep=…&na=<date>_<id>)."""
    _sales_only(request)
    subject, chosen = _subject(request)
    key = request.GET.get("groep", "")
    after = request.GET.get("na", "")
    today = local_today()
    if key in lists.GROUPS:
        section = lists.task_section(request.user, subject, key, today, after)
    elif key == lists.WITHOUT_OWNER and roles_of(request.user).beheerder:
        section = lists.task_section(request.user, None, key, today, after)
    elif key == lists.NO_NEXT_STEP:
        section = lists.no_next_step_section(request.user, subject, after)
    else:
        message = _("Kies een groep: verlopen, vandaag, week, later of zonder-vervolgactie.")
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    context = {
        "section": section,
        "today": today,
        "more_query": f"voor={chosen}" if chosen else "",
        "next_url": reverse("followups:mine") + (f"?voor={chosen}" if chosen else ""),
        "overview": "tasks",
    }
    if request.htmx:
        return render(request, "followups/_section_rows.html", context)
    return render(request, "followups/task_more.html", context)
