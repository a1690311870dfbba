"""A wire-compatible simulator of Paynow Zimbabwe (web and express checkout), built from PROVIDERS.md §7.

It is mounted at `/simulators/paynow/` followed by Paynow's real paths when `LIPWA_SIMULATORS_ENABLED` is true,
so a Paynow client whose base URL can be set works unchanged against `http://127.0.0.1:8000/simulators/paynow`:

    POST interface/initiatetransaction  web checkout    -> status=Ok&browserurl&pollurl&paynowreference&hash
    POST interface/remotetransaction    express checkout -> status=Ok&pollurl&paynowreference&instructions
                                                            [&authorizationcode&authorizationexpires]&hash
    POST Interface/CheckPayment/?guid=… (the pollurl)    -> reference&paynowreference&amount&status&pollurl&hash
    GET|POST Payment/ConfirmPayment/<n> (the browserurl) -> the customer's page (see `checkout`)

Everything is `application/x-www-form-urlencoded`, never JSON, encoded as Paynow's .NET stack does (`+` for
spaces, lower-case escapes such as `https%3a%2f%2f…`, PROVIDERS.md 7.6). It never imports the Paynow connector's
client, mapping, webhooks or connector modules (an import-linter contract): the hash is implemented again in
`wire`, and both sides are pinned by the worked examples of Paynow's "Generating Hash" and "Validating Hash"
pages.

Credentials and Paynow facts honoured
-------------------------------------
- Integration ID `sim_key`, integration key `sim_secret` (DESIGN.md §6). Real integration IDs are integers
  (7.2); clients send the ID as an opaque string, so `sim_key` works with them unchanged.
- The integration is in test mode (7.8): express checkout must carry `authemail=merchant@example.com`, the
  simulated merchant's login (compared case-insensitively). Web checkout's `authemail` is optional and not
  checked (A): the official SDK sends it `quote_plus`-encoded there, which no login could ever equal.
- The hash (7.4): values in wire order after ONE form-decode, `hash` left out, integration key appended
  lower-cased, SHA-512, upper-case hex, compared case-insensitively. A client that `quote_plus`-encodes its
  values before hashing and sending (the official Python SDK) therefore verifies, because the values are
  compared in the form the client hashed them. Every `status=Ok` answer, poll answer and status update is
  hashed the same way with the same key. `status=Error` answers carry no hash (7.3).
- Amounts: a positive decimal with at most two places (`10.00`; `10.0` and `10` are accepted, 7.2), echoed
  with two decimals. No currency field exists: the integration's currency is implied (7.2).
- `paynowreference` is a running number with thousands separators (`4,218,339`), because Paynow's references
  may contain commas (7.6, 7.9); the browser URL uses the digits alone.
- Phones: `07XXXXXXXX`, `2637XXXXXXXX` or `+2637XXXXXXXX`. EcoCash takes 077/078, OneMoney 071 (7.9);
  InnBucks any 07 number (A).
- InnBucks answers add `authorizationcode` (9 digits) and `authorizationexpires` (`d-MMM-yyyy HH:mm` in CAT,
  UTC+2, 10 minutes ahead).

Refusals (HTTP 200, `status=Error&error=<message>`, no hash, nothing created; wording marked A is ours)
------------------------------------------------------------------------------------------------------
- `Invalid Id.` (A): unknown integration ID (checked first: the key is needed to check the hash).
- `Invalid Hash.  Hash should start with: XXXXXX` (V community): missing or wrong hash; like Paynow it gives
  away the first six characters of the hash it expected.
- `Missing reference field`, `Invalid amount field`, `Invalid returnurl field`, `Invalid resulturl field`,
  `Invalid status field` (status must be the literal `Message`) (all A).
- `The integration ID specified is currently in test mode. The authemail used must belong to the company in
  control of the integration ID.` (V community).
- `Invalid payment method` (A): a method other than ecocash, onemoney, innbucks.
- `Invalid mobile number for <method>` (A): a phone that is not a Zimbabwean mobile of that wallet.
- `Insufficient balance` (A wording): see 001 and 0774444444 below.
- `Invalid transaction` (A) on a poll whose guid is unknown. A GET on the initiate paths answers 405.
  Any other path answers an HTML 404.

Scenarios (express checkout): Paynow's test numbers first (7.8), then the phone's last three digits (§6)
---------------------------------------------------------------------------------------------------------
A transaction is "Sent" until it is final, by `lipwa.common.clock.now()`, `LIPWA_SIMULATOR_DELAY_SECONDS` after
initiation unless said otherwise. Its status update is POSTed in a daemon thread after the same delay in real
time, started only once the server has written the initiate answer (a WSGI server calls `close()` on it), so an
update never overtakes its own initiate answer, except in scenario 008. Only the final status is sent: the
intermediate "Sent" update real Paynow also sends is not (the contract battery counts updates).

| number or ending | outcome |
|------------------|---------|
| 0771111111 | Paynow test "Success": Paid after 5 s (7.8) |
| 0772222222 | Paynow test "Delayed success": Paid after 30 s (7.8) |
| 0773333333 | Paynow test "User cancelled": Failed after 30 s (7.8: Paynow reports it as Failed) |
| 0774444444 | Paynow test "Insufficient balance": refused at initiation, `status=Error&error=Insufficient balance` |
| other      | Paid after the delay; one status update |
| 001 | insufficient funds, modelled as Paynow's own insufficient-balance number: refused at initiation, nothing |
|     | created, no status update. CONFLICT with DESIGN.md §6 (a decline after the prompt, with a callback): |
|     | Paynow's status vocabulary has no "insufficient funds" (7.7), so the initiate error is the only way a |
|     | client can learn that reason, and it is the documented Paynow behaviour (7.8) |
| 002 | customer cancelled: Cancelled after the delay |
| 003 | customer never answers: Cancelled after the delay. Paynow's "Cancelled" means "cancelled … or expired" |
|     | (7.7); it has no separate timeout status, so a client cannot tell 003 from 002 |
| 004 | Paid, but no status update is ever sent; only a poll tells |
| 005 | Paid, and the same status update is POSTed 3 times, one after the other |
| 006 | HTTP 503 with an HTML "Service Unavailable" page (P). Paynow itself never answers 5xx; 503 is the one |
|     | 5xx that says the request was not handled (RFC 9110 §15.6.4), so a client can know nothing was created. |
|     | Nothing is stored |
| 007 | the transaction is stored first, then the answer waits `LIPWA_SIMULATOR_HANG_SECONDS` (default 35) |
|     | before `status=Ok`; a poll resolves it (Paid), and its status update (which carries the pollurl) is sent |
|     | after the delay once the late answer has been written or abandoned |
| 008 | Paid, with the status update POSTed synchronously before the initiate answer |
| 009 | wrong PIN / generic decline: Failed after the delay (Paynow gives no reason, 7.7) |

Other conflicts with PROVIDERS.md 7.8: in real test mode, numbers other than the four test numbers are refused;
here every valid number is accepted, because DESIGN.md §6's scenarios need them.

Web checkout: the transaction is "Created" until the customer acts on the `browserurl` page (`checkout`):
Pay → Paid, Fail → Failed, Cancel → Cancelled; the status update follows and the browser goes to `returnurl`.

Modules: `views` (initiate, poll), `checkout` (the customer's page), `wire` (form bodies, hash, integrations),
`scenarios` (pure: phone -> outcome), `state` (in-memory store), `callbacks` (status updates).

Settings read (at call time, through `django.conf.settings`)
-------------------------------------------------------------
- `LIPWA_SIMULATOR_DELAY_SECONDS` (default 2; the test settings use 0)
- `LIPWA_SIMULATOR_HANG_SECONDS` (default 35.0; scenario 007 only)

State
-----
In memory, per process, behind one lock (see `state`). Serve the simulator from one process. A restart forgets
every transaction. `state.reset()` clears everything and cancels status updates not yet started.

Not modelled
------------
- Card express checkout (`vmc`, `zimswitch` with tokens), O'mari/PayGo, passenger tickets, tokenization fields.
- Buysafe escrow (Awaiting Delivery, Delivered), Disputed, Refunded; Paynow has no refund or payout API.
- The intermediate "Sent" status update; retries of status updates (Paynow's retry policy is undocumented).
- Reference uniqueness: a reused `reference` creates another transaction.
- Separate USD and ZWG integrations: `sim_key` takes any amount; the currency is the connector account's.
- Rate limits, IP allow-lists, TLS, the public-URL rule for `resulturl` (127.0.0.1 is fine), live mode.
"""
