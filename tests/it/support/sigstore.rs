//! Sigstore fakes: a Fulcio that issues certificates for the key it is
//! sent, under a CA the test makes, and a Rekor v1 that keeps a real RFC
//! 6962 tree (some entries before ours, so proofs are not trivial) and
//! answers with inclusion proofs, signed checkpoints and SETs. Both live on
//! one fake server; a ClientTrustConfig file names them.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePublicKey as _, EncodePublicKey as _};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::fake_index::{FakeIndex, Received, Reply};

/// How the fakes misbehave, if they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    None,
    /// Fulcio certifies release.yml whatever the token says.
    CertifyAnotherWorkflow,
    /// No signed entry timestamp in the answer.
    NoTimestamp,
    /// Checkpoints signed by a key the trust config does not hold.
    ForeignCheckpointKey,
    /// Certificates that live two minutes (around the log's entry time),
    /// so each batch of files needs a new one.
    ShortLivedCertificate,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn children(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962 MTH.
fn root(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let k = split(leaves.len());
    children(&root(&leaves[..k]), &root(&leaves[k..]))
}

/// RFC 6962 PATH(m, D[n]), leaf to root.
fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
    if leaves.len() == 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(root(&leaves[k..]));
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(root(&leaves[..k]));
        p
    }
}

fn leaf(body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(body);
    h.finalize().into()
}

fn sign(key: &SigningKey, message: &[u8]) -> Vec<u8> {
    let signature: DerSignature = key.sign(message);
    signature.as_bytes().to_vec()
}

/// The P-256 point of a PEM public key, for rcgen.
struct ForeignKey(Vec<u8>);

impl rcgen::PublicKeyData for ForeignKey {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

/// Fulcio and Rekor on one fake server, with their trust config.
pub(crate) struct Sigstore {
    pub server: FakeIndex,
    rekor_key: SigningKey,
    authority: Authority,
}

/// What the trusted root says of Fulcio: its CA and its CT log's key.
struct Authority {
    ca_der: Vec<u8>,
    ct_spki: Vec<u8>,
}

/// The certificate transparency log whose SCT Fulcio embeds.
struct CtLog {
    key: SigningKey,
    spki: Vec<u8>,
}

impl Sigstore {
    pub(crate) fn start(fault: Fault) -> Self {
        let rekor_key = SigningKey::random(&mut rand_core::OsRng);
        let checkpoint_key = match fault {
            Fault::ForeignCheckpointKey => SigningKey::random(&mut rand_core::OsRng),
            _ => rekor_key.clone(),
        };
        let spki = rekor_key
            .verifying_key()
            .to_public_key_der()
            .expect("encodes")
            .into_vec();
        let log_id: [u8; 32] = Sha256::digest(&spki).into();
        // Entries already in the log, so that proofs have hashes to check.
        let leaves: Arc<Mutex<Vec<[u8; 32]>>> =
            Arc::new(Mutex::new((0u8..5).map(|i| leaf(&[i])).collect()));
        let ca_key = rcgen::KeyPair::generate().expect("a CA key");
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "mintup test Fulcio");
        ca.not_before = rcgen::date_time_ymd(2020, 1, 1);
        ca.not_after = rcgen::date_time_ymd(2040, 1, 1);
        let ca_der = ca.self_signed(&ca_key).expect("self-signs").der().to_vec();
        let ca_spki = rcgen::PublicKeyData::subject_public_key_info(&ca_key);
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let ct_key = SigningKey::random(&mut rand_core::OsRng);
        let ct = CtLog {
            spki: ct_key
                .verifying_key()
                .to_public_key_der()
                .expect("encodes")
                .into_vec(),
            key: ct_key,
        };
        let authority = Authority {
            ca_der,
            ct_spki: ct.spki.clone(),
        };
        let signing = rekor_key.clone();
        let server = FakeIndex::start(move |request: &Received| match request.path.as_str() {
            "/api/v2/signingCert" => fulcio(request, &issuer, &ca_spki, &ct, fault),
            "/api/v1/log/entries" => {
                let mut leaves = leaves.lock().unwrap();
                rekor(
                    request,
                    &mut leaves,
                    &signing,
                    &checkpoint_key,
                    log_id,
                    fault,
                )
            }
            _ => Reply::status(404, "not here"),
        });
        Sigstore {
            server,
            rekor_key,
            authority,
        }
    }

    /// A ClientTrustConfig naming this Fulcio and Rekor.
    pub(crate) fn trust_config(&self) -> String {
        let spki = self
            .rekor_key
            .verifying_key()
            .to_public_key_der()
            .expect("encodes")
            .into_vec();
        let key_id = STANDARD.encode(Sha256::digest(&spki));
        json!({
            "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
            "trustedRoot": {
                "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
                "tlogs": [{
                    "baseUrl": self.server.base(),
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": {"rawBytes": STANDARD.encode(&spki), "keyDetails": "PKIX_ECDSA_P256_SHA_256", "validFor": {"start": "2020-01-01T00:00:00Z"}},
                    "logId": {"keyId": key_id},
                }],
                "certificateAuthorities": [{
                    "subject": {"organization": "mintup tests", "commonName": "mintup test Fulcio"},
                    "uri": self.server.base(),
                    "certChain": {"certificates": [{"rawBytes": STANDARD.encode(&self.authority.ca_der)}]},
                    "validFor": {"start": "2020-01-01T00:00:00Z"},
                }],
                "ctlogs": [{
                    "baseUrl": "https://ct.mintup.test",
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": {"rawBytes": STANDARD.encode(&self.authority.ct_spki), "keyDetails": "PKIX_ECDSA_P256_SHA_256", "validFor": {"start": "2020-01-01T00:00:00Z"}},
                    "logId": {"keyId": STANDARD.encode(Sha256::digest(&self.authority.ct_spki))},
                }],
                "timestampAuthorities": [],
            },
            "signingConfig": {
                "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
                "caUrls": [{"url": self.server.base(), "majorApiVersion": 1}],
                "oidcUrls": [],
                "rekorTlogUrls": [{"url": self.server.base(), "majorApiVersion": 1}],
                "tsaUrls": [],
            },
        })
        .to_string()
    }

    pub(crate) fn requests(&self, path: &str) -> usize {
        self.server
            .received()
            .iter()
            .filter(|r| r.path == path)
            .count()
    }
}

/// What [`Fault::CertifyAnotherWorkflow`] certifies.
const RELEASE_WORKFLOW: &str =
    "https://github.com/octo/demo/.github/workflows/release.yml@refs/tags/v1.0.0";

/// The claims of the JWT Fulcio was sent (its signature is not checked).
fn token_claims(jwt: &str) -> Value {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    jwt.split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Fulcio's certificate identity for a token, as its GitHub and GitLab
/// templates map claims: (SAN URI, extension number → value).
fn identity(claims: &Value) -> (String, Vec<(u64, String)>) {
    let claim = |name: &str| claims[name].as_str().unwrap_or_default().to_owned();
    if claim("iss") == "https://gitlab.com" {
        let config = format!("https://{}", claim("ci_config_ref_uri"));
        let kind = if claim("ref_type") == "tag" {
            "tags"
        } else {
            "heads"
        };
        let git_ref = format!("refs/{kind}/{}", claim("ref"));
        return (
            config.clone(),
            vec![
                (8, "https://gitlab.com".into()),
                (9, config.clone()),
                (12, format!("https://gitlab.com/{}", claim("project_path"))),
                (13, claim("sha")),
                (14, git_ref),
                (18, config),
            ],
        );
    }
    let signer = format!("https://github.com/{}", claim("job_workflow_ref"));
    (
        signer.clone(),
        vec![
            (8, claim("iss")),
            (9, signer),
            (12, format!("https://github.com/{}", claim("repository"))),
            (13, "0123456789abcdef0123456789abcdef01234567".into()),
            (14, claim("ref")),
            (18, format!("https://github.com/{}", claim("workflow_ref"))),
        ],
    )
}

/// A DER UTF8String, as Fulcio's claim extensions (.8 and on) hold values.
fn utf8(value: &str) -> Vec<u8> {
    let mut der = vec![0x0c, value.len() as u8];
    der.extend_from_slice(value.as_bytes());
    der
}

/// A DER header's length and the length of what follows it.
fn header(der: &[u8]) -> (usize, usize) {
    let first = der[1];
    if first < 0x80 {
        (2, usize::from(first))
    } else {
        let count = usize::from(first & 0x7f);
        let len = der[2..2 + count]
            .iter()
            .fold(0usize, |n, &b| (n << 8) | usize::from(b));
        (2 + count, len)
    }
}

/// The body of a certificate: the first element inside its SEQUENCE.
fn tbs(certificate: &[u8]) -> Vec<u8> {
    let (outer, _) = header(certificate);
    let inner = &certificate[outer..];
    let (head, len) = header(inner);
    inner[..head + len].to_vec()
}

/// A DER OCTET STRING around `contents`.
fn octet_string(contents: &[u8]) -> Vec<u8> {
    let mut der = vec![0x04];
    match contents.len() {
        n if n < 0x80 => der.push(n as u8),
        n if n < 0x100 => der.extend_from_slice(&[0x81, n as u8]),
        n => der.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    der.extend_from_slice(contents);
    der
}

/// A leaf certificate for the request's public key, signed by the CA, with
/// Fulcio's GitHub claim extensions and an SCT from the test CT log
/// embedded as RFC 6962 says (signed over the certificate without it).
fn fulcio(
    request: &Received,
    issuer: &rcgen::Issuer<'_, rcgen::KeyPair>,
    ca_spki: &[u8],
    ct: &CtLog,
    fault: Fault,
) -> Reply {
    let sent: Value = serde_json::from_str(&request.text).unwrap_or_default();
    let pem = sent["publicKeyRequest"]["publicKey"]["content"]
        .as_str()
        .unwrap_or_default();
    let Ok(key) = p256::PublicKey::from_public_key_pem(pem) else {
        return Reply::status(400, "not a P-256 key");
    };
    let point = ForeignKey(
        p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&key, false)
            .as_bytes()
            .to_vec(),
    );
    let claims = token_claims(
        sent["credentials"]["oidcIdentityToken"]
            .as_str()
            .unwrap_or_default(),
    );
    let (san, mut extensions) = identity(&claims);
    let san = if fault == Fault::CertifyAnotherWorkflow {
        for (n, value) in extensions.iter_mut() {
            if *n == 9 || *n == 18 {
                *value = RELEASE_WORKFLOW.into();
            }
        }
        RELEASE_WORKFLOW.to_owned()
    } else {
        san
    };
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.subject_alt_names = vec![rcgen::SanType::URI(
        rcgen::string::Ia5String::try_from(san).expect("ASCII"),
    )];
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.serial_number = Some(rcgen::SerialNumber::from(vec![0x42, 0x01]));
    params.not_before = rcgen::date_time_ymd(2023, 11, 1);
    params.not_after = rcgen::date_time_ymd(2023, 12, 1);
    if fault == Fault::ShortLivedCertificate {
        // 22:14:00 to 22:16:00 on 2023-11-14, around Rekor's entry time.
        let day = rcgen::date_time_ymd(2023, 11, 14);
        params.not_before = day + std::time::Duration::from_secs(22 * 3600 + 14 * 60);
        params.not_after = day + std::time::Duration::from_secs(22 * 3600 + 16 * 60);
    }
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::CodeSigning];
    for (n, value) in extensions {
        params
            .custom_extensions
            .push(rcgen::CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 57264, 1, n],
                utf8(&value),
            ));
    }
    // The precertificate's body: the certificate as it will be, without the SCT.
    let precertificate = params.signed_by(&point, issuer).expect("signs");
    let body = tbs(precertificate.der());
    let timestamp: u64 = 1_700_000_050_000;
    let mut signed = vec![0u8, 0u8];
    signed.extend_from_slice(&timestamp.to_be_bytes());
    signed.extend_from_slice(&[0, 1]);
    signed.extend_from_slice(&Sha256::digest(ca_spki));
    signed.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    signed.extend_from_slice(&body);
    signed.extend_from_slice(&[0, 0]);
    let signature = sign(&ct.key, &signed);
    let mut sct = vec![0u8];
    sct.extend_from_slice(&Sha256::digest(&ct.spki));
    sct.extend_from_slice(&timestamp.to_be_bytes());
    sct.extend_from_slice(&[0, 0, 4, 3]);
    sct.extend_from_slice(&(signature.len() as u16).to_be_bytes());
    sct.extend_from_slice(&signature);
    let mut list = ((sct.len() + 2) as u16).to_be_bytes().to_vec();
    list.extend_from_slice(&(sct.len() as u16).to_be_bytes());
    list.extend_from_slice(&sct);
    params
        .custom_extensions
        .push(rcgen::CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2],
            octet_string(&list),
        ));
    let leaf = params.signed_by(&point, issuer).expect("signs");
    Reply::status(
        201,
        &json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": [leaf.pem()]}}})
            .to_string(),
    )
    .header("content-type", "application/json")
}

/// Log a dsse entry: append its leaf and answer with a proof, a signed
/// checkpoint and an SET.
fn rekor(
    request: &Received,
    leaves: &mut Vec<[u8; 32]>,
    key: &SigningKey,
    checkpoint_key: &SigningKey,
    log_id: [u8; 32],
    fault: Fault,
) -> Reply {
    let sent: Value = serde_json::from_str(&request.text).unwrap_or_default();
    let content = &sent["spec"]["proposedContent"];
    let envelope_text = content["envelope"].as_str().unwrap_or_default();
    let envelope: Value = serde_json::from_str(envelope_text).unwrap_or_default();
    let payload = STANDARD
        .decode(envelope["payload"].as_str().unwrap_or_default())
        .unwrap_or_default();
    let body = json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": {"algorithm": "sha256", "value": hex(&Sha256::digest(envelope_text))},
            "payloadHash": {"algorithm": "sha256", "value": hex(&Sha256::digest(&payload))},
            "signatures": [{
                "signature": envelope["signatures"][0]["sig"],
                "verifier": content["verifiers"][0],
            }],
        },
    })
    .to_string();
    let body_b64 = STANDARD.encode(&body);
    leaves.push(leaf(body.as_bytes()));
    let index = leaves.len() - 1;
    let size = leaves.len();
    let tree_root = root(leaves);
    let hashes: Vec<String> = path(index, leaves).iter().map(|h| hex(h)).collect();
    let note = format!("fake.rekor - 42\n{size}\n{}\n", STANDARD.encode(tree_root));
    let mut blob = log_id[..4].to_vec();
    blob.extend(sign(checkpoint_key, note.as_bytes()));
    let checkpoint = format!("{note}\n\u{2014} fake.rekor {}\n", STANDARD.encode(blob));
    let integrated_time = 1_700_000_100u64;
    let global_index = 1000 + index as u64;
    let set_payload = format!(
        "{{\"body\":\"{body_b64}\",\"integratedTime\":{integrated_time},\"logID\":\"{}\",\"logIndex\":{global_index}}}",
        hex(&log_id)
    );
    let mut verification = json!({
        "inclusionProof": {
            "checkpoint": checkpoint,
            "hashes": hashes,
            "logIndex": index,
            "rootHash": hex(&tree_root),
            "treeSize": size,
        },
    });
    if fault != Fault::NoTimestamp {
        verification["signedEntryTimestamp"] =
            STANDARD.encode(sign(key, set_payload.as_bytes())).into();
    }
    Reply::status(
        201,
        &json!({
            format!("uuid{index}"): {
                "body": body_b64,
                "integratedTime": integrated_time,
                "logID": hex(&log_id),
                "logIndex": global_index,
                "verification": verification,
            }
        })
        .to_string(),
    )
    .header("content-type", "application/json")
}
