//! Many clients at once, a client that never reads, and what the server
//! costs: its threads and its CPU time while idle.

use crate::harness::{Ctx, Outcome};

pub(crate) fn crowd(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn one_thread(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn stalled_reader(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn no_busy_loop(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}
