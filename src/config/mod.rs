//! Configuration sources other than flags: the `.pypirc` file and the
//! environment.

pub mod env;
pub mod pypirc;
