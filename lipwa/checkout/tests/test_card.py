"""Card on the hosted page: the gateway's redirect, and the way back to lipwa's status page."""

from __future__ import annotations

import pytest

from lipwa.checkout.models import CheckoutSession

from .helpers import new_session

pytestmark = pytest.mark.django_db(transaction=True)


def test_card_goes_to_the_gateway_page_and_comes_back_to_the_status_page(client, merchant, simulator_account,
                                                                        lipwa_server):
    simulator_account("paystack")
    session = new_session(merchant, amount=50_000, currency="NGN", customer={"email": "ada@example.com"})
    page = client.get(f"/pay/{session.id}").content.decode()
    assert 'value="card"' in page
    response = client.post(f"/pay/{session.id}/pay", {"method": "card", "phone": "", "based_on": ""})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{lipwa_server.url}/simulators/paystack/")
    payment = CheckoutSession.objects.get(id=session.id).payment
    assert payment.return_url == f"{lipwa_server.url}/pay/{session.id}/return"
    back = client.get(f"/pay/{session.id}/return?trxref=x&reference=y")
    assert back.status_code == 302 and back["Location"].startswith(f"/pay/{session.id}/status")
    status = client.get(back["Location"]).content.decode()
    assert "Continue to the card page" in status  # the customer left the gateway page before paying
