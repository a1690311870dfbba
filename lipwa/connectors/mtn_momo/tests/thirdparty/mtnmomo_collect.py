"""Run by .venv-thirdparty's Python (mtnmomo pins requests 2.21 and Click 7, which lipwa's own environment
cannot hold): provision a sandbox API user exactly as MTN's docs say, then collect with the unchanged
mtnmomo library. Prints one JSON line: the final transaction status."""

import json
import sys
import time
import uuid

import requests
from mtnmomo.client import MomoApi
from mtnmomo.collection import Collection

base_url, subscription_key, phone = sys.argv[1], sys.argv[2], sys.argv[3]
api_user = str(uuid.uuid4())
created = requests.post(f"{base_url}/v1_0/apiuser", json={"providerCallbackHost": "127.0.0.1"},
                        headers={"X-Reference-Id": api_user, "Ocp-Apim-Subscription-Key": subscription_key})
assert created.status_code == 201, (created.status_code, created.text)
api_key = MomoApi.generateToken("127.0.0.1", api_user, subscription_key, base_url)["apiKey"]
client = Collection({"BASE_URL": base_url, "ENVIRONMENT": "sandbox", "CALLBACK_HOST": "127.0.0.1",
                     "COLLECTION_PRIMARY_KEY": subscription_key, "COLLECTION_USER_ID": api_user,
                     "COLLECTION_API_SECRET": api_key})
reference = client.requestToPay(mobile=phone, amount="600", external_id="lipwa-3p-1", payee_note="note",
                                payer_message="message", currency="EUR")["transaction_ref"]
status = {}
for _ in range(50):  # the simulator answers at once in tests; this only bounds a slow machine
    status = client.getTransactionStatus(reference)
    if status.get("status") != "PENDING":
        break
    time.sleep(0.1)
print(json.dumps(status))
