//! The operating system's trusted CAs, read as any file from outside is: `SSL_CERT_FILE`
//! and the files of `SSL_CERT_DIR` (as OpenSSL tools read them) only if each is a
//! regular file of at most [`FILE_CAP`], opened without blocking, so a FIFO or a device
//! named there is passed over at once, never read; and no more than [`TOTAL_CAP`] in
//! all. Without either variable, the platform's own store (`rustls-native-certs`),
//! whose files and folders belong to the system.

use std::io::Read;
use std::path::Path;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// The largest file read: a whole system bundle is about 200 KiB.
const FILE_CAP: u64 = 1024 * 1024;

/// The most read from all the files together.
const TOTAL_CAP: u64 = 16 * 1024 * 1024;

/// Every certificate of the system's store, readable or not as a CA (the caller
/// judges that).
pub(super) fn certificates() -> Vec<CertificateDer<'static>> {
    let named = |name| std::env::var_os(name).filter(|value| !value.is_empty());
    let (file, dirs) = (named("SSL_CERT_FILE"), named("SSL_CERT_DIR"));
    if file.is_none() && dirs.is_none() {
        return rustls_native_certs::load_native_certs().certs;
    }
    let mut budget = TOTAL_CAP;
    let mut found = Vec::new();
    if let Some(file) = file {
        found.extend(pem_file(Path::new(&file), &mut budget));
    }
    for dir in dirs.iter().flat_map(std::env::split_paths) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if budget == 0 {
                return found;
            }
            found.extend(pem_file(&entry.path(), &mut budget));
        }
    }
    found
}

/// The certificates in the PEM file at `path`, if it is a regular file within the
/// caps; what it holds is taken from `budget`.
fn pem_file(path: &Path, budget: &mut u64) -> Vec<CertificateDer<'static>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let Ok(file) = options.open(path) else {
        return Vec::new();
    };
    if !file.metadata().is_ok_and(|metadata| metadata.is_file()) {
        return Vec::new();
    }
    let cap = FILE_CAP.min(*budget);
    let mut bytes = Vec::new();
    if file.take(cap + 1).read_to_end(&mut bytes).is_err() || bytes.len() as u64 > cap {
        return Vec::new();
    }
    *budget -= bytes.len() as u64;
    CertificateDer::pem_slice_iter(&bytes)
        .filter_map(Result::ok)
        .collect()
}

#[cfg(all(test, unix))]
mod tests {
    use std::path::Path;

    use crate::tls::system::{FILE_CAP, TOTAL_CAP, pem_file};

    #[test]
    fn a_fifo_or_a_device_is_passed_over_at_once_and_a_large_file_unread() {
        let started = std::time::Instant::now();
        let folder = tempfile::tempdir().unwrap();
        let fifo = folder.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let mut budget = TOTAL_CAP;
        assert!(pem_file(&fifo, &mut budget).is_empty());
        assert!(pem_file(Path::new("/dev/zero"), &mut budget).is_empty());
        assert_eq!(budget, TOTAL_CAP);
        let large = folder.path().join("large.pem");
        std::fs::write(&large, vec![b'#'; FILE_CAP as usize + 1]).unwrap();
        assert!(pem_file(&large, &mut budget).is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
