"""ISO 20022 camt.053 bank-to-customer statement (PROVIDERS.md B.2), any camt.053.001.xx version.

XML from outside is parsed with defusedxml with DTDs forbidden, so no entity expansion or external fetch
can happen. ElementTree keeps no line numbers for elements, so a bad entry is named by its position
("entry 3", the `line` of the error) and the element at fault (the `column`); a file that is not
well-formed XML is named by the parser's own line and column. Only booked entries (`BOOK`) are lines;
pending and information-only entries moved no money yet. A batch entry with several TxDtls stays one line
(the entry's total); splitting batches belongs to settlement matching, which is not built.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .base import CREDIT, DEBIT, StatementLine, StatementParseError, decode_text, parse_amount

NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
_REVERSED = {CREDIT: DEBIT, DEBIT: CREDIT}


def parse(data: bytes, *, currency: str | None = None, preset: str | None = None) -> list[StatementLine]:
    decode_text(data, encodings=("utf-8",))  # refuses binary and non-UTF-8 with the common messages
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise StatementParseError(None, None, f"refused: the XML declares a DTD or entities ({exc})") from None
    except ParseError as exc:
        line, column = exc.position
        raise StatementParseError(line, column + 1, f"not well-formed XML (truncated?): {exc.msg}") from None
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if not namespace.startswith(NAMESPACE_PREFIX):
        raise StatementParseError(None, None, f"not a camt.053 document (namespace {namespace or 'none'!r})")
    ns = {"c": namespace}
    statements = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if not statements:
        raise StatementParseError(None, None, "no Stmt element: an empty or truncated statement")
    lines: list[StatementLine] = []
    ordinal = 0
    for statement in statements:
        account = _text(statement, "c:Acct/c:Id/c:IBAN", ns) or _text(statement, "c:Acct/c:Id/c:Othr/c:Id", ns)
        for entry in statement.findall("c:Ntry", ns):
            ordinal += 1
            status = _text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns)
            if status != "BOOK":
                continue
            lines.append(_entry(entry, ordinal, ns, currency, account))
    return lines


def _text(element: Element, path: str, ns: dict) -> str:
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


def _entry(entry: Element, ordinal: int, ns: dict, currency: str | None, account: str) -> StatementLine:
    amount_element = entry.find("c:Amt", ns)
    if amount_element is None:
        raise StatementParseError(ordinal, "Amt", "entry without an amount")
    entry_currency = amount_element.get("Ccy", "")
    if currency and entry_currency != currency:
        raise StatementParseError(ordinal, "Amt/@Ccy", f"the entry is in {entry_currency!r}, not {currency}")
    amount = parse_amount(amount_element.text or "", entry_currency, line=ordinal, column="Amt",
                          thousands_separator="")
    indicator = _text(entry, "c:CdtDbtInd", ns)
    if indicator not in ("CRDT", "DBIT"):
        raise StatementParseError(ordinal, "CdtDbtInd", f"{indicator!r} is neither CRDT nor DBIT")
    direction = CREDIT if indicator == "CRDT" else DEBIT
    if _text(entry, "c:RvslInd", ns).lower() == "true":
        direction = _REVERSED[direction]
    details = entry.find("c:NtryDtls/c:TxDtls", ns)
    party = "Dbtr" if direction == CREDIT else "Cdtr"
    end_to_end = _text(details, "c:Refs/c:EndToEndId", ns) if details is not None else ""
    if end_to_end.upper() == "NOTPROVIDED":
        end_to_end = ""
    texts = [e.text.strip() for e in entry.iterfind("c:NtryDtls/c:TxDtls/c:RmtInf/c:Ustrd", ns) if e.text]
    texts += [_text(entry, "c:AddtlNtryInf", ns)]
    return StatementLine(
        line_number=ordinal,
        reference=_text(entry, "c:AcctSvcrRef", ns) or (_text(details, "c:Refs/c:AcctSvcrRef", ns)
                                                        if details is not None else ""),
        amount_minor=amount, currency=entry_currency, direction=direction, booked_at=_booked_at(entry, ordinal, ns),
        counterparty=_counterparty(details, party, ns), description=" ".join(t for t in texts if t),
        payer_reference=end_to_end or (_text(details, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)
                                       if details is not None else ""),
        account=account, date_only=entry.find("c:BookgDt/c:DtTm", ns) is None, raw=f"Ntry #{ordinal}")


def _counterparty(details: Element | None, party: str, ns: dict) -> str:
    if details is None:
        return ""
    return (_text(details, f"c:RltdPties/c:{party}Acct/c:Id/c:IBAN", ns)
            or _text(details, f"c:RltdPties/c:{party}Acct/c:Id/c:Othr/c:Id", ns)
            or _text(details, f"c:RltdPties/c:{party}/c:Nm", ns))


def _booked_at(entry: Element, ordinal: int, ns: dict) -> datetime:
    stamp = _text(entry, "c:BookgDt/c:DtTm", ns)
    day = _text(entry, "c:BookgDt/c:Dt", ns) or _text(entry, "c:ValDt/c:Dt", ns)
    try:
        if stamp:
            parsed = datetime.fromisoformat(stamp)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if day:
            return datetime.fromisoformat(day).replace(tzinfo=UTC)
    except ValueError:
        raise StatementParseError(ordinal, "BookgDt", f"{stamp or day!r} is not an ISO date") from None
    raise StatementParseError(ordinal, "BookgDt", "entry without a booking or value date")
