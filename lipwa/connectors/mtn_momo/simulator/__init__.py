"""A wire-compatible simulator of the MTN MoMo Open API (collection, disbursement transfers and refunds, sandbox
provisioning), built from PROVIDERS.md section 2.

It is mounted at `/simulators/mtn_momo/` followed by MTN's real paths when `LIPWA_SIMULATORS_ENABLED` is true, so
any MTN MoMo client whose base URL can be set works unchanged against `http://127.0.0.1:8000/simulators/mtn_momo`:

    POST v1_0/apiuser                           X-Reference-Id, {"providerCallbackHost"}  -> 201
    GET  v1_0/apiuser/{id}                      -> {"providerCallbackHost", "targetEnvironment": "sandbox"}
    POST v1_0/apiuser/{id}/apikey               -> 201 {"apiKey"}
    POST collection/token/, disbursement/token/ Basic api_user:api_key -> {"access_token", "token_type", "expires_in"}
    POST collection/v1_0/requesttopay           -> 202, empty body; 409 on a reused X-Reference-Id
    GET  collection/v1_0/requesttopay/{ref}     -> the status body (also the callback body)
    GET  collection/v1_0/accountholder/msisdn/{msisdn}/active | /basicuserinfo
    POST disbursement/v1_0/transfer, disbursement/v1_0|v2_0/refund -> 202;  GET …/transfer/{ref}, …/refund/{ref}

It never imports the MTN MoMo connector's client, mapping, webhooks or connector modules (an import-linter
contract), so the client and the simulator cannot agree on the same bug.

Credentials
-----------
- Every call needs `Ocp-Apim-Subscription-Key: sim_subscription_key`, or the same key in the 32-hex-digit
  shape real keys have, `5151515151515151515151515151515a`, for client libraries that check it (one key for
  every product here; MTN gives
  each product its own). Missing or wrong: 401 `{"statusCode": 401, "message": "Access denied due to missing|
  invalid subscription key. …"}`.
- API user `sim_key` with API key `sim_secret` is pre-provisioned, like a production user from MTN's partner
  portal: it may use every target environment and send callbacks to any host, and it cannot be read through
  `GET v1_0/apiuser/{id}` (404). Users created through the provisioning endpoints are sandbox users: their
  target environment is `sandbox` only (others: 500 NOT_ALLOWED_TARGET_ENVIRONMENT) and their X-Callback-Url host
  must equal their providerCallbackHost (else 500 INVALID_CALLBACK_URL_HOST). A new API key replaces the old one.
- Token call with a wrong user or key: 401 `{"error": "login_failed"}` (A). Tokens live 3600 s by
  `lipwa.common.clock` and open their own product only; a missing, unknown, expired or other-product token is
  401 `{"statusCode": 401, "message": "Access token is missing or invalid."}` (A).

Target environments and currencies
----------------------------------
`X-Target-Environment` is required (400 if missing). `sandbox` settles in EUR only; the production values
(`mtnuganda` UGX, `mtnghana` GHS, `mtnivorycoast` XOF, `mtnzambia` ZMW, `mtncameroon` XAF, `mtnbenin` XOF,
`mtncongo` XAF, `mtnswaziland` SZL, `mtnguineaconakry` GNF, `mtnsouthafrica` ZAR, `mtnliberia` LRD or USD (A),
`mtnsouthsudan` SSP, `mtnnigeria` NGN, `mtnrwanda` RWF) in the local currency, as the real environments do. Another
currency is 500 INVALID_CURRENCY; an unknown environment is 500 NOT_ALLOWED_TARGET_ENVIRONMENT. The demo merchant
uses `mtnuganda`, so it charges UGX to Ugandan numbers; the sandbox magic numbers below work in every environment.

Validation (400 `{"code": "BAD_REQUEST", "message": …}`; the code is ours (P), MTN documents none for 400)
---------------------------------------------------------------------------------------------------------
X-Reference-Id (and referenceIdToRefund) must be a UUID version 4; the body a JSON object; `amount` a string of
a positive number with at most 2 decimals, and whole for UGX, RWF, XAF, XOF, GNF; `currency` an ISO code;
`payer`/`payee` `{partyIdType: MSISDN|EMAIL|PARTY_CODE, partyId}` with MSISDNs as digits with the country code and
no `+`; `payerMessage`/`payeeNote` at most 160 characters and without apostrophes; X-Callback-Url, when present, a
non-empty http(s) URL. A reused X-Reference-Id is 409 RESOURCE_ALREADY_EXIST (per kind of operation); an unknown
reference on a status GET is 404 RESOURCE_NOT_FOUND. Unknown paths and methods: 404 `{"statusCode": 404, "message":
"Resource not found"}`.

Scenarios: the payer's (request to pay) or payee's (transfer) MSISDN
-------------------------------------------------------------------
An operation is final `LIPWA_SIMULATOR_DELAY_SECONDS` after it was accepted, by `lipwa.common.clock.now()`;
before that its status is PENDING. If the request had an X-Callback-Url, the final status body is POSTed there
in a daemon thread after the same delay in real time, started only once the server has written the 202 (a WSGI
server calls `close()` on it), so a callback never overtakes its own response, except in scenario 008.

| ends in | outcome |
|---------|---------|
| other   | SUCCESSFUL after the delay (with a financialTransactionId); one callback |
| 001     | FAILED, reason NOT_ENOUGH_FUNDS (insufficient funds) |
| 002     | FAILED, reason APPROVAL_REJECTED (the customer declined) |
| 003     | FAILED, reason EXPIRED (the customer never answered; after the delay, not ~5 minutes) |
| 004     | SUCCESSFUL, but no callback is ever sent; only the status query tells |
| 005     | SUCCESSFUL, and the same callback body is sent 3 times, one after the other |
| 006     | the POST is answered 503 `{"code": "SERVICE_UNAVAILABLE"}` and nothing is stored. MTN lets the client |
|         | choose the reference, so a client can *know* nothing was created: after the 503 it asks for its own |
|         | X-Reference-Id and gets 404 (PROVIDERS.md 2.4). |
| 007     | the operation is stored first, then the 202 waits `LIPWA_SIMULATOR_HANG_SECONDS` (default 35, past the |
|         | usual 30 s client timeout). The status query resolves it (SUCCESSFUL); its callback follows the late 202 |
| 008     | SUCCESSFUL, with the callback sent synchronously before the 202; final at once whatever the delay |
| 009     | FAILED, reason INTERNAL_PROCESSING_ERROR. Conflict with DESIGN.md §6 ("wrong PIN"): MTN has no wrong-PIN |
|         | reason (PROVIDERS.md 2.7), so this is MTN's generic decline, the sandbox's "payer failed" answer |

The sandbox's magic MSISDNs (PROVIDERS.md 2.8) are matched first, in full; they end in 450-463 and so never
collide with the table above. Request to pay: 46733123450 INTERNAL_PROCESSING_ERROR, …451 APPROVAL_REJECTED, …452
EXPIRED, …453 stays PENDING (reason ONGOING, no callback), …454 PENDING (PAYER_DELAYED) then SUCCESSFUL 30 s (A)
after the delay, …455 PAYER_NOT_FOUND, …456 PAYEE_NOT_ALLOWED_TO_RECEIVE, …457 NOT_ALLOWED, …458
NOT_ALLOWED_TARGET_ENVIRONMENT, …459 INVALID_CALLBACK_URL_HOST, …460 INVALID_CURRENCY, …461
INTERNAL_PROCESSING_ERROR, …462 SERVICE_UNAVAILABLE, …463 COULD_NOT_PERFORM_TRANSACTION (all FAILED with that
reason, as a status, not as an HTTP error). Transfers use the same numbers in the transfer order of 2.8 (…455
NOT_ENOUGH_FUNDS, …456 PAYER_LIMIT_REACHED, …457 PAYEE_NOT_FOUND, …). Account holders: …450 404 RESOURCE_NOT_FOUND,
…451 `{"result": false}` (not active), …452 500 NOT_ALLOWED, …453 500 NOT_ALLOWED_TARGET_ENVIRONMENT, …454 500
INTERNAL_PROCESSING_ERROR, …455 503 SERVICE_UNAVAILABLE (shapes (P): 2.8 names the cases, not the answers); any
other number is `{"result": true}` with basicuserinfo `{"given_name": "Sim", "family_name": "Customer <last 3>"}`.

Refunds (P): `referenceIdToRefund` must name a request to pay this simulator knows (else 404 RESOURCE_NOT_FOUND,
nothing created) in the same currency (else 500 INVALID_CURRENCY). The refund goes to that request's payer and
succeeds after the delay if the request succeeded and the refunds not FAILED so far plus this one do not exceed
its amount; otherwise it ends FAILED with reason NOT_ALLOWED.

Status and callback bodies: `{"financialTransactionId" (SUCCESSFUL only), "externalId", "amount", "currency",
"payer"|"payee": {"partyIdType", "partyId"}, "payerMessage", "payeeNote", "status", "reason"}`; `reason` is a bare
string, as the sandbox sends it, and absent when there is none. The callback never carries the X-Reference-Id.

Callbacks are POSTed, although MTN sends PUT or POST (2.6): lipwa's /hooks/ endpoint accepts POST only, and a PUT
there would be lost. The simulator does not retry callbacks (the older MTN behaviour).

Settings read (at call time, through `django.conf.settings`)
-------------------------------------------------------------
- `LIPWA_SIMULATOR_DELAY_SECONDS` (default 2; the test settings use 0)
- `LIPWA_SIMULATOR_HANG_SECONDS` (default 35.0; scenario 007 only)

State
-----
In memory, per process, behind one lock (see `state`). Serve the simulator from one process; with several worker
processes a token issued by one is unknown to the others. A restart forgets all users, tokens and requests.
`state.reset()` clears everything and cancels callbacks not yet started.

Not modelled
------------
- Per-product subscription keys (one key opens every product), remittance, pre-approvals, balances, delivery
  notifications, `v2_0/requesttopay`, `v2_0/deposit`, account-holder lookups by email or party code.
- Ownership: any API user may read any reference, in any target environment.
- The refund use cases keyed 1-13 (2.8 does not say which field carries them), refund and payout limits, and the
  production rules for refunds (funded disbursement account, allow-listed source IP, `FORBIDDEN IP` 403).
- The sandbox's unreliable callbacks, MTN's retry schedule, https-only callback URLs in production, and the rule
  that providerCallbackHost is a host name rather than an IP address.
- Production-only behaviour: rate limits, the User-Agent check (2.11), the real approval window (~5 minutes).
"""
