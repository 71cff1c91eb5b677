//! What `mfa doctor` says of a server's certificate: who issued it and how many days
//! it has left. The certificate comes from the server, so it is untrusted: one that
//! cannot be read is said to be so, never a panic.

use std::time::SystemTime;

use x509_cert::Certificate;
use x509_cert::der::{self, Decode};
use x509_cert::ext::pkix::name::DirectoryString;
use x509_cert::name::Name;

/// Fewer days left than this is a warning: time to renew.
pub const WARN_DAYS: u64 = 14;

/// Seconds in a day.
const DAY: u64 = 86_400;

/// The parts of a certificate the doctor shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The issuer's common name and organisation: `R11 (Let's Encrypt)`.
    pub issuer: String,
    /// The end of its validity.
    pub not_after: SystemTime,
}

impl Summary {
    /// Reads a DER-encoded certificate; `None` when it is not one.
    pub fn read(der: &[u8]) -> Option<Summary> {
        let certificate = Certificate::from_der(der).ok()?;
        let tbs = certificate.tbs_certificate();
        Some(Summary {
            issuer: issuer(tbs.issuer()),
            not_after: SystemTime::UNIX_EPOCH + tbs.validity().not_after.to_unix_duration(),
        })
    }

    /// Whole days from `now` until it expires; `None` when it has expired.
    pub fn days_left(&self, now: SystemTime) -> Option<u64> {
        let left = self.not_after.duration_since(now).ok()?;
        Some(left.as_secs() / DAY)
    }
}

/// The common name and the organisation of a name, those it has; the rest (country,
/// locality, ...) says little of who issued a certificate.
fn issuer(name: &Name) -> String {
    let text = |part: der::Result<Option<DirectoryString>>| {
        part.ok().flatten().map(|value| value.value().into_owned())
    };
    match (text(name.common_name()), text(name.organization())) {
        (Some(common), Some(organisation)) if common != organisation => {
            format!("{common} ({organisation})")
        }
        (Some(one), _) | (None, Some(one)) => one,
        (None, None) => "an issuer with no name".to_string(),
    }
}

/// A self-signed certificate for tests, its issuer named `common_name` (and
/// `organisation`, if any), that ends `days` days and an hour from now (or `-days` days
/// ago).
#[cfg(test)]
pub fn made_for_tests(common_name: &str, organisation: Option<&str>, days: i64) -> Vec<u8> {
    use std::time::Duration;
    let mut params = rcgen::CertificateParams::new(vec!["api.example".to_string()]).unwrap();
    let now = SystemTime::now();
    let end = if days >= 0 {
        now + Duration::from_secs(days.unsigned_abs() * DAY + 3600)
    } else {
        now - Duration::from_secs(days.unsigned_abs() * DAY)
    };
    params.not_before = (now - Duration::from_secs(DAY * 400)).into();
    params.not_after = end.into();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    if let Some(organisation) = organisation {
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, organisation);
    }
    let key = rcgen::KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().der().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate(days: i64) -> Vec<u8> {
        made_for_tests("R11", Some("Let's Encrypt"), days)
    }

    #[test]
    fn the_issuer_and_the_days_left_are_read() {
        let summary = Summary::read(&certificate(63)).unwrap();
        assert_eq!(summary.issuer, "R11 (Let's Encrypt)");
        assert_eq!(summary.days_left(SystemTime::now()), Some(63));
    }

    #[test]
    fn an_expired_certificate_has_no_days_left() {
        let summary = Summary::read(&certificate(-2)).unwrap();
        assert_eq!(summary.days_left(SystemTime::now()), None);
    }

    #[test]
    fn a_certificate_damaged_anywhere_is_read_or_refused_never_a_panic() {
        let good = certificate(30);
        for at in 0..good.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = good.clone();
                damaged[at] ^= flip;
                let _ = Summary::read(&damaged);
            }
        }
    }

    #[test]
    fn bytes_that_are_no_certificate_are_not_read() {
        for bytes in [
            &b""[..],
            b"\x30\x03\x02\x01",
            b"not a certificate",
            &[0x30; 64],
        ] {
            assert_eq!(Summary::read(bytes), None, "{bytes:?}");
        }
        let mut cut = certificate(30);
        cut.truncate(cut.len() / 2);
        assert_eq!(Summary::read(&cut), None);
    }
}
