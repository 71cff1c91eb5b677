//! Files only their owner may read: the config file and the token cache.
//!
//! Folders are made with mode 0700 and files with 0600 (where the system has modes).
//! A file is replaced whole: written beside the old one, then renamed over it, so a
//! reader sees the old contents or the new, never half of either.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use crate::cli::interrupt;

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
