//! The client under test, with the checker as its server.

use crate::harness::{Ctx, Outcome};

pub(crate) fn sends(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn prints(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn stdin_ends(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn refused(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}
