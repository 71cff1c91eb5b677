//! Files only their owner may read: the config file and the token cache.
//!
//! Folders are made with mode 0700 and files with 0600 (where the system has modes).
//! A file is replaced whole: written beside the old one, then renamed over it, so a
//! reader sees the old contents or the new, never half of either. Edits wait for a
//! lock file beside it, at most the time-out.

use std::fs::{self, File, TryLockError};
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::cli::interrupt;
use crate::cli::untrusted_file;

/// Creates `dir` and its parents, those it creates with mode 0700.
pub fn make_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options that create a file with mode 0600.
pub fn create_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Takes the exclusive lock of the lock file at `path` (made private, in `dir`),
/// waiting at most `patience` for the run that holds it. Held until the returned file
/// is dropped. A lock file that is not a regular file is refused at once: the error
/// then says `which` lock file it is; a wait too long says what `holder` is doing.
pub fn lock(
    dir: &Path,
    path: &Path,
    patience: Duration,
    which: &str,
    holder: &str,
) -> io::Result<File> {
    make_dir(dir)?;
    let file = untrusted_file::open_lock(path, create_options().write(true))
        .map_err(|why| io::Error::other(format!("{which}: {why}")))?;
    let deadline = Instant::now() + patience;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "{holder} for longer than the time-out ({} s)",
                        patience.as_secs_f64()
                    ),
                ));
            }
            Err(TryLockError::Error(err)) => return Err(err),
        }
    }
}

/// Replaces the file at `path`, in the folder `dir`, with `bytes`, giving it `mode`
/// (0600 if `None`). Ctrl-C and SIGTERM are held back meanwhile, so the temporary file,
/// which may hold a secret, is always renamed or removed.
pub fn replace(dir: &Path, path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    make_dir(dir)?;
    interrupt::held_back(|| write_and_rename(dir, path, bytes, mode))
}

fn write_and_rename(dir: &Path, path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    // tempfile makes the new file with mode 0600 and a name no other run uses.
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        temporary
            .as_file()
            .set_permissions(fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}
