"""A wire-compatible simulator of the Airtel Money Africa Open API, built from PROVIDERS.md section 3.

It is mounted at `/simulators/airtel/` followed by Airtel's real paths when `LIPWA_SIMULATORS_ENABLED` is true,
so any Airtel client whose base URL can be set works unchanged against `http://127.0.0.1:8000/simulators/airtel`:

    POST auth/oauth2/token                 JSON or form {client_id, client_secret, grant_type}
                                           -> {"access_token", "expires_in": "180", "token_type": "bearer"}
    GET  v1/rsa/encryption-keys            -> data {key_id, key (base64 DER SPKI), valid_upto}, DP02010001001
    POST merchant/v1/payments/             USSD push, unsigned
    POST merchant/v2/payments/             USSD push, signed (x-signature/x-key)
    GET  standard/v1/payments/{id}         enquiry by the merchant's transaction.id
    POST standard/v1/payments/refund       refund by airtel_money_id (v2: signed)
    POST standard/v1|v2/disbursements/     disbursement (v2 signed), PIN RSA-encrypted
    GET  standard/v1/disbursements/{id}    disbursement enquiry
    GET  standard/v1/users/{msisdn}        user enquiry (KYC)

It never imports the Airtel connector's client, mapping, webhooks or connector modules (an import-linter
contract), so the client and the simulator cannot agree on the same bug; it does its own decryption.

Credentials and facts honoured
------------------------------
- Client id `sim_key`, client secret `sim_secret`. Tokens live 180 s by `lipwa.common.clock`, and `expires_in`
  is the string "180" (§3.2). Every API call needs `Authorization: Bearer`, `X-Country` and `X-Currency`
  from the §3.9 table (UG/UGX, KE/KES, TZ/TZS, RW/RWF, ZM/ZMW, MW/MWK, CD/CDF or USD, CG GA TD/XAF, NE/XOF,
  NG/NGN, MG/MGA, SC/SCR); the body's country and currency must agree with the headers.
- The RSA key pair is the simulator's own (2048-bit, generated once per process, kept across `reset()`).
  v2 requests must carry `x-key` = RSA-PKCS#1-v1.5(public key, "<base64 AES key>:<base64 IV>") and
  `x-signature` = AES-256-CBC-PKCS#7 of the exact body bytes (§3.3); anything else is refused with
  `DP00800001026` (collection, refund) or `DP00900001016` (disbursement), HTTP 200 and `success: false`.
- `subscriber.msisdn` is national, 7 to 10 digits: a number with its country code is refused (§3.4).
- `transaction.amount` is a number in major units; UGX, RWF, XAF, XOF and MGA must be whole (§3.9).
- Transaction ids are the merchant's, unique per app: a reused collection id gets HTTP 409 (A, code not
  recorded in PROVIDERS.md), a reused disbursement id `DP00900001017`.
- The disbursement wallet's PIN is `1234`; another (or undecryptable) PIN is `DP00900001009` (A).
- Refunds: the whole collection, once, and only after it succeeded; the answer is the documented sample,
  `"status": "SUCCESS"` with `"success": false` included (§3.7). Refusals are `DP00800001025` (unknown id)
  and `DP00800001009` (not successful, already refunded; A).
- Callbacks (§3.6): Airtel takes the callback URL from the portal, not per request, so the simulator POSTs to
  the URL in the request's `X-Callback-Url` header (P: lipwa's connector sends it; a client that does not
  gets no callbacks, as an app without a configured URL). The body is `{"transaction": {id, message,
  status_code, airtel_money_id}, "hash"}`; the simulated app has authenticated callbacks enabled with the
  secret `sim_secret`, and hashes the compact re-serialisation while the body is sent with spaces (see
  `callbacks`). `status_code` is TS or TF only.

Unknown paths answer 404 with a status block. Malformed requests answer HTTP 400 with a status block and no
response code; a missing or expired bearer HTTP 401 `{"error": "invalid_token", …}`; bad client credentials
HTTP 401 `{"error": "invalid_client", …}` (all A: Airtel documents none of these bodies).

Scenarios: the last three digits of `subscriber.msisdn` (DESIGN.md §6 is primary)
-------------------------------------------------------------------------------
A collection is final `LIPWA_SIMULATOR_DELAY_SECONDS` after it was accepted, by `lipwa.common.clock.now()`;
before that the enquiry says TIP / DP00800001006. The push answers `"status": "SUCCESS"`, DP00800001006 and
echoes the transaction id (the docs sample's `"id": false` is not copied; clients must not rely on it). Its
callback is POSTed in a daemon thread after the same delay in real time, started only once the server has
written the push response (a WSGI server calls `close()` on it), except in scenario 008.

| ends in | outcome |
|---------|---------|
| other   | TS / DP00800001001 after the delay; one callback (TS). `000` is §3.10's "TS after delay" too |
| 001     | insufficient funds: TF / DP00800001007 |
| 002     | customer cancelled: TF / DP00800001008 "refused". §3.10 puts wrong PIN here; §6 wins, and wrong PIN |
|         | moved to 009 |
| 003     | never answered: TIP until the delay, then TE / DP00800001024 "timed out" (§3.10 "TIP then TE"); the |
|         | callback says TF |
| 004     | success without any callback (§6); the first enquiry after the delay says TA / DP00800001000, the next |
|         | ones TS (§3.10's "TA then TS", which does not collide) |
| 005     | success, and the same callback body is POSTed 3 times, one after the other |
| 006     | the push gets HTTP 503 "Service Unavailable" with a status block and no response code. 503 means the |
|         | server did not handle the request (RFC 9110 §15.6.4), so a client knows nothing was created; nothing |
|         | is stored and an enquiry says DP00800001025 |
| 007     | stored first, then the response waits `LIPWA_SIMULATOR_HANG_SECONDS` (default 35) before answering; the |
|         | enquiry (by the client's own id) resolves it as TS, and its callback follows the late response |
| 008     | success, with the callback POSTed synchronously before the push response; final at once |
| 009     | wrong PIN / decline: TF / DP00800001002 |

Disbursements use the payee's MSISDN: other → TS / DP00900001001 (after the delay: TIP / DP00900001006
before), 001 → TF / DP00900001007 (disbursement wallet short of funds), 004 → TA / DP00900001000 in the answer
and at the first enquiry, then TS, 006 → HTTP 503 and nothing stored, 007 → stored then hangs, TS,
009 → TF / DP00900001013 "refused". No callbacks for disbursements (none documented). The user enquiry finds
every valid MSISDN ("Sim Customer NNN", DP02200000001) except those ending in 404 (DP02200000000).

Settings read (at call time, through `django.conf.settings`)
-------------------------------------------------------------
- `LIPWA_SIMULATOR_DELAY_SECONDS` (default 2; the test settings use 0)
- `LIPWA_SIMULATOR_HANG_SECONDS` (default 35.0; scenario 007 only)

State
-----
In memory, per process, behind one lock (see `state`); serve the simulator from one process. A restart forgets
all tokens and transactions and makes a new key pair. `state.reset()` clears everything but the key pair and
cancels callbacks not yet started.

Not modelled
------------
- National hosts (openapi.airtel.co.tz …), balance enquiry, remittance, cash-in/out, ATM withdrawal.
- Callback retries (undocumented), callbacks for disbursements and refunds, portal-side callback URLs.
- Rate limits, per-country key pairs (one key serves every country), key rotation before `valid_upto`.
- Real Airtel message texts (ours follow the §3.5 reasons), the `"id": false` echo quirk of the docs sample.
- Limits (minimum and maximum amounts, daily limits: DP00800001003/4, DP00900001003/4 are never produced).
"""
