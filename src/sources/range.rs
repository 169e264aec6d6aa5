//! (in progress)

use crate::cli::ScanArgs;

pub fn run(_args: ScanArgs) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
