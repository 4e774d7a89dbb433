//! Advice that goes with an error: what to do about it, shown as the
//! `hint:` line under the error's cause chain.

/// An error that can say what to do about it.
pub trait Hint {
    /// What to do, where the error's meaning is known.
    fn hint(&self) -> Option<String>;
}
