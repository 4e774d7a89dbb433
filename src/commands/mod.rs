//! One module per subcommand: each runs its flow from resolved settings to
//! a result, and leaves every byte of output to [`crate::output`].

use self::error::Error;

pub mod attest;
pub mod burn;
pub mod check;
pub mod error;
pub mod mint;
mod signals;
mod stdin_token;
pub mod upload;

pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}
