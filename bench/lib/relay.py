#!/usr/bin/python3
"""A TCP relay in front of one bench sshd, the home of the network faults.

    relay.py --listen PORT --backend PORT --pidfile FILE [--drop-after BYTES] [--rate BYTES_PER_S]

--listen 0: any free port, written to --port-file before the pid file.
--backend 0: each connection names its backend port in its first line (bench/lib/via.py sends it), so that one
relay is a node's uplink: every connection the node opens, to whichever server, shares its --rate.

--drop-after: each connection is cut (both sides reset) once BYTES have gone upstream, client to
server - a login and small commands pass, an upload larger than that breaks mid-transfer.
--rate: every byte, both ways and over all connections of this server together, goes through a
token bucket of that many bytes per second - a slow link.
The pid file is written once the port listens; SIGTERM stops it.
"""
import argparse
import asyncio
import os
import signal
import socket
import sys

CHUNK = 16 * 1024


class Bucket:
    """A token bucket shared by every connection in one direction."""

    def __init__(self, rate):
        self.rate = rate
        self.next_free = 0.0

    async def take(self, n):
        loop = asyncio.get_running_loop()
        now = loop.time()
        # Allow a burst of at most 50 ms worth of bytes.
        start = max(self.next_free, now - 0.05)
        self.next_free = start + n / self.rate
        delay = self.next_free - now
        if delay > 0:
            await asyncio.sleep(delay)


async def pump(reader, writer, bucket, limit, on_limit):
    sent = 0
    try:
        while True:
            size = CHUNK
            if limit is not None:
                size = min(size, limit - sent)
                if size <= 0:
                    on_limit()
                    return
            data = await reader.read(size)
            if not data:
                break
            if bucket is not None:
                await bucket.take(len(data))
            writer.write(data)
            await writer.drain()
            sent += len(data)
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        on_limit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--backend", type=int, required=True)
    parser.add_argument("--pidfile", required=True)
    parser.add_argument("--port-file")
    parser.add_argument("--drop-after", type=int)
    parser.add_argument("--rate", type=float)
    args = parser.parse_args()

    up_bucket = Bucket(args.rate) if args.rate else None
    down_bucket = Bucket(args.rate) if args.rate else None

    async def handle(client_reader, client_writer):
        try:
            backend = args.backend or int((await client_reader.readline()).decode("ascii"))
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", backend)
        except (OSError, ValueError):
            client_writer.transport.abort()
            return

        def cut():
            # Reset both sides, as a broken link does.
            for w in (client_writer, server_writer):
                sock = w.get_extra_info("socket")
                if sock is not None:
                    try:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    except OSError:
                        pass
                w.transport.abort()

        await asyncio.gather(
            pump(client_reader, server_writer, up_bucket, args.drop_after, cut),
            pump(server_reader, client_writer, down_bucket, None, cut),
        )
        for w in (client_writer, server_writer):
            w.close()

    async def serve():
        server = await asyncio.start_server(handle, "127.0.0.1", args.listen, backlog=512)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        if args.port_file:
            with open(f"{args.port_file}.tmp", "w") as f:
                f.write(f"{server.sockets[0].getsockname()[1]}\n")
            os.replace(f"{args.port_file}.tmp", args.port_file)
        tmp = f"{args.pidfile}.tmp"
        with open(tmp, "w") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(tmp, args.pidfile)
        async with server:
            await stop.wait()
        try:
            os.unlink(args.pidfile)
        except FileNotFoundError:
            pass

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
