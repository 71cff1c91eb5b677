//! Reading a file `mfa` was pointed at (the config file, a CA file, a cached token),
//! which is untrusted like any input: only a regular file, opened without blocking, so
//! a FIFO or a device planted in its place is refused at once, never read; and only up
//! to a cap, so `/dev/zero` or an endless file cannot exhaust memory. Whose the file is
//! (who could change it) is `owned_path`'s to say.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug)]
pub enum Unreadable {
    /// There is no such file.
    Missing,
    /// It is not a regular file: what it is, in words (`a FIFO`, `a folder`, ...).
    NotAFile(&'static str),
    /// It is larger than the cap, in bytes.
    TooLarge(u64),
    /// Reading it failed.
    Failed(io::Error),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::Missing => f.write_str("there is no such file"),
            Unreadable::NotAFile(what) => write!(f, "it is {what}, not a regular file"),
            Unreadable::TooLarge(cap) if cap % (1024 * 1024) == 0 => {
                write!(f, "it is larger than {} MiB", cap / 1024 / 1024)
            }
            Unreadable::TooLarge(cap) => write!(f, "it is larger than {} KiB", cap / 1024),
            Unreadable::Failed(err) if err.kind() == io::ErrorKind::PermissionDenied => {
                f.write_str("permission denied")
            }
            Unreadable::Failed(err) => err.kind().fmt(f),
        }
    }
}

/// The whole of the regular file at `path`, if it holds at most `cap` bytes.
pub fn read(path: &Path, cap: u64) -> Result<Vec<u8>, Unreadable> {
    let file = open_regular(path, OpenOptions::new().read(true))?;
    read_capped(&file, cap)
}

/// The whole of the open `file`, if it holds at most `cap` bytes.
pub fn read_capped(file: &File, cap: u64) -> Result<Vec<u8>, Unreadable> {
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(Unreadable::Failed)?;
    if bytes.len() as u64 > cap {
        return Err(Unreadable::TooLarge(cap));
    }
    Ok(bytes)
}

/// Opens `path` with `options`, without blocking, and refuses it unless it is a regular
/// file.
pub fn open_regular(path: &Path, options: &mut OpenOptions) -> Result<File, Unreadable> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(options, libc::O_NONBLOCK);
    open_checked(path, options)
}

fn open_checked(path: &Path, options: &OpenOptions) -> Result<File, Unreadable> {
    let file = options.open(path).map_err(|err| {
        if err.kind() == io::ErrorKind::NotFound {
            return Unreadable::Missing;
        }
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
            && err.raw_os_error() == Some(ELOOP)
        {
            return Unreadable::NotAFile("a symbolic link");
        }
        // Opening a FIFO to write fails (ENXIO) when no one reads it: say what it is.
        match std::fs::metadata(path) {
            Ok(metadata) if !metadata.is_file() => {
                Unreadable::NotAFile(what_it_is(metadata.file_type()))
            }
            _ => Unreadable::Failed(err),
        }
    })?;
    let kind = file.metadata().map_err(Unreadable::Failed)?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    Err(Unreadable::NotAFile(what_it_is(kind)))
}

/// What `open` says of a symbolic link it was told not to follow.
#[cfg(unix)]
const ELOOP: i32 = libc::ELOOP;
#[cfg(not(unix))]
const ELOOP: i32 = -1;

/// The user id this process acts as (its effective one).
#[cfg(unix)]
pub fn user_id() -> u32 {
    #[allow(unsafe_code)]
    // SAFETY: geteuid(2) takes nothing and cannot fail.
    unsafe {
        libc::geteuid()
    }
}

/// Whether what `owner` owns counts as the user's own: theirs, or root's (the system,
/// which the user trusts anyway).
#[cfg(unix)]
pub fn owned_by_user(owner: u32) -> bool {
    owner == user_id() || owner == 0
}

/// What a file that is not a regular file is, in words.
fn what_it_is(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_whole_up_to_its_cap() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read(&path, 10).unwrap(), b"0123456789");
        assert!(matches!(read(&path, 9), Err(Unreadable::TooLarge(9))));
        assert!(matches!(
            read(&folder.path().join("none"), 10),
            Err(Unreadable::Missing)
        ));
        assert!(matches!(
            read(folder.path(), 10),
            Err(Unreadable::NotAFile("a folder"))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_device_or_a_fifo_is_refused_at_once_never_read() {
        let started = std::time::Instant::now();
        let error = read(Path::new("/dev/zero"), 1024).unwrap_err();
        assert_eq!(error.to_string(), "it is a device, not a regular file");
        let folder = tempfile::tempdir().unwrap();
        let fifo = folder.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let error = read(&fifo, 1024).unwrap_err();
        assert_eq!(error.to_string(), "it is a FIFO, not a regular file");
        // Opening it for writing does not wait for a reader either.
        assert!(open_regular(&fifo, OpenOptions::new().write(true)).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
