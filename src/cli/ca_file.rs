//! Reading a PEM file of extra trusted CA certificates (`--ca-file`, `MFA_CA_FILE`,
//! `ca_file`): at most [`CA_FILE_CAP`], and what is wrong with it in words.

use std::io::Read;
use std::path::Path;

use mfa::{CaCertificates, InvalidValue};

/// The largest CA file read; a system bundle is about 200 KiB.
const CA_FILE_CAP: u64 = 4 * 1024 * 1024;

/// The certificates in a PEM file, or what is wrong with it.
pub fn read_certificates(path: &Path) -> Result<CaCertificates, InvalidValue> {
    let unreadable = |err: std::io::Error| {
        use std::io::ErrorKind as Io;
        let why = match err.kind() {
            Io::NotFound => "there is no such file".to_owned(),
            Io::PermissionDenied => "permission denied".to_owned(),
            Io::IsADirectory => "it is a folder".to_owned(),
            other => other.to_string(),
        };
        InvalidValue::from_rule(format!("cannot be read: {why}"))
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(CA_FILE_CAP + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > CA_FILE_CAP {
        return Err(InvalidValue::from_rule(format!(
            "is larger than {} MiB; is it a CA file?",
            CA_FILE_CAP / 1024 / 1024
        )));
    }
    CaCertificates::from_pem(&bytes)
}
