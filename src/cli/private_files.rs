//! Files only their owner may read: the config file and the token cache.
//!
//! Folders are made with mode 0700 and files with 0600 (where the system has modes),
//! and only in a folder that is the user's own ([`owned_path`]'s rule): a folder another
//! user could write is refused, so no link planted there can lead a write astray.
//! A file is replaced whole: written to a new temporary file beside it (created, never
//! opened through a link), then renamed over it within the folder opened and checked,
//! so a reader sees the old contents or the new, never half of either. The signals are
//! held back meanwhile, so an interruption never leaves the temporary file, which may
//! hold a secret; one left by a run that was killed outright (SIGKILL) is removed by
//! the next run that replaces the same file. Edits wait for a lock file beside it, at
//! most the time-out.

use std::fs::{File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cli::interrupt;
use crate::cli::owned_path::{self, Access};

/// Creates `dir` and its parents, those it creates with mode 0700; refuses a folder on
/// the way that another user could change.
pub fn make_dir(dir: &Path) -> io::Result<()> {
    owned_path::folder(dir, true)?;
    Ok(())
}

/// A lock file held: removed as it is let go (where the system allows removing an open
/// file), so none is left beside the file it guards.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held: a run waiting on it finds, once it has the lock,
        // that the path names it no more, and starts again (see `lock`).
        if cfg!(unix) && names_file(&self.path, &self.file) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether `path` names `file` (the same file, not one made there since).
fn names_file(path: &Path, file: &File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::symlink_metadata(path), file.metadata()) {
            (Ok(now), Ok(held)) => now.dev() == held.dev() && now.ino() == held.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (path, file);
        true
    }
}

/// Takes the exclusive lock of the lock file at `path` (made private, its folder the
/// user's own), waiting at most `patience` for the run that holds it. Held until the
/// returned [`Lock`] is dropped, which removes the file. A lock file that is not a
/// regular file, or a link, is refused at once: the error then says `which` lock file
/// it is; a wait too long says what `holder` is doing.
pub fn lock(path: &Path, patience: Duration, which: &str, holder: &str) -> io::Result<Lock> {
    make_dir(&owned_path::split(path).0)?;
    let deadline = Instant::now() + patience;
    loop {
        let file = owned_path::open(path, Access::Lock)
            .map_err(|why| io::Error::other(format!("{which}: {why}")))?
            .file;
        wait_for(&file, deadline, patience, holder)?;
        // The run that held it may have removed it as it let go: then this lock guards
        // nothing, and the next try opens (or makes) the file now at `path`.
        if names_file(path, &file) {
            return Ok(Lock {
                file,
                path: path.to_path_buf(),
            });
        }
    }
}

/// Waits until `file`'s exclusive lock is taken, or the `deadline` (`patience` from the
/// start) passes.
fn wait_for(file: &File, deadline: Instant, patience: Duration, holder: &str) -> io::Result<()> {
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
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

/// Replaces the file at `path` with `bytes`, giving it `mode` (0600 if `None`); its
/// folder is made (mode 0700) if need be. Ctrl-C and the other signals are held back
/// meanwhile, so the temporary file, which may hold a secret, is always renamed or
/// removed.
pub fn replace(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    let (dir, name) = owned_path::split(path);
    let folder = owned_path::folder(&dir, true)?;
    interrupt::held_back(|| imp::write_and_rename(&folder, &name, bytes, mode, Sync::ToDisk))
}

/// [`replace`], without waiting for the disk: for a file whose loss in a crash costs
/// nothing but a count (the guard's record), written on every send.
pub fn replace_unsynced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, name) = owned_path::split(path);
    let folder = owned_path::folder(&dir, true)?;
    interrupt::held_back(|| imp::write_and_rename(&folder, &name, bytes, None, Sync::Not))
}

/// Whether a replacement waits until its bytes are on the disk before the rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sync {
    ToDisk,
    Not,
}

#[cfg(unix)]
mod imp {
    use std::ffi::{OsStr, OsString};
    use std::io::{self, Write};
    use std::os::unix::ffi::OsStrExt;
    use std::sync::atomic::{AtomicU32, Ordering};

    use crate::cli::owned_path::{self, Folder};

    /// Tells the temporary files of one run apart.
    static MADE: AtomicU32 = AtomicU32::new(0);

    /// What ends the name of every temporary file, `.NAME.PID-N.mfa-tmp`.
    const SUFFIX: &str = ".mfa-tmp";

    pub(super) fn write_and_rename(
        folder: &Folder,
        name: &OsStr,
        bytes: &[u8],
        mode: Option<u32>,
        sync: super::Sync,
    ) -> io::Result<()> {
        remove_leftovers(folder, name);
        let (temporary, mut file) = loop {
            let made = MADE.fetch_add(1, Ordering::Relaxed);
            let mut temporary = OsString::from(".");
            temporary.push(name);
            temporary.push(format!(".{}-{made}{SUFFIX}", std::process::id()));
            match owned_path::create_new(folder, &temporary) {
                Ok(file) => break (temporary, file),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        };
        let written = (|| {
            if let Some(mode) = mode {
                use std::os::unix::fs::PermissionsExt;
                file.set_permissions(std::fs::Permissions::from_mode(mode))?;
            }
            file.write_all(bytes)?;
            if sync == super::Sync::ToDisk {
                file.sync_all()?;
            }
            owned_path::rename_over(folder, &temporary, name)
        })();
        if written.is_err() {
            let _ = owned_path::remove(folder, &temporary);
        }
        written
    }

    /// Removes the temporary files for `name` that runs which have ended left behind
    /// (killed outright, with no chance to clean up): each holds its run's process id.
    fn remove_leftovers(folder: &Folder, name: &OsStr) {
        let mut prefix = b".".to_vec();
        prefix.extend_from_slice(name.as_bytes());
        prefix.push(b'.');
        let mut left = Vec::new();
        owned_path::with_each_name(folder, |entry| {
            let bytes = entry.as_bytes();
            let Some(middle) = bytes
                .strip_prefix(prefix.as_slice())
                .and_then(|rest| rest.strip_suffix(SUFFIX.as_bytes()))
            else {
                return;
            };
            let pid = std::str::from_utf8(middle)
                .ok()
                .and_then(|middle| middle.split_once('-'))
                .and_then(|(pid, _)| pid.parse::<i32>().ok());
            if pid.is_some_and(|pid| !running(pid)) {
                left.push(entry.to_owned());
            }
        });
        for entry in left {
            let _ = owned_path::remove(folder, &entry);
        }
    }

    /// Whether a process `pid` runs (this one always does).
    fn running(pid: i32) -> bool {
        if u32::try_from(pid).ok() == Some(std::process::id()) {
            return true;
        }
        if pid <= 0 {
            return false;
        }
        #[allow(unsafe_code)]
        // SAFETY: kill(2) with signal 0 sends nothing; it only says whether `pid` exists.
        let sent = unsafe { libc::kill(pid, 0) };
        // ESRCH: no such process; EPERM: another user's, so it runs.
        sent == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
}

#[cfg(not(unix))]
mod imp {
    use std::ffi::OsStr;
    use std::io::{self, Write};

    use crate::cli::owned_path::Folder;

    pub(super) fn write_and_rename(
        folder: &Folder,
        name: &OsStr,
        bytes: &[u8],
        _mode: Option<u32>,
        sync: super::Sync,
    ) -> io::Result<()> {
        let mut temporary = tempfile::NamedTempFile::new_in(folder.path())?;
        temporary.write_all(bytes)?;
        if sync == super::Sync::ToDisk {
            temporary.as_file().sync_all()?;
        }
        temporary
            .persist(folder.path().join(name))
            .map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_file_a_killed_run_left_is_removed_by_the_next_replace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        // A run that no longer exists (a process id past any the system gives out), a
        // run that does (this one), and a file that only looks like one.
        let dead = dir.path().join(".config.toml.2147483646-0.mfa-tmp");
        let alive = dir
            .path()
            .join(format!(".config.toml.{}-999.mfa-tmp", std::process::id()));
        let other = dir.path().join(".other.toml.2147483646-0.mfa-tmp");
        for file in [&dead, &alive, &other] {
            std::fs::write(file, "password = \"old\"").unwrap();
        }
        replace(&path, b"a = 1\n", None).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\n");
        assert!(!dead.exists());
        assert!(alive.exists() && other.exists());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }

    #[test]
    fn a_link_planted_where_the_file_goes_is_replaced_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "mine").unwrap();
        let path = dir.path().join("token.json");
        std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        replace(&path, b"{}", None).unwrap();
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "mine");
        assert!(
            !std::fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            lock(
                &elsewhere.with_extension("lock"),
                Duration::ZERO,
                "lock",
                "x"
            )
            .is_ok()
        );
        let lock_link = dir.path().join("token.lock");
        std::os::unix::fs::symlink(&elsewhere, &lock_link).unwrap();
        let refused = lock(&lock_link, Duration::ZERO, "the lock file", "x").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "the lock file: it is a symbolic link, not a regular file"
        );
    }
}
