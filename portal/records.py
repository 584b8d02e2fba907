"""The add, edit and delete pages of a patient's own records (appointments, questions).

One shape for each: the change and its audit row are one transaction, then a message and
back to the record's list. `list_url` is the list's URL name; the templates link to it.
"""

from django import forms
from django.contrib import messages
from django.db import models, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render

from education.web import PortalRequest
from portal import audit
from portal.caregivers.access import entered_by

FORM_TEMPLATE = "portal/_record_form.html"


def save(request: PortalRequest, form: forms.ModelForm, *, action: str) -> models.Model:
    """Saves a valid form's record as the diary's patient's, with its audit row; a
    caregiver who saves it is recorded as having entered it."""
    form.instance.patient = request.patient
    form.instance.entered_by = entered_by(request)
    with transaction.atomic():
        saved = form.save()
        audit.record(request, action, target=saved)
    return saved


def form_page(
    request: PortalRequest,
    form: forms.ModelForm,
    *,
    action: str,
    done: str,
    list_url: str,
    context: dict,
    template: str = FORM_TEMPLATE,
) -> HttpResponse:
    """A valid POST saves, says `done` and goes back to the list; an invalid one is the
    form again with its errors, as a 400."""
    if request.method == "POST" and form.is_valid():
        save(request, form, action=action)
        messages.success(request, done)
        return redirect(list_url)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "list_url": list_url, **context}
    return render(request, template, context, status=status)


def delete_page(
    request: PortalRequest,
    target: models.Model,
    *,
    action: str,
    done: str,
    list_url: str,
    template: str,
) -> HttpResponse:
    """GET asks first; the POST deletes `target`, says `done` and goes back to the list."""
    if request.method == "POST":
        with transaction.atomic():
            audit.record(request, action, target=target)
            target.delete()
        messages.success(request, done)
        return redirect(list_url)
    context = {"object": target, "noun": target._meta.verbose_name, "list_url": list_url}
    return render(request, template, context)
