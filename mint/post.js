// The mint action's post step, run by GitHub when the job ends, whether it
// failed or not: burn the token main.js minted, handing it to
// `mintup burn -t -` on stdin (never on the command line, where other
// processes could read it). Nothing was minted, nothing to do.
'use strict';

const { spawnSync } = require('child_process');

const token = process.env.STATE_token || '';
if (!token) {
  process.stdout.write('mintup: no token was minted, so none is burned\n');
  process.exit(0);
}

// A failed burn is a warning, as in `mintup upload`: the token expires by
// itself, and the job's outcome is the publish's. Without GITHUB_ACTIONS,
// mintup reports the failure as text instead of an ::error annotation.
const env = { ...process.env };
delete env.GITHUB_ACTIONS;
for (const name of Object.keys(env)) if (name.startsWith('STATE_')) delete env[name];

const burn = spawnSync(
  process.env.STATE_bin,
  ['burn', '--repository-url', process.env.STATE_url, '-t', '-'],
  { input: `${token}\n`, stdio: ['pipe', 'inherit', 'inherit'], env, timeout: 60_000 },
);
if (burn.error || burn.status !== 0) {
  process.stdout.write(
    '::warning title=mintup::the token was not burned (see above); it stays valid until it expires, 15 minutes after it was minted at most\n',
  );
}
