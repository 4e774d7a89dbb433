//! The credentials each upload attempt sends: fixed ones as given, or a
//! trusted-publishing token that is minted again before it runs out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use super::Reporter;
use crate::auth::{Credentials, Secret, TOKEN_USERNAME};
use crate::mint::{MintError, Minted, Minter};

/// How long a token must still be valid for an attempt to use it: long
/// enough for a large file to finish, since the index checks the token
/// when the whole request has arrived.
pub const REMINT_MARGIN: Duration = Duration::from_secs(5 * 60);

/// How the uploads authenticate.
pub struct UploadAuth(Source);

/// Every token a run minted, re-mints included: what it burns at the end.
pub type MintedTokens = Arc<std::sync::Mutex<Vec<Secret>>>;

enum Source {
    Fixed(Credentials),
    Minted {
        minter: Box<Minter>,
        current: Mutex<Current>,
        all: MintedTokens,
    },
}

/// The token in use and when it stops working.
struct Current {
    credentials: Credentials,
    valid_until: Instant,
}

impl UploadAuth {
    pub fn fixed(credentials: Credentials) -> Self {
        UploadAuth(Source::Fixed(credentials))
    }

    /// A minted token, valid until the index said ([`Minted::valid_until`],
    /// counted from when it was asked for, not from now).
    pub fn minted(minter: Minter, minted: Minted) -> Self {
        UploadAuth(Source::Minted {
            minter: Box::new(minter),
            all: Arc::new(std::sync::Mutex::new(vec![minted.token.clone()])),
            current: Mutex::new(Current {
                valid_until: minted.valid_until(),
                credentials: Credentials {
                    username: TOKEN_USERNAME.into(),
                    password: minted.token,
                },
            }),
        })
    }

    /// The tokens this run minted, for burning when it ends; None for
    /// credentials the user gave (never burned).
    pub fn minted_tokens(&self) -> Option<MintedTokens> {
        match &self.0 {
            Source::Fixed(_) => None,
            Source::Minted { all, .. } => Some(Arc::clone(all)),
        }
    }

    /// The credentials for the next attempt, minting anew when the token has
    /// less than [`REMINT_MARGIN`] left.
    pub async fn for_attempt(
        &self,
        client: &reqwest::Client,
        reporter: &dyn Reporter,
    ) -> Result<Credentials, MintError> {
        match &self.0 {
            Source::Fixed(credentials) => Ok(credentials.clone()),
            Source::Minted {
                minter,
                current,
                all,
            } => {
                let mut current = current.lock().await;
                if Instant::now() + REMINT_MARGIN >= current.valid_until {
                    let minted = minter.mint(client).await?;
                    reporter.new_secret(&minted.token);
                    reporter.note("note: minted a fresh token (the last one was about to expire)");
                    current.valid_until = minted.valid_until();
                    all.lock()
                        .expect("minted tokens")
                        .push(minted.token.clone());
                    current.credentials.password = minted.token;
                }
                Ok(current.credentials.clone())
            }
        }
    }
}
