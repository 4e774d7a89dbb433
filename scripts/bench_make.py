#!/usr/bin/env python3
"""Write the benchmark's workloads: OUT/small/ (many small wheels) and
OUT/big/ (one large wheel). Standard library only.

The wheels are real (METADATA, WHEEL, RECORD with hashes) so that every
uploader accepts them, but they are written by hand with zipfile rather than
built, because only upload speed is being measured.

    bench_make.py OUT [--small N] [--big-mib M]
"""

import argparse
import base64
import hashlib
import os
import zipfile

CHUNK = 1 << 20
# A fixed timestamp keeps the small wheels byte-for-byte reproducible.
DATE = (2020, 1, 1, 0, 0, 0)


def record_hash(digest):
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def dist_info(name, version):
    """The text members every wheel needs, as (path, bytes)."""
    di = f"{name}-{version}.dist-info"
    metadata = (
        "Metadata-Version: 2.1\n"
        f"Name: {name.replace('_', '-')}\n"
        f"Version: {version}\n"
        "Summary: A generated wheel for the mintup upload benchmark\n"
    ).encode()
    wheel = (
        "Wheel-Version: 1.0\n"
        "Generator: mintup-bench\n"
        "Root-Is-Purelib: true\n"
        "Tag: py3-none-any\n"
    ).encode()
    return di, [(f"{di}/METADATA", metadata), (f"{di}/WHEEL", wheel)]


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
    # A few KB of poorly compressible source, so each file is a few KB on disk.
    body = "".join(f"K{n} = {hashlib.sha256(f'{i}-{n}'.encode()).hexdigest()!r}\n"
                   for n in range(60)).encode()
    records = []
    with zipfile.ZipFile(path, "w") as zf:
        add(zf, records, f"{name}/__init__.py", body)
        for member, data in members:
            add(zf, records, member, data)
        finish(zf, records, di)
    return path


def big_wheel(out, mib):
    name, version = "bench_big", "1.0.0"
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
    ap.add_argument("--big-mib", type=int, default=300)
    args = ap.parse_args()
    for sub in ("small", "big"):
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
    for i in range(args.small):
        small_wheel(os.path.join(args.out, "small"), i)
    big_wheel(os.path.join(args.out, "big"), args.big_mib)


if __name__ == "__main__":
    main()
