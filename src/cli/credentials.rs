//! Who is calling: the resolved credentials, where each part came from, and the
//! profile's `password_command`.
//!
//! Every message about a credential names its origin ("the password (from environment
//! variable BW_PASSWORD)"), never its value. A `password_command` runs through the
//! shell only when a call is really made; its stdout, less one trailing newline, is
//! the password. It gets the call's time limit, its stdin is empty (a password
//! manager that asks for a passphrase must use its own prompt, as `pass` and `gpg`
//! do), and a failure shows what it printed on stderr.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
#[cfg(not(unix))]
use std::sync::mpsc;
use std::time::Duration;
#[cfg(unix)]
use std::time::Instant;

use mfa::{
    AccountId, AuthScheme, ClientCredentials, ClientId, Credentials, Secret, TokenUrl, Username,
};

use crate::cli::failure::Failure;
use crate::cli::interrupt;
use crate::cli::origin::{Origin, Sourced};
use crate::cli::output;
#[cfg(unix)]
use crate::cli::terminal;

/// The most of a command's stdout or stderr that is read.
const OUTPUT_CAP: u64 = 64 * 1024;

/// How much of a failing command's stderr goes into the message.
const STDERR_CHARS: usize = 300;

/// Who is calling, with where each part came from.
#[derive(Debug)]
pub enum Login {
    /// HTTP Basic with the API username and password.
    Basic {
        username: Sourced<Username>,
        password: Password,
    },
    /// OAuth2 client credentials.
    Client {
        client_id: Sourced<ClientId>,
        client_secret: Sourced<Secret<String>>,
        token_url: Sourced<TokenUrl>,
    },
}

/// Where the password is.
#[derive(Debug)]
pub enum Password {
    /// Given in a variable or the profile.
    Given(Sourced<Secret<String>>),
    /// Printed by a command (the profile's `password_command`), not run yet.
    Command {
        command: Secret<String>,
        origin: Origin,
    },
}

impl Password {
    fn origin(&self) -> &Origin {
        match self {
            Password::Given(given) => &given.origin,
            Password::Command { origin, .. } => origin,
        }
    }
}

impl Login {
    /// How the call proves who is calling.
    pub fn scheme(&self) -> AuthScheme {
        match self {
            Login::Basic { .. } => AuthScheme::Basic,
            Login::Client { .. } => AuthScheme::Bearer,
        }
    }

    /// The credentials for the client, running the `password_command` if that is
    /// where the password is, for at most `limit`.
    pub fn credentials(&self, limit: Duration) -> Result<Credentials, Failure> {
        Ok(match self {
            Login::Basic { username, password } => Credentials::basic(
                username.value.clone(),
                match password {
                    Password::Given(given) => given.value.clone(),
                    Password::Command { command, origin } => {
                        run_password_command(command, origin, limit)?
                    }
                },
            ),
            Login::Client {
                client_id,
                client_secret,
                token_url,
            } => Credentials::ClientCredentials(
                ClientCredentials::new(client_id.value.clone(), client_secret.value.clone())
                    .with_token_url(token_url.value.clone()),
            ),
        })
    }

    /// What to check when `error` says the credentials were refused, naming where each
    /// part came from. A 403 is about the account as much as the credentials: the
    /// account id and its origin are named too.
    pub fn advice(&self, error: &mfa::Error, account: &Sourced<AccountId>) -> Option<String> {
        if error.class() != mfa::ErrorClass::CredentialsRefused {
            return None;
        }
        let forbidden = matches!(error, mfa::Error::Api { status: 403, .. });
        // What the refused call needed: MFA, or the role of the API it asked.
        let may = match error.call() {
            Some(mfa::Call::CallState) => "read calls (the Voice role)",
            Some(mfa::Call::MessageStatus) => "read messages (the Messaging role)",
            Some(mfa::Call::Application | mfa::Call::ApplicationLocations) => {
                "read applications (the Dashboard API)"
            }
            _ => "use MFA",
        };
        let account = format!(
            "account {} (from {})",
            account.value.as_str(),
            account.origin
        );
        Some(match self {
            Login::Basic { username, password } if forbidden => format!(
                "check that {account} is the right one and that the username (from {}) may \
                 {may} on it; the password is from {}",
                username.origin,
                password.origin()
            ),
            Login::Basic { username, password } => format!(
                "check the username (from {}) and the password (from {})",
                username.origin,
                password.origin()
            ),
            Login::Client {
                client_id,
                client_secret,
                ..
            } => {
                let parts = format!(
                    "the client id (from {}) and the client secret (from {})",
                    client_id.origin, client_secret.origin
                );
                match error {
                    mfa::Error::Token { .. } => format!("check {parts}"),
                    _ => format!(
                        "a token was issued for {parts}, but the API refused it; check that \
                         this client may {may} on {account}"
                    ),
                }
            }
        })
    }
}

/// Runs `command` through the shell and returns what it printed, less one trailing
/// newline. Exit 3 if it fails, prints nothing or more than one line, or outlives
/// `limit` (then it is stopped, with anything it started).
fn run_password_command(
    command: &Secret<String>,
    origin: &Origin,
    limit: Duration,
) -> Result<Secret<String>, Failure> {
    let fail = |why: String| Failure::Config(format!("the command in {origin} {why}"));
    // With a terminal, the command shares it (and mfa's process group) so that it may
    // ask there; else it runs in a group of its own, stopped whole.
    #[cfg(unix)]
    let own_group = !terminal::in_the_foreground();
    #[cfg(not(unix))]
    let own_group = true;
    // Noted as it starts, so that Ctrl-C or SIGTERM ends it (and all it started) too.
    let child = interrupt::start_child(own_group, || {
        // The command gets mfa's environment less the secrets it holds: what it
        // starts has no need of them.
        let child = shell(command.expose(), own_group)
            .env_remove("BW_PASSWORD")
            .env_remove("BW_CLIENT_SECRET")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let id = child.id();
        Ok((child, id))
    })
    .map_err(|e| match e.kind() {
        // The shell itself is missing, as in an image built FROM scratch.
        std::io::ErrorKind::NotFound => fail(format!(
            "could not be started: there is no shell (`{SHELL}`) on this system to run it, \
             as in a container that has none; give the password in BW_PASSWORD instead"
        )),
        _ => fail(format!("could not be started: {e}")),
    })?;
    let id = child.id();
    let finished = collect(child, limit);
    if finished.is_none() {
        stop(id, own_group);
    }
    interrupt::child_ended();
    let Some((status, printed, errors)) = finished else {
        return Err(fail(format!(
            "did not finish within {} s (the time-out); it was stopped",
            limit.as_secs_f64()
        )));
    };
    let errors = stderr_excerpt(&errors);
    // Ctrl-C at the terminal it held reached the command alone: it ends mfa too.
    interrupt::pass_on(status);
    if !status.success() {
        return Err(fail(format!("failed ({}){errors}", exit_words(status))));
    }
    if printed.len() as u64 > OUTPUT_CAP {
        return Err(fail(format!(
            "printed more than {} KiB; it must print the password alone",
            OUTPUT_CAP / 1024
        )));
    }
    let printed = String::from_utf8(printed)
        .map_err(|_| fail(format!("printed something that is not UTF-8 text{errors}")))?;
    let password = printed
        .strip_suffix("\r\n")
        .or_else(|| printed.strip_suffix('\n'))
        .unwrap_or(&printed);
    if password.is_empty() {
        return Err(fail(format!("printed no password{errors}")));
    }
    if password.contains('\n') {
        return Err(fail(
            "printed more than one line; it must print the password alone (e.g. `pass show \
             NAME | head -n 1`)"
                .into(),
        ));
    }
    Ok(Secret::new(password.to_owned()))
}

/// The shell that runs a `password_command`.
#[cfg(unix)]
const SHELL: &str = "sh";
#[cfg(not(unix))]
const SHELL: &str = "cmd";

/// The shell command line that runs `command`, in a process group of its own if
/// `own_group`, so that stopping it stops what it started too.
fn shell(command: &str, own_group: bool) -> Command {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let mut shell = Command::new(SHELL);
        shell.arg("-c").arg(command);
        if own_group {
            shell.process_group(0);
        }
        shell
    }
    #[cfg(not(unix))]
    {
        let _ = own_group;
        let mut shell = Command::new(SHELL);
        shell.arg("/C").arg(command);
        shell
    }
}

/// Stops the command: its whole process group if it has its own, else its process.
#[allow(unsafe_code)]
fn stop(id: u32, own_group: bool) {
    #[cfg(unix)]
    if let Ok(id) = libc::pid_t::try_from(id) {
        let target = if own_group { -id } else { id };
        // SAFETY: kill(2) takes plain integers and touches no memory of ours. The
        // group is the one `shell` made for the command, led by its process.
        unsafe {
            libc::kill(target, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = (id, own_group);
}

/// What the command printed on stdout and stderr (up to [`OUTPUT_CAP`] and a byte more
/// of each, so that more can be told), and how it ended; `None` if it outlived `limit`.
/// The command's own exit ends the wait: a process it left in the background that
/// still holds its output open does not stall the run.
#[cfg(unix)]
fn collect(mut child: Child, limit: Duration) -> Option<(ExitStatus, Vec<u8>, Vec<u8>)> {
    use std::os::fd::AsRawFd;
    let deadline = Instant::now() + limit;
    let stdout = std::os::fd::OwnedFd::from(child.stdout.take().expect("stdout is piped"));
    let stderr = std::os::fd::OwnedFd::from(child.stderr.take().expect("stderr is piped"));
    let mut streams = [Stream::new(stdout.into()), Stream::new(stderr.into())];
    loop {
        for stream in &mut streams {
            stream.read_what_is_there();
        }
        if let Ok(Some(status)) = child.try_wait() {
            // All it wrote is in the pipes by now: what is there is its output.
            for stream in &mut streams {
                stream.read_what_is_there();
            }
            let [stdout, stderr] = streams.map(|stream| stream.bytes);
            return Some((status, stdout, stderr));
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        let mut fds: Vec<libc::pollfd> = streams
            .iter()
            .filter(|stream| stream.open)
            .map(|stream| libc::pollfd {
                fd: stream.pipe.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        // Woken by output; else every 10 ms to see whether the command has ended.
        let wait = left.min(Duration::from_millis(10)).as_millis() as libc::c_int;
        #[allow(unsafe_code)]
        // SAFETY: poll(2) reads and writes only the `fds` array it is given, whose length
        // is passed with it; the descriptors stay open while `streams` lives.
        unsafe {
            libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, wait.max(1));
        }
    }
}

/// One of the command's output pipes, read without blocking.
#[cfg(unix)]
struct Stream {
    pipe: std::fs::File,
    bytes: Vec<u8>,
    open: bool,
}

#[cfg(unix)]
impl Stream {
    fn new(pipe: std::fs::File) -> Self {
        use std::os::fd::AsRawFd;
        let fd = pipe.as_raw_fd();
        #[allow(unsafe_code)]
        // SAFETY: fcntl(2) on a descriptor this process owns, changing only its flags.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
        Stream {
            pipe,
            bytes: Vec::new(),
            open: true,
        }
    }

    /// Reads what the pipe holds now, keeping up to a byte past the cap and dropping
    /// the rest, so the command is never stuck writing to a full pipe.
    fn read_what_is_there(&mut self) {
        let mut buffer = [0u8; 8192];
        while self.open {
            match self.pipe.read(&mut buffer) {
                Ok(0) => self.open = false,
                Ok(n) => {
                    let room = (OUTPUT_CAP as usize + 1).saturating_sub(self.bytes.len());
                    self.bytes.extend_from_slice(&buffer[..n.min(room)]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
    }
}

/// Elsewhere (Windows): each pipe read to its end on a thread, the whole within `limit`.
#[cfg(not(unix))]
fn collect(mut child: Child, limit: Duration) -> Option<(ExitStatus, Vec<u8>, Vec<u8>)> {
    let (mut stdout, mut stderr) = (
        child.stdout.take().expect("stdout is piped"),
        child.stderr.take().expect("stderr is piped"),
    );
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let errors = std::thread::spawn(move || read_capped(&mut stderr));
        let printed = read_capped(&mut stdout);
        let errors = errors.join().unwrap_or_default();
        let status = child.wait();
        let _ = done.send(status.map(|status| (status, printed, errors)));
    });
    finished.recv_timeout(limit).ok()?.ok()
}

#[cfg(not(unix))]
fn read_capped(stream: &mut impl Read) -> Vec<u8> {
    let mut bytes = Vec::new();
    let _ = stream.take(OUTPUT_CAP + 1).read_to_end(&mut bytes);
    // Drain the rest, so the command is never stuck writing to a full pipe.
    let _ = std::io::copy(stream, &mut std::io::sink());
    bytes
}

/// `exit status 1`, or `killed by signal 9`.
fn exit_words(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by signal {signal}");
        }
    }
    status.to_string()
}

/// `: its stderr: "..."` with what the command printed on stderr, on one line, or
/// nothing if it printed nothing there.
fn stderr_excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let start: String = text.chars().take(STDERR_CHARS).collect();
    let mut excerpt = output::escaped(&start.replace('\n', " / "));
    if text.chars().count() > STDERR_CHARS {
        excerpt.push_str("...");
    }
    format!("; its stderr: {excerpt}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::Profile {
            key: "password_command",
            place: "profile `p` in /f".into(),
        }
    }

    fn run(command: &str, limit: Duration) -> Result<String, String> {
        run_password_command(&Secret::from(command), &origin(), limit)
            .map(|secret| secret.expose().clone())
            .map_err(|failure| failure.reason())
    }

    const SECOND: Duration = Duration::from_secs(5);

    #[test]
    fn stdout_less_one_newline_is_the_password() {
        assert_eq!(run("printf 'pw 1\\n'", SECOND).unwrap(), "pw 1");
        assert_eq!(run("printf 'pw\\r\\n'", SECOND).unwrap(), "pw");
        assert_eq!(run("printf ' pw '", SECOND).unwrap(), " pw ");
    }

    #[test]
    fn a_failing_command_shows_its_stderr() {
        assert_eq!(
            run("echo 'no such entry' >&2; echo partial; exit 3", SECOND).unwrap_err(),
            "the command in key `password_command` of profile `p` in /f failed (exit status \
             3); its stderr: no such entry"
        );
        assert_eq!(
            run("exit 1", SECOND).unwrap_err(),
            "the command in key `password_command` of profile `p` in /f failed (exit status 1)"
        );
    }

    #[test]
    fn its_stderr_is_shown_on_one_line_with_control_characters_escaped() {
        assert_eq!(
            run("printf 'locked\\nby gpg\\033[2J' >&2; exit 2", SECOND).unwrap_err(),
            "the command in key `password_command` of profile `p` in /f failed (exit status \
             2); its stderr: locked / by gpg\\u{1b}[2J"
        );
    }

    #[test]
    fn a_silent_or_chatty_command_is_refused() {
        assert_eq!(
            run("echo locked >&2", SECOND).unwrap_err(),
            "the command in key `password_command` of profile `p` in /f printed no password; \
             its stderr: locked"
        );
        assert!(
            run("printf 'pw\\nuser: x\\n'", SECOND)
                .unwrap_err()
                .ends_with("printed more than one line; it must print the password alone (e.g. `pass show NAME | head -n 1`)")
        );
    }

    #[test]
    fn a_slow_command_is_stopped_at_the_limit() {
        let started = std::time::Instant::now();
        let err = run("sleep 30; echo pw", Duration::from_millis(200)).unwrap_err();
        assert_eq!(
            err,
            "the command in key `password_command` of profile `p` in /f did not finish within \
             0.2 s (the time-out); it was stopped"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_command_printing_more_than_64_kib_is_refused_not_cut() {
        let err = run("head -c 70000 /dev/zero | tr '\\0' a", SECOND).unwrap_err();
        assert_eq!(
            err,
            "the command in key `password_command` of profile `p` in /f printed more than 64 \
             KiB; it must print the password alone"
        );
        // 64 KiB exactly is still a password (a long one).
        assert_eq!(
            run("head -c 65536 /dev/zero | tr '\\0' a", SECOND)
                .unwrap()
                .len(),
            65536
        );
    }

    #[test]
    fn a_background_process_holding_its_output_open_does_not_stall_the_run() {
        let started = std::time::Instant::now();
        assert_eq!(
            run("sleep 20 & echo pw", Duration::from_secs(15)).unwrap(),
            "pw"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn the_command_does_not_inherit_the_secrets_in_the_environment() {
        #[allow(unsafe_code)]
        // SAFETY: other tests of this binary run on other threads meanwhile. None reads
        // these two (settings come in through the `Env` lookup); their reads of the
        // environment go through std (a child's start among them), which takes the same
        // lock as `set_var`; and none looks a name up, the C code that would read it
        // without that lock.
        unsafe {
            std::env::set_var("BW_PASSWORD", "from-the-environment");
            std::env::set_var("BW_CLIENT_SECRET", "from-the-environment");
        }
        let seen = run(
            "printf '%s,%s\\n' \"${BW_PASSWORD-none}\" \"${BW_CLIENT_SECRET-none}\"",
            SECOND,
        );
        #[allow(unsafe_code)]
        // SAFETY: as above.
        unsafe {
            std::env::remove_var("BW_PASSWORD");
            std::env::remove_var("BW_CLIENT_SECRET");
        }
        assert_eq!(seen.unwrap(), "none,none");
    }

    fn account() -> Sourced<AccountId> {
        Sourced {
            value: "9900000".parse().unwrap(),
            origin: Origin::Flag("--account-id"),
        }
    }

    #[test]
    fn advice_names_where_each_part_came_from() {
        let login = Login::Basic {
            username: Sourced {
                value: "u".parse().unwrap(),
                origin: Origin::Flag("--username"),
            },
            password: Password::Command {
                command: Secret::from("pass show x"),
                origin: origin(),
            },
        };
        let refused = mfa::Error::api(mfa::Call::VoiceCode, 401, None, None, None);
        assert_eq!(
            login.advice(&refused, &account()).unwrap(),
            "check the username (from --username) and the password (from key \
             `password_command` of profile `p` in /f)"
        );
        let rejected = mfa::Error::api(mfa::Call::VoiceCode, 400, None, None, None);
        assert_eq!(login.advice(&rejected, &account()), None);
        assert!(!format!("{login:?}").contains("pass show"));
    }

    #[test]
    fn a_403_names_what_the_refused_call_needed() {
        let login = Login::Basic {
            username: Sourced {
                value: "u".parse().unwrap(),
                origin: Origin::Flag("--username"),
            },
            password: Password::Given(Sourced {
                value: Secret::from("pw"),
                origin: Origin::Env("BW_PASSWORD"),
            }),
        };
        for (call, may) in [
            (mfa::Call::VoiceCode, "use MFA"),
            (mfa::Call::VerifyCode, "use MFA"),
            (mfa::Call::CallState, "read calls (the Voice role)"),
            (
                mfa::Call::MessageStatus,
                "read messages (the Messaging role)",
            ),
            (
                mfa::Call::Application,
                "read applications (the Dashboard API)",
            ),
        ] {
            let forbidden = mfa::Error::api(call, 403, None, None, None);
            assert_eq!(
                login.advice(&forbidden, &account()).unwrap(),
                format!(
                    "check that account 9900000 (from --account-id) is the right one and that \
                     the username (from --username) may {may} on it; the password is from \
                     environment variable BW_PASSWORD"
                ),
                "{call:?}"
            );
        }
    }
}
