"""Verify a publish attestation the way Warehouse does, against a test's
trusted root instead of Sigstore's production one.

    python verify_attestation.py TRUSTED_ROOT.json DIST ATTESTATION OWNER/REPO WORKFLOW

Warehouse calls ``Attestation.verify(publisher, distribution)`` with the
default (production) verifier; here the same call runs with
``Verifier.production`` replaced by a verifier over the given trusted root.
Prints ``OK`` and exits 0, or prints the reason and exits 1.
"""

import sys
from pathlib import Path

from pypi_attestations import Attestation, Distribution, GitHubPublisher
from sigstore.models import TrustedRoot
from sigstore.verify import Verifier


def main() -> int:
    root_path, dist, attestation_path, repository, workflow = sys.argv[1:6]
    root = TrustedRoot.from_file(root_path)
    Verifier.production = classmethod(lambda cls, offline=False: cls(trusted_root=root))
    attestation = Attestation.model_validate_json(open(attestation_path, "rb").read())
    try:
        attestation.verify(
            GitHubPublisher(repository=repository, workflow=workflow),
            Distribution.from_file(Path(dist)),
        )
    except Exception as error:  # the verifier's refusals come in several types
        print(f"{type(error).__name__}: {error}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
