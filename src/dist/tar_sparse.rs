//! Which tar members Python's `tarfile` calls sparse (`TarInfo.issparse`),
//! which PyPI refuses in sdists: GNU's old sparse type, and the pax keys of
//! GNU's sparse formats 0.0, 0.1 and 1.0 (`TarInfo._proc_pax`).

use tar::PaxExtensions;

/// The pax keys that make a member sparse, as far as they were given.
#[derive(Debug, Clone, Default)]
struct SparseKeys {
    map: bool,
    size: bool,
    major: Option<Vec<u8>>,
    minor: Option<Vec<u8>>,
}

impl SparseKeys {
    /// Later records replace earlier ones, as in tarfile's dictionary.
    /// Malformed records are left out here: they are the reader's concern.
    fn update(&mut self, records: PaxExtensions<'_>) {
        for record in records.flatten() {
            match record.key_bytes() {
                b"GNU.sparse.map" => self.map = true,
                b"GNU.sparse.size" => self.size = true,
                b"GNU.sparse.major" => self.major = Some(record.value_bytes().to_vec()),
                b"GNU.sparse.minor" => self.minor = Some(record.value_bytes().to_vec()),
                _ => {}
            }
        }
    }

    fn sparse(&self) -> bool {
        self.map
            || self.size
            || (self.major.as_deref() == Some(b"1") && self.minor.as_deref() == Some(b"0"))
    }
}

/// Follows an archive's pax global headers: tarfile applies their keys to
/// the member right after one, and to every member with pax records of its
/// own.
#[derive(Debug, Default)]
pub(super) struct SparseMembers {
    global: SparseKeys,
    after_global: bool,
}

impl SparseMembers {
    /// A pax global header's records.
    pub(super) fn global(&mut self, records: &[u8]) {
        self.global.update(PaxExtensions::new(records));
        self.after_global = true;
    }

    /// Whether the member with this header type and these pax records (its
    /// `x` header's) is sparse.
    pub(super) fn member(&mut self, gnu_sparse: bool, local: Option<PaxExtensions<'_>>) -> bool {
        let after_global = std::mem::take(&mut self.after_global);
        let keys = match local {
            Some(records) => {
                let mut keys = self.global.clone();
                keys.update(records);
                keys
            }
            None if after_global => self.global.clone(),
            None => SparseKeys::default(),
        };
        gnu_sparse || keys.sparse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pax records: `<length> <key>=<value>\n`.
    fn pax(records: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (key, value) in records {
            let body = format!(" {key}={value}\n");
            // The length counts its own digits.
            let mut len = body.len() + 1;
            while body.len() + len.to_string().len() != len {
                len = body.len() + len.to_string().len();
            }
            out.extend(format!("{len}{body}").bytes());
        }
        out
    }

    #[test]
    fn each_gnu_format_is_sparse() {
        let mut members = SparseMembers::default();
        for records in [
            pax(&[("GNU.sparse.map", "0,10")]),
            pax(&[("GNU.sparse.size", "10")]),
            pax(&[("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0")]),
        ] {
            assert!(members.member(false, Some(PaxExtensions::new(&records))));
        }
        let plain = pax(&[("path", "x-1.0/a"), ("GNU.sparse.major", "1")]);
        assert!(!members.member(false, Some(PaxExtensions::new(&plain))));
        assert!(!members.member(false, None));
        assert!(members.member(true, None), "GNU's old sparse type");
    }

    #[test]
    fn global_keys_reach_the_next_member_and_later_pax_members() {
        let mut members = SparseMembers::default();
        members.global(&pax(&[("GNU.sparse.major", "1")]));
        let minor = pax(&[("GNU.sparse.minor", "0")]);
        assert!(!members.member(false, None));
        assert!(members.member(false, Some(PaxExtensions::new(&minor))));
        members.global(&pax(&[("GNU.sparse.size", "4")]));
        assert!(members.member(false, None));
        assert!(!members.member(false, None), "only the member right after");
    }
}
