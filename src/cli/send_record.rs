//! The command line's record of the codes sent, which the guard (`mfa::Guard`, as
//! `cli::guard` applies it) counts: one file, `<state folder>/mfa/sent`, shared by
//! every run of the user.
//!
//! Kept as the token cache is: the folder made with mode 0700, the file with 0600 and
//! the user's own (a link, another user's file or one others could write is refused),
//! replaced whole (written beside, then renamed), and runs at once take turns on a lock
//! file, held from the read to the write, so each decides and records in one step and
//! fifty runs at once with a limit of three send exactly three codes. The file's first
//! line holds the key numbers are hashed under; each other line one code: the number's
//! keyed hash and the time, in milliseconds since 1970. It never holds a number in clear. A line that is not one
//! of these is dropped; a file whose key cannot be read starts anew with a new key.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mfa::{NumberKey, RecordError, RecordKey, Refusal, SendRecord, Sent};

use crate::cli::owned_path::{self, Refusal as NotUsable};
use crate::cli::private_files;
use crate::cli::untrusted_file::Unreadable;

/// The first word of the file, and its version.
const HEADER: &str = "mfa-sent-record 1";
/// The largest record read: a hundred thousand codes.
const CAP: u64 = 8 * 1024 * 1024;
/// How long a run waits for another that holds the lock.
const PATIENCE: Duration = Duration::from_secs(5);

/// The record in a folder, read and locked: the lock is held as long as the record is,
/// so a run decides and writes on what it read, and the next run waits its turn.
#[derive(Debug)]
pub struct FileRecord {
    file: PathBuf,
    key: RecordKey,
    /// The codes the file held when it was read.
    sent: std::sync::Mutex<Vec<Sent>>,
    _held: private_files::Lock,
}

impl FileRecord {
    /// Where the record under `state_dir` is kept.
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join("mfa").join("sent")
    }

    /// The record under `state_dir`, locked for this run and read (or begun with a new
    /// key).
    pub fn open(state_dir: &Path) -> Result<Self, RecordError> {
        let file = FileRecord::path(state_dir);
        let lock = file.with_file_name("sent.lock");
        // Taking the lock makes the folder (mode 0700), checked as any of the user's.
        let held = private_files::lock(&lock, PATIENCE, "the record's lock file", "another run")
            .map_err(|e| unusable(&lock, e))?;
        let (key, sent) = match read(&file)? {
            Some((key, sent)) => (RecordKey::from_bytes(&key), sent),
            None => (RecordKey::generate()?, Vec::new()),
        };
        Ok(FileRecord {
            file,
            key,
            sent: std::sync::Mutex::new(sent),
            _held: held,
        })
    }
}

impl SendRecord for FileRecord {
    fn key(&self) -> &RecordKey {
        &self.key
    }

    fn admit(
        &self,
        number: NumberKey,
        now: SystemTime,
        since: SystemTime,
        decide: &mut dyn FnMut(&[Sent]) -> Option<Refusal>,
    ) -> Result<Option<Refusal>, RecordError> {
        let mut sent = self
            .sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        sent.retain(|code| code.at >= since);
        let refused = decide(&sent);
        if refused.is_some() {
            return Ok(refused);
        }
        sent.push(Sent { number, at: now });
        let mut text = format!("{HEADER} {}\n", hex(&self.key.to_bytes()));
        for code in sent.iter() {
            let millis = code
                .at
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis();
            text.push_str(&format!("{} {millis}\n", hex(&code.number.0)));
        }
        // Not waited for on the disk: a crash costs a count, never a secret.
        private_files::replace_unsynced(&self.file, text.as_bytes())
            .map_err(|e| unusable(&self.file, e))?;
        Ok(None)
    }
}

/// What the file holds: its key's bytes, and the codes.
type Held = ([u8; 32], Vec<Sent>);

/// The key and the codes the file holds; `None` when it is missing or its key line
/// cannot be read.
fn read(file: &Path) -> Result<Option<Held>, RecordError> {
    let bytes = match owned_path::read(file, CAP) {
        Ok((bytes, _)) => bytes,
        Err(NotUsable::Unusable(Unreadable::Missing)) => return Ok(None),
        Err(refused) => return Err(unusable(file, std::io::Error::from(refused))),
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines();
    let key = lines
        .next()
        .and_then(|line| line.strip_prefix(HEADER))
        .and_then(|rest| unhex::<32>(rest.trim()));
    let Some(key) = key else {
        return Ok(None);
    };
    let sent = lines
        .filter_map(|line| {
            let (number, millis) = line.split_once(' ')?;
            let number = NumberKey(unhex::<16>(number)?);
            let at = UNIX_EPOCH.checked_add(Duration::from_millis(millis.parse().ok()?))?;
            Some(Sent { number, at })
        })
        .collect();
    Ok(Some((key, sent)))
}

/// Why the record at `path` cannot be used.
fn unusable(path: &Path, error: std::io::Error) -> RecordError {
    RecordError(format!("{}: {error}", path.display()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `N` bytes from exactly `2 * N` lower-case hex digits.
fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != 2 * N {
        return None;
    }
    let digit = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (at, pair) in text.chunks(2).enumerate() {
        out[at] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_keeps_codes_as_hashes_and_starts_anew_from_a_damaged_key() {
        let folder = tempfile::tempdir().unwrap();
        let record = FileRecord::open(folder.path()).unwrap();
        let guard = mfa::Guard::new(record).per_number(Some("2/1h".parse().unwrap()));
        let to: mfa::PhoneNumber = "+15553334444".parse().unwrap();
        guard.admit(&to).unwrap();
        guard.admit(&to).unwrap();
        assert!(matches!(guard.admit(&to), Err(mfa::GuardError::Limit(_))));
        // The lock is held as long as the record: let go, as at the end of a run.
        drop(guard);
        let file = folder.path().join("mfa").join("sent");
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(!text.contains("5553334444"), "{text}");
        // A second run finds the same key and the same counts.
        let again = mfa::Guard::new(FileRecord::open(folder.path()).unwrap())
            .per_number(Some("2/1h".parse().unwrap()));
        assert!(again.admit(&to).is_err());
        drop(again);
        // A damaged file: a new key, no counts; junk lines are dropped.
        std::fs::write(&file, "junk\nmore junk\n").unwrap();
        let fresh = mfa::Guard::new(FileRecord::open(folder.path()).unwrap())
            .per_number(Some("2/1h".parse().unwrap()));
        fresh.admit(&to).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with(HEADER) && !text.contains("junk"), "{text}");
    }

    #[test]
    fn hex_is_read_back_exactly_and_anything_else_is_refused() {
        assert_eq!(unhex::<2>(&hex(&[0, 255])), Some([0, 255]));
        for bad in ["", "0", "00f", "0G00", "00FF", "00ff00"] {
            assert_eq!(unhex::<2>(bad), None, "{bad}");
        }
    }
}
