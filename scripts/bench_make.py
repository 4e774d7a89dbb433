#!/usr/bin/env python3
"""Write the benchmark's workloads: OUT/small/ (many small wheels, one
project each), OUT/big/ (one large wheel), OUT/release/ (one release: many
small wheels and an sdist of the same project and version) and OUT/many/
(several large wheels, one project each). Standard library only.

The distributions are real (METADATA or PKG-INFO, WHEEL, RECORD with hashes)
so that every uploader accepts them, but they are written by hand with
zipfile and tarfile rather than built, because only upload speed is being
measured.

    bench_make.py OUT [--small N] [--big-mib M] [--release N]
                      [--many N] [--many-mib M]
"""

import argparse
import base64
import gzip
import hashlib
import io
import os
import tarfile
import zipfile

CHUNK = 1 << 20
# A fixed timestamp keeps the small wheels byte-for-byte reproducible.
DATE = (2020, 1, 1, 0, 0, 0)


def record_hash(digest):
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def core_metadata(name, version):
    """METADATA (a wheel's) or PKG-INFO (an sdist's)."""
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {name.replace('_', '-')}\n"
        f"Version: {version}\n"
        "Summary: A generated distribution for the mintup upload benchmark\n"
    ).encode()


def dist_info(name, version, build=None):
    """The text members every wheel needs, as (path, bytes)."""
    di = f"{name}-{version}.dist-info"
    wheel = (
        "Wheel-Version: 1.0\n"
        "Generator: mintup-bench\n"
        "Root-Is-Purelib: true\n"
        "Tag: py3-none-any\n"
        + (f"Build: {build}\n" if build is not None else "")
    ).encode()
    return di, [(f"{di}/METADATA", core_metadata(name, version)), (f"{di}/WHEEL", wheel)]


def source(seed):
    """A few KB of poorly compressible source, so each file is a few KB on disk."""
    return "".join(f"K{n} = {hashlib.sha256(f'{seed}-{n}'.encode()).hexdigest()!r}\n"
                   for n in range(60)).encode()


def add(zf, records, path, data, compress=zipfile.ZIP_DEFLATED):
    info = zipfile.ZipInfo(path, DATE)
    info.compress_type = compress
    zf.writestr(info, data)
    records.append(f"{path},{record_hash(hashlib.sha256(data).digest())},{len(data)}")


def finish(zf, records, di):
    records.append(f"{di}/RECORD,,")
    add(zf, [], f"{di}/RECORD", ("\n".join(records) + "\n").encode())


def small_wheel(out, i):
    name, version = f"bench_small_{i:03d}", "1.0.0"
    path = os.path.join(out, f"{name}-{version}-py3-none-any.whl")
    di, members = dist_info(name, version)
    records = []
    with zipfile.ZipFile(path, "w") as zf:
        add(zf, records, f"{name}/__init__.py", source(i))
        for member, data in members:
            add(zf, records, member, data)
        finish(zf, records, di)
    return path


def release_wheel(out, name, version, build):
    """One of many wheels of one release: the same tags, told apart by the
    build tag (`name-1.0-<build>-py3-none-any.whl`), as a rebuilt wheel is."""
    path = os.path.join(out, f"{name}-{version}-{build}-py3-none-any.whl")
    di, members = dist_info(name, version, build)
    records = []
    with zipfile.ZipFile(path, "w") as zf:
        add(zf, records, f"{name}/__init__.py", source(f"{name}-{build}"))
        for member, data in members:
            add(zf, records, member, data)
        finish(zf, records, di)
    return path


def sdist(out, name, version):
    """`name-version.tar.gz` (PEP 625) with `name-version/PKG-INFO`."""
    top = f"{name}-{version}"
    path = os.path.join(out, f"{top}.tar.gz")
    members = [
        ("PKG-INFO", core_metadata(name, version)),
        ("pyproject.toml", (
            "[build-system]\n"
            'requires = ["setuptools>=61"]\n'
            'build-backend = "setuptools.build_meta"\n\n'
            "[project]\n"
            f'name = "{name.replace("_", "-")}"\n'
            f'version = "{version}"\n'
        ).encode()),
        (f"{name}/__init__.py", source(name)),
    ]
    # mtime 0 in the gzip header and the members: reproducible bytes.
    with open(path, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for member, data in members:
            info = tarfile.TarInfo(f"{top}/{member}")
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tf.addfile(info, io.BytesIO(data))
    return path


def big_wheel(out, mib, name="bench_big"):
    version = "1.0.0"
    path = os.path.join(out, f"{name}-{version}-py3-none-any.whl")
    di, members = dist_info(name, version)
    records = []
    with zipfile.ZipFile(path, "w", allowZip64=True) as zf:
        add(zf, records, f"{name}/__init__.py", b"")
        # Random bytes, STORED: incompressible, so the file really is ~mib MiB,
        # and written in chunks so generation needs little memory.
        info = zipfile.ZipInfo(f"{name}/blob.bin", DATE)
        info.compress_type = zipfile.ZIP_STORED
        sha = hashlib.sha256()
        with zf.open(info, "w", force_zip64=True) as dst:
            for _ in range(mib):
                chunk = os.urandom(CHUNK)
                sha.update(chunk)
                dst.write(chunk)
        records.append(f"{name}/blob.bin,{record_hash(sha.digest())},{mib * CHUNK}")
        for member, data in members:
            add(zf, records, member, data)
        finish(zf, records, di)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--small", type=int, default=50)
    ap.add_argument("--big-mib", type=int, default=500)
    ap.add_argument("--release", type=int, default=100,
                    help="wheels in OUT/release/, next to its one sdist")
    ap.add_argument("--many", type=int, default=8, help="large wheels in OUT/many/")
    ap.add_argument("--many-mib", type=int, default=64)
    args = ap.parse_args()
    for sub in ("small", "big", "release", "many"):
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
    for i in range(args.small):
        small_wheel(os.path.join(args.out, "small"), i)
    big_wheel(os.path.join(args.out, "big"), args.big_mib)
    release = os.path.join(args.out, "release")
    for build in range(1, args.release + 1):
        release_wheel(release, "bench_release", "1.0", build)
    sdist(release, "bench_release", "1.0")
    for i in range(1, args.many + 1):
        big_wheel(os.path.join(args.out, "many"), args.many_mib, f"bench_many_{i}")


if __name__ == "__main__":
    main()
