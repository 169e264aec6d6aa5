//! (in progress)

use crate::cli::{InstallArgs, UninstallArgs};

pub fn install(_args: InstallArgs) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}

pub fn uninstall(_args: UninstallArgs) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
