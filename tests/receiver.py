"""A loopback HTTP receiver standing in for the platform's chat, SMS and voice endpoints in tests.

It checks each request's signature and timestamp as the platform must, deduplicates on the
Idempotency-Key as the platform's contract says, and records what it accepted. `delay` slows
each answer (to kill a worker mid-batch); `fail_next` answers that many requests with 503.
"""

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    secret: str
    delay: float = 0.0
    fail_next: int = 0
    requests: list[dict] = field(default_factory=list)  # every request that reached it
    accepted: dict[str, dict] = field(default_factory=dict)  # idempotency key → first payload
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliveries_per_key(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for request in self.requests:
            counts[request["key"]] = counts.get(request["key"], 0) + 1
        return counts


def _handler(received: Received):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            timestamp = self.headers.get("X-Shouhu-Timestamp", "")
            expected = hmac.new(received.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            signed = hmac.compare_digest(expected, self.headers.get("X-Shouhu-Signature", ""))
            fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 300
            key = self.headers.get("Idempotency-Key", "")
            time.sleep(received.delay)
            with received.lock:
                received.requests.append(
                    {
                        "key": key,
                        "path": self.path,
                        "signed": signed,
                        "event": self.headers.get("X-Shouhu-Event", ""),
                        "body": json.loads(body),
                    }
                )
                if not (signed and fresh and key):
                    status = 401
                elif received.fail_next > 0:
                    received.fail_next -= 1
                    status = 503
                else:
                    received.accepted.setdefault(key, json.loads(body))
                    status = 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"status": "delivered" if status == 200 else "error"}).encode())

        def log_message(self, *args):  # keep the test output clean
            pass

    return Handler


def start(secret: str, **options) -> tuple[ThreadingHTTPServer, Received]:
    received = Received(secret=secret, **options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(received))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received
