//! The `mintup` binary: parse arguments, run the command, render any error,
//! and exit with the command's status.

#![allow(clippy::print_stderr)]

use std::process::ExitCode;

use clap::Parser;

use mintup::cli::{Cli, Command};
use mintup::commands::{self, error::Error};
use mintup::config::env::EnvSnapshot;
use mintup::hint::Hint;
use mintup::output::github::CiOutput;
use mintup::output::text::render;
use mintup::untrusted::defuse_commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = EnvSnapshot::capture();
    let ci = CiOutput::new(&env);
    let result = match cli.command {
        Command::Upload(args) => commands::upload::upload_command(args, env, &ci),
        Command::Mint(args) => commands::mint::mint_command(args, env, &ci),
        Command::Check(args) => commands::check::check_command(args, env),
        Command::Attest(args) => commands::attest::attest_command(args, env),
        Command::Burn(args) => commands::burn::burn_command(args, env),
    };
    let exit = match result {
        Ok(exit) => exit,
        Err(e) => {
            let hint = e.hint();
            // The last safety net: no line of an error may read as a
            // workflow command, whatever text reached it.
            eprint!("{}", defuse_commands(&render(&e, hint.as_deref())));
            let title = match e {
                Error::Mint(_) => "Trusted publishing failed",
                Error::Burn(_) => "Token burn failed",
                _ => "mintup failed",
            };
            ci.report_failure(title, &e, hint.as_deref());
            e.exit()
        }
    };
    exit.into()
}
