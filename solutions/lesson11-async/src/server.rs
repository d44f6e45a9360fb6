// The server side of lesson 11: lesson 10's chat room, on tokio.
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

use crate::connection;
use crate::room::Room;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How long the connections have to say goodbye once shutdown begins.
const GOODBYE_TIME: Duration = Duration::from_millis(500);

/// Serve the chat room on `addr` until SIGINT or SIGTERM.
pub async fn run(addr: &str) -> io::Result<()> {
    // The signal handlers before anything else: a signal that came before
    // them would end us the default way, with no goodbye.
    let signal = shutdown_signal()?;
    tokio::pin!(signal);
    let listener = TcpListener::bind(addr).await?;
    let room = Arc::new(Room::default());
    // Every connection holds a receiver; one `send` wakes them all.
    let (shutdown, on_shutdown) = watch::channel(());
    let mut connections = JoinSet::new();

    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                // A task per connection. `spawn` returns at once: the task
                // runs whenever the runtime has a thread for it.
                Ok((socket, _peer)) => {
                    connections.spawn(connection::handle(socket, Arc::clone(&room), on_shutdown.clone()));
                }
                // Out of file descriptors, say: pause instead of spinning.
                Err(err) => {
                    eprintln!("accept failed: {err} (retrying)");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            // Collect the tasks that ended, or the set would keep them all.
            Some(_) = connections.join_next() => {}
            () = &mut signal => break,
        }
    }

    // Stop accepting: closing the listener refuses whoever connects now.
    drop(listener);
    shut_down(&room, &shutdown, connections).await;
    Ok(())
}

/// Tell every connection to say goodbye, and give them `GOODBYE_TIME`.
async fn shut_down(room: &Room, shutdown: &watch::Sender<()>, mut connections: JoinSet<()>) {
    // Silence the room first, then wake every connection.
    room.close();
    shutdown.send_replace(());
    // Each connection writes `* server closing` and closes. A client that
    // does not read may never take it: we wait `GOODBYE_TIME`, no more.
    let all_closed = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(GOODBYE_TIME, all_closed).await.is_err() {
        // Abort the rest: an aborted task is dropped, its socket with it,
        // and dropping a socket closes the connection.
        connections.shutdown().await;
    }
}

/// A future that completes at the first SIGINT (Ctrl-C) or SIGTERM. The
/// handlers are installed now, before the future is first awaited.
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
#[cfg(not(unix))]
fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    let mut ctrl_c = tokio::signal::windows::ctrl_c()?;
    Ok(async move {
        ctrl_c.recv().await;
    })
}
