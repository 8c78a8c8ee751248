"""Mailpit's stand-in: takes every mail sent to port 1025 (just enough SMTP
for smtplib) and answers on port 8025 with how many it holds. Stops on
SIGTERM: a PID 1 that does not handle it is never stopped by it."""

import asyncio
import http.server
import json
import signal
import sys
import threading

received = 0


async def smtp_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    global received
    writer.write(b"220 mailpit stand-in\r\n")
    in_data = False
    while line := await reader.readline():
        if in_data:
            if line == b".\r\n":
                in_data = False
                received += 1
                writer.write(b"250 queued\r\n")
            continue
        verb = line[:4].upper()
        if verb == b"DATA":
            in_data = True
            writer.write(b"354 end with <CRLF>.<CRLF>\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            break
        else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
            writer.write(b"250 ok\r\n")
        await writer.drain()
    await writer.drain()
    writer.close()


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"messages_count": received}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)


async def main() -> None:
    page = http.server.ThreadingHTTPServer(("0.0.0.0", 8025), Page)  # noqa: S104
    threading.Thread(target=page.serve_forever, daemon=True).start()
    smtp = await asyncio.start_server(smtp_session, "0.0.0.0", 1025)  # noqa: S104
    await smtp.serve_forever()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(main())
