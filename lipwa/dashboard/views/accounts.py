"""Connector accounts: the list (credentials masked), a credential form generated from each connector's
`credentials.py` (admins), and "test connection" (operators)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lipwa.common.crypto import mask_secret
from lipwa.connectors.registry import UnknownConnector, connector_class, connector_ids
from lipwa.merchants.services import connector_account_create, connector_account_test

from ..forms import credential_form_class, credentials_from
from ..roles import staff_required
from ..selectors import connector_account_of_merchant, connector_accounts_list
from .common import actor, attempt, page


def masked_credentials(account) -> list[tuple[str, str]]:
    """(label, shown value) per field: secrets masked, everything else as configured."""
    fields = {f.name: f for f in connector_class(account.connector).credential_fields}
    values = account.get_credentials()
    shown = []
    for name, value in sorted(values.items()):
        field = fields.get(name)
        secret = field is None or field.secret
        shown.append((field.label if field else name, mask_secret(value) if secret and value else value or "—"))
    return shown


@require_GET
@staff_required("viewer")
def accounts(request: HttpRequest) -> HttpResponse:
    rows = [(account, masked_credentials(account))
            for account in connector_accounts_list(merchant=request.merchant, mode=request.mode)]
    connectors = [(cid, connector_class(cid).display_name) for cid in connector_ids()]
    return page(request, "accounts.html", {"accounts": rows, "connectors": connectors,
                                           "results": request.session.pop("dashboard_connection_test", None),
                                           "section": "accounts"})


@require_http_methods(["GET", "POST"])
@staff_required("admin")
def account_new(request: HttpRequest, connector: str) -> HttpResponse:
    try:
        cls = connector_class(connector)
    except UnknownConnector as error:
        return page(request, "message.html", {"title": "Unknown provider", "message": str(error)}, 404)
    form_class = credential_form_class(cls.credential_fields)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = attempt(request, lambda: connector_account_create(
            merchant=request.merchant, connector=cls.id, mode=request.mode, credentials=credentials_from(form),
            name=form.cleaned_data["account_name"], actor=actor(request)),
            lambda account: f"{cls.display_name} account {account.id} added.")
        if created is not None:
            return redirect("/dashboard/accounts/")
    status = 400 if request.method == "POST" else 200
    return page(request, "account_new.html", {"form": form, "connector": cls, "section": "accounts"}, status=status)


@require_POST
@staff_required("operator")
def account_test(request: HttpRequest, account_id: str) -> HttpResponse:
    account = connector_account_of_merchant(merchant=request.merchant, mode=request.mode, account_id=account_id)
    if account is None:
        return page(request, "message.html", {"title": "Account not found",
                                              "message": f"No connector account {account_id}."}, 404)
    checks = connector_account_test(account=account)
    request.session["dashboard_connection_test"] = {
        "account": account.id, "ok": all(passed for _, passed, _ in checks),
        "checks": [{"name": name, "passed": passed, "message": message} for name, passed, message in checks]}
    return redirect(f"/dashboard/accounts/#{account.id}")
