"""Payment pages: the gateway's IPN (server to server) and browser return, both public and
trusted only through the gateway's signature; the payer's printable receipt."""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from chinhquyen.core.errors import DomainError
from chinhquyen.core.middleware import client_address
from chinhquyen.payments.actions import IPN_MESSAGES, do_record_gateway_result
from chinhquyen.payments.models import Payment, PaymentEvent
from chinhquyen.payments.money import amount_in_words, vnd
from chinhquyen.payments.queries import access_payment_by_id
from chinhquyen.portal.decorators import citizen_view

logger = logging.getLogger(__name__)
REFUSED = {PaymentEvent.Outcome.BAD_SIGNATURE, PaymentEvent.Outcome.NOT_FOUND}


@csrf_exempt  # called by the gateway's server, which has no CSRF token; the signature protects it
@require_GET
def ipn(request: HttpRequest) -> HttpResponse:
    """Answers in the gateway's JSON shape; the gateway retries until "00" or "02"."""
    try:
        outcome = do_record_gateway_result(
            request.GET.dict(),
            source=PaymentEvent.Source.IPN,
            source_address=client_address(request),
        )
    except Exception:  # never a 500 to the gateway: "99" makes it try again later
        logger.exception("IPN could not be recorded")
        return JsonResponse({"RspCode": "99", "Message": IPN_MESSAGES["99"]})
    return JsonResponse(outcome.ipn_body())


@require_GET
def gateway_return(request: HttpRequest) -> HttpResponse:
    """The citizen's browser back from the gateway: record the signed result (the IPN may not
    have come yet), then go back to the page the payment was started from."""
    try:
        outcome = do_record_gateway_result(
            request.GET.dict(),
            source=PaymentEvent.Source.RETURN,
            source_address=client_address(request),
        )
    except DomainError as error:
        return render(request, "payments/result.html", {"message": error.message}, status=503)
    payment = outcome.payment
    if outcome.outcome in REFUSED or payment is None:
        return render(
            request, "payments/result.html", {"message": outcome.citizen_message}, status=400
        )
    if payment.next_url:
        level = messages.SUCCESS if outcome.is_paid else messages.WARNING
        messages.add_message(request, level, outcome.citizen_message)
        return redirect(payment.next_url)
    return render(
        request,
        "payments/result.html",
        {"message": outcome.citizen_message, "payment": payment, **_facts(payment)},
    )


@citizen_view
@require_GET
def receipt(request: HttpRequest, payment_id: uuid.UUID) -> HttpResponse:
    payment = access_payment_by_id(request.user, payment_id)
    return render(request, "payments/receipt.html", {"payment": payment, **_facts(payment)})


def _facts(payment: Payment) -> dict[str, object]:
    return {
        "is_paid": payment.status == Payment.Status.PAID,
        "amount_figures": vnd(payment.amount),
        "amount_words": amount_in_words(payment.amount),
        "paid_at": timezone.localtime(payment.paid_at) if payment.paid_at else None,
    }
