//! The integration tests, as one binary: it links once, and its modules share `util/` (the
//! temporary repository, fake tokens, the typed JSON report) and the labelled `corpus/`. Each
//! module runs the real hushguard binary; `cmd` runs the command-line cases kept as data in
//! `tests/cmd/`.

mod corpus;
mod util;

mod audit;
mod ci_formats;
mod cli;
mod cmd;
mod detection;
mod first_use;
mod hooks;
mod hostile;
mod import;
mod policy;
mod precommit_framework;
mod prereceive;
mod properties;
mod range;
mod rules;
mod sarif;
mod snapshots;
mod staged;
