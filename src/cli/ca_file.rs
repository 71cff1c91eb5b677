//! Reading a PEM file of extra trusted CA certificates (`--ca-file`, `MFA_CA_FILE`,
//! `ca_file`): a regular file of at most [`CA_FILE_CAP`], and what is wrong with it in
//! words.

use std::path::Path;

use mfa::{CaCertificates, InvalidValue};

use crate::cli::untrusted_file::{self, Unreadable};

/// The largest CA file read; a whole system bundle is about 200 KiB.
const CA_FILE_CAP: u64 = 1024 * 1024;

/// The certificates in a PEM file, or what is wrong with it.
pub fn read_certificates(path: &Path) -> Result<CaCertificates, InvalidValue> {
    let bytes = untrusted_file::read(path, CA_FILE_CAP).map_err(|why| match why {
        Unreadable::TooLarge(_) => {
            InvalidValue::from_rule(format!("cannot be read: {why}; is it a CA file?"))
        }
        why => InvalidValue::from_rule(format!("cannot be read: {why}")),
    })?;
    CaCertificates::from_pem(&bytes)
}
