//! (in progress)

use crate::cli::{AuditArgs, BaselineArgs};

pub fn run(_args: AuditArgs) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}

pub fn baseline(_args: BaselineArgs) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
