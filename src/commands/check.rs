//! `mintup check`: judge every file by PyPI's rules.

use crate::check;
use crate::cli::{CheckArgs, ReportFormat};
use crate::config::env::EnvSnapshot;
use crate::dist::collect;
use crate::output::{json, text};
use crate::settings;

use super::error::{Error, Exit};

/// `mintup check`: a verdict per file on stdout; unreadable files fail like
/// any other.
pub fn check_command(args: CheckArgs, env: EnvSnapshot) -> Result<Exit, Error> {
    let pypirc = settings::load_pypirc(args.repo.config_file.as_deref(), &env)?;
    let target = settings::resolve_check_target(&args.repo, &env, pypirc.as_ref())?;
    let dists = collect::collect(&args.dists).map_err(|e| Error::Prepare(e.into()))?;
    let mut readable = Vec::new();
    let mut unreadable = Vec::new();
    for (dist, facts) in dists.iter().zip(check::read_all(&dists, true)) {
        match facts {
            Ok(facts) => readable.push(facts),
            Err(e) => unreadable.push((dist.filename.filename.clone(), e)),
        }
    }
    let verdicts = check::check_all(&readable, target.kind);
    let failed = match args.format {
        ReportFormat::Json => json::print_check(&verdicts, &unreadable, args.strict),
        ReportFormat::Text => text::print_check(&verdicts, &unreadable, args.strict),
    };
    Ok(if failed { Exit::Failed } else { Exit::Ok })
}
