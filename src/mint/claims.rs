//! The claims of an OIDC token (a JWT), decoded without verifying the
//! signature: the index verifies it; we only read the claims to check the
//! audience and to explain a refused exchange.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct Claims(Map<String, Value>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    #[error("it is not a JWT (expected three dot-separated parts, found {0})")]
    Shape(usize),
    #[error("its payload is not base64url")]
    Base64,
    #[error("its payload is not a JSON object")]
    Json,
}

impl Claims {
    /// Decode the payload (the middle part) of a JWT.
    pub fn decode(jwt: &str) -> Result<Self, ClaimsError> {
        let parts: Vec<&str> = jwt.trim().split('.').collect();
        let [_, payload, _] = parts[..] else {
            return Err(ClaimsError::Shape(parts.len()));
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| ClaimsError::Base64)?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(Claims(map)),
            _ => Err(ClaimsError::Json),
        }
    }

    /// A claim as text: strings as they are, numbers and booleans printed.
    pub fn get(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The `aud` claim, which may be one string or a list.
    pub fn audiences(&self) -> Vec<String> {
        match self.0.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "eyJhbGciOiJIUzI1NiJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn decodes_claims_and_audiences() {
        let claims = Claims::decode(&jwt(
            r#"{"aud":"pypi","sub":"repo:o/r:ref:refs/heads/main","iat":17}"#,
        ))
        .unwrap();
        assert_eq!(claims.audiences(), ["pypi"]);
        assert_eq!(
            claims.get("sub").as_deref(),
            Some("repo:o/r:ref:refs/heads/main")
        );
        assert_eq!(claims.get("iat").as_deref(), Some("17"));
        assert_eq!(claims.get("environment"), None);
        let multi = Claims::decode(&jwt(r#"{"aud":["pypi","x"]}"#)).unwrap();
        assert_eq!(multi.audiences(), ["pypi", "x"]);
    }

    #[test]
    fn padded_payloads_are_accepted() {
        let padded = format!(
            "h.{}.s",
            base64::engine::general_purpose::URL_SAFE.encode("{\"a\":1}")
        );
        assert_eq!(
            Claims::decode(&padded).unwrap().get("a").as_deref(),
            Some("1")
        );
    }

    #[test]
    fn errors() {
        assert_eq!(Claims::decode("abc").unwrap_err(), ClaimsError::Shape(1));
        assert_eq!(Claims::decode("a.!!!.c").unwrap_err(), ClaimsError::Base64);
        assert_eq!(Claims::decode(&jwt("[1]")).unwrap_err(), ClaimsError::Json);
    }
}
