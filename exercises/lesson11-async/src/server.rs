// The server side of lesson 11: lesson 10's chat room, on tokio. Start here.
//
// Lesson 3 gave every client a thread; lesson 10 served them all from one
// thread that never blocked. Here every client gets a *task*: code that
// reads like lesson 3's (read a line, act on it, read the next), but at
// each `.await` where lesson 3 would block, the task hands its thread back
// to the runtime, which runs other tasks until this one's socket is ready:
// lesson 10's event loop, written for us. A task is a few hundred bytes,
// not a thread's stack, so ten thousand of them share a worker thread per
// core.
//
// Shutdown: on SIGINT or SIGTERM (Ctrl-C on Windows) we stop accepting,
// tell every connection through a `watch` channel, give them a moment to
// say goodbye, close what is left, and return.
//
// Run the checks with `cargo run -p checker -- lesson11`.

#[allow(unused_imports)] // you will use them in `run`
use crate::connection;
use crate::room::Room;
use std::future::Future;
use std::io;
#[allow(unused_imports)]
use std::sync::Arc;
use std::time::Duration;
#[allow(unused_imports)]
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How long the connections have to say goodbye once shutdown begins.
#[allow(dead_code)] // you will use it in `shut_down`
const GOODBYE_TIME: Duration = Duration::from_millis(500);

/// Serve the chat room on `addr` until SIGINT or SIGTERM.
pub async fn run(addr: &str) -> io::Result<()> {
    // TODO (step 1, the accept loop): first `shutdown_signal()?` (below,
    // written for you), so that a signal that comes early is already ours;
    // `tokio::pin!` it, since we will poll it again and again. Then
    // `TcpListener::bind(addr).await?`, an `Arc<Room>` shared by every
    // connection, a `watch::channel(())` for shutdown (each connection
    // gets a clone of the receiver) and a `JoinSet` for the connections'
    // tasks. Loop: `listener.accept().await` gives a socket, and
    // `connections.spawn(connection::handle(...))` gives it a task of its
    // own. `spawn` returns at once: the task runs whenever the runtime has a
    // thread for it. An accept error (out of file descriptors, say) is
    // printed; then sleep 100 ms with `tokio::time::sleep(..).await`, never
    // `std::thread::sleep`, which would stop the whole worker thread.
    //
    // Step 5 turns the loop into a `tokio::select!` between `accept()`,
    // `connections.join_next()` (collect finished tasks, or the set keeps
    // them all) and the signal; on the signal, drop the listener (it stops
    // accepting) and call `shut_down`.
    let _ = addr; // only so the skeleton compiles without warnings: delete this line
    todo!("bind, then accept in a loop and spawn a task per connection")
}

/// Tell every connection to say goodbye, and give them `GOODBYE_TIME`.
#[allow(dead_code)] // you will call it from `run` (step 5)
async fn shut_down(room: &Room, shutdown: &watch::Sender<()>, connections: JoinSet<()>) {
    // TODO (step 5, shutdown): `room.close()` first, so that nobody's
    // `* left` comes after the goodbye; then `shutdown.send_replace(())`:
    // every `changed()` waiting on a receiver wakes up, and each connection
    // writes `* server closing` and closes. Wait for them with
    // `connections.join_next()` until it gives `None`, but no longer than
    // `GOODBYE_TIME` (`tokio::time::timeout`): a client that does not read
    // may never take its goodbye. Then `connections.shutdown().await`
    // aborts the rest: an aborted task is dropped, its socket with it, and
    // a dropped socket is a closed connection.
    let _ = (room, shutdown, connections); // only so the skeleton compiles without warnings: delete this line
    todo!("silence the room, wake every connection, wait a little, abort the rest")
}

/// A future that completes at the first SIGINT (Ctrl-C) or SIGTERM. The
/// handlers are installed now, before the future is first awaited.
#[allow(dead_code)] // you will call it from `run`
#[cfg(unix)]
fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Windows has no SIGTERM: Ctrl-C (or Ctrl-Break) is how a console
/// program is asked to stop.
#[allow(dead_code)] // you will call it from `run`
#[cfg(not(unix))]
fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    let mut ctrl_c = tokio::signal::windows::ctrl_c()?;
    Ok(async move {
        ctrl_c.recv().await;
    })
}
