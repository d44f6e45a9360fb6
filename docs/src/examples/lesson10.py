"""Lesson 10 in Python: a chat room on one thread, with selectors.
Check it with
    cargo run -p checker -- lesson10 --cmd "python3 docs/src/examples/lesson10.py"
"""
import os
import re
import selectors
import socket
import sys
import time

MAX_LINE = 1000
MAX_OUTPUT = 64 * 1024
NAME = re.compile(rb"[A-Za-z0-9_-]{1,16}")
DRAIN = 2.0  # seconds the client waits for the server to close after stdin ends


class Client:
    def __init__(self, sock):
        self.sock = sock
        self.input = b""
        self.output = bytearray()
        self.name = None  # bytes, once it has named itself
        self.closing = False  # refused: close once the error is sent
        self.gone = False


class Room:
    def __init__(self, sel):
        self.sel = sel
        self.members = []  # named clients, in the order they joined

    def send(self, c, data, doomed):
        if c.gone:
            return
        if len(c.output) + len(data) > MAX_OUTPUT:  # a slow reader
            return self.doom(c, doomed)
        c.output += data
        self.flush(c, doomed)

    def flush(self, c, doomed):
        try:
            while c.output:
                n = c.sock.send(c.output)  # may take only part of it
                del c.output[:n]
        except BlockingIOError:  # Rust: ErrorKind::WouldBlock
            pass
        except OSError:
            return self.doom(c, doomed)
        if c.closing and not c.output:
            return self.doom(c, doomed)
        # selectors is level-triggered: ask for EVENT_WRITE only while there
        # is something to write, or select() reports "writable" forever.
        want = selectors.EVENT_READ | (selectors.EVENT_WRITE if c.output else 0)
        if self.sel.get_key(c.sock).events != want:
            self.sel.modify(c.sock, want, c)

    def others(self, c, data, doomed):
        for m in list(self.members):
            if m is not c:
                self.send(m, data, doomed)

    def doom(self, c, doomed):
        c.gone = True
        doomed.append(c)

    def drop(self, doomed):
        while doomed:
            c = doomed.pop()
            if c.sock is None:
                continue
            self.sel.unregister(c.sock)
            c.sock.close()
            c.sock = None
            if c in self.members:
                self.members.remove(c)
                self.others(c, b"* %s left\n" % c.name, doomed)

    def receive(self, c, doomed):
        try:
            data = c.sock.recv(65536)  # level-triggered: one read is enough
        except BlockingIOError:
            return
        except OSError:  # reset
            return self.doom(c, doomed)
        if not data:  # the client closed its side
            return self.doom(c, doomed)
        c.input += data
        while not c.gone:
            end = c.input.find(b"\n")
            if end < 0:
                if len(c.input) > MAX_LINE + 1:  # too long already
                    self.doom(c, doomed)
                return
            line, c.input = c.input[:end], c.input[end + 1:]
            if line.endswith(b"\r"):
                line = line[:-1]
            if len(line) > MAX_LINE:
                return self.doom(c, doomed)
            if c.closing:
                continue
            if c.name is None:
                self.join(c, line, doomed)
            elif line:
                self.others(c, b"[%s] %s\n" % (c.name, line), doomed)

    def join(self, c, name, doomed):
        if not NAME.fullmatch(name):
            c.closing = True
            return self.send(c, b"error: bad name\n", doomed)
        if any(m.name == name for m in self.members):
            c.closing = True
            return self.send(c, b"error: name taken\n", doomed)
        present = b"".join(b" " + m.name for m in self.members)
        self.send(c, b"* present:" + present + b"\n", doomed)
        self.others(c, b"* %s joined\n" % name, doomed)
        c.name = name
        self.members.append(c)


def server(addr):
    host, port = addr.rsplit(":", 1)
    listener = socket.create_server((host, int(port)))
    listener.setblocking(False)  # Rust: set_nonblocking(true)
    sel = selectors.DefaultSelector()  # epoll on Linux, kqueue on macOS
    sel.register(listener, selectors.EVENT_READ, None)
    room = Room(sel)
    while True:
        for key, events in sel.select():  # the one place we wait
            doomed = []
            if key.data is None:  # the listener: accept until BlockingIOError
                while True:
                    try:
                        sock, _ = listener.accept()
                    except BlockingIOError:
                        break
                    except OSError as err:
                        print(f"accept failed: {err}", file=sys.stderr)
                        break
                    sock.setblocking(False)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # small lines, sent at once
                    c = Client(sock)
                    sel.register(sock, selectors.EVENT_READ, c)
                    room.send(c, b"name?\n", doomed)
            else:
                c = key.data
                if events & selectors.EVENT_WRITE and not c.gone:
                    room.flush(c, doomed)
                if events & selectors.EVENT_READ and not c.gone:
                    room.receive(c, doomed)
            room.drop(doomed)


def client(addr, name):
    host, port = addr.rsplit(":", 1)
    try:
        sock = socket.create_connection((host, int(port)))
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    sock.sendall(name.encode() + b"\n")
    # select() accepts any stdin (a pipe, a terminal, a file), where epoll
    # refuses regular files.
    sel = selectors.SelectSelector()
    sel.register(sock, selectors.EVENT_READ)
    sel.register(0, selectors.EVENT_READ)
    deadline = None  # set when stdin ends
    last = b"\n"
    while True:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready = sel.select(timeout)
        if not ready:  # the server kept the connection open: leave anyway
            return 0
        for key, _ in ready:
            if key.fileobj is sock:
                try:
                    data = sock.recv(65536)
                except OSError as err:
                    print(f"error: {err}", file=sys.stderr)
                    return 1
                if not data:  # the server closed: we are done
                    return 0
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            else:
                data = os.read(0, 65536)
                if data:
                    sock.sendall(data)
                    last = data[-1:]
                else:  # end of stdin: finish the last line, then FIN
                    if last != b"\n":
                        sock.sendall(b"\n")
                    sock.shutdown(socket.SHUT_WR)
                    sel.unregister(0)
                    deadline = time.monotonic() + DRAIN


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "server":
        sys.exit(server(sys.argv[2]))
    if len(sys.argv) == 4 and sys.argv[1] == "client":
        sys.exit(client(sys.argv[2], sys.argv[3]))
    print("usage: lesson10.py server HOST:PORT | client HOST:PORT NAME", file=sys.stderr)
    sys.exit(2)
