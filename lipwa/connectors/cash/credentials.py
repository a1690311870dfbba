"""Cash on delivery needs no credentials: there is no gateway to authenticate to.

An optional label lets a merchant with several cash desks (or agent networks) tell their accounts apart.
"""

from __future__ import annotations

from lipwa.connectors.types import CredentialField

CREDENTIAL_FIELDS: tuple[CredentialField, ...] = (
    CredentialField("label", "Label", required=False,
                    help_text="Optional: which cash desk or agent network this account is (shown to staff)."),
)
