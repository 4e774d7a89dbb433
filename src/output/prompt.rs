//! Asking the person at the terminal for what no setting gave.

use std::io::Write;

use crate::auth::{Credentials, Secret};

/// Ask for the user name and password that are still missing.
pub fn prompt(
    username: Option<String>,
    password: Option<Secret>,
    url: &str,
) -> std::io::Result<Credentials> {
    let username = match username {
        Some(u) => u,
        None => {
            eprint!("Username for {url}: ");
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim().to_owned()
        }
    };
    let password = match password {
        Some(password) => password,
        None => Secret::new(rpassword::prompt_password(format!(
            "Password or token for {username} at {url}: "
        ))?),
    };
    Ok(Credentials { username, password })
}
