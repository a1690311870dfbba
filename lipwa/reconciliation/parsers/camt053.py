"""ISO 20022 camt.053 bank-to-customer statement (PROVIDERS.md B.2), any camt.053.001.xx version.

XML from outside is parsed with defusedxml with DTDs forbidden, so no entity expansion or external fetch
can happen. The file is read incrementally (`iterparse`): each `Ntry` becomes a line as soon as it is
complete and is then dropped, so memory holds one entry whatever the file's size. ElementTree keeps no line
numbers for elements, so a bad entry is named by its position ("entry 3", the `line` of the error, counted
across the file's statements) and the element at fault (the `column`); a file that is not well-formed XML is
named by the parser's own line and column. Only booked entries (`BOOK`) are lines; pending and
information-only entries moved no money yet. A batch entry with several TxDtls stays one line (the entry's
total); splitting batches belongs to settlement matching, which is not built. The account is the
statement's `Acct`, which the schema puts before the entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .base import CREDIT, DEBIT, StatementLine, StatementParseError, as_stream, parse_amount, text_encoding

NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
_REVERSED = {CREDIT: DEBIT, DEBIT: CREDIT}


def parse(data: bytes, *, currency: str | None = None, preset: str | None = None) -> list[StatementLine]:
    return list(iter_lines(data, currency=currency, preset=preset))


def iter_lines(data: bytes | BinaryIO, *, currency: str | None = None, preset: str | None = None
               ) -> Iterator[StatementLine]:
    stream = as_stream(data)
    text_encoding(stream, encodings=("utf-8",))  # refuses binary and non-UTF-8 with the common messages
    ns: dict[str, str] = {}
    tags: dict[str, str] = {}
    open_elements: list[Element] = []  # from the root down
    statement: Element | None = None  # the Document/BkToCstmrStmt/Stmt being read
    statements = ordinal = 0
    account: str | None = None
    for event, element in _events(stream):
        depth = len(open_elements)  # of the element: 0 for the root
        if event == "start":
            if depth == 0:
                ns = {"c": _namespace(element)}
                tags = {name: f"{{{ns['c']}}}{name}" for name in ("BkToCstmrStmt", "Stmt", "Ntry", "Acct")}
            elif depth == 2 and element.tag == tags["Stmt"] and open_elements[1].tag == tags["BkToCstmrStmt"]:
                statement, statements, account = element, statements + 1, None
            open_elements.append(element)
            continue
        open_elements.pop()
        depth -= 1
        if depth == 3 and open_elements[2] is statement:
            if element.tag == tags["Ntry"]:
                ordinal += 1
                status = _text(element, "c:Sts/c:Cd", ns) or _text(element, "c:Sts", ns)
                if status == "BOOK":
                    yield _entry(element, ordinal, ns, currency, account or "")
            elif element.tag == tags["Acct"] and account is None:
                account = _text(element, "c:Id/c:IBAN", ns) or _text(element, "c:Id/c:Othr/c:Id", ns)
        if 1 <= depth <= 3:
            # Read: dropped from its parent, so the tree never holds more than the entry being read.
            open_elements[-1].remove(element)
    if not statements:
        raise StatementParseError(None, None, "no Stmt element: an empty or truncated statement")


def _events(stream: BinaryIO) -> Iterator[tuple[str, Element]]:
    try:
        yield from iterparse(stream, events=("start", "end"), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise StatementParseError(None, None, f"refused: the XML declares a DTD or entities ({exc})") from None
    except ParseError as exc:
        line, column = exc.position
        raise StatementParseError(line, column + 1, f"not well-formed XML (truncated?): {exc.msg}") from None
    except LookupError as exc:  # expat asks Python for the codec the XML declaration names
        raise StatementParseError(1, None, f"the XML declares an unknown encoding ({exc})") from None


def _namespace(root: Element) -> str:
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if not namespace.startswith(NAMESPACE_PREFIX):
        raise StatementParseError(None, None, f"not a camt.053 document (namespace {namespace or 'none'!r})")
    return namespace


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
