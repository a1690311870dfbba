"""A merchant's webhook receiver on loopback: asyncio, HTTP/1.1 keep-alive, verifies every signature with
lipwa's own `signing.py` (standard library only, as merchants copy it), answers 200, counts.

    python -m bench.receiver PORT SECRET        # GET /stats → {"received": n, "bad_signatures": n}
"""

from __future__ import annotations

import asyncio
import json
import sys

from lipwa.webhooks_out.signing import SignatureError, verify_signature

stats = {"received": 0, "bad_signatures": 0}


class Receiver(asyncio.Protocol):
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.buffer = b""

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < head_end + 4 + length:
                return
            body = self.buffer[head_end + 4:head_end + 4 + length]
            self.buffer = self.buffer[head_end + 4 + length:]
            self.respond(head[0], headers, body)

    def respond(self, request_line: str, headers: dict[str, str], body: bytes) -> None:
        if request_line.startswith("GET /stats"):
            payload = json.dumps(stats).encode()
        else:
            stats["received"] += 1
            try:
                verify_signature(body, headers.get("lipwa-signature"), self.secret)
            except SignatureError:
                stats["bad_signatures"] += 1
            payload = b'{"ok": true}'
        self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(payload)).encode() + b"\r\n\r\n" + payload)


async def serve(port: int, secret: str) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Receiver(secret), "127.0.0.1", port, backlog=2048)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2]))
