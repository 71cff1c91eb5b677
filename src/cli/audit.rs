//! The audit log: one JSON line for each API call made or attempted, appended to the
//! file `log_file` names (`--log`, `MFA_LOG`), so a help desk can tell who called whom,
//! when, and how it ended; and one for each outcome of a send learned afterwards (`mfa
//! status`, `--wait`, the round trip's watch of its call: call `status`). Never a code,
//! a password, a client secret or a token.
//!
//! The file is opened, and checked, before anything is sent: it must be a regular file
//! of the user's (made with mode 0600 if new) that no one else may read or write, in a
//! folder only the user can change (`owned_path`'s rule); a FIFO, a device, a link,
//! another user's file, a file others may read or write, or one in a folder others
//! may write is refused (exit 3), with the fix. Each entry is written with one `write` to a file
//! opened to append, so runs at once never mix their lines. An entry that cannot be
//! written once the call is made (a full disk) costs a warning, never the call's exit
//! status. The line format is a contract for scripts (README, Help desk): fields are
//! only ever added.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::cli::args::OutputFormat;
use crate::cli::failure::Failure;
use crate::cli::origin::Origin;
use crate::cli::output;
use crate::cli::owned_path::{self, Access, Refusal};
use crate::cli::untrusted_file::Unreadable;

/// An open audit log.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: File,
}

/// One line of the log: one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// When the call began: RFC 3339, UTC, milliseconds.
    pub time: String,
    /// The `mfa` command run: `voice`, `sms`, `verify`, `doctor` or `status`.
    pub command: String,
    /// The call made: `voice`, `sms` or `verify`; `status` for an outcome learned.
    pub call: String,
    /// The profile in use.
    #[serde(default)]
    pub profile: String,
    /// The Bandwidth account.
    #[serde(default)]
    pub account_id: String,
    /// The number the code went to, or was checked for.
    pub to: String,
    /// The scope, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Who ran it.
    #[serde(default)]
    pub operator: Operator,
    /// The machine it ran on.
    #[serde(default)]
    pub host: String,
    /// The call id or message id the API gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The API's `requestId`, when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The HTTP status of the answer, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Whether the API may have acted on it: `no`, `maybe` or `yes`.
    pub sent: String,
    /// For a check: whether the code was valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
    /// For a round trip's check: the id of the send whose code it checks, so two agents
    /// checking one number are told apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<String>,
    /// For a round trip that ended at the code prompt, with no check made: how
    /// (`interrupted (SIGINT) at the code prompt`, `stdin ended before a code was read
    /// back`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
    /// For a `status` entry: what became of the send `id` names, in words (`answered
    /// after 12 s`, `busy`, `delivered`, `ringing: not final yet`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// For a `status` entry: whether the code reached the phone; left out while that
    /// is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reached: Option<bool>,
    /// The exit status the call gave.
    pub exit: u8,
    /// The `mfa` that made it.
    #[serde(default)]
    pub version: String,
}

/// The operator: login name and user id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    #[serde(default)]
    pub login: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
}

impl Entry {
    /// The entry of a call beginning now: `command` makes `call` for `account_id` to
    /// `to`, from `profile`, by this operator on this host; the outcome is filled in
    /// when it is known (`sent` is `no` until then).
    pub fn begin(
        command: &str,
        call: &str,
        profile: &str,
        account_id: &str,
        to: &str,
        scope: Option<&str>,
    ) -> Entry {
        Entry {
            time: timestamp(SystemTime::now()),
            command: command.to_owned(),
            call: call.to_owned(),
            profile: profile.to_owned(),
            account_id: account_id.to_owned(),
            to: to.to_owned(),
            scope: scope.map(str::to_owned),
            operator: operator(),
            host: host(),
            id: None,
            request_id: None,
            status: None,
            sent: "no".to_owned(),
            valid: None,
            checks: None,
            ended: None,
            outcome: None,
            reached: None,
            exit: 0,
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// The entry of what was learned now of the send `id`, beginning from `base` (its
    /// command, profile, account, number and scope): `outcome` in words, whether it
    /// `reached` the phone, and the `exit` status that outcome gives. It sent nothing.
    pub fn learned(
        base: &Entry,
        id: &str,
        outcome: &str,
        reached: Option<bool>,
        exit: u8,
    ) -> Entry {
        Entry {
            time: timestamp(SystemTime::now()),
            call: "status".to_owned(),
            id: Some(id.to_owned()),
            request_id: None,
            status: None,
            sent: "no".to_owned(),
            valid: None,
            checks: None,
            ended: None,
            outcome: Some(outcome.to_owned()),
            reached,
            exit,
            ..base.clone()
        }
    }

    /// Ends the entry of a call that failed: how it exited, whether anything may have
    /// been sent, and the API's `requestId` if it gave one.
    pub fn failed(&mut self, failure: &Failure) {
        self.request_id = failure
            .api_error()
            .and_then(mfa::Error::request_id)
            .map(str::to_owned);
        self.exit = failure.exit().code();
        self.sent = failure.sent().to_owned();
    }
}

impl AuditLog {
    /// Opens the log at `path` (named by `origin`) to append, creating it with mode
    /// 0600; refuses anything but a regular file of the user's, before anything is
    /// sent.
    pub fn open(path: &Path, origin: &Origin) -> Result<AuditLog, Failure> {
        let refuse = |why: String| {
            Failure::Config(format!(
                "the audit log {} (from {origin}) cannot be used: {why}",
                path.display()
            ))
        };
        let opened = owned_path::open(path, Access::Append).map_err(|why| match why {
            Refusal::Unusable(Unreadable::Missing) => refuse("its folder does not exist".into()),
            Refusal::Foreign(foreign) => {
                refuse(format!("{}; fix it with `{}`", foreign.why, foreign.fix))
            }
            other => refuse(other.to_string()),
        })?;
        let file = opened.file;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let owner = file.metadata().map_err(|e| refuse(e.to_string()))?.uid();
            if owner != operator().uid.unwrap_or(owner) {
                return Err(refuse(format!(
                    "it belongs to another user (uid {owner}), who could read or change it"
                )));
            }
            if opened.mode & 0o066 != 0 {
                return Err(refuse(format!(
                    "other users can read or write it (mode {:o}); fix it with `chmod 600 {}`",
                    opened.mode,
                    owned_path::shell_quoted(path)
                )));
            }
        }
        Ok(AuditLog {
            path: path.to_owned(),
            file,
        })
    }

    /// A log opened to read only, so that every write fails: for the tests of what a
    /// failed write does.
    #[cfg(test)]
    pub fn unwritable(path: &Path) -> AuditLog {
        AuditLog {
            path: path.to_owned(),
            file: File::open(path).unwrap(),
        }
    }

    /// Appends `entry`; a line that cannot be written is a warning on `err`, never a
    /// failure: what it records has happened either way.
    pub fn append_or_warn(&self, entry: &Entry, format: OutputFormat, err: &mut dyn Write) {
        if let Err(e) = self.append_line(&line(entry)) {
            let warning = format!("could not write the audit log {}: {e}", self.path.display());
            let _ = output::write_warning(err, format, &warning);
        }
    }

    /// The file, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open file's descriptor, for the interrupt handler's last entry.
    #[cfg(unix)]
    pub fn raw_fd(&self) -> i32 {
        std::os::fd::AsRawFd::as_raw_fd(&self.file)
    }

    /// Appends a line made by [`line`], in one write.
    pub fn append_line(&self, line: &[u8]) -> io::Result<()> {
        (&self.file).write_all(line)
    }
}

/// `entry` as the log holds it: one line of JSON.
pub fn line(entry: &Entry) -> Vec<u8> {
    let mut line = serde_json::to_vec(entry).expect("an entry is plain data");
    line.push(b'\n');
    line
}

/// `time` as the log writes it: RFC 3339, UTC, milliseconds.
pub fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

/// Who runs `mfa`: the login name of the user id it runs as, and that id.
pub fn operator() -> Operator {
    #[cfg(unix)]
    {
        let uid = crate::cli::untrusted_file::user_id();
        Operator {
            login: login_of(uid)
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_default(),
            uid: Some(uid),
        }
    }
    #[cfg(not(unix))]
    Operator {
        login: std::env::var("USERNAME").unwrap_or_default(),
        uid: None,
    }
}

/// The login name the password database gives `uid`.
#[cfg(unix)]
fn login_of(uid: u32) -> Option<String> {
    let mut buffer = vec![0 as libc::c_char; 16 * 1024];
    #[allow(unsafe_code)]
    // SAFETY: getpwuid_r(3) fills `entry` and `buffer`, whose length it is given, and
    // sets `found` to `entry` or null; the name is read only when it is found, from
    // the buffer, which outlives the read.
    unsafe {
        let mut entry: libc::passwd = std::mem::zeroed();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let failed = libc::getpwuid_r(
            uid,
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        );
        if failed != 0 || found.is_null() || entry.pw_name.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(entry.pw_name);
        Some(name.to_string_lossy().into_owned())
    }
}

/// This machine's name.
pub fn host() -> String {
    #[cfg(unix)]
    {
        let mut buffer = [0u8; 256];
        #[allow(unsafe_code)]
        // SAFETY: gethostname(2) writes at most the length it is given into `buffer`.
        let failed = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
        if failed == 0 {
            let end = buffer.iter().position(|b| *b == 0).unwrap_or(buffer.len());
            return String::from_utf8_lossy(&buffer[..end]).into_owned();
        }
        String::new()
    }
    #[cfg(not(unix))]
    std::env::var("COMPUTERNAME").unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            time: timestamp(SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_500)),
            command: "voice".into(),
            call: "voice".into(),
            profile: "default".into(),
            account_id: "9900000".into(),
            to: "+15553334444".into(),
            scope: None,
            operator: Operator {
                login: "ops".into(),
                uid: Some(1000),
            },
            host: "desk-1".into(),
            id: Some("c-1".into()),
            request_id: None,
            status: Some(200),
            sent: "yes".into(),
            valid: None,
            checks: None,
            ended: None,
            outcome: None,
            reached: None,
            exit: 0,
            version: "0.2.0".into(),
        }
    }

    #[test]
    fn an_entry_is_one_line_of_camel_case_json() {
        let line = String::from_utf8(line(&entry())).unwrap();
        assert_eq!(
            line,
            "{\"time\":\"1970-01-01T00:00:01.500Z\",\"command\":\"voice\",\"call\":\"voice\",\
             \"profile\":\"default\",\"accountId\":\"9900000\",\"to\":\"+15553334444\",\
             \"operator\":{\"login\":\"ops\",\"uid\":1000},\"host\":\"desk-1\",\"id\":\"c-1\",\
             \"status\":200,\"sent\":\"yes\",\"exit\":0,\"version\":\"0.2.0\"}\n"
        );
        let back: Entry = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(back, entry());
    }

    #[cfg(unix)]
    #[test]
    fn a_new_log_is_private_and_a_fifo_or_a_device_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("audit.jsonl");
        let log = AuditLog::open(&path, &Origin::Flag("--log")).unwrap();
        log.append_line(&line(&entry())).unwrap();
        log.append_line(&line(&entry())).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
        let refused = AuditLog::open(Path::new("/dev/null"), &Origin::Env("MFA_LOG"))
            .unwrap_err()
            .reason();
        assert_eq!(
            refused,
            "the audit log /dev/null (from environment variable MFA_LOG) cannot be used: it \
             is a device, not a regular file"
        );
        let missing = folder.path().join("no/such/folder/log");
        let refused = AuditLog::open(&missing, &Origin::Flag("--log")).unwrap_err();
        assert!(refused.reason().ends_with("its folder does not exist"));
    }

    #[test]
    fn the_operator_and_host_are_known() {
        let me = operator();
        assert!(!me.login.is_empty() || me.uid.is_some());
        let _ = host();
    }
}
