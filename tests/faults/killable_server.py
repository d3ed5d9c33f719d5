"""A source service that dies mid-answer: run as a subprocess, killed by the test (SIGKILL).

It listens on 127.0.0.1 (an ephemeral port, printed as `PORT <n>`), and for every request
sends the status line, the headers (announcing a 10 kB body, within the gateway's cap) and
the first bytes of the body, prints `ANSWERING`, and then waits for its kill. Standard
library only; it exits by itself after `LIFETIME_SECONDS` whatever happens.
"""

import asyncio

LIFETIME_SECONDS = 60.0
BODY_START = b'{"data": {"page": [{"id": "12.72-0000001", "submittedAt": "2023-03-01T09:00:00"}, '
HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n"
    b"Connection: close\r\n\r\n"
)


async def answer_halfway(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    writer.write(HEAD + BODY_START)
    await writer.drain()
    print("ANSWERING", flush=True)
    await asyncio.sleep(LIFETIME_SECONDS)


async def main() -> None:
    server = await asyncio.start_server(answer_halfway, "127.0.0.1", 0)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await asyncio.sleep(LIFETIME_SECONDS)


if __name__ == "__main__":
    asyncio.run(main())
