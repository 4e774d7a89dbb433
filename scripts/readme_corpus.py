#!/usr/bin/env python3
"""Compare `mintup check`'s long-description verdict with `twine check`'s on
the real distributions listed in scripts/readme-corpus.txt. Run by
scripts/readme-corpus, with the Python of the venv that holds twine.

    readme_corpus.py --list FILE --dir DIR --mintup BIN --twine BIN [--all]

Downloads what DIR lacks (pip download, from PyPI), checks each file with both
tools, prints one line per disagreement, a summary, the description content
types and the time each tool takes on the whole corpus. Progress goes to
stderr. Exit status 0 when it ran, whatever the tools said; 1 when a file
could not be had.
"""

import argparse
import collections
import concurrent.futures
import email.parser
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

TIMING_RUNS = 3
# Rich (twine's printer) pads and wraps at the terminal width, which is 80
# when output is a pipe; a wide one keeps each message on one line.
TWINE_ENV = {**os.environ, "COLUMNS": "500"}
# twine 7, twine/commands/check.py: logged when readme_renderer returns None.
TWINE_FAILED = "`long_description` has syntax errors in markup"
# ... followed by the docutils reports, reformatted by its _WarningStream.
TWINE_REPORT = re.compile(r"^line \d*: (Debug|Info|Warning|Error|Severe): ")
MINTUP_STATUS = re.compile(r"^(PASSED|WARNED|FAILED)  ")
MINTUP_DESCRIPTION = re.compile(r"^\s*(error|warning): description: (.*)")


def say(message):
    print(f"readme-corpus: {message}", file=sys.stderr, flush=True)


class Entry:
    """One line of the list: a project, a version, and sdist or wheel."""

    def __init__(self, name, version, kind, lineno):
        self.name, self.version, self.kind, self.lineno = name, version, kind, lineno

    def __str__(self):
        return f"{self.name}=={self.version} ({self.kind})"

    def matches(self, filename):
        """Whether a file name is this entry's distribution."""
        try:
            if filename.endswith(".whl"):
                name, version, _, _ = parse_wheel_filename(filename)
                kind = "wheel"
            else:
                name, version = parse_sdist_filename(filename)
                kind = "sdist"
        except (InvalidSdistFilename, InvalidWheelFilename):
            return False
        return (
            kind == self.kind
            and name == canonicalize_name(self.name)
            and version == Version(self.version)
        )


def read_list(path):
    entries = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            requirement, _, comment = line.partition("#")
            requirement = requirement.strip()
            if not requirement:
                continue
            name, sep, version = requirement.partition("==")
            if not sep or not name.strip() or not version.strip():
                sys.exit(f"{path}:{lineno}: expected name==version, got {requirement!r}")
            kind = "wheel" if comment.strip() == "wheel" else "sdist"
            entries.append(Entry(name.strip(), version.strip(), kind, lineno))
    return entries


# --- download -------------------------------------------------------------------


def download(entry, corpus):
    """Download entry into corpus unless a file for it is there; return its path."""
    for filename in sorted(os.listdir(corpus)):
        if entry.matches(filename):
            return os.path.join(corpus, filename)
    if entry.kind == "sdist":
        # Only the project itself from source: `--no-binary :all:` would also
        # build its build backends from source (maturin takes minutes). pip
        # still prepares the sdist's metadata, in an isolated build env.
        kind_args = ["--no-binary", entry.name]
    else:
        kind_args = ["--only-binary", ":all:"]
    say(f"downloading {entry}")
    with tempfile.TemporaryDirectory(dir=corpus, prefix=".download-") as tmp:
        cmd = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--disable-pip-version-check", *kind_args, "--dest", tmp,
            f"{entry.name}=={entry.version}",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        got = os.listdir(tmp)
        if result.returncode != 0 or len(got) != 1 or not entry.matches(got[0]):
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
            say(f"could not download {entry} (list line {entry.lineno}), got {got}:\n{tail}")
            return None
        path = os.path.join(corpus, got[0])
        shutil.move(os.path.join(tmp, got[0]), path)
        return path


# --- metadata -------------------------------------------------------------------


def read_metadata(path):
    """The core metadata of an sdist (top-level PKG-INFO) or wheel (METADATA)."""
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as z:
            names = [
                n for n in z.namelist()
                if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
            ]
            raw = z.read(names[0]) if len(names) == 1 else None
    else:
        with tarfile.open(path) as t:
            members = [
                m for m in t.getmembers()
                if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
            ]
            raw = t.extractfile(members[0]).read() if len(members) == 1 else None
    if raw is None:
        return None
    return email.parser.BytesParser().parsebytes(raw)


def content_type(path):
    """rst, markdown, plain, or the declared type; a missing one means rst."""
    metadata = read_metadata(path)
    if metadata is None:
        return "unreadable", False
    declared = metadata.get("Description-Content-Type")
    if declared is None:
        return "rst", False
    media = declared.split(";")[0].strip().lower()
    kind = {"text/x-rst": "rst", "text/markdown": "markdown", "text/plain": "plain"}
    return kind.get(media, media), True


# --- verdicts -------------------------------------------------------------------


class Verdict:
    """pass, fail or error (the tool could not judge), with what it said."""

    def __init__(self, result, message=""):
        self.result, self.message = result, message


def twine_verdict(twine, path):
    proc = subprocess.run(
        [twine, "--no-color", "check", path],
        capture_output=True, text=True, env=TWINE_ENV,
    )
    lines = [line.strip() for line in (proc.stdout + proc.stderr).splitlines()]
    if any(TWINE_FAILED in line for line in lines):
        reports = [line for line in lines if TWINE_REPORT.match(line)]
        return Verdict("fail", "; ".join(reports) or "(no docutils report)")
    if any(line.startswith(f"Checking {path}: PASSED") for line in lines):
        return Verdict("pass")
    said = " ".join(line for line in lines if line).replace(f"Checking {path}: ", "")
    return Verdict("error", said[:300])


def mintup_verdict(mintup, path):
    proc = subprocess.run([mintup, "check", path], capture_output=True, text=True)
    lines = (proc.stdout + proc.stderr).splitlines()
    if proc.returncode not in (0, 1) or not any(MINTUP_STATUS.match(l) for l in lines):
        return Verdict("error", " ".join(l.strip() for l in lines)[:300])
    said = [m for m in map(MINTUP_DESCRIPTION.match, lines) if m]
    message = "; ".join(f"{m.group(1)}: {m.group(2)}" for m in said)
    if any(m.group(1) == "error" for m in said):
        return Verdict("fail", message)
    return Verdict("pass", message)


def check_all(files, twine, mintup):
    """Both verdicts for every file, two files at a time."""

    def one(path):
        return twine_verdict(twine, path), mintup_verdict(mintup, path)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, files))


# --- timing ---------------------------------------------------------------------


def best_time(cmd, env=None):
    best = None
    for _ in range(TIMING_RUNS):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, proc


def time_corpus(files, twine, mintup):
    mintup_s, _ = best_time([mintup, "check", *files])
    twine_s, proc = best_time([twine, "--no-color", "check", *files], env=TWINE_ENV)
    # twine stops at the first file it cannot read, which would flatter it.
    checked = sum(line.startswith("Checking ") for line in proc.stdout.splitlines())
    if checked != len(files):
        say(f"warning: twine checked only {checked} of {len(files)} files in one run")
    ratio = mintup_s / twine_s
    ratio_text = f"{ratio:.2f}" if ratio >= 0.01 else f"{ratio:.3f}"
    return f"check corpus: mintup {mintup_s:.3f} s, twine {twine_s:.3f} s (ratio {ratio_text}x)"


# --- main -----------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--mintup", required=True)
    parser.add_argument("--twine", required=True)
    parser.add_argument("--all", action="store_true", help="print every file, not only disagreements")
    args = parser.parse_args()

    entries = read_list(args.list)
    os.makedirs(args.dir, exist_ok=True)
    paths = [download(entry, args.dir) for entry in entries]
    if None in paths:
        say("some files could not be downloaded; nothing was checked")
        return 1

    say(f"checking {len(paths)} files with twine and mintup")
    verdicts = check_all(paths, args.twine, args.mintup)
    types = [content_type(path) for path in paths]

    counts = collections.Counter()
    width = max(len(os.path.basename(p)) for p in paths)
    for path, (twine, mintup), (ctype, _) in zip(paths, verdicts, types):
        pair = (twine.result, mintup.result)
        counts[pair] += 1
        if pair[0] == pair[1] and pair[0] != "error" and not args.all:
            continue
        line = f"{os.path.basename(path):<{width}}  {ctype:<8}  twine {twine.result:<5}  mintup {mintup.result:<5}"
        if twine.message:
            line += f"  twine: {twine.message}"
        if mintup.message:
            line += f"  mintup: {mintup.message}"
        print(line)

    total = len(paths)
    agree = counts[("fail", "fail")] + counts[("pass", "pass")]
    summary = (
        f"agreement: {agree}/{total} files ({100 * agree / total:.1f}%)"
        f" — both fail: {counts[('fail', 'fail')]}, both pass: {counts[('pass', 'pass')]},"
        f" only twine fails: {counts[('fail', 'pass')]}, only mintup fails: {counts[('pass', 'fail')]}"
    )
    errors = sum(n for pair, n in counts.items() if "error" in pair)
    if errors:
        summary += f", could not judge: {errors}"
    print(summary)

    by_type = collections.Counter(ctype for ctype, _ in types)
    undeclared = sum(1 for ctype, declared in types if ctype == "rst" and not declared)
    parts = [f"rst {by_type.pop('rst', 0)} ({undeclared} without Description-Content-Type)"]
    parts += [f"markdown {by_type.pop('markdown', 0)}", f"plain {by_type.pop('plain', 0)}"]
    parts += [f"{ctype} {n}" for ctype, n in sorted(by_type.items())]
    print("content types: " + ", ".join(parts))

    say(f"timing both tools on the whole corpus, best of {TIMING_RUNS}")
    print(time_corpus(paths, args.twine, args.mintup))
    return 0


if __name__ == "__main__":
    sys.exit(main())
