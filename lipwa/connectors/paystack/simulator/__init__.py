"""A wire-compatible simulator of Paystack (transactions, the Charge API for mobile money, saved-card charges,
refunds and a hosted payment page), built from PROVIDERS.md section 6.

It is mounted at `/simulators/paystack/` followed by Paystack's real paths when `LIPWA_SIMULATORS_ENABLED` is
true, so any Paystack client whose base URL can be set works unchanged against
`http://127.0.0.1:8000/simulators/paystack`:

    POST transaction/initialize            -> {authorization_url (the hosted page below), access_code, reference}
    GET  transaction/verify/{reference}    -> the Transaction (status abandoned/ongoing/success/failed/reversed)
    POST transaction/charge_authorization  -> a Transaction charged on a saved, reusable card authorization
    POST charge                            -> mobile money: send_otp (Telecel voucher), pay_offline or success
    POST charge/submit_otp                 -> the voucher; then pay_offline (or failed for a wrong voucher)
    GET  charge/{reference}                -> the charge with its Charge API step
    POST refund, GET refund?reference=…, GET refund/{id}
    GET  balance                           -> [{currency, balance}]: charged less refunded, per currency
    GET|POST checkout/{access_code}, POST checkout/{access_code}/otp   -> the hosted payment page (HTML)

Every API path also answers with a trailing slash (old clients, 6.1). It never imports the Paystack
connector's client, mapping, webhooks or connector modules (an import-linter contract), so the client and the
simulator cannot agree on the same bug.

Credentials and conventions
---------------------------
- Secret key `sim_secret` as `Authorization: Bearer sim_secret`; the public key is `sim_key` (the server never
  needs it). Any other key, `sk_live_…` included, gets 401 `{"status": false, "message": "Invalid key"}` (A:
  the message; PROVIDERS.md 6.9 asks that live keys be refused). A wrong method is 405.
- Every answer is the envelope `{"status": true|false, "message", "data"}` (+ `meta` on the refund list).
- Amounts are integer subunits, numeric strings tolerated (`"50000"`), fractions refused ("Invalid Amount
  Sent"). Currencies NGN GHS KES ZAR USD; `currency` defaults to NGN, the simulated integration's own.
- References: alphanumerics, `-`, `.`, `=`; generated (10 characters) when absent; reuse of any reference is
  400 "Duplicate Transaction Reference", on initialize, charge and charge_authorization alike (6.2, 6.9).
- `metadata` is echoed exactly as sent, an object or a JSON string (6.9).
- Refusal messages not given by PROVIDERS.md are assumptions (A): "Invalid Email Address Passed", "Invalid
  Amount Sent", "Currency not supported by merchant", "Transaction reference not found" (404 on verify, 400 on
  submit_otp), "Invalid mobile money provider", "Invalid phone number", "Invalid authorization code",
  "Transaction not found", "Route not found" (404 for any other path).

Webhooks
--------
Paystack posts to the URL on its dashboard; the simulator has none, so it posts to the URL in the request's
`X-Callback-Url` header (P: lipwa's connector sends its account's callback URL there; a request without it
gets no webhooks, like an integration without a webhook URL). Bodies are `{"event", "data"}`, signed with
`X-Paystack-Signature` = hex HMAC-SHA512 of the raw body keyed with `sim_secret` (6.7). Only `charge.success`
is sent for charges, never for failures or abandonment (6.7); refunds send `refund.processed` or
`refund.failed` (their data's shape is an assumption, A). Webhooks are sent in a daemon thread started only once
the response has been written (a WSGI server calls `close()` on it), so one never overtakes its own answer,
except in scenario 008.

Mobile money: the last three digits of the payer's phone (DESIGN.md §6)
-----------------------------------------------------------------------
Providers `mtn`, `vod`, `atl`, `tgo` take GHS and a Ghanaian number (`0553241149`, `233…`, `+233…`); `mpesa`
takes KES and a Kenyan number (`+2547…`, `2547…`, `07…`, and the same with `1` for `7`); `mptill` takes KES and a
5-7 digit `account`. The Charge API answers `pay_offline` ("Please complete authorization process on your
mobile phone"); the charge is final `LIPWA_SIMULATOR_DELAY_SECONDS` later by `lipwa.common.clock` (verify
says `ongoing` before that), and its webhook follows after the same delay in real time.

| ends in | outcome |
|---------|---------|
| other   | success, gateway_response "Approved"; one charge.success |
| 001     | failed "Insufficient Funds" (6.3's example text); no webhook |
| 002     | failed "Transaction cancelled by customer" (A); no webhook |
| 003     | failed "Transaction timed out" (A): the prompt was never answered; no webhook |
| 004     | success, but no webhook is ever sent; only verify tells |
| 005     | success, and the same signed body is POSTed 3 times, one after the other |
| 006     | HTTP 503 "Service temporarily unavailable, please try again" (P) and nothing is stored. A 503 is a |
|         | refusal before processing (RFC 9110 §15.6.4), so a client can know nothing was created, unlike a 500 |
| 007     | the charge is stored, then the answer waits `LIPWA_SIMULATOR_HANG_SECONDS` (default 35). It succeeds; |
|         | verify resolves it, and its webhook is sent once the late answer has been written (or abandoned) |
| 008     | success, with the webhook POSTed synchronously before the answer, which then already says `success` |
| 009     | failed "Incorrect PIN" (A); no webhook |

PROVIDERS.md 6.8's test numbers are honoured too: `0551234987` (mtn) and `0271234987` (atl) succeed at once,
in the /charge answer itself ("success without PIN prompt"); `+254710000000` succeeds (it ends in 000). Telecel
(`vod`, e.g. `0201234987`) always asks for a voucher first (`send_otp`, 6.4): any six digits except `000000`
are accepted and lead to `pay_offline` with the phone's scenario (006 still refuses the /charge itself, and
007/008 then apply to the voucher submission); `000000` or anything not six digits fails the charge with
"Incorrect OTP" (P). The failure texts are shared with the client's table by assumption, not by code.

Cards: the hosted payment page (PROVIDERS.md 6.8)
--------------------------------------------------
`authorization_url` is `…/simulators/paystack/checkout/<access_code>` (real Paystack: checkout.paystack.com):
plain HTML forms, no JavaScript. Test cards (any future expiry, MM/YY or MM/YYYY):

| number                  | CVV | then                      | outcome |
|-------------------------|-----|---------------------------|---------|
| 4084 0840 8408 4081     | 408 | -                         | success "Successful" (Visa, no 3-D Secure) |
| 5060 6666 6666 6666 666 | 123 | PIN 1234, then OTP 123456 | success (Verve); see below for wrong ones |
| 4084 0800 0000 5408     | 001 | -                         | failed "Declined" |
| 4000 0000 0000 9995     | 123 | -                         | failed "Insufficient Funds" (P: not in 6.8) |

A wrong Verve PIN fails the transaction with "Incorrect PIN", a wrong OTP with "Incorrect OTP" (A).
An unknown number, a CVV that does not match its card, or a bad expiry re-shows the form with an error (400)
and changes nothing. A success saves a reusable card authorization (`AUTH_…`) for charge_authorization.
When the transaction ends (success or failure) the browser is redirected to its `callback_url` with
`?trxref=<ref>&reference=<ref>` appended (A: what Paystack's checkout does), or shown a result page without
one. A second submission of a finished page only shows the result: a double click cannot pay twice.

Saved-card charges and refunds: the last three digits of the amount in subunits (P)
------------------------------------------------------------------------------------
- charge_authorization: 001 → failed "Insufficient Funds", 009 → failed "Declined", 006 → 503 and nothing
  stored, else success at once (with a charge.success webhook). The email must be the authorization's
  customer's; only card authorizations are reusable (mobile-money ones are not).
- refund: answered `pending` always; `processed` after the delay (009 → `failed`; 006 → 503, nothing stored).
  `amount` defaults to what is left; refunds not failed may not add up to more than the transaction
  ("Refund amount cannot be more than the unrefunded balance of N"; "Transaction has been fully reversed"
  once nothing is left, A). Only a successful transaction can be refunded. A fully refunded transaction
  verifies as `reversed` (6.3). `GET /refund?reference=` lists one transaction's refunds.

Settings read (at call time, through `django.conf.settings`)
-------------------------------------------------------------
- `LIPWA_SIMULATOR_DELAY_SECONDS` (default 2; the test settings use 0)
- `LIPWA_SIMULATOR_HANG_SECONDS` (default 35.0; scenario 007 only)

Modules: `views` (transactions and the Charge API), `checkout` (the hosted page), `refunds`, `wire`
(envelope, secret-key check, field parsing, after-send responses), `scenarios` (pure: phone, card or amount
-> outcome), `present` (records as Paystack JSON), `state` (in-memory store), `callbacks` (webhooks).

State
-----
In memory, per process, behind one lock (see `state`); serve the simulator from one process. A restart forgets
everything. `state.reset()` clears everything and cancels webhooks not yet started.

Not modelled
------------
- Card payments through the Charge API (`card`, `bank`, `ussd`, `qr`, `eft` …), `submit_pin`,
  `submit_phone`, `submit_birthday`, `open_url`; `channels` on initialize is accepted and ignored.
- XOF / Côte d'Ivoire mobile money (XOF is an assumption in PROVIDERS.md 6.2), EGP.
- Transfers, subscriptions, plans, disputes, customers, split payments, settlements; their paths answer 404.
- Paystack's webhook retries (scenario 005 is deliberate duplication), source IPs, the dashboard URL.
- Fees beyond a plausible 1.5 % in `fees`; rate limits; the `needs-attention` refund state.
- Expiry of an initialized checkout: it stays `abandoned` until paid (lipwa's own expiry ends the payment).
"""
