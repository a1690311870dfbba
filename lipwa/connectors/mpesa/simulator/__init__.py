"""A wire-compatible simulator of Safaricom's M-Pesa Daraja API (STK push and query, C2B), built from
PROVIDERS.md section 1.

It is mounted at `/simulators/mpesa/` followed by Daraja's real paths when `LIPWA_SIMULATORS_ENABLED` is
true, so any Daraja client whose base URL can be set works unchanged against
`http://127.0.0.1:8000/simulators/mpesa`:

    GET  oauth/v1/generate?grant_type=client_credentials  Basic  -> {"access_token", "expires_in": "3599"}
    POST mpesa/stkpush/v1/processrequest                  Bearer -> MerchantRequestID, CheckoutRequestID (ws_CO_…)
    POST mpesa/stkpushquery/v1/query                      Bearer -> ResultCode (a string) once final
    POST mpesa/c2b/v1|v2/registerurl, mpesa/c2b/v1|v2/simulate      -> see `c2b` (confirmation POSTs)

It never imports the M-Pesa connector's client, mapping, webhooks or connector modules (an import-linter
contract), so the client and the simulator cannot agree on the same bug.

Credentials and sandbox facts honoured
--------------------------------------
- Consumer key `sim_key`, consumer secret `sim_secret`. Tokens live 3599 s by `lipwa.common.clock`.
- Shortcode `174379` with Safaricom's published sandbox passkey
  `bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919`. `Password` must be
  base64(BusinessShortCode + passkey + Timestamp), using the request's own Timestamp. The Timestamp is not
  compared with the current time (Safaricom tolerates skew).
- Numeric fields (BusinessShortCode, Timestamp, Amount, PartyA, PartyB, PhoneNumber) accept JSON numbers and
  numeric strings alike. Amount must be whole shillings, 1 to 250,000 (`1.0` and `"1.00"` count as whole).
- MSISDNs are `2547XXXXXXXX` or `2541XXXXXXXX`; shortcodes and tills are 5 to 7 digits.
- Types differ on purpose, as at Daraja: `expires_in` and the query's `ResultCode` are strings; the
  callback's `ResultCode`, `TransactionDate` (YYYYMMDDHHmmss, EAT) and `PhoneNumber` are numbers; the
  callback's `Amount` is written with two decimals (`1.00`).

Refusals (always Daraja's envelope `{"requestId", "errorCode", "errorMessage"}`)
---------------------------------------------------------------------------------
- 400 `400.008.01` "Invalid Authentication passed": token call without Basic auth (missing, another
  scheme, undecodable).
- 400 `400.008.02` "Invalid grant type passed": grant_type is not `client_credentials`.
- 401 `401.002.01`: token call with the wrong key or secret. (P) The project's task asks for 401 here; the
  code is the 401 auth failure PROVIDERS.md 1.2 records from Daraja; the message is ours.
- 404 `404.001.03` "Invalid Access Token": bearer missing, unknown or expired.
- 404 `404.001.01` "Resource not found": any other path under the mount.
- 405 `405.001` "Method not allowed": GET on an STK endpoint, POST on the token call.
- 400 `400.002.02` "Bad Request - Invalid <Field>" for the first invalid field, in Daraja's field order.
  A missing or non-JSON Content-Type, or a body that is not a JSON object, reads as "Invalid
  BusinessShortCode" (PROVIDERS.md 1.1: Daraja could not read the body). An unknown CheckoutRequestID on
  the query is "Invalid CheckoutRequestID".
- 500 `500.001.1001`: "Wrong credentials" (Password mismatch), "Merchant does not exist" (a shortcode
  other than 174379), and on the query "The transaction is being processed", with requestId = the
  CheckoutRequestID.
- 500 `500.003.02` "System is busy": scenario 006.

Scenarios: the last three digits of `PhoneNumber` (the MSISDN that gets the prompt)
------------------------------------------------------------------------------------
A request is final `LIPWA_SIMULATOR_DELAY_SECONDS` after it was accepted, by `lipwa.common.clock.now()`
(before that the query says "being processed"). Its callback is POSTed in a daemon thread after the same
delay in real time, started only once the server has written the initiate response (a WSGI server calls
`close()` on it), so a callback never overtakes its own initiate response, except in scenario 008.

| ends in | outcome |
|---------|---------|
| other   | success (ResultCode 0) after the delay; one callback |
| 001     | insufficient funds: ResultCode 1 "The balance is insufficient for the transaction." |
| 002     | customer cancelled: ResultCode 1032 "Request cancelled by user" |
| 003     | customer never answers: ResultCode 1037 "DS timeout user cannot be reached" (after the delay, not ~60 s) |
| 004     | success, but no callback is ever sent; only the query tells |
| 005     | success, and the same callback body is POSTed 3 times, one after the other |
| 006     | the push gets HTTP 500 `500.003.02` "System is busy". We chose it over `500.003.1001` "Internal |
|         | Server Error" because PROVIDERS.md 1.3 lists that one as "unknown" (the prompt may exist), while |
|         | "System is busy"/spike arrest refuses before processing. Nothing is stored and no |
|         | CheckoutRequestID is returned, so nothing can be queried |
| 007     | the request is stored first, then the response waits `LIPWA_SIMULATOR_HANG_SECONDS` (default 35, past |
|         | the usual 30 s client timeout) before answering success. The query resolves it (ResultCode 0) and |
|         | its callback is sent, after the delay, once the late response has been written (or abandoned) |
| 008     | success, with the callback POSTed synchronously before the initiate response is returned; the |
|         | request is final at once whatever the delay |
| 009     | wrong PIN: ResultCode 2001 "The initiator information is invalid." |

Also modelled: an AccountReference longer than 12 characters or a TransactionDesc longer than 13 is
accepted, then fails with ResultCode 1025 "An error occurred while sending a push request." (PROVIDERS.md
1.9: long values reach the prompt and cause 1025); the phone's delivery behaviour is kept.
A CallBackURL containing a word Daraja blocks (`mpesa`, `query`, `exe`, …) still gets its callbacks, with a
warning in the log: random ids could contain those letters, and dropping callbacks by chance would only
make tests flaky.

Modules: `views` (OAuth, STK push and query), `c2b`, `wire` (envelopes, field parsing, bearer check),
`scenarios` (pure: phone -> outcome), `state` (in-memory store), `callbacks` (bodies and delivery).

Settings read (at call time, through `django.conf.settings`)
-------------------------------------------------------------
- `LIPWA_SIMULATOR_DELAY_SECONDS` (default 2; the test settings use 0)
- `LIPWA_SIMULATOR_HANG_SECONDS` (default 35.0; scenario 007 only)

State
-----
In memory, per process, behind one lock (see `state`). Serve the simulator from one process (runserver, the
pytest live server, or gunicorn with one worker and threads); with several worker processes a token issued by
one is unknown to the others. Under gunicorn, scenario 007 also needs `--timeout` above the hang. A restart
forgets all tokens and requests. `state.reset()` clears everything and cancels callbacks not yet started.

Not modelled
------------
- B2C, B2B, reversal, transaction status, account balance, dynamic QR, Ratiba: their paths answer
  404.001.01. For C2B only register URL, simulate and the confirmation POST exist (no validation call;
  see `c2b`).
- Rate limits and quotas (spike arrest `500.003.02` outside scenario 006, `500.003.03`), rule 17 for the same
  amount to the same customer, "Unable to lock subscriber" for concurrent prompts to one phone.
- Safaricom's source IP allow-list, TLS, and the "public URL only" rule for callbacks (127.0.0.1 is fine).
- STK pushes to shortcodes other than 174379 (C2B takes any 5-7 digit shortcode), production behaviour,
  per-app credentials.
- The `401.002.01` some SDKs see for bad bearers (we answer `404.001.03`, as documented).
- Older callback items such as `{"Name": "Balance"}` without a Value, masked or hashed PhoneNumber values.
- Callback retries: Daraja does not retry, and neither does this (scenario 005 is deliberate duplication).
"""
