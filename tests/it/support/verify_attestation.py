"""Verify a publish attestation the way Warehouse does, against a test's
trusted root instead of Sigstore's production one.

    python verify_attestation.py TRUSTED_ROOT.json DIST ATTESTATION REPOSITORY WORKFLOW [github|gitlab]

For GitHub, WORKFLOW is the workflow file name; for GitLab, the CI file path.

Warehouse calls ``Attestation.verify(publisher, distribution)`` with the
default (production) verifier; here the same call runs with
``Verifier.production`` replaced by a verifier over the given trusted root.
Prints ``OK`` and exits 0, or prints the reason and exits 1.
"""

import sys
from pathlib import Path

from pypi_attestations import Attestation, Distribution, GitHubPublisher, GitLabPublisher
from sigstore.models import TrustedRoot
from sigstore.verify import Verifier


def main() -> int:
    root_path, dist, attestation_path, repository, workflow = sys.argv[1:6]
    kind = sys.argv[6] if len(sys.argv) > 6 else "github"
    root = TrustedRoot.from_file(root_path)
    Verifier.production = classmethod(lambda cls, offline=False: cls(trusted_root=root))
    attestation = Attestation.model_validate_json(open(attestation_path, "rb").read())
    try:
        publisher = (
            GitLabPublisher(repository=repository, workflow_filepath=workflow)
            if kind == "gitlab"
            else GitHubPublisher(repository=repository, workflow=workflow)
        )
        attestation.verify(publisher, Distribution.from_file(Path(dist)))
    except Exception as error:  # the verifier's refusals come in several types
        print(f"{type(error).__name__}: {error}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
