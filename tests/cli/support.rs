//! The harness every integration test runs the real `mfa` binary through.
//!
//! Each run gets a fresh HOME and an environment cleared of everything inherited (no
//! `BW_`/`MFA_` variables, no proxies), and every output of every run is searched for
//! the password, the client secret, the `Authorization` values they make, any access
//! token the tests issue, the proxy password, and the code being verified: a leak fails
//! whichever test caused it.

use std::path::PathBuf;

use base64::Engine as _;
use tempfile::TempDir;

pub const ACCOUNT: &str = "9900000";
pub const USERNAME: &str = "api-user";
pub const PASSWORD: &str = "pw-Zq8!x_s3cr3t";
/// What `--dry-run` says of the guard for [`TO`], a number of the North American plan
/// that its numbering plan does not know (555), which the guard lets go by default.
pub const GUARD_WOULD_SEND: &str = "mfa: guard: would send: the number is in US, of type invalid \
                                    (the numbering plan does not know it)\n";
pub const TO: &str = "+15553334444";
pub const FROM: &str = "+15554443333";
pub const APP: &str = "93de2206-9669-4e07-948d-329f4b722ee2";
pub const SMS_APP: &str = "b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90";
/// The code the user typed back. Eight digits, so no port number can contain it.
pub const CODE: &str = "48213967";
/// The variables of the APIs `mfa doctor` and a round trip's watch read.
pub const DOCTOR_READS: [&str; 3] = ["MFA_VOICE_URL", "MFA_MESSAGING_URL", "MFA_DASHBOARD_URL"];
pub const VOICE_PATH: &str = "/api/v1/accounts/9900000/code/voice";
pub const SMS_PATH: &str = "/api/v1/accounts/9900000/code/messaging";
pub const VERIFY_PATH: &str = "/api/v1/accounts/9900000/code/verify";
pub const USER_AGENT: &str = concat!("mfa/", env!("CARGO_PKG_VERSION"));
pub const CLIENT_ID: &str = "client-9f8e7d";
pub const CLIENT_SECRET: &str = "cs-Vq3!k_s3cr3t";
pub const TOKEN_PATH: &str = "/oauth2/token";
/// The password in the proxy URLs the tests set; searched for in every output.
pub const PROXY_PASSWORD: &str = "px-Wn4!s3cr3t";
/// Every access token a test issues starts with this, so every output is searched
/// for all of them.
pub const TOKEN_PREFIX: &str = "tok-Qz";

/// A host name no lookup can find, refused by the system's resolver before it asks
/// any name server (a label of 64 characters is one more than DNS allows): the test
/// suite sends no query off this machine.
pub fn unresolvable_host() -> String {
    format!("{}.invalid", "a".repeat(64))
}

/// `Basic base64(client-id:client-secret)`.
pub fn client_basic_auth() -> String {
    let pair = format!("{CLIENT_ID}:{CLIENT_SECRET}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// The proxy's username.
pub const PROXY_USER: &str = "proxy-user";

/// The value of `Proxy-Authorization` for `PROXY_USER:PROXY_PASSWORD`, without `Basic`.
pub fn proxy_basic_auth() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{PROXY_USER}:{PROXY_PASSWORD}"))
}

/// A proxy URL for a proxy on `port` of 127.0.0.1, with the test's proxy credentials.
pub fn proxy_url(port: u16) -> String {
    format!("http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{port}")
}

/// A strict mock of the token endpoint that issues `token` for `expires_in` seconds.
pub fn token_mock(
    server: &mut mockito::ServerGuard,
    token: &str,
    expires_in: u64,
) -> mockito::Mock {
    assert!(token.starts_with(TOKEN_PREFIX));
    server
        .mock("POST", TOKEN_PATH)
        .match_header("authorization", client_basic_auth().as_str())
        .match_header("accept", "application/json")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_header("user-agent", USER_AGENT)
        .match_body(mockito::Matcher::Exact(
            "grant_type=client_credentials".into(),
        ))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(format!(
            r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":{expires_in}}}"#
        ))
}

/// A strict mock of the voice call carrying `Bearer token`.
pub fn bearer_voice_mock(server: &mut mockito::ServerGuard, token: &str) -> mockito::Mock {
    server
        .mock("POST", VOICE_PATH)
        .match_header("authorization", format!("Bearer {token}").as_str())
        .match_header("accept", "application/json")
        .match_header("content-type", "application/json")
        .match_header("user-agent", USER_AGENT)
        .match_body(mockito::Matcher::Exact(default_voice_body()))
}

/// `Basic base64(api-user:password)`.
pub fn basic_auth() -> String {
    let pair = format!("{USERNAME}:{PASSWORD}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// The body `mfa voice` sends with the standard flags and default message and digits.
pub fn default_voice_body() -> String {
    voice_body_to(TO)
}

/// The body `mfa voice --to {to}` sends with the other standard flags.
pub fn voice_body_to(to: &str) -> String {
    format!(
        r#"{{"to":"{to}","from":"{FROM}","applicationId":"{APP}","message":"Your temporary {{NAME}} {{SCOPE}} code is {{CODE}}","digits":6}}"#
    )
}

/// The body `mfa sms` sends with the standard flags and default message and digits.
pub fn default_sms_body() -> String {
    format!(
        r#"{{"to":"{TO}","from":"{FROM}","applicationId":"{SMS_APP}","message":"Your temporary {{NAME}} {{SCOPE}} code is {{CODE}}","digits":6}}"#
    )
}

/// The body `mfa verify` sends for `CODE` with a 3-minute lifetime and no scope.
pub fn default_verify_body() -> String {
    format!(r#"{{"to":"{TO}","code":"{CODE}","expirationTimeInMinutes":3}}"#)
}

/// What `--dry-run` prints in text for a request to `url` with `body`.
pub fn shown_request(url: &str, body: &str) -> String {
    format!(
        "POST {url}\n\
         Accept: application/json\n\
         Authorization: Basic <redacted>\n\
         Content-Type: application/json\n\
         User-Agent: {USER_AGENT}\n\
         \n\
         {body}\n"
    )
}

/// A mock with strict expectations on method, path, headers and exact body.
pub fn api_mock(server: &mut mockito::ServerGuard, path: &str, body: &str) -> mockito::Mock {
    server
        .mock("POST", path)
        .match_header("authorization", basic_auth().as_str())
        .match_header("accept", "application/json")
        .match_header("content-type", "application/json")
        .match_header("user-agent", USER_AGENT)
        .match_body(mockito::Matcher::Exact(body.to_owned()))
}

/// The verify body the doctor sends for a fictional number, one of +12025550100 to
/// +12025550199, as a pattern.
const DOCTOR_BODY: &str = r#"^\{"to":"\+120255501[0-9]{2}","scope":"mfa-doctor","code":"000000","expirationTimeInMinutes":1\}$"#;

/// A strict mock of the doctor's verify for a fictional number.
pub fn fictional_verify(server: &mut mockito::ServerGuard) -> mockito::Mock {
    api_mock(server, VERIFY_PATH, "").match_body(mockito::Matcher::Regex(DOCTOR_BODY.into()))
}

/// The doctor's reads, answered by `server` as for credentials that may make each:
/// a 404 for the call that does not exist, no message listed, [`APP`] a voice
/// application and [`SMS_APP`] a messaging one, each with a location. Each strict (a
/// GET, the account's path, Basic auth, no body) and expected once.
pub fn doctor_reads(server: &mut mockito::ServerGuard) -> Vec<mockito::Mock> {
    use mockito::Matcher;
    let mut read = |path: &str, query: Matcher, accept: &str| {
        server
            .mock("GET", path)
            .match_query(query)
            .match_header("authorization", basic_auth().as_str())
            .match_header("accept", accept)
            .match_header("content-type", Matcher::Missing)
            .match_header("user-agent", USER_AGENT)
            .match_body(Matcher::Exact(String::new()))
            .expect(1)
    };
    let xml = "application/xml";
    let located = "<AssociatedSipPeersResponse><AssociatedSipPeers><AssociatedSipPeer>\
                   <SiteId>1</SiteId><PeerId>10</PeerId><PeerName>Main</PeerName>\
                   </AssociatedSipPeer></AssociatedSipPeers></AssociatedSipPeersResponse>";
    let application = |kind: &str| {
        format!(
            "<ApplicationProvisioningResponse><Application><ServiceType>{kind}</ServiceType>\
             <AppName>Codes</AppName></Application></ApplicationProvisioningResponse>"
        )
    };
    let applications = format!("/dashboard/accounts/{ACCOUNT}/applications");
    vec![
        read(
            &format!("/voice/accounts/{ACCOUNT}/calls/c-mfa-doctor-no-such-call"),
            Matcher::Missing,
            "application/json",
        )
        .with_status(404)
        .with_body(r#"{"type":"not-found","description":"no such call"}"#)
        .create(),
        read(
            &format!("/messaging/users/{ACCOUNT}/messages"),
            Matcher::Exact("messageId=mfa-doctor-no-such-message".into()),
            "application/json",
        )
        .with_body(r#"{"totalCount":0,"messages":[]}"#)
        .create(),
        read(&format!("{applications}/{APP}"), Matcher::Missing, xml)
            .with_body(application("Voice-V2"))
            .create(),
        read(
            &format!("{applications}/{APP}/associatedsippeers"),
            Matcher::Missing,
            xml,
        )
        .with_body(located)
        .create(),
        read(&format!("{applications}/{SMS_APP}"), Matcher::Missing, xml)
            .with_body(application("Messaging-V2"))
            .create(),
        read(
            &format!("{applications}/{SMS_APP}/associatedsippeers"),
            Matcher::Missing,
            xml,
        )
        .with_body(located)
        .create(),
    ]
}

/// A strict mock of the voice call.
pub fn voice_mock(server: &mut mockito::ServerGuard, body: &str) -> mockito::Mock {
    api_mock(server, VOICE_PATH, body)
}

/// Mocks that fail the test (at `assert`) if any request reaches the server.
pub struct NothingSent(Vec<mockito::Mock>);

impl NothingSent {
    #[track_caller]
    pub fn assert(&self) {
        for mock in &self.0 {
            mock.assert();
        }
    }
}

/// Expects that nothing at all, with any method and path, reaches the server.
pub fn nothing_sent(server: &mut mockito::ServerGuard) -> NothingSent {
    NothingSent(
        ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
            .iter()
            .map(|method| {
                server
                    .mock(method, mockito::Matcher::Any)
                    .expect(0)
                    .create()
            })
            .collect(),
    )
}

/// One run of `mfa`: its arguments, environment and home.
pub struct Mfa {
    /// Shared with each run started, so the folder outlives them however the test
    /// holds the `Mfa`: a run writes in it (the guard's record, the token cache).
    home: std::sync::Arc<TempDir>,
    args: Vec<String>,
    env: Vec<(String, std::ffi::OsString)>,
    stdin: Option<Vec<u8>>,
}

impl Mfa {
    pub fn new() -> Self {
        Mfa {
            home: std::sync::Arc::new(tempfile::tempdir().unwrap()),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
        }
    }

    /// `mfa voice` with the request's own flags (`--to`, `--from`, `--application-id`)
    /// and nothing else: no account, credentials or base URL.
    pub fn voice_request() -> Self {
        Mfa::new().args(&["voice", "--to", TO, "--from", FROM, "--application-id", APP])
    }

    /// `mfa voice` with every setting given on the command line, the password in
    /// BW_PASSWORD, against `base_url`.
    pub fn voice(base_url: &str) -> Self {
        Mfa::voice_request().connected(base_url)
    }

    /// `mfa sms` with the request's own flags and nothing else.
    pub fn sms_request() -> Self {
        Mfa::new().args(&[
            "sms",
            "--to",
            TO,
            "--from",
            FROM,
            "--application-id",
            SMS_APP,
        ])
    }

    /// `mfa sms` with every setting on the command line, the password in BW_PASSWORD.
    pub fn sms(base_url: &str) -> Self {
        Mfa::sms_request().connected(base_url)
    }

    /// `mfa verify` with `--to` and `--expiration 3`, but no code.
    pub fn verify_request() -> Self {
        Mfa::new().args(&["verify", "--to", TO, "--expiration", "3"])
    }

    /// `mfa verify --code -`, with every other setting on the command line, the
    /// password in BW_PASSWORD, and `stdin` as its standard input.
    pub fn verify_stdin(base_url: &str, stdin: &str) -> Self {
        Mfa::verify_request()
            .args(&["--code", "-"])
            .connected(base_url)
            .stdin(stdin)
    }

    /// `mfa verify --code CODE`, with every other setting on the command line.
    pub fn verify(base_url: &str) -> Self {
        Mfa::verify_request()
            .args(&["--code", CODE])
            .connected(base_url)
    }

    /// `mfa voice` with the account and base URL as flags and OAuth2 client
    /// credentials in the environment, with the token endpoint on `server`.
    pub fn voice_oauth(server: &mockito::ServerGuard) -> Self {
        Mfa::voice_request()
            .args(&[
                "--account-id",
                ACCOUNT,
                "--base-url",
                &format!("{}/api/v1", server.url()),
            ])
            .env("BW_CLIENT_ID", CLIENT_ID)
            .env("BW_CLIENT_SECRET", CLIENT_SECRET)
            .env("MFA_TOKEN_URL", &format!("{}{TOKEN_PATH}", server.url()))
    }

    /// The account, username and base URL as flags, and the password in BW_PASSWORD.
    pub fn connected(self, base_url: &str) -> Self {
        self.args(&[
            "--account-id",
            ACCOUNT,
            "--username",
            USERNAME,
            "--base-url",
            base_url,
        ])
        .env("BW_PASSWORD", PASSWORD)
    }

    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.as_bytes().to_vec());
        self
    }

    /// Another run in this one's `HOME` (its config, token cache and record of codes
    /// sent), with `args` and none of this one's arguments or variables.
    pub fn again(&self, args: &[&str]) -> Self {
        Mfa {
            home: std::sync::Arc::clone(&self.home),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
        }
        .args(args)
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    pub fn env(self, name: &str, value: &str) -> Self {
        self.env_os(name, value.into())
    }

    /// Sends `mfa doctor`'s reads to `server`, under `/voice`, `/messaging` and
    /// `/dashboard`.
    pub fn reads_at(self, server: &mockito::ServerGuard) -> Self {
        let url = server.url();
        self.env("MFA_VOICE_URL", &format!("{url}/voice"))
            .env("MFA_MESSAGING_URL", &format!("{url}/messaging"))
            .env("MFA_DASHBOARD_URL", &format!("{url}/dashboard"))
    }

    /// Sets a variable to any bytes the system takes, UTF-8 or not.
    pub fn env_os(mut self, name: &str, value: std::ffi::OsString) -> Self {
        self.env.push((name.into(), value));
        self
    }

    /// Writes the default config file, `$HOME/.config/mfa/config.toml`, with mode 0600
    /// as `mfa config init` makes it.
    pub fn config(self, text: &str) -> Self {
        self.config_with_mode(text, 0o600)
    }

    /// Writes the default config file with the given permission bits.
    pub fn config_with_mode(self, text: &str, mode: u32) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let path = self.default_config_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        self
    }

    pub fn default_config_path(&self) -> PathBuf {
        self.home
            .path()
            .join(".config")
            .join("mfa")
            .join("config.toml")
    }

    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }

    /// The token cache's folder, `$HOME/.cache/mfa/tokens`.
    pub fn token_dir(&self) -> PathBuf {
        self.home.path().join(".cache").join("mfa").join("tokens")
    }

    /// The command: the environment cleared but for `HOME` and what the test gave.
    /// The reads `mfa doctor` and a round trip's watch of its call make by themselves
    /// never leave the machine: unless the test names where they go, they go to a port
    /// on 127.0.0.1 where nobody listens.
    pub fn command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_mfa"));
        command
            .env_clear()
            .env("HOME", self.home.path())
            .args(&self.args);
        if self
            .args
            .iter()
            .any(|arg| arg == "doctor" || arg == "--verify")
        {
            let nowhere = format!("http://127.0.0.1:{}", crate::servers::closed_port());
            for read in DOCTOR_READS {
                command.env(read, &nowhere);
            }
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    /// Runs `mfa` to the end (stdin empty unless given) and checks that no output holds
    /// a secret.
    pub fn run(&self) -> Outcome {
        let output = assert_cmd::Command::from_std(self.command())
            .write_stdin(self.stdin.clone().unwrap_or_default())
            .output()
            .unwrap();
        Outcome::of(output)
    }

    /// Starts `mfa` with the stdin given (else empty) and returns at once;
    /// [`Outcome::of`] its output.
    pub fn start(&self) -> Running {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = self
            .command()
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The text given to stdin, then its end.
        if let (Some(text), Some(mut stdin)) = (&self.stdin, child.stdin.take()) {
            stdin.write_all(text).unwrap();
        }
        Running {
            child,
            _home: std::sync::Arc::clone(&self.home),
        }
    }
}

/// A run started, and its `HOME`, kept until the run is waited for.
pub struct Running {
    child: std::process::Child,
    _home: std::sync::Arc<TempDir>,
}

impl Running {
    /// Waits for the run to end, as [`std::process::Child::wait_with_output`].
    pub fn wait_with_output(self) -> std::io::Result<std::process::Output> {
        self.child.wait_with_output()
    }
}

impl std::ops::Deref for Running {
    type Target = std::process::Child;

    fn deref(&self) -> &std::process::Child {
        &self.child
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.child
    }
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// The outcome of a finished run, checked for secrets.
    pub fn of(output: std::process::Output) -> Self {
        let outcome = Outcome {
            code: output.status.code().expect("mfa was killed by a signal"),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        };
        outcome.assert_no_secret();
        outcome
    }

    fn assert_no_secret(&self) {
        for (name, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            assert!(
                !text.contains(PASSWORD),
                "the password leaked to {name}: {text}"
            );
            let encoded = basic_auth();
            let encoded = encoded.trim_start_matches("Basic ");
            assert!(
                !text.contains(encoded),
                "the Authorization value leaked to {name}: {text}"
            );
            assert!(!text.contains(CODE), "the code leaked to {name}: {text}");
            assert!(
                !text.contains(CLIENT_SECRET),
                "the client secret leaked to {name}: {text}"
            );
            let encoded = client_basic_auth();
            let encoded = encoded.trim_start_matches("Basic ");
            assert!(
                !text.contains(encoded),
                "the client's Authorization value leaked to {name}: {text}"
            );
            assert!(
                !text.contains(TOKEN_PREFIX),
                "an access token leaked to {name}: {text}"
            );
            assert!(
                !text.contains(PROXY_PASSWORD) && !text.contains(&proxy_basic_auth()),
                "the proxy password leaked to {name}: {text}"
            );
        }
    }

    /// Checks the exit status, stdout and stderr exactly.
    #[track_caller]
    pub fn assert(&self, code: i32, stdout: &str, stderr: &str) {
        assert_eq!(
            (self.code, self.stdout.as_str(), self.stderr.as_str()),
            (code, stdout, stderr),
            "exit status, stdout, stderr"
        );
    }

    /// Checks the exit status and stdout exactly, showing stderr (logs, say) on failure.
    #[track_caller]
    pub fn assert_exit_and_stdout(&self, code: i32, stdout: &str) {
        assert_eq!(
            (self.code, self.stdout.as_str()),
            (code, stdout),
            "exit status and stdout; stderr: {}",
            self.stderr
        );
    }

    /// Checks that each of `lines` is a whole line of stderr.
    #[track_caller]
    pub fn assert_stderr_has_lines(&self, lines: &[String]) {
        for line in lines {
            assert!(
                self.stderr.lines().any(|l| l == line),
                "{line:?} in {}",
                self.stderr
            );
        }
    }

    /// Checks the exit status, that stdout is empty, and that stderr is one error line
    /// starting with `prefix`.
    #[track_caller]
    pub fn assert_error(&self, code: i32, prefix: &str) {
        assert_eq!(self.code, code, "exit status; stderr: {}", self.stderr);
        assert_eq!(self.stdout, "", "stdout");
        assert_eq!(
            self.stderr.lines().count(),
            1,
            "one line on stderr: {}",
            self.stderr
        );
        assert!(
            self.stderr.starts_with(&format!("mfa: error: {prefix}")),
            "stderr should start with {prefix:?}: {}",
            self.stderr
        );
    }
}

// The help desk's round trip (`mfa voice --verify`), shared by its plain and
// pseudo-terminal tests.

/// A strict mock of a check of `code`, for `TO` in `scope`, 3 minutes, answering
/// `valid`, expected once.
pub fn round_trip_check(
    server: &mut mockito::ServerGuard,
    code: &str,
    valid: bool,
) -> mockito::Mock {
    let body =
        format!(r#"{{"to":"{TO}","scope":"login","code":"{code}","expirationTimeInMinutes":3}}"#);
    api_mock(server, VERIFY_PATH, &body)
        .with_body(format!(r#"{{"valid":{valid}}}"#))
        .expect(1)
        .create()
}

/// The voice send with scope `login`, answering `c-1`, expected once.
pub fn round_trip_send(server: &mut mockito::ServerGuard) -> mockito::Mock {
    let body = format!(
        r#"{{"to":"{TO}","from":"{FROM}","applicationId":"{APP}","scope":"login","message":"Your temporary {{NAME}} {{SCOPE}} code is {{CODE}}","digits":6}}"#
    );
    voice_mock(server, &body)
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create()
}

/// The text message a voice round trip falls back to: the call's scope and message,
/// through the messaging application; answering `m-1`, expected `times`.
pub fn fallback_text(server: &mut mockito::ServerGuard, times: usize) -> mockito::Mock {
    let body = format!(
        r#"{{"to":"{TO}","from":"{FROM}","applicationId":"{SMS_APP}","scope":"login","message":"Your temporary {{NAME}} {{SCOPE}} code is {{CODE}}","digits":6}}"#
    );
    api_mock(server, SMS_PATH, &body)
        .with_body(r#"{"messageId":"m-1"}"#)
        .expect(times)
        .create()
}

/// The state of call c-1, asked once.
pub fn call_c1(server: &mut mockito::ServerGuard, state: &str) -> mockito::Mock {
    server
        .mock("GET", "/voice/accounts/9900000/calls/c-1")
        .match_header("authorization", basic_auth().as_str())
        .with_body(state)
        .expect(1)
        .create()
}

pub fn round_trip(server: &mockito::ServerGuard) -> Mfa {
    Mfa::voice(&format!("{}/api/v1", server.url())).args(&[
        "--scope",
        "login",
        "--verify",
        "--expiration",
        "3",
    ])
}

/// Makes a FIFO at `path`, as an attacker would plant one where a file should be.
pub fn make_fifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A new file at `path` that only its owner may read and write (mode 600), as `mfa`
/// makes its own; opened for writing.
pub fn private_file(path: &std::path::Path) -> std::fs::File {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).unwrap()
}
