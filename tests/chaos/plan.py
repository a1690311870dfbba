"""The seeded plan of a chaos run: which gateway, which simulator scenario, which payer and amount, per payment.

The scenario is chosen by the payer's last three digits (the simulators' shared table, DESIGN.md §6), so the plan
also says what the truth is: the final status and failure code every payment must end with, whatever happens to
its callbacks on the way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (weight, final status, failure code): the simulators' scenarios and what each must end as.
SCENARIOS: dict[str, tuple[int, str, str]] = {
    "000": (36, "succeeded", ""),
    "001": (8, "failed", "insufficient_funds"),
    "002": (8, "failed", "customer_cancelled"),
    "003": (6, "failed", "customer_timeout"),
    "004": (8, "succeeded", ""),  # no callback at all: only the status query can tell
    "005": (8, "succeeded", ""),  # the callback three times
    "006": (6, "failed", "provider_unavailable"),  # 5xx on initiate, nothing created
    "007": (2, "succeeded", ""),  # initiate hangs past the client timeout: outcome unknown
    "008": (10, "succeeded", ""),  # the callback beats the initiate response
    "009": (8, "failed", "wrong_pin"),
}

# Per gateway: currency, a payer-number prefix (the last six digits are filled in), amount range in minor units.
GATEWAYS: dict[str, tuple[str, str, int, int]] = {
    "mpesa": ("KES", "0712", 1_000, 5_000_000),  # Daraja takes whole shillings: multiples of 100 below
    "mtn_momo": ("UGX", "+256772", 500, 5_000_000),
    "airtel": ("UGX", "+256752", 500, 5_000_000),
}
# Where a gateway has no such reason, its simulator's scenario says so (MTN has no wrong-PIN reason, PROVIDERS.md 2.7).
FAILURE_CODE_OVERRIDES = {("mtn_momo", "009"): "provider_declined"}


@dataclass(frozen=True, slots=True)
class PlannedPayment:
    index: int
    connector: str
    scenario: str
    phone: str
    amount_minor: int
    currency: str

    @property
    def expected_status(self) -> str:
        return SCENARIOS[self.scenario][1]

    @property
    def expected_failure_code(self) -> str:
        return FAILURE_CODE_OVERRIDES.get((self.connector, self.scenario), SCENARIOS[self.scenario][2])


def plan_payments(count: int, *, seed: int, connectors: tuple[str, ...] = tuple(GATEWAYS)) -> list[PlannedPayment]:
    rng = random.Random(seed)
    names = list(SCENARIOS)
    weights = [SCENARIOS[name][0] for name in names]
    planned = []
    for index in range(count):
        connector = connectors[index % len(connectors)]
        currency, prefix, low, high = GATEWAYS[connector]
        scenario = rng.choices(names, weights=weights)[0]
        amount = rng.randint(low, high)
        if currency == "KES":
            amount -= amount % 100
        # Distinct amounts and payers keep "callback before its reference" adoption unambiguous, as in life.
        phone = f"{prefix}{rng.randint(0, 999):03d}{scenario}"
        planned.append(PlannedPayment(index, connector, scenario, phone, amount, currency))
    return planned
