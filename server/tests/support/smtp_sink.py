"""A real SMTP server for tests (Debian's python3-aiosmtpd): accepts every message on
127.0.0.1, writes each one to DIR/<n>.eml and its decoded headers and plain-text part to
DIR/<n>.txt, and prints its port on the first line."""
import asyncio
import email
import email.policy
import pathlib
import sys

from aiosmtpd.smtp import SMTP


class Store:
    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        plain = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        text = (
            f"To: {msg['To']}\nSubject: {msg['Subject']}\nMessage-ID: {msg['Message-ID']}\n"
            f"X-Sepiion-Idempotency-Key: {msg['X-Sepiion-Idempotency-Key']}\n"
            f"Importance: {msg['Importance']}\nX-Priority: {msg['X-Priority']}\n"
            f"Has-HTML: {html is not None}\n\n{plain.get_content() if plain else ''}"
        )
        name = f"{self.count:05}"
        (self.folder / f"{name}.eml").write_bytes(raw)
        tmp = self.folder / f"{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.rename(self.folder / f"{name}.txt")
        return "250 OK"


async def main():
    store = Store(sys.argv[1])
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(store), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
