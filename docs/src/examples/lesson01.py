"""Lesson 1 in Python: check it with
    cargo run -p checker -- lesson1 --cmd "python3 docs/src/examples/lesson01.py"
"""
import socket
import sys


def server(addr):
    host, port = addr.rsplit(":", 1)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((host, int(port)))
        listener.listen(1)
        conn, _ = listener.accept()
        with conn:
            message = conn.recv(1024)
            # bytes.upper() changes ASCII letters only, like Rust's to_ascii_uppercase.
            conn.sendall(message.upper())


def client(addr, message):
    host, port = addr.rsplit(":", 1)
    try:
        conn = socket.create_connection((host, int(port)))
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
    with conn:
        conn.sendall(message.encode())
        reply = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:  # the server closed the connection
                break
            reply += chunk
    sys.stdout.buffer.write(reply + b"\n")


if __name__ == "__main__":
    role, args = sys.argv[1], sys.argv[2:]
    if role == "server":
        server(*args)
    else:
        client(*args)
