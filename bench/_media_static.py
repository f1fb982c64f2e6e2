"""The plain static server the media benchmark compares with: `python -m bench._media_static <port> <file>`.

Standard library only: `http.server.ThreadingHTTPServer` (a thread per connection, HTTP/1.1 keep-alive) serving
one file at every path, with one `Range: bytes=a-b` range (206) or the whole file (200), the bytes sent with
`socket.sendfile` (the kernel's sendfile, as nginx does) — `http.server.SimpleHTTPRequestHandler` knows no Range.
No access checks, no database, no validators: the floor of what serving these bytes costs on this machine.
"""

import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


def handler_for(path: str) -> type[BaseHTTPRequestHandler]:
    size = os.path.getsize(path)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            start, length, status = 0, size, 200
            match = RANGE.match(self.headers.get("Range", ""))
            if match and int(match[1]) < size:
                start = int(match[1])
                end = min(int(match[2]), size - 1) if match[2] else size - 1
                if end >= start:
                    length, status = end - start + 1, 206
            self.send_response(status)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(length))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{start + length - 1}/{size}")
            self.end_headers()
            with open(path, "rb") as handle:
                self.connection.sendfile(handle, start, length)

        def log_message(self, *args):
            pass

    return Handler


def main(argv: list[str]) -> int:
    port, path = int(argv[0]), argv[1]
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(path))
    server.daemon_threads = True
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
