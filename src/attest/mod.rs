//! PEP 740 publish attestations: their JSON shape, and the checks of a
//! Rekor v1 transparency-log entry that can be made offline (inclusion
//! proof, signed checkpoint, signed entry timestamp, consistency with the
//! envelope). Facts: `../shared/reference/attestations.md`. Pure: bytes and
//! keys in, verdicts out.

pub mod certificate;
pub mod chain;
pub mod check;
#[cfg(test)]
mod fixtures;
pub mod fulcio;
pub mod key;
pub mod log;
pub mod model;
pub mod rekor;
pub mod run;
pub mod sign;
pub mod trust;
