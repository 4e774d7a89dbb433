#!/usr/bin/env python3
"""Seeds for scripts/fuzz that the fixtures do not hold, written into
fuzz/corpus/<target>/ (standard library only):

- sdist: tar.gz sdists whose members carry GNU long-name/long-link and pax
  headers, the ones the byte budget (src/dist/budget.rs) meters;
- budget: the same as plain tar streams after the budget target's two
  leading bytes (header allowance, total);
- untrusted: server text with workflow commands, escapes and invisibles;
- attest: the real attestations, and Rekor's, Fulcio's and a trust
  config's JSON made from them.
"""

import base64
import gzip
import io
import json
import pathlib
import sys
import tarfile

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
corpus = root / "fuzz" / "corpus"
PKG_INFO = b"Metadata-Version: 2.1\nName: x\nVersion: 1.0\nSummary: s\n"


def write(target, name, data):
    path = corpus / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def tar_bytes(fmt, long_name, pax=None):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt, pax_headers=pax or {}) as tar:
        def add(name, data, **kw):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            for k, v in kw.items():
                setattr(info, k, v)
            tar.addfile(info, io.BytesIO(data))

        add("x-1.0/PKG-INFO", PKG_INFO)
        add("x-1.0/" + long_name, b"print()\n")
        link = tarfile.TarInfo("x-1.0/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "x-1.0/" + long_name
        tar.addfile(link)
        add("x-1.0/setup.py", b"", uname="u" * 40, gname="g" * 40)
    return out.getvalue()


long_name = "/".join(["d" * 60] * 5) + "/mod.py"  # 300+ bytes: no ustar fit
cases = {
    "gnu-longname": tar_bytes(tarfile.GNU_FORMAT, long_name),
    "pax-longname": tar_bytes(
        tarfile.PAX_FORMAT, long_name, {"comment": "c" * 200, "mtime": "1.5"}
    ),
    "pax-global": tar_bytes(tarfile.PAX_FORMAT, "short.py", {"comment": "git"}),
}
for name, tar in cases.items():
    write("sdist", f"{name}.tar.gz", gzip.compress(tar, mtime=0))
    write("budget", name, bytes([7, 63]) + tar)
    write("budget", name + "-tight", bytes([0, 3]) + tar)

for i, text in enumerate(
    [
        "ok\n::add-mask::x\n  ::stop-commands::tok\r::warning::w\nsee ##[set-output name=a]b",
        ":\u200b:add-mask::x\n#\u00ad#[group]y\n\ufeff::z::\u2028::w::",
        "\x1b[31mred\x1b[0m \x1b]8;;https://x\x07link\x1b]8;;\x1b\\ \x9b2J\x9d0;t\x9c",
        "a | b\n\n<img src=x> [l](u) `c` \\| 1 ##[y] pypi-AgEIcHlwaS5vcmc "
        "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJweXBpIn0.c2ln",
        "\x01hunter2secret\nHTTP 400 hunter2secret: ::error::hunter2secret",
    ]
):
    write("untrusted", f"seed{i}", text.encode())

attestations = root / "fixtures" / "attestations"
cas = json.loads((attestations / "fulcio-cas.json").read_text())
keys = json.loads((attestations / "rekor-keys.json").read_text())
for path in sorted(attestations.glob("*.publish.attestation")):
    stem = path.name.split(".publish")[0]
    raw = path.read_bytes()
    write("attest", f"{stem}.attestation", raw)
    attestation = json.loads(raw)
    leaf = base64.b64decode(attestation["verification_material"]["certificate"])
    write("attest", f"{stem}.leaf.der", leaf)
    entry = attestation["verification_material"]["transparency_entries"][0]
    proof = entry["inclusionProof"]
    hexed = lambda b64: base64.b64decode(b64).hex()  # noqa: E731
    answer = {
        "24296fb24b8ad77a": {
            "body": entry["canonicalizedBody"],
            "integratedTime": int(entry["integratedTime"]),
            "logID": hexed(entry["logId"]["keyId"]),
            "logIndex": int(entry["logIndex"]),
            "verification": {
                "signedEntryTimestamp": entry["inclusionPromise"]["signedEntryTimestamp"],
                "inclusionProof": {
                    "checkpoint": proof["checkpoint"]["envelope"],
                    "hashes": [hexed(h) for h in proof["hashes"]],
                    "logIndex": int(proof["logIndex"]),
                    "rootHash": hexed(proof["rootHash"]),
                    "treeSize": int(proof["treeSize"]),
                },
            },
        }
    }
    write("attest", f"{stem}.rekor.json", json.dumps(answer).encode())
    pem = "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % (
        base64.b64encode(leaf).decode()
    )
    fulcio = {"signedCertificateEmbeddedSct": {"chain": {"certificates": [pem]}}}
    write("attest", f"{stem}.fulcio.json", json.dumps(fulcio).encode())

trust = {
    "signingConfig": {
        "caUrls": [{"url": "https://fulcio.sigstore.dev", "majorApiVersion": 1}],
        "rekorTlogUrls": [{"url": "https://rekor.sigstore.dev", "majorApiVersion": 1}],
    },
    "trustedRoot": {
        "tlogs": [
            {
                "baseUrl": k["baseUrl"],
                "publicKey": {"rawBytes": k["publicKey"], "keyDetails": "PKIX_ECDSA_P256_SHA_256"},
            }
            for k in keys
        ],
        "certificateAuthorities": [
            {"certChain": {"certificates": [{"rawBytes": c} for c in chain]}}
            for chain in cas["production"]
        ],
    },
}
write("attest", "trust-config.json", json.dumps(trust).encode())
