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
    def __init__(self, name, writer, at):
        self.name = name
        self.writer = writer
        self.at = at  # how far into the room's log its writer has taken
        self.own = []  # (start, end) of its own lines in the log: not for it
        self.writing = None  # its writer task


class Room:
    """One log of everything said, and a reading position per member.

    The Rust solution gives each member a queue of lines. Python pays about
    a microsecond to put a line on a queue, and 10,000 joins are 50 million
    lines: here a line is appended once, and each writer takes everything
    after its position in one slice, for one write (Rust: `try_recv` until
    empty). The 64 KiB budget is the distance from a member's position to
    the end, plus what its socket has not taken yet."""

    def __init__(self):
        self.members = []  # in the order they joined
        self.log = bytearray()  # what was said, from position self.base on
        self.base = 0
        self.news = asyncio.Event()  # set when the log grows; then replaced
        self.draining = set()  # members whose writer waits for its socket
        self.closed = False  # shutdown: no more news

    def end(self):
        return self.base + len(self.log)

    def unsent(self, m):
        return self.end() - m.at + m.writer.transport.get_write_buffer_size()

    def others(self, sender, line):
        """Say line to every member but sender."""
        if self.closed:
            return
        if sender:
            sender.own.append((self.end(), self.end() + len(line)))
        self.log += line
        self.news.set()  # wakes every writer waiting for news
        self.news = asyncio.Event()
        # Only a writer stuck in drain() can fall behind: drop it past 64 KiB.
        for m in [m for m in self.draining if self.unsent(m) > MAX_QUEUED]:
            self.remove(m)
        if len(self.log) > 1 << 20:  # forget what every writer has taken
            keep = min((m.at for m in self.members), default=self.end())
            del self.log[: keep - self.base]
            self.base = keep

    def take(self, m):
        """Everything after m's position, less its own lines."""
        batch = self.log[m.at - self.base :]
        for start, end in reversed(m.own):
            del batch[start - m.at : end - m.at]
        m.at, m.own = self.end(), []
        return batch

    def join(self, name, writer):
        if not NAME.fullmatch(name):
            raise ValueError(b"error: bad name\n")
        if any(m.name == name for m in self.members):
            raise ValueError(b"error: name taken\n")
        writer.write(b"* present:" + b"".join(b" " + m.name for m in self.members) + b"\n")
        self.others(None, b"* %s joined\n" % name)
        m = Member(name, writer, self.end())  # it reads from after its `joined`
        self.members.append(m)
        return m

    def remove(self, m):
        if m in self.members:
            self.members.remove(m)
            self.draining.discard(m)
            m.writer.transport.abort()  # closed at once
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


async def write_queue(room, m):
    """Write what the room said for m, all of it in one write each time."""
    try:
        while True:
            while m.at == room.end():
                await room.news.wait()  # Rust: recv().await
            m.writer.write(room.take(m))
            room.draining.add(m)
            await m.writer.drain()  # waits while the kernel will not take more
            room.draining.discard(m)
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
        m.writing = asyncio.create_task(write_queue(room, m))  # Rust: tokio::spawn
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
