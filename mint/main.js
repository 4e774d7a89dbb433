// The mint action's main step: install the released mintup with
// action/install.sh (which checks it against the digests committed in this
// action), mint a token, hand it on as the output `api-token`, and keep it
// in the step's state so that post.js can burn it when the job ends.
// Node's standard library only: the action ships no node_modules.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

/** Ends the step: with an ::error annotation, or none when the failing
 * program already said why. */
class Failure extends Error {
  constructor(message, status = 1) {
    super(message);
    this.status = status;
  }
}

// The runner passes input `name` as INPUT_<NAME>: upper-cased, spaces as
// underscores, hyphens kept (which is why bash could not read them).
function input(name) {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim();
}

// `name=value` lines for a runner file command (GITHUB_OUTPUT,
// GITHUB_STATE); every value is one line, checked where it is made.
function append(variable, entries) {
  const file = process.env[variable];
  if (!file) throw new Failure(`${variable} is not set: this action runs only as a GitHub Actions step`);
  fs.appendFileSync(file, entries.map(([name, value]) => `${name}=${value}\n`).join(''));
}

/** action/install.sh, with a GITHUB_OUTPUT of its own (so that `bin` is
 * no output of the action); the path of the checked binary. */
function install(scratch) {
  const output = path.join(scratch, 'install-output');
  // Forward slashes: on Windows the bash on PATH (Git Bash) splits paths on them.
  const script = path.join(__dirname, '..', 'action', 'install.sh').split(path.sep).join('/');
  const run = spawnSync('bash', [script], {
    stdio: 'inherit',
    env: {
      ...process.env,
      ACTION_REPOSITORY: process.env.GITHUB_ACTION_REPOSITORY || '',
      GITHUB_OUTPUT: output,
    },
  });
  if (run.status !== 0) throw new Failure('', run.status || 1);
  const bin = (fs.readFileSync(output, 'utf8').match(/^bin=(.+)$/m) || [])[1];
  if (!bin) throw new Failure('action/install.sh named no mintup binary');
  return bin;
}

/** `mintup mint`, its stdout a pipe to this process, so the token never
 * reaches the log; mintup masks it on stderr (which the runner reads)
 * before anything else. */
function mint(bin, url) {
  const args = ['mint', '--format', 'raw', '--repository-url', url];
  const audience = input('audience');
  if (audience) args.push('--audience', audience);
  const run = spawnSync(bin, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024,
  });
  if (run.error) throw new Failure(`cannot run ${bin}: ${run.error.message}`);
  if (run.status !== 0) throw new Failure('', run.status || 1);
  const token = run.stdout.trim();
  if (!/^[A-Za-z0-9._~+/=-]+$/.test(token)) throw new Failure('mintup mint printed no token');
  return token;
}

const scratch = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'mintup-mint-'));
try {
  const url = input('repository-url') || 'https://upload.pypi.org/legacy/';
  if (/[\r\n]/.test(url)) throw new Failure('repository-url must be one line');
  const bin = install(scratch);
  const token = mint(bin, url);
  // The state first: once a token exists, post.js must be able to burn it.
  append('GITHUB_STATE', [['token', token], ['bin', bin], ['url', url]]);
  append('GITHUB_OUTPUT', [['api-token', token]]);
} catch (e) {
  if (!(e instanceof Failure)) throw e;
  if (e.message) process.stdout.write(`::error title=mintup::${e.message}\n`);
  process.exitCode = e.status;
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
