//! `mintup check`: judge every file by PyPI's rules.

use std::io::Write;

use crate::check::{self, Severity};
use crate::cli::{CheckArgs, ReportFormat};
use crate::config::env::EnvSnapshot;
use crate::dist::collect;
use crate::output::json;
use crate::output::text::render;
use crate::settings;

use super::error::{EXIT_FAILED, EXIT_OK, Error};

/// `mintup check`: a verdict per file on stdout; unreadable files fail like
/// any other.
pub fn check_command(args: CheckArgs, env: EnvSnapshot) -> Result<i32, Error> {
    let pypirc = settings::load_pypirc(args.repo.config_file.as_deref(), &env)?;
    let target = settings::resolve_check_target(&args.repo, &env, pypirc.as_ref())?;
    let dists = collect::collect(&args.dists).map_err(|e| Error::Prepare(e.into()))?;
    let mut readable = Vec::new();
    let mut unreadable = Vec::new();
    for dist in &dists {
        let facts = check::facts(dist).map(|mut facts| {
            check::verify_record_hashes(dist, &mut facts);
            facts
        });
        match facts {
            Ok(facts) => readable.push(facts),
            Err(e) => unreadable.push((dist.filename.filename.clone(), e)),
        }
    }
    let verdicts = check::check_all(&readable, target.kind);
    if args.format == ReportFormat::Json {
        let unreadable: Vec<json::Unreadable<'_>> = unreadable
            .iter()
            .map(|(filename, error)| json::Unreadable {
                filename,
                error,
                hint: error.hint(),
            })
            .collect();
        let report = json::check(&verdicts, &unreadable, args.strict);
        let ok = report["ok"].as_bool().unwrap_or(false);
        println!("{report}");
        return Ok(if ok { EXIT_OK } else { EXIT_FAILED });
    }
    let mut stdout = std::io::stdout().lock();
    let mut failed = false;
    for (filename, error) in &unreadable {
        failed = true;
        let _ = writeln!(stdout, "FAILED  {filename}");
        let text = render(error, error.hint());
        for line in text.lines() {
            let _ = writeln!(stdout, "    {line}");
        }
    }
    for verdict in &verdicts {
        let word = match verdict.worst() {
            None => "PASSED",
            Some(Severity::Warning) => "WARNED",
            Some(Severity::Error) => "FAILED",
        };
        failed |= verdict.fails(args.strict);
        let _ = writeln!(stdout, "{word}  {}", verdict.filename);
        for problem in &verdict.problems {
            let _ = writeln!(stdout, "    {problem}");
        }
    }
    Ok(if failed { EXIT_FAILED } else { EXIT_OK })
}
