//! The examples help shows: one list, read by `--help` (`args`) and the man page
//! (`man`), so the two cannot drift apart; `args`' tests run each one through the
//! parser.

/// The EXAMPLES section of `--help` for the command at `path`.
pub fn examples(path: &[&str]) -> String {
    let mut text = String::from("Examples:\n");
    for (what, command) in example_lines(path) {
        text.push_str(&format!(
            "  {what}\n    {}\n",
            command.replace('\n', "\n    ")
        ));
    }
    text
}

/// The commands whose examples help shows, each as its path: `mfa --help` first.
pub const WITH_EXAMPLES: [&[&str]; 8] = [
    &[],
    &["voice"],
    &["sms"],
    &["verify"],
    &["status"],
    &["config"],
    &["doctor"],
    &["log"],
];

/// The examples of the command at `path` (`[]` for `mfa`): what each does, and the
/// command line, one command a line. The one list `--help` and the man page show.
pub fn example_lines(path: &[&str]) -> &'static [(&'static str, &'static str)] {
    match path {
        ["sms"] => SMS,
        ["doctor"] => DOCTOR,
        ["log"] => LOG,
        ["verify"] => VERIFY,
        ["status"] => STATUS,
        ["config"] => CONFIG,
        [] => MFA,
        ["voice"] => VOICE,
        _ => &[],
    }
}

/// The examples of `mfa sms`.
const SMS: &[(&str, &str)] = &[
    (
        "Send a code by text message, keeping the message id:",
        "id=$(mfa sms --to +15553334444)",
    ),
    (
        "With a text of your own:",
        "mfa sms --to +15553334444 --message 'Your {NAME} code: {CODE}'",
    ),
    (
        "See the request without sending it (needs no password):",
        "mfa sms --to +15553334444 --dry-run",
    ),
];

/// The examples of `mfa doctor`.
const DOCTOR: &[(&str, &str)] = &[
    (
        "Check the config file, settings, credentials and route, sending no code:",
        "mfa doctor",
    ),
    (
        "In CI, with settings from the environment alone, as JSON:",
        "mfa doctor --json",
    ),
];

/// The examples of `mfa log`.
const LOG: &[(&str, &str)] = &[
    (
        "The calls of the last two hours, newest first:",
        "mfa log --since 2h",
    ),
    (
        "One number's last ten calls, as JSON lines:",
        "mfa log --to +15553334444 --limit 10 --json",
    ),
];

/// The examples of `mfa verify`.
const VERIFY: &[(&str, &str)] = &[
    (
        "Check a code (exit 0 and `valid`, or exit 1 and `invalid`):",
        "mfa verify --to +15553334444 --code 123456",
    ),
    (
        "Read the code from stdin, out of shell history and the process list:",
        "printf '%s\\n' \"$code\" | mfa verify --to +15553334444 --code -",
    ),
    (
        "In a script, by the exit status:",
        "if printf '%s\\n' \"$code\" | mfa verify --to +15553334444 --code - >/dev/null; then echo welcome; fi",
    ),
];

/// The examples of `mfa status`.
const STATUS: &[(&str, &str)] = &[
    (
        "Did the phone ring? (exit 0 answered, 1 not, 10 not known yet):",
        "mfa status c-15ac29a2-1331029c-2cb0-4a07-b215-b22865662d85",
    ),
    (
        "Send, then wait up to two minutes for the outcome:",
        "mfa voice --to +15553334444 | mfa status --wait=120",
    ),
    (
        "Several ids, as JSON lines (the exit status is the worst):",
        "mfa status --json c-1 m-2",
    ),
];

/// The examples of `mfa config`.
const CONFIG: &[(&str, &str)] = &[
    (
        "Start a profile and fill it in (at a terminal, `mfa config init` asks for each):",
        "mfa config init --no-input\nmfa config set account_id 9900000\nmfa config set username api-user\nmfa config set password -\nmfa config set from +15554443333\nmfa config set voice_application_id 93de2206-9669-4e07-948d-329f4b722ee2\nmfa config set expiration_minutes 5",
    ),
    (
        "A second profile, used with -p:",
        "mfa -p staging config init\nmfa -p staging config set account_id 9900001\nmfa -p staging config show",
    ),
    (
        "See what is in effect and where it comes from:",
        "mfa config show\nmfa config get account_id",
    ),
    (
        "Back from OAuth2 to a username and password:",
        "mfa config unset client_id\nmfa config unset client_secret",
    ),
];

/// The examples of `mfa`.
const MFA: &[(&str, &str)] = &[
    (
        "Set up the default profile for voice (at a terminal, `mfa config init` asks for each):",
        "mfa config set account_id 9900000\nmfa config set username api-user\nmfa config set password -\nmfa config set from +15554443333\nmfa config set voice_application_id 93de2206-9669-4e07-948d-329f4b722ee2\nmfa config set expiration_minutes 5",
    ),
    ("Check it all, sending no code:", "mfa doctor"),
    (
        "Send a code by voice call, then check the one the user types back:",
        "mfa voice --to +15553334444\nmfa verify --to +15553334444 --code -",
    ),
    (
        "By text message, from another profile, as JSON:",
        "mfa -p staging sms --to +15553334444 --json",
    ),
];

/// The examples of `mfa voice`.
const VOICE: &[(&str, &str)] = &[
    (
        "Send a code by voice call, keeping the call id:",
        "call_id=$(mfa voice --to +15553334444)",
    ),
    (
        "See the request without sending it (needs no password):",
        "mfa voice --to +15553334444 --dry-run",
    ),
    (
        "From another profile, with a 4-digit code, as JSON:",
        "mfa -p staging voice --to +15553334444 --digits 4 --json",
    ),
    (
        "At a help desk: call, then check the code the caller reads back:",
        "mfa voice --to +15553334444 --verify",
    ),
    (
        "The same, sending a text instead when the call is not answered:",
        "mfa voice --to +15553334444 --verify --fallback sms",
    ),
];
