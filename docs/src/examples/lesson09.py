"""Lesson 9 in Python: a key-value store over length-prefixed frames.
Check it with
    cargo run -p checker -- lesson9 --cmd "python3 docs/src/examples/lesson09.py"
"""
import socket
import struct
import sys
import threading

MAX_FRAME = 1_048_576


class TooLarge(Exception):
    pass


def recv_exact(sock, n):
    """Exactly n bytes, or None if the peer closed first."""
    chunks = []
    while n > 0:
        chunk = sock.recv(min(n, 65536))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(sock):
    prefix = recv_exact(sock, 4)
    if prefix is None:
        return None
    (length,) = struct.unpack(">I", prefix)
    if length > MAX_FRAME:  # check before trusting (and allocating)
        raise TooLarge(length)
    return recv_exact(sock, length)


def write_frame(sock, body):
    sock.sendall(struct.pack(">I", len(body)) + body)


def parse(body):
    if len(body) < 2:
        return None, "request too short"
    op, k = body[0:1], body[1]
    if k == 0 or len(body) - 2 < k:
        return None, "bad key length"
    key, value = body[2:2 + k], body[2 + k:]
    if op == b"S" or (op in (b"G", b"D") and not value):
        return (op, key, value), None
    return None, "unknown operation"


def handle(conn, store, lock):
    with conn:
        while True:
            try:
                body = read_frame(conn)
            except TooLarge:
                write_frame(conn, b"Eframe too large")
                return
            except OSError:
                return
            if body is None:  # the client left, maybe in the middle of a frame
                return
            request, error = parse(body)
            if error:
                write_frame(conn, b"E" + error.encode())
                continue
            op, key, value = request
            with lock:
                if op == b"S":
                    store[key] = value
                    answer = b"O"
                elif op == b"G":
                    answer = b"O" + store[key] if key in store else b"N"
                else:
                    answer = b"O" if store.pop(key, None) is not None else b"N"
            write_frame(conn, answer)


def server(addr):
    host, port = addr.rsplit(":", 1)
    listener = socket.create_server((host, int(port)))
    store, lock = {}, threading.Lock()
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn, store, lock), daemon=True).start()


def client(addr):
    host, port = addr.rsplit(":", 1)
    try:
        sock = socket.create_connection((host, int(port)))
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for line in sys.stdin.buffer:
        line = line.rstrip(b"\r\n")
        command, _, rest = line.partition(b" ")
        if command == b"set":
            key, _, value = rest.partition(b" ")
            op = b"S"
        elif command in (b"get", b"del"):
            key, value, op = rest, b"", b"G" if command == b"get" else b"D"
        else:
            print(f"skipped {line!r}", file=sys.stderr)
            continue
        write_frame(sock, op + bytes([len(key)]) + key + value)
        answer = read_frame(sock)
        if answer is None:
            print("error: the server closed the connection", file=sys.stderr)
            return 1
        status, rest = answer[0:1], answer[1:].decode("utf-8", "replace")
        if status == b"O":
            print(f"VALUE {rest}" if op == b"G" else "OK", flush=True)
        elif status == b"N":
            print("NOT FOUND", flush=True)
        else:
            print(f"ERROR {rest}", flush=True)
    return 0


if __name__ == "__main__":
    role, addr = sys.argv[1], sys.argv[2]
    sys.exit(server(addr) if role == "server" else client(addr))
