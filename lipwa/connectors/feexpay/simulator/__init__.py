"""A wire-compatible simulator of FeexPay's V2 API (mobile money per network, hosted card page), built from
PROVIDERS.md section 5.

It is mounted at `/simulators/feexpay/` followed by FeexPay's real paths when `LIPWA_SIMULATORS_ENABLED` is
true, so any FeexPay client whose base URL can be set works unchanged against
`http://127.0.0.1:8000/simulators/feexpay/api`:

    POST api/transactions/public/requesttopay/{network}     -> reference ("FXP-<uuid>"), status, amount, message
    GET  api/transactions/public/single/status/{reference}  -> reference, amount, status [, reason, responsemsg]
    POST api/feexlink/api-create (or api/feexlinks/generate) -> urlPay (".../simulators/feexpay/checkout/<id>")
    GET|POST checkout/<id>                                    the hosted card page (checkout.feexpay.me's stand-in)

It never imports the FeexPay connector's client, mapping, webhooks or connector modules (an import-linter
contract), so the client and the simulator cannot agree on the same bug. It does import
`lipwa.connectors.feexpay.catalogue`, which holds every FeexPay *assumption* (listed below), so that an
assumption is corrected in one place; the documented facts are written here from PROVIDERS.md independently.

Credentials
-----------
- `Authorization: Bearer sim_key` on every call, status included (5.1). Anything else: 401
  `{"message": "Unauthenticated."}` (A: the wording). Wrong method: 405 `{"message"}`.
- `shop` (in the body, 5.1) must be `sim_shop`; another shop: 403 `{"message": "This shop does not belong to
  this API key."}` (A).
- Webhooks are signed with the webhook secret `sim_secret`.

Requests (5.2, 5.8)
-------------------
- Networks: every segment of 5.2 (`mtn`, `moov`, `celtiis_bj`, `coris`, `*_bf`, `*_ci`, `*_ml`, `*_sn`, `*_tg`,
  `mtn_cg`) plus the catalogue's assumed ones (`mtn_cm`, `orange_cm`, `airtel_ga`, `moov_ga`, `orange_gw`,
  `mtn_gw`). Unknown network, or any other path: 404 `{"message": "Not found"}` (5.8).
- Validation failures: 422 `{"message", "errors": {field: [message]}}` (A: Laravel's shape), first bad field
  only: `phoneNumber` digits with the network's calling code (Benin: `229` + 10 digits starting `01`, 5.7;
  elsewhere code + 8-10 digits); `amount` a JSON integer 100-2,000,000; `description` letters, digits and
  spaces only; `callback_info` a string (V2; an object is V1's form); `webhook_url` an http(s) URL.
- Accepted: HTTP 200 `{"reference": "FXP-<uuid>", "status": "PENDING", "amount", "message"}` (5.8).
- Status: `PENDING` until `LIPWA_SIMULATOR_DELAY_SECONDS` after acceptance by `lipwa.common.clock.now()`, then
  `SUCCESSFUL` or `FAILED` with `reason` and `responsemsg`. Unknown reference: 404
  `{"message": "Transaction not found"}` (A).

Webhooks (5.4 and the catalogue's P/A choices)
-----------------------------------------------
POSTed as JSON to the request's `webhook_url` (P: the real gateway uses the dashboard's Callback URL; a
request without `webhook_url` gets no webhook). Body: 5.4's fields (`reference`, `amount`, `status`, `reason`,
`responsemsg`, `callback_info`, `email`, `type` "Paiement", `phoneNumber`, `date` ISO-8601 UTC, `reseau` such
as "MTN BJ", `ref_link`, `description`, `ref_operator`) plus `webhook_id` (P), the same on every redelivery.
Headers: `X-Webhook-Signature` = hex HMAC-SHA256 of the raw body with `sim_secret` (P), `X-Webhook-Id` (P),
and `Authorization: Bearer sim_secret` (5.8's convention). A webhook is sent in a daemon thread after the
delay, started only once the server has written the initiate response (WSGI `close()`), so it never overtakes
its own response, except in scenario 008.

Scenarios: the last three digits of `phoneNumber` (DESIGN.md §6 is primary)
---------------------------------------------------------------------------
| ends in | outcome |
|---------|---------|
| other   | SUCCESSFUL after the delay; one webhook |
| 001     | FAILED `LOW_BALANCE` (insufficient funds) |
| 002     | FAILED `CANCELLED_BY_CUSTOMER` (A) |
| 003     | FAILED `TIMEOUT` (A): the customer never answered |
| 004     | SUCCESSFUL, but no webhook is ever sent; only the status query tells |
| 005     | SUCCESSFUL, and the same webhook (same `webhook_id`) is POSTed 3 times |
| 006     | HTTP 503 `Service Unavailable` (plain text, as FeexPay's outage answers are, 5.2). Nothing is stored |
|         | and no reference returned. 503 is the one 5xx that says the request was not handled (RFC 9110 |
|         | §15.6.4), so a client can know nothing was created; 500/502/504 could come from a proxy after |
|         | FeexPay accepted the request |
| 007     | stored first, then the answer waits `LIPWA_SIMULATOR_HANG_SECONDS` (default 35) before saying PENDING; |
|         | it succeeds, and its webhook follows the late response |
| 008     | SUCCESSFUL, with the webhook POSTed synchronously before the initiate response; final at once |
| 009     | FAILED `INVALID_PIN` (A): wrong PIN |
| 010     | FAILED `LOW_BALANCE` already in the request's own response (5.2: Moov does this), then one webhook |
| 011     | FAILED `PAYER_NOT_FOUND` after the delay |
| 012     | stays PENDING forever, no webhook (lipwa's expiry must end it) |
| 013     | SUCCESSFUL, webhook sent twice |

Conflict with PROVIDERS.md 5.8: 5.8 picks outcomes by the *last digit* (`0` immediate FAILED LOW_BALANCE, `1`
FAILED PAYER_NOT_FOUND after 3 s, `2` stays PENDING, `3` webhook twice, else SUCCESSFUL after 3 s). That
contradicts DESIGN.md §6 on most numbers (a number ending `000` must succeed, `001` must be insufficient
funds), and §6 is primary; 5.8's four behaviours live on instead on the suffixes `010`-`013`, which §6 leaves to
"any other". The delay is `LIPWA_SIMULATOR_DELAY_SECONDS` (default 2 s), not 5.8's 3 s.

Cards (hosted page)
-------------------
`POST api/feexlink/api-create` takes `shop`, `amount` (whole units), `description`, `paymentMethod` CARD or
ALL, `currency` (A; XOF by default; XAF, EUR, USD), `callback_url`/`callback_error` (browser returns),
`webhook_url` (P), `callback_info`; limits are XOF/XAF 100-2,000,000 and EUR/USD 1-3,000 (A). The page takes
one payment per link: 4242 4242 4242 4242, 4111 1111 1111 1111, 5555 5555 5555 4444 (and any other
Luhn-valid number) succeed; 4000 0000 0000 0002 is FAILED `CARD_DECLINED` (A); 4000 0000 0000 9995 is FAILED
`LOW_BALANCE`; "Annuler" is FAILED `CANCELLED_BY_CUSTOMER`; a number failing the Luhn check redisplays the form
(400). The payment is final at once; its webhook (with `ref_link` = the link id, `phoneNumber` null) follows the
page's answer, and the browser is redirected to `callback_url` (success) or `callback_error` with `reference`
and `status` in the query string (A).

Assumptions shared with the connector (`catalogue`)
----------------------------------------------------
Webhook signature header and algorithm (P), webhook id field and header (P), `webhook_url` (P), the reason codes
other than LOW_BALANCE/PAYER_NOT_FOUND (A), the card link's `currency` field and link id = last segment of
`urlPay` (A), the network segments and limits of CM, GA and GW (A), the card limits (A), the sandbox key prefix
`test_` (A, not checked here: the simulator accepts only `sim_key`).

Settings read (at call time, through `django.conf.settings`)
-------------------------------------------------------------
- `LIPWA_SIMULATOR_DELAY_SECONDS` (default 2; the test settings use 0)
- `LIPWA_SIMULATOR_HANG_SECONDS` (default 35.0; scenario 007 only)

State
-----
In memory, per process, behind one lock (see `state`): serve the simulator from one process (threads are fine).
`state.reset()` clears everything and cancels webhooks not yet started.

Not modelled
------------
- Payouts (`/payouts/public/{country}`, IP allow-listing), V1 paths, FeexPay's dashboard.
- Amount strings or decimals beyond refusing them, currencies on the request to pay (removed in V2), `customId`.
- Throttling (integrators advise one push per phone per ~30 s), operators that reject a description silently
  rather than with 422, the real checkout page's 3-D Secure and wallet options, link expiry (`expireIn`,
  `range`), webhook retries by FeexPay (none are documented; 005 and 013 are deliberate duplication).
"""
