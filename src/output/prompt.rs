//! Asking the person at the terminal for what no setting gave.

use std::io::Write;

use crate::auth::{Credentials, Secret};
use crate::commands::error::Error;

pub fn prompt(
    username: Option<String>,
    password: Option<Secret>,
    url: &str,
) -> Result<Credentials, Error> {
    let username = match username {
        Some(u) => u,
        None => {
            eprint!("Username for {url}: ");
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(Error::Prompt)?;
            line.trim().to_owned()
        }
    };
    let password = match password {
        Some(password) => password,
        None => Secret::new(
            rpassword::prompt_password(format!("Password or token for {username} at {url}: "))
                .map_err(Error::Prompt)?,
        ),
    };
    Ok(Credentials { username, password })
}
