"""Lesson 3 in Python: a thread per client. Check it with
    cargo run -p checker -- lesson3 --cmd "python3 docs/src/examples/lesson03.py"
With ONE_AT_A_TIME=1 in the environment it serves clients one after another
instead, and the concurrency checks fail: try it.
"""
import os
import socket
import sys
import threading


def handle(conn):
    with conn, conn.makefile("rwb") as stream:
        stream.write(b"Welcome!\n")
        stream.flush()
        while True:
            # One line at a time, however the bytes arrive, and at most
            # 1,000 bytes and a line end: a longer line closes the connection.
            raw = stream.readline(1002)
            name = raw.rstrip(b"\r\n")
            if not raw or len(name) > 1000 or len(raw) == 1002 and not raw.endswith(b"\n"):
                break
            name = name.decode("utf-8")
            if name == "exit":
                break
            stream.write(f"Hello, {name}!\n".encode("utf-8"))
            stream.flush()


def safely(conn):
    try:
        handle(conn)
    except OSError:
        pass  # a client that resets ends its own session only


def server(addr):
    host, port = addr.rsplit(":", 1)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((host, int(port)))
    listener.listen(64)
    while True:
        conn, _ = listener.accept()
        if os.environ.get("ONE_AT_A_TIME"):
            safely(conn)
        else:
            threading.Thread(target=safely, args=(conn,), daemon=True).start()


def client(addr, names):
    host, port = addr.rsplit(":", 1)
    with socket.create_connection((host, int(port))) as conn, conn.makefile("rwb") as stream:
        print(stream.readline().decode().rstrip("\r\n"), flush=True)
        for name in names:
            stream.write(f"{name}\n".encode())
            stream.flush()
            print(stream.readline().decode().rstrip("\r\n"), flush=True)
        stream.write(b"exit\n")
        stream.flush()


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(sys.argv[2])
    else:
        client(sys.argv[2], sys.argv[3:])
