"""Paystack (NG GH KE ZA CI): card checkout by redirect, mobile money through the Charge API, saved-card
(recurring) charges and partial refunds, built from PROVIDERS.md §6.

`connector.py` holds the flows, `client.py` the HTTP endpoints, `mapping.py` the wire shapes and status
tables, `webhooks.py` the signed callbacks (HMAC-SHA512 of the raw body), `credentials.py` the account
configuration and `simulator/` a wire-compatible fake Paystack with a hosted payment page.
"""
