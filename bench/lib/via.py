#!/usr/bin/python3
"""An OpenSSH ProxyCommand through a node's uplink (relay.py --backend 0): ssh's bytes to PORT pass its bucket.

    ProxyCommand=/usr/bin/python3 bench/lib/via.py UPLINK_PORT %p
"""
import os
import socket
import sys
import threading


def main():
    uplink, port = int(sys.argv[1]), int(sys.argv[2])
    conn = socket.create_connection(("127.0.0.1", uplink), timeout=30)
    conn.settimeout(None)
    conn.sendall(f"{port}\n".encode("ascii"))

    def upstream():
        while True:
            data = os.read(0, 65536)
            if not data:
                break
            conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)

    threading.Thread(target=upstream, daemon=True).start()
    while True:
        data = conn.recv(65536)
        if not data:
            break
        view = memoryview(data)
        while view:
            view = view[os.write(1, view):]
    return 0


if __name__ == "__main__":
    sys.exit(main())
