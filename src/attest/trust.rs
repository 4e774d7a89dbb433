//! Where to sign and whom to trust: Fulcio's and Rekor v1's URLs and the
//! Rekor keys that check a log entry. Sigstore's public-good instance by
//! default, or a sigstore client trust config file (the `ClientTrustConfig`
//! JSON sigstore-python's `--trust-config` takes) for private deployments
//! and tests. Rekor v1 only: PEP 740 v1 attestations need its signed entry
//! timestamp, which Rekor v2 does not give.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use url::Url;

use super::log::LogKey;
use crate::index::is_loopback;

#[derive(Debug, Clone)]
pub struct TrustConfig {
    pub fulcio: Url,
    pub rekor: Url,
    /// The Rekor v1 logs' keys from the trusted root.
    pub rekor_keys: Vec<LogKey>,
    /// Fulcio's CA chains (DER, intermediate first, root last).
    pub fulcio_chains: Vec<Vec<Vec<u8>>>,
}

/// Sigstore's production Rekor v1 key (DER SubjectPublicKeyInfo, base64),
/// from the trusted root sigstore-python 4.5.1 embeds.
const PRODUCTION_REKOR_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==";

const PRODUCTION_CA_0_0: &str = "MIIB+DCCAX6gAwIBAgITNVkDZoCiofPDsy7dfm6geLbuhzAKBggqhkjOPQQDAzAqMRUwEwYDVQQKEwxzaWdzdG9yZS5kZXYxETAPBgNVBAMTCHNpZ3N0b3JlMB4XDTIxMDMwNzAzMjAyOVoXDTMxMDIyMzAzMjAyOVowKjEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MREwDwYDVQQDEwhzaWdzdG9yZTB2MBAGByqGSM49AgEGBSuBBAAiA2IABLSyA7Ii5k+pNO8ZEWY0ylemWDowOkNa3kL+GZE5Z5GWehL9/A9bRNA3RbrsZ5i0JcastaRL7Sp5fp/jD5dxqc/UdTVnlvS16an+2Yfswe/QuLolRUCrcOE2+2iA5+tzd6NmMGQwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwHQYDVR0OBBYEFMjFHQBBmiQpMlEk6w2uSu1KBtPsMB8GA1UdIwQYMBaAFMjFHQBBmiQpMlEk6w2uSu1KBtPsMAoGCCqGSM49BAMDA2gAMGUCMH8liWJfMui6vXXBhjDgY4MwslmN/TJxVe/83WrFomwmNf056y1X48F9c4m3a3ozXAIxAKjRay5/aj/jsKKGIkmQatjI8uupHr/+CxFvaJWmpYqNkLDGRU+9orzh5hI2RrcuaQ==";
const PRODUCTION_CA_1_0: &str = "MIICGjCCAaGgAwIBAgIUALnViVfnU0brJasmRkHrn/UnfaQwCgYIKoZIzj0EAwMwKjEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MREwDwYDVQQDEwhzaWdzdG9yZTAeFw0yMjA0MTMyMDA2MTVaFw0zMTEwMDUxMzU2NThaMDcxFTATBgNVBAoTDHNpZ3N0b3JlLmRldjEeMBwGA1UEAxMVc2lnc3RvcmUtaW50ZXJtZWRpYXRlMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE8RVS/ysH+NOvuDZyPIZtilgUF9NlarYpAd9HP1vBBH1U5CV77LSS7s0ZiH4nE7Hv7ptS6LvvR/STk798LVgMzLlJ4HeIfF3tHSaexLcYpSASr1kS0N/RgBJz/9jWCiXno3sweTAOBgNVHQ8BAf8EBAMCAQYwEwYDVR0lBAwwCgYIKwYBBQUHAwMwEgYDVR0TAQH/BAgwBgEB/wIBADAdBgNVHQ4EFgQU39Ppz1YkEZb5qNjpKFWixi4YZD8wHwYDVR0jBBgwFoAUWMAeX5FFpWapesyQoZMi0CrFxfowCgYIKoZIzj0EAwMDZwAwZAIwPCsQK4DYiZYDPIaDi5HFKnfxXx6ASSVmERfsynYBiX2X6SJRnZU84/9DZdnFvvxmAjBOt6QpBlc4J/0DxvkTCqpclvziL6BCCPnjdlIB3Pu3BxsPmygUY7Ii2zbdCdliiow=";
const PRODUCTION_CA_1_1: &str = "MIIB9zCCAXygAwIBAgIUALZNAPFdxHPwjeDloDwyYChAO/4wCgYIKoZIzj0EAwMwKjEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MREwDwYDVQQDEwhzaWdzdG9yZTAeFw0yMTEwMDcxMzU2NTlaFw0zMTEwMDUxMzU2NThaMCoxFTATBgNVBAoTDHNpZ3N0b3JlLmRldjERMA8GA1UEAxMIc2lnc3RvcmUwdjAQBgcqhkjOPQIBBgUrgQQAIgNiAAT7XeFT4rb3PQGwS4IajtLk3/OlnpgangaBclYpsYBr5i+4ynB07ceb3LP0OIOZdxexX69c5iVuyJRQ+Hz05yi+UF3uBWAlHpiS5sh0+H2GHE7SXrk1EC5m1Tr19L9gg92jYzBhMA4GA1UdDwEB/wQEAwIBBjAPBgNVHRMBAf8EBTADAQH/MB0GA1UdDgQWBBRYwB5fkUWlZql6zJChkyLQKsXF+jAfBgNVHSMEGDAWgBRYwB5fkUWlZql6zJChkyLQKsXF+jAKBggqhkjOPQQDAwNpADBmAjEAj1nHeXZp+13NWBNa+EDsDP8G1WWg1tCMWP/WHPqpaVo0jhsweNFZgSs0eE7wYI4qAjEA2WB9ot98sIkoF3vZYdd3/VtWB5b9TNMea7Ix/stJ5TfcLLeABLE4BNJOsQ4vnBHJ";

/// Sigstore production's Fulcio chains (intermediate first, root last).
const PRODUCTION_FULCIO: &[&[&str]] = &[
    &[PRODUCTION_CA_0_0],
    &[PRODUCTION_CA_1_0, PRODUCTION_CA_1_1],
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("it is not JSON")]
    Json,
    #[error("its signing config names no {0}")]
    NoService(&'static str),
    #[error("the {what} URL {url} is not https (plain http is only for this machine)")]
    Insecure { what: &'static str, url: String },
    #[error("its trusted root has no ECDSA P-256 key for a Rekor v1 log")]
    NoRekorKey,
    #[error("its trusted root names no Fulcio certificate authority")]
    NoFulcioRoot,
}

impl TrustConfig {
    pub fn production() -> Self {
        let der = STANDARD
            .decode(PRODUCTION_REKOR_KEY)
            .expect("a valid built-in key");
        TrustConfig {
            fulcio: Url::parse("https://fulcio.sigstore.dev").expect("a valid URL"),
            rekor: Url::parse("https://rekor.sigstore.dev").expect("a valid URL"),
            rekor_keys: vec![LogKey::from_spki_der(&der).expect("a valid built-in key")],
            fulcio_chains: PRODUCTION_FULCIO
                .iter()
                .map(|chain| {
                    chain
                        .iter()
                        .map(|c| STANDARD.decode(c).expect("a valid built-in certificate"))
                        .collect()
                })
                .collect(),
        }
    }

    /// Read a `ClientTrustConfig`: `signingConfig.caUrls` and
    /// `rekorTlogUrls` (major API version 1), `trustedRoot.tlogs`.
    pub fn from_client_trust_config(text: &str) -> Result<Self, TrustError> {
        let config: Value = serde_json::from_str(text).map_err(|_| TrustError::Json)?;
        let signing = &config["signingConfig"];
        let fulcio = service(&signing["caUrls"], "Fulcio (caUrls)")?;
        let rekor = service(&signing["rekorTlogUrls"], "Rekor v1 log (rekorTlogUrls)")?;
        let rekor_keys: Vec<LogKey> = config["trustedRoot"]["tlogs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|log| log["publicKey"]["keyDetails"] == "PKIX_ECDSA_P256_SHA_256")
            .filter_map(|log| {
                let der = STANDARD
                    .decode(log["publicKey"]["rawBytes"].as_str()?)
                    .ok()?;
                LogKey::from_spki_der(&der).ok()
            })
            .collect();
        if rekor_keys.is_empty() {
            return Err(TrustError::NoRekorKey);
        }
        let fulcio_chains: Vec<Vec<Vec<u8>>> = config["trustedRoot"]["certificateAuthorities"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|ca| {
                ca["certChain"]["certificates"]
                    .as_array()?
                    .iter()
                    .map(|c| STANDARD.decode(c["rawBytes"].as_str()?).ok())
                    .collect::<Option<Vec<_>>>()
            })
            .filter(|chain| !chain.is_empty())
            .collect();
        if fulcio_chains.is_empty() {
            return Err(TrustError::NoFulcioRoot);
        }
        Ok(TrustConfig {
            fulcio,
            rekor,
            rekor_keys,
            fulcio_chains,
        })
    }

    /// The key of the log that wrote an entry, by key ID.
    pub fn rekor_key(&self, key_id: &[u8]) -> Option<&LogKey> {
        self.rekor_keys.iter().find(|k| k.id[..] == *key_id)
    }
}

/// The first URL with major API version 1; https, or http on loopback.
fn service(list: &Value, what: &'static str) -> Result<Url, TrustError> {
    let url = list
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["majorApiVersion"].as_u64().unwrap_or(1) == 1)
        .find_map(|s| Url::parse(s["url"].as_str()?).ok())
        .ok_or(TrustError::NoService(what))?;
    if url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&url)) {
        Ok(url)
    } else {
        Err(TrustError::Insecure {
            what,
            url: url.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(fulcio: &str, rekor: &str) -> String {
        json!({
            "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
            "trustedRoot": {"tlogs": [{
                "baseUrl": rekor,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {"rawBytes": PRODUCTION_REKOR_KEY, "keyDetails": "PKIX_ECDSA_P256_SHA_256"},
                "logId": {"keyId": "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="}
            }],
            "certificateAuthorities": [{"certChain": {"certificates": [{"rawBytes": PRODUCTION_CA_1_0}, {"rawBytes": PRODUCTION_CA_1_1}]}}]},
            "signingConfig": {
                "caUrls": [{"url": fulcio, "majorApiVersion": 1}],
                "oidcUrls": [],
                "rekorTlogUrls": [{"url": "https://v2.example", "majorApiVersion": 2}, {"url": rekor, "majorApiVersion": 1}],
                "tsaUrls": []
            }
        })
        .to_string()
    }

    #[test]
    fn a_client_trust_config_names_services_and_keys() {
        let trust = TrustConfig::from_client_trust_config(&config(
            "http://127.0.0.1:5555",
            "https://rekor.example",
        ))
        .unwrap();
        assert_eq!(trust.fulcio.as_str(), "http://127.0.0.1:5555/");
        assert_eq!(trust.rekor.as_str(), "https://rekor.example/");
        let id = STANDARD
            .decode("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=")
            .unwrap();
        assert!(trust.rekor_key(&id).is_some());
        assert_eq!(
            TrustConfig::production()
                .rekor_key(&id)
                .map(|k| k.id.to_vec()),
            Some(id)
        );
    }

    #[test]
    fn plain_http_only_on_this_machine() {
        assert_eq!(
            TrustConfig::from_client_trust_config(&config(
                "http://fulcio.example",
                "https://r.example"
            ))
            .unwrap_err(),
            TrustError::Insecure {
                what: "Fulcio (caUrls)",
                url: "http://fulcio.example/".into()
            }
        );
        assert_eq!(
            TrustConfig::from_client_trust_config("{}").unwrap_err(),
            TrustError::NoService("Fulcio (caUrls)")
        );
    }
}
