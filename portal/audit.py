"""Writes the audit trail. Pass record types and ids only: never health data."""

from django.db import models
from django.http import Http404, HttpRequest

from portal.models import AuditEvent, DeniedAccessCount


def client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def record(
    request: HttpRequest,
    action: str,
    *,
    target: models.Model | None = None,
    record_type: str = "",
    record_id: str | int = "",
    outcome: str = AuditEvent.Outcome.SUCCESS,
    actor_id: int | None = None,
    patient_id: int | None = None,
) -> AuditEvent | None:
    """Adds a row to the trail. Denials are counted per account and hour: past the first
    few, one row says where the rest are counted (DeniedAccessCount) and no more follow.
    A caregiver's action in a patient's diary names that patient too (patient_id), so her
    activity page can list it."""
    if target is not None:
        record_type = target._meta.label_lower
        record_id = target.pk
    user = getattr(request, "user", None)
    if actor_id is None and user is not None and user.is_authenticated:
        actor_id = user.pk
    if patient_id is None and getattr(request, "grant", None) is not None:
        patient_id = request.patient.pk
    if outcome == AuditEvent.Outcome.DENIED and actor_id is not None:
        counter = DeniedAccessCount.objects.add_one(actor_id)
        if counter.count > counter.ROWS_IN_FULL + 1:
            return None
        if not counter.in_full:
            action = "audit.denials_counted"
            record_type, record_id = counter._meta.label_lower, counter.pk
    return AuditEvent.objects.create(
        actor_id=actor_id,
        patient_id=patient_id,
        action=action,
        record_type=record_type,
        record_id=str(record_id)[:64],  # the column's length: a 70-digit URL id fits too
        outcome=outcome,
        ip_address=client_address(request),
        request_id=getattr(request, "request_id", "") or "",
    )


def own_or_404(request: HttpRequest, records: models.QuerySet, pk, *, action: str):
    """Record `pk` from `records`, a queryset already limited to the diary's patient's
    own (request.patient: the signed-in patient, or the one her caregiver helps); anything
    else (someone else's, or none at all) is the same 404, and the attempt is in the audit
    trail as `action`, denied. `pk` None stands for an id that was not
    well formed: it finds nothing, and the trail gets "" rather than what was typed.
    """
    found = records.filter(pk=pk).first()
    if found is None:
        record(
            request,
            action,
            record_type=records.model._meta.label_lower,
            record_id="" if pk is None else pk,
            outcome=AuditEvent.Outcome.DENIED,
        )
        raise Http404(f"No such {records.model._meta.verbose_name}.")
    return found
