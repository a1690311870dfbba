"""A wire-compatible simulator of AzamPay (Tanzania), built from PROVIDERS.md section 4.

AzamPay serves its API from three hosts per environment (4.1). The simulator serves each under its own
prefix below `/simulators/azampay/` (mounted when `LIPWA_SIMULATORS_ENABLED` is true), followed by AzamPay's
real paths:

    authenticator  /simulators/azampay/authenticator/AppRegistration/GenerateToken         POST -> data.accessToken
    checkout       /simulators/azampay/checkout/azampay/mno/checkout                        POST -> transactionId
                   /simulators/azampay/checkout/azampay/bank/checkout                       POST -> transactionId
                   /simulators/azampay/checkout/api/v1/Partner/GetPaymentPartners           GET  -> the five wallets
    disbursement   /simulators/azampay/disbursement/api/v1/azampay/disburse                 POST -> data: "pending"
                   /simulators/azampay/disbursement/api/v1/azampay/transactionstatus        GET  -> data: status
                   /simulators/azampay/disbursement/api/v1/azampay/namelookup               POST -> name

Why sub-prefixes, when the real paths of the three hosts do not collide: a client configured with three
base URLs must send each call to the right host, and AzamPay's hosts answer 404 for each other's paths. With
one shared prefix a client that asked the checkout host for a token would pass here and fail in the sandbox;
with one prefix per host it fails here too. So a client needs three base URLs, e.g.
`http://127.0.0.1:8000/simulators/azampay/checkout` (what `AzamPayConnector.simulator_credentials` gives).
Any path a host does not serve (including the other hosts' paths) is a bare 404, as ASP.NET answers.

It never imports the AzamPay connector's client, mapping, webhooks or connector modules (an import-linter
contract), so the client and the simulator cannot agree on the same bug.

Credentials
-----------
- `clientId` `sim_key`, `clientSecret` `sim_secret` (any non-empty `appName`: AzamPay's app-name check is not
  documented). Anything else: HTTP 423 `{"data": null, "message": "Provided detail is not valid for this app
  or secret key has been expired", "success": false, "statusCode": 423}` (423 V SDK; text A).
- Tokens look like JWTs and live 24 h by `lipwa.common.clock`; `data.expire` is `YYYY-MM-DDTHH:MM:SSZ`.
- Every other call needs `Authorization: Bearer <token>` and `X-API-Key: sim_api_key` (4.2). A missing,
  unknown or expired token: 401 envelope (A). A wrong API key: 403 envelope "Invalid API key" (A).
- Wrong method: bare 405. Token call without a JSON content type: bare 415.

Requests
--------
- A body that is not a JSON object, or missing/invalid fields: 400 ASP.NET validation problem
  `{"type", "title": "One or more validation errors occurred.", "status": 400, "traceId", "errors"}` listing
  every bad field (A: a public SDK's error model).
- MNO checkout: `accountNumber` `255` + 9 digits or `0` + 9 digits (SDKs disagree, 4.3); `amount` whole TZS,
  as a string or a number (`"1000.00"` is whole); `currency` TZS; `externalId` ≤ 128 ASCII; `provider` one of
  Airtel, Tigo, Halopesa, Azampesa, Mpesa (any case); `additionalProperties` an object or null, echoed in the
  callback. `callbackUrl` and `checksum` are tolerated (4.3); `callbackUrl` is where callbacks go (P: the real
  gateway uses the URL set in the merchant portal, 4.6), and without one no callback is sent.
- Bank checkout: `amount`, `currencyCode` TZS, `merchantAccountNumber` (the payer's account, 6-20 digits),
  `merchantMobileNumber`, `merchantName` (optional), `otp` (digits; any value is accepted), `provider` CRDB or
  NMB, `referenceId`, `additionalProperties` (4.4).
- Business refusals are HTTP 200 `{"success": false, "transactionId": null, "message"}` (4.3; status A):
  an amount below TZS 100 (4.10, A), an `externalId`/`referenceId` used before (P).
- Accepted: `{"success": true, "transactionId": "<32 hex>", "message": "Request in progress. You will receive
  a callback shortly"}`.
- Status query (P for checkouts, 4.7): `pgReferenceId` is a checkout's `transactionId` or `externalId`, or a
  disbursement's `externalReferenceId`; `externalId` is also looked up. `bankName` is required but not
  compared. Answer `{"data": "pending"|"success"|"failure", "message", "success": true, "statusCode": 200}`;
  unknown: 404 envelope "Transaction not found".
- Disburse: `source`/`destination` `{countryCode, fullName, bankName, accountNumber (digits), currency TZS}`,
  `transferDetails {type, amount, date}`, `externalReferenceId` (used once, else 400 envelope), `remarks`
  optional. Accepted: `data: "pending"`; the status query gives the outcome after the delay. No callback.
- Name lookup: any digits; the name is one of a few, fixed per number. `…404`: `success: false`, "Account
  not found", `name` "".

Scenarios: the last three digits of the payer's account number
---------------------------------------------------------------
`accountNumber` for MNO checkouts, `merchantAccountNumber` for bank checkouts. A checkout is final
`LIPWA_SIMULATOR_DELAY_SECONDS` after it was accepted, by `lipwa.common.clock.now()` (before that the status
query says "pending"). Its callback is POSTed in a daemon thread after the same delay in real time, started
only once the server has written the checkout response (a WSGI server calls `close()` on it), so a callback
never overtakes its own checkout response, except in scenario 008. A failure's reason is only in `message`
(4.8), so the messages below are part of the (P) contract.

| ends in | outcome |
|---------|---------|
| other   | `success` "Transaction successful" after the delay; one callback with a random `fspReferenceId` |
| 001     | `failure` "Insufficient balance" |
| 002     | `failure` "Transaction cancelled by user" |
| 003     | `failure` "Transaction timed out: no response from user" (after the delay, not the MNO's minute) |
| 004     | success, but no callback is ever sent; only the status query tells |
| 005     | success, and the same callback body is POSTed 3 times, one after the other |
| 006     | the checkout gets HTTP 503 `{"data": null, "message": "Service temporarily unavailable", ...}`. 503 |
|         | means the request was not handled (RFC 9110 §15.6.4), so the client can know nothing was created, |
|         | while a 500 would leave the outcome unknown. Nothing is stored, so nothing can be queried |
| 007     | the checkout is stored first, then the response waits `LIPWA_SIMULATOR_HANG_SECONDS` (default 35, past |
|         | the usual 30 s client timeout) before answering success. The status query finds it by `externalId` |
|         | and its callback is sent, after the delay, once the late response has been written (or abandoned) |
| 008     | success, with the callback POSTed synchronously before the checkout response is returned; the |
|         | checkout is final at once whatever the delay |
| 009     | `failure` "Invalid PIN entered" ("Invalid OTP entered" for a bank checkout) |

PROVIDERS.md 4.10's own (P) contract keys on four-digit suffixes of `accountNumber`. DESIGN.md §6 is primary,
and the two tables do not name the same number: `…0000`, `…1111`, `…2222` end in 000, 111, 222, none of
which is a §6 code, and DESIGN.md §6 lets a gateway's magic numbers refine its "any other → success" row. So
they are honoured too:

| ends in | outcome |
|---------|---------|
| 0000    | `failure` "Insufficient balance" |
| 1111    | no callback, and the status query says "pending" forever: the customer never acts (lipwa's expiry path) |
| 2222    | success, and two identical callbacks |

Disbursements use the last three digits of `destination.accountNumber`: 001 `failure` "Insufficient balance",
006 503 (nothing created), 007 stored then hangs, 009 `failure` "Transaction declined"; anything else
`success` after the delay.

Settings read (at call time, through `django.conf.settings`)
-------------------------------------------------------------
- `LIPWA_SIMULATOR_DELAY_SECONDS` (default 2; the test settings use 0)
- `LIPWA_SIMULATOR_HANG_SECONDS` (default 35.0; scenario 007 only)

State
-----
In memory, per process, behind one lock (see `state`). Serve the simulator from one process (runserver, the
pytest live server, or gunicorn with one worker and threads). A restart forgets all tokens, checkouts and
disbursements. `state.reset()` clears everything and cancels callbacks not yet started.

Not modelled
------------
- Hosted checkout (`PostCheckout`, 4.5), the RSA public-key endpoint and any callback signature (4.6, A), the
  RSA `checksum` of disbursements (ignored if sent), the "test" host tier (4.1, A).
- The merchant portal: callback URLs come from `callbackUrl` in each request; `appName` is not checked.
- Real MNO prompts and their one-minute timeout, per-wallet limits, daily limits, the provider/number
  consistency (numbers are portable, so the simulator never refuses a provider for a prefix).
- Bank OTP verification (any digits pass); refunds (AzamPay documents no refund API).
- Callback retries: AzamPay's retry policy is undocumented; 005 and …2222 are deliberate duplication.
- Rate limits and 5xx outside scenario 006.
"""
