"""What every connector's `credentials.py` does the same way with a dict of credentials from the account form.

Each gateway keeps its own fields, defaults and gateway-specific rules; what is here is only the field-by-field
machinery they share: blank values take the field's default (as the account form does), required fields are
named when missing, a URL is refused when it is not a plain http(s) base, pasted keys are refused when they
contain whitespace, a failed validation becomes one `ConnectorConfigError`, and a credentials dataclass
prints without its secrets. No message built here ever contains a secret's value.

This module imports nothing of ours but `lipwa.common`, `lipwa.connectors.types` and `lipwa.connectors.errors`:
every connector may use it, and it can never reach a payment model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from lipwa.connectors.errors import ConnectorConfigError
from lipwa.connectors.types import CredentialField

_WHITESPACE = re.compile(r"\s")


class FieldSet:
    """A gateway's `CREDENTIAL_FIELDS`, by name, with the checks every gateway makes of them."""

    def __init__(self, fields: Iterable[CredentialField]) -> None:
        self.by_name: dict[str, CredentialField] = {field.name: field for field in fields}

    def label(self, name: str) -> str:
        return self.by_name[name].label

    def resolve(self, values: Mapping[str, object]) -> dict[str, str]:
        """Every field as stripped text, a blank one (missing, None or whitespace) taking the field's default."""
        resolved = {}
        for name, field in self.by_name.items():
            raw = values.get(name)
            text = "" if raw is None else str(raw).strip()
            resolved[name] = text or (field.default or "")
        return resolved

    def missing(self, resolved: Mapping[str, str]) -> dict[str, str]:
        """{name: "<Label> is required."} for each required field that is blank after defaults."""
        return {name: f"{field.label} is required."
                for name, field in self.by_name.items() if field.required and not resolved[name]}

    def bad_urls(self, resolved: Mapping[str, str], names: Iterable[str], example: str) -> dict[str, str]:
        """{name: why} for each of `names` (base URL fields) whose value is given but unusable (`url_problem`)."""
        return {name: problem for name in names
                if resolved[name] and (problem := url_problem(self.label(name), resolved[name], example))}

    def pasted_whitespace(self, resolved: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
        """{name: why} for each of `names` whose value contains whitespace.

        Whitespace inside a pasted key or id is always a copy-and-paste accident and would fail at the gateway.
        """
        return {name: f"{self.label(name)} contains spaces or line breaks; paste it again."
                for name in names if resolved[name] and _WHITESPACE.search(resolved[name])}


def url_problem(label: str, url: str, example: str) -> str | None:
    """Why `url` cannot be a gateway's base URL (not http(s) with a host, or carrying a query or fragment), or
    None. `example` is the URL the message suggests."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{label} must be an http(s) URL such as {example}."
    if parts.query or parts.fragment:
        return f"{label} must not have a query string or fragment."
    return None


def raise_unless_usable(errors: Mapping[str, str], unusable: str) -> None:
    """Raise `ConnectorConfigError("<unusable>: name: why; …")`, fields sorted by name, if there are `errors`.

    Connectors call this before using credentials, so that a half-configured account never reaches a gateway.
    """
    if errors:
        details = "; ".join(f"{name}: {message}" for name, message in sorted(errors.items()))
        raise ConnectorConfigError(f"{unusable}: {details}")


def masked_repr(credentials: object, *, shown: Iterable[str], masked: Iterable[str]) -> str:
    """`Name(shown=value, …, masked=<masked>, …)`: a repr of credentials that names the secrets but never
    prints them (nor an id that, with a leaked secret, would be the other half of a login)."""
    parts = [f"{name}={getattr(credentials, name)!r}" for name in shown]
    parts += [f"{name}=<masked>" for name in masked]
    return f"{type(credentials).__name__}({', '.join(parts)})"
