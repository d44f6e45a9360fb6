"""Lesson 11 in Python: the chat room with asyncio, and a clean shutdown.
Check it with
    cargo run -p checker -- lesson11 --cmd "python3 docs/src/examples/lesson11.py"
"""
import asyncio
import os
import re
import signal
import sys

MAX_LINE = 1000
MAX_QUEUED = 64 * 1024
NAME = re.compile(rb"[A-Za-z0-9_-]{1,16}")
GOODBYE = b"* server closing\n"
GOODBYE_TIME = 0.5  # seconds the connections have to say goodbye
DRAIN = 2.0  # seconds the client waits for the server to close after stdin ends


class Member:
    def __init__(self, name, writer):
        self.name = name
        self.writer = writer
        self.queue = asyncio.Queue()  # Rust: mpsc::unbounded_channel()
        self.queued = 0  # bytes queued and not yet written
        self.writing = None  # its writer task


class Room:
    def __init__(self):
        self.members = []  # in the order they joined
        self.closed = False  # shutdown: no more news

    def push(self, m, line):
        """Queue a line for m; False if that takes it over MAX_QUEUED."""
        m.queued += len(line)
        if m.queued > MAX_QUEUED:
            return False
        m.queue.put_nowait(line)
        return True

    def others(self, sender, line):
        if self.closed:
            return
        over = [m for m in self.members if m is not sender and not self.push(m, line)]
        for m in over:
            self.remove(m)

    def join(self, name, writer):
        if not NAME.fullmatch(name):
            raise ValueError(b"error: bad name\n")
        if any(m.name == name for m in self.members):
            raise ValueError(b"error: name taken\n")
        m = Member(name, writer)
        if not self.push(m, b"* present:" + b"".join(b" " + o.name for o in self.members) + b"\n"):
            raise ValueError(b"")  # over its budget already: closed, unannounced
        self.members.append(m)
        self.others(m, b"* %s joined\n" % name)
        return m

    def remove(self, m):
        if m in self.members:
            self.members.remove(m)
            m.writer.transport.abort()  # a slow reader: closed at once
            self.others(m, b"* %s left\n" % m.name)


async def read_line(reader):
    """The next line without its line end; None at the end of the stream
    or for a line over MAX_LINE."""
    try:
        # The stream's limit (start_server's limit=) bounds what we keep.
        raw = await reader.readuntil(b"\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    line = raw[:-1]
    if line.endswith(b"\r"):
        line = line[:-1]
    return line if len(line) <= MAX_LINE else None


async def write_queue(m):
    """Write what is queued for m, as much as is there in one write."""
    try:
        while True:
            batch = bytearray(await m.queue.get())
            while not m.queue.empty():  # Rust: try_recv until it fails
                batch += m.queue.get_nowait()
            m.writer.write(batch)
            await m.writer.drain()  # waits while the kernel will not take more
            m.queued -= len(batch)
    except ConnectionError:
        pass  # the client is gone: its reading side notices too


async def handle(room, connections, reader, writer):
    connections.add(writer)
    m = None
    try:
        writer.write(b"name?\n")
        name = await read_line(reader)
        if name is None:
            return
        try:
            m = room.join(name, writer)
        except ValueError as refused:
            writer.write(refused.args[0])
            return
        m.writing = asyncio.create_task(write_queue(m))  # Rust: tokio::spawn
        while (line := await read_line(reader)) is not None:
            if line:
                room.others(m, b"[%s] %s\n" % (m.name, line))
    finally:
        if not room.closed:  # at shutdown, serve() closes everything
            if m:
                m.writing.cancel()
                room.remove(m)
            connections.discard(writer)
            writer.close()


async def serve(addr):
    host, port = addr.rsplit(":", 1)
    room, connections = Room(), set()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Rust: tokio::signal. Windows has no add_signal_handler: there Ctrl-C
    # raises KeyboardInterrupt instead, and there is no goodbye.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        server = await asyncio.start_server(
            lambda r, w: handle(room, connections, r, w), host, int(port), limit=MAX_LINE + 2
        )
    except OSError as err:  # the port is taken, say
        print(f"error: {err}", file=sys.stderr)
        return 1
    await stop.wait()
    server.close()  # stop accepting
    room.closed = True
    for m in room.members:
        m.writing.cancel()  # Rust: JoinHandle::abort
    for writer in connections:
        # write() only hands the bytes to the transport, after any earlier
        # batch: the goodbye never cuts a line in two.
        writer.write(GOODBYE)
        writer.close()
    closing = [w.wait_closed() for w in connections]
    try:
        await asyncio.wait_for(asyncio.gather(*closing, return_exceptions=True), GOODBYE_TIME)
    except asyncio.TimeoutError:
        for writer in connections:
            writer.transport.abort()
    return 0


async def client(addr, name):
    host, port = addr.rsplit(":", 1)
    try:
        reader, writer = await asyncio.open_connection(host, int(port), limit=1 << 20)
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    writer.write(name.encode() + b"\n")

    async def print_lines():
        while line := await reader.readline():
            sys.stdout.buffer.write(line)
            sys.stdout.buffer.flush()

    async def send_lines():
        loop = asyncio.get_running_loop()
        # stdin is read on a thread: it may be a file, which no event loop watches.
        while line := await loop.run_in_executor(None, sys.stdin.buffer.readline):
            writer.write(line if line.endswith(b"\n") else line + b"\n")
        writer.write_eof()  # FIN

    printing = asyncio.create_task(print_lines())
    sending = asyncio.create_task(send_lines())
    done, _ = await asyncio.wait({printing, sending}, return_when=asyncio.FIRST_COMPLETED)
    if sending in done:
        try:  # keep printing until the server closes, DRAIN at most
            await asyncio.wait_for(printing, DRAIN)
        except (asyncio.TimeoutError, ConnectionError):
            pass
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "server":
        sys.exit(asyncio.run(serve(sys.argv[2])))
    if len(sys.argv) == 4 and sys.argv[1] == "client":
        code = asyncio.run(client(sys.argv[2], sys.argv[3]))
        sys.stdout.flush()
        # The stdin thread may still wait for a line nobody will send.
        os._exit(code)
    print("usage: lesson11.py server HOST:PORT | client HOST:PORT NAME", file=sys.stderr)
    sys.exit(2)
