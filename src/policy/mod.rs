//! (in progress)

use crate::cli::PolicyArgs;

pub fn run(_args: PolicyArgs) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
