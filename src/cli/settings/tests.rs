//! The settings' rules, each through the public face of `Sources`: precedence, the
//! messages for missing and bad values, credentials, request bodies and `config show`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::time::Duration;

use clap::Parser;
use mfa::{AuthScheme, Code, CodeRequest};

use super::table;
use super::{Channel, ShownValue, Sources};
use crate::cli::args::{ApiCommand, Cli, Command, SendArgs, VerifyArgs};
use crate::cli::config_file::Profile;
use crate::cli::credentials::Login;
use crate::cli::failure::Failure;
use crate::cli::origin::Origin;

fn cli(args: &[&str]) -> Cli {
    let mut all = vec!["mfa", "voice", "--to", "+15553334444"];
    all.extend_from_slice(args);
    Cli::try_parse_from(all).unwrap()
}

fn send_args(cli: &Cli) -> &SendArgs {
    match &cli.command {
        Command::Api(ApiCommand::Voice(args) | ApiCommand::Sms(args)) => args,
        other => panic!("not a send: {other:?}"),
    }
}

fn verify_args(args: &[&str]) -> VerifyArgs {
    let mut all = vec!["mfa", "verify", "--to", "+15553334444", "--code", "1234"];
    all.extend_from_slice(args);
    match Cli::try_parse_from(all).unwrap().command {
        Command::Api(ApiCommand::Verify(args)) => args,
        other => panic!("not verify: {other:?}"),
    }
}

impl Sources<'_> {
    fn voice_code(&self, args: &SendArgs) -> Result<CodeRequest, Failure> {
        self.code_request(args, Channel::Voice)
    }
}

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
    let map: HashMap<String, OsString> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), OsString::from(v)))
        .collect();
    move |name| map.get(name).cloned()
}

fn profile(account_id: &str, from: &str) -> Profile {
    Profile::of(&format!("account_id = \"{account_id}\"\nfrom = \"{from}\""))
}

#[test]
fn the_flag_beats_the_environment_which_beats_the_profile() {
    let env = env_of(&[("BW_ACCOUNT_ID", "222")]);
    let sources = Sources::new(&env, profile("333", "+15550000001"));
    let with_flag = sources
        .connection(&cli(&["--account-id", "111"]).global)
        .unwrap();
    assert_eq!(with_flag.account_id.value.as_str(), "111");
    assert_eq!(with_flag.account_id.origin, Origin::Flag("--account-id"));

    let without_flag = sources.connection(&cli(&[]).global).unwrap();
    assert_eq!(without_flag.account_id.value.as_str(), "222");
    assert_eq!(without_flag.account_id.origin, Origin::Env("BW_ACCOUNT_ID"));

    let no_env = env_of(&[]);
    let sources = Sources::new(&no_env, profile("333", "+15550000001"));
    let from_profile = sources.connection(&cli(&[]).global).unwrap();
    assert_eq!(from_profile.account_id.value.as_str(), "333");
    assert_eq!(
        from_profile.account_id.origin.to_string(),
        "key `account_id` of profile `default` in /cfg/mfa/config.toml"
    );
}

#[test]
fn an_empty_variable_counts_as_unset() {
    let env = env_of(&[
        ("BW_ACCOUNT_ID", ""),
        ("BW_NUMBER", ""),
        ("BW_PASSWORD", ""),
    ]);
    let sources = Sources::new(&env, profile("333", "+15550000001"));
    let connection = sources.connection(&cli(&[]).global).unwrap();
    assert_eq!(connection.account_id.value.as_str(), "333");
    let request = sources
        .voice_code(send_args(&cli(&["--application-id", "app"])))
        .unwrap();
    assert_eq!(request.from.as_str(), "+15550000001");
    let Err(Failure::Config(message)) = sources.login(&cli(&["--username", "u"]).global) else {
        panic!()
    };
    assert!(
        message.starts_with("no API password: set BW_PASSWORD, or add `password`"),
        "{message}"
    );
}

#[test]
fn defaults_fill_what_nothing_gives() {
    let env = env_of(&[("BW_ACCOUNT_ID", "1")]);
    let sources = Sources::new(&env, Profile::default());
    let connection = sources.connection(&cli(&[]).global).unwrap();
    assert_eq!(
        connection.base_url.value.as_str(),
        "https://mfa.bandwidth.com/api/v1"
    );
    assert_eq!(connection.base_url.origin, Origin::Default);
    assert_eq!(connection.timeout.value.duration(), Duration::from_secs(30));
    let request = sources
        .voice_code(send_args(&cli(&[
            "--from",
            "+15550000001",
            "--application-id",
            "a",
        ])))
        .unwrap();
    assert_eq!(request.digits.get(), 6);
    assert_eq!(request.message.as_str(), mfa::DEFAULT_MESSAGE);
    assert_eq!(request.scope, None);
}

#[test]
fn every_request_setting_follows_the_same_order() {
    let env = env_of(&[
        ("BW_NUMBER", "+15550000002"),
        ("BW_VOICE_APPLICATION_ID", "env-app"),
    ]);
    let profile = Profile::of(
        r#"from = "+15550000003"
voice_application_id = "profile-app"
digits = 4
message = "p {CODE}"
scope = "p-scope""#,
    );
    let sources = Sources::new(&env, profile);
    let request = sources.voice_code(send_args(&cli(&[]))).unwrap();
    assert_eq!(request.from.as_str(), "+15550000002");
    assert_eq!(request.application_id.as_str(), "env-app");
    assert_eq!(request.digits.get(), 4);
    assert_eq!(request.message.as_str(), "p {CODE}");
    assert_eq!(request.scope.unwrap().as_str(), "p-scope");
    let request = sources
        .voice_code(send_args(&cli(&[
            "--from",
            "+15550000004",
            "--application-id",
            "flag-app",
            "--digits",
            "8",
            "--message",
            "f {CODE}",
            "--scope",
            "f-scope",
        ])))
        .unwrap();
    assert_eq!(request.from.as_str(), "+15550000004");
    assert_eq!(request.application_id.as_str(), "flag-app");
    assert_eq!(request.digits.get(), 8);
    assert_eq!(request.message.as_str(), "f {CODE}");
    assert_eq!(request.scope.unwrap().as_str(), "f-scope");
}

#[test]
fn a_bad_value_from_the_environment_is_a_config_error_naming_it() {
    let env = env_of(&[("BW_NUMBER", "5550000001")]);
    let sources = Sources::new(&env, Profile::default());
    let Err(Failure::Config(message)) =
        sources.voice_code(send_args(&cli(&["--application-id", "a"])))
    else {
        panic!()
    };
    assert!(
        message.starts_with(
            "environment variable BW_NUMBER is invalid (\"5550000001\"): must be an E.164"
        ),
        "{message}"
    );
}

#[test]
fn a_bad_value_from_the_profile_names_the_key_and_profile() {
    let env = env_of(&[]);
    let sources = Sources::new(&env, Profile::of(r#"digits = 9"#));
    let Err(Failure::Config(message)) = sources.voice_code(send_args(&cli(&[
        "--from",
        "+15550000001",
        "--application-id",
        "a",
    ]))) else {
        panic!()
    };
    assert_eq!(
        message,
        "key `digits` of profile `default` in /cfg/mfa/config.toml is invalid (\"9\"): \
         must be a whole number from 2 to 8"
    );
}

#[test]
fn a_missing_request_value_is_a_usage_error_naming_every_way_to_give_it() {
    let env = env_of(&[]);
    let sources = Sources::new(&env, Profile::default());
    let Err(Failure::Usage(message)) =
        sources.voice_code(send_args(&cli(&["--application-id", "a"])))
    else {
        panic!()
    };
    assert_eq!(
        message,
        "no from number: pass --from, set BW_NUMBER, or add `from` to profile `default` in \
         /cfg/mfa/config.toml"
    );
}

#[test]
fn a_missing_account_id_is_a_config_error() {
    let env = env_of(&[]);
    let sources = Sources::new(&env, Profile::default());
    let Err(Failure::Config(message)) = sources.connection(&cli(&[]).global) else {
        panic!()
    };
    assert!(
        message.starts_with("no account id: pass --account-id, set BW_ACCOUNT_ID"),
        "{message}"
    );
}

/// The password `login` resolves to, and the advice for a refusal.
fn password_and_advice(login: &Login) -> (String, String) {
    let Ok(mfa::Credentials::Basic { password, .. }) = login.credentials(Duration::from_secs(5))
    else {
        panic!("{login:?}")
    };
    let refused = mfa::Error::api(mfa::Call::VoiceCode, 401, None, None, None);
    (
        password.expose().clone(),
        login
            .advice(
                &refused,
                &crate::cli::origin::Sourced {
                    value: "1".parse().unwrap(),
                    origin: Origin::Default,
                },
            )
            .unwrap(),
    )
}

#[test]
fn the_password_comes_from_the_environment_then_the_profile_and_is_never_shown() {
    let env = env_of(&[("BW_PASSWORD", "env-secret")]);
    let with_profile = Profile::of(r#"password = "file-secret""#);
    let sources = Sources::new(&env, with_profile.clone());
    let login = sources.login(&cli(&["--username", "u"]).global).unwrap();
    assert_eq!(
        password_and_advice(&login),
        (
            "env-secret".to_owned(),
            "check the username (from --username) and the password (from environment \
             variable BW_PASSWORD)"
                .to_owned()
        )
    );
    assert!(!format!("{login:?}").contains("env-secret"));

    let no_env = env_of(&[]);
    let sources = Sources::new(&no_env, with_profile);
    let login = sources.login(&cli(&["--username", "u"]).global).unwrap();
    assert_eq!(password_and_advice(&login).0, "file-secret");
    assert!(!format!("{login:?}").contains("file-secret"));
}

#[test]
fn a_password_command_runs_only_when_nothing_else_gives_the_password() {
    let profile = Profile::of(r#"password_command = "printf 'from-command\\n'""#);
    let no_env = env_of(&[]);
    let sources = Sources::new(&no_env, profile.clone());
    let login = sources.login(&cli(&["--username", "u"]).global).unwrap();
    assert_eq!(
        password_and_advice(&login),
        (
            "from-command".to_owned(),
            "check the username (from --username) and the password (from key \
             `password_command` of profile `default` in /cfg/mfa/config.toml)"
                .to_owned()
        )
    );
    let env = env_of(&[("BW_PASSWORD", "env-secret")]);
    let sources = Sources::new(&env, profile);
    let login = sources.login(&cli(&["--username", "u"]).global).unwrap();
    assert_eq!(password_and_advice(&login).0, "env-secret");
}

#[test]
fn complete_client_credentials_win_over_basic() {
    let env = env_of(&[
        ("BW_USERNAME", "u"),
        ("BW_PASSWORD", "pw"),
        ("BW_CLIENT_ID", "c1"),
        ("BW_CLIENT_SECRET", "cs"),
    ]);
    let sources = Sources::new(&env, Profile::default());
    let global = cli(&[]).global;
    let login = sources.login(&global).unwrap();
    assert_eq!(login.scheme(), AuthScheme::Bearer);
    assert_eq!(sources.scheme(&global).unwrap(), AuthScheme::Bearer);
    let Ok(mfa::Credentials::ClientCredentials(client)) = login.credentials(Duration::from_secs(1))
    else {
        panic!("{login:?}")
    };
    assert_eq!(client.client_id.as_str(), "c1");
    assert_eq!(client.client_secret.expose(), "cs");
    assert_eq!(
        client.token_url.as_str(),
        "https://api.bandwidth.com/api/v1/oauth2/token"
    );
    assert!(!format!("{login:?}").contains("cs\""));

    // A client id alone does not make client credentials: Basic is used.
    let env = env_of(&[
        ("BW_USERNAME", "u"),
        ("BW_PASSWORD", "pw"),
        ("BW_CLIENT_ID", "c1"),
    ]);
    let sources = Sources::new(&env, Profile::default());
    assert_eq!(sources.login(&global).unwrap().scheme(), AuthScheme::Basic);
    assert_eq!(sources.scheme(&global).unwrap(), AuthScheme::Basic);
}

#[test]
fn half_of_the_client_credentials_says_what_is_missing_and_where_the_rest_came_from() {
    let env = env_of(&[]);
    let sources = Sources::new(&env, Profile::of(r#"client_secret = "cs""#));
    let Err(Failure::Config(message)) = sources.login(&cli(&[]).global) else {
        panic!()
    };
    assert_eq!(
        message,
        "no client id for the client secret (from key `client_secret` of profile \
         `default` in /cfg/mfa/config.toml): pass --client-id, set BW_CLIENT_ID, or add \
         `client_id` to profile `default` in /cfg/mfa/config.toml"
    );
    let sources = Sources::new(&env, Profile::default());
    let Err(Failure::Config(message)) = sources.login(&cli(&["--client-id", "c1"]).global) else {
        panic!()
    };
    assert_eq!(
        message,
        "no client secret for the client id (from --client-id): set BW_CLIENT_SECRET, or \
         add `client_secret` to profile `default` in /cfg/mfa/config.toml"
    );
}

#[test]
fn the_token_url_follows_the_settings_order() {
    let env = env_of(&[
        ("BW_CLIENT_ID", "c1"),
        ("BW_CLIENT_SECRET", "cs"),
        ("MFA_TOKEN_URL", "http://127.0.0.1:9/token"),
    ]);
    let profile = Profile::of(r#"token_url = "https://example.com/token""#);
    let sources = Sources::new(&env, profile.clone());
    let Login::Client { token_url, .. } = sources.login(&cli(&[]).global).unwrap() else {
        panic!()
    };
    assert_eq!(token_url.value.as_str(), "http://127.0.0.1:9/token");
    assert_eq!(token_url.origin, Origin::Env("MFA_TOKEN_URL"));
    let env = env_of(&[
        ("BW_CLIENT_ID", "c1"),
        ("BW_CLIENT_SECRET", "cs"),
        ("MFA_TOKEN_URL", "http://example.com/token"),
    ]);
    let Err(Failure::Config(message)) = Sources::new(&env, profile).login(&cli(&[]).global) else {
        panic!()
    };
    assert!(
        message.starts_with(
            "environment variable MFA_TOKEN_URL is invalid (\"http://example.com/token\"): \
             must start with https://"
        ),
        "{message}"
    );
}

#[test]
fn show_lists_every_settable_key_in_order_and_no_secret() {
    let env = env_of(&[("BW_PASSWORD", "env-secret"), ("BW_ACCOUNT_ID", "99")]);
    let sources = Sources::new(
        &env,
        Profile::of(
            r#"client_secret = "file-secret"
digits = 4"#,
        ),
    );
    let shown = sources.show(&cli(&[]).global).unwrap();
    let keys: Vec<&str> = shown.iter().map(|line| line.setting.key).collect();
    assert_eq!(keys, table::KEYS);
    let debug = format!("{shown:?}");
    assert!(!debug.contains("env-secret") && !debug.contains("file-secret"));
    assert_eq!(
        shown[2].value,
        ShownValue::Secret {
            origin: Origin::Env("BW_PASSWORD")
        }
    );
    let digits = shown
        .iter()
        .find(|line| line.setting.key == "digits")
        .unwrap();
    assert!(matches!(&digits.value, ShownValue::Value { text, number: true, .. } if text == "4"));
    let message = shown
        .iter()
        .find(|line| line.setting.key == "message")
        .unwrap();
    assert_eq!(
        message.value,
        ShownValue::Value {
            text: mfa::DEFAULT_MESSAGE.into(),
            number: false,
            origin: Origin::Default
        }
    );
}

#[test]
fn a_bad_username_from_the_environment_is_refused() {
    let env = env_of(&[("BW_USERNAME", "a:b"), ("BW_PASSWORD", "pw")]);
    let sources = Sources::new(&env, Profile::default());
    let Err(Failure::Config(message)) = sources.login(&cli(&[]).global) else {
        panic!()
    };
    assert!(
        message.starts_with("environment variable BW_USERNAME is invalid"),
        "{message}"
    );
}

#[test]
fn a_password_given_two_ways_is_refused() {
    let env = env_of(&[]);
    let sources = Sources::new(
        &env,
        Profile::of(
            r#"password = "pw"
password_command = "pass x""#,
        ),
    );
    let Err(Failure::Config(message)) = sources.refuse_a_password_given_twice() else {
        panic!()
    };
    assert_eq!(
        message,
        "profile `default` in /cfg/mfa/config.toml has both `password` and \
         `password_command`; keep one"
    );
}

#[test]
fn a_named_profile_without_a_config_dir_is_an_error() {
    let env = env_of(&[("MFA_PROFILE", "prod")]);
    let Err(Failure::Config(message)) = Sources::load(&cli(&[]).global, &env, None) else {
        panic!()
    };
    assert!(
        message.starts_with("a profile was named, but no user config directory"),
        "{message}"
    );
    let none = env_of(&[]);
    assert!(Sources::load(&cli(&[]).global, &none, None).is_ok());
}

#[test]
fn sms_takes_the_messaging_application_id_and_never_the_voice_one() {
    let voice_only = env_of(&[("BW_VOICE_APPLICATION_ID", "voice-app")]);
    let sources = Sources::new(
        &voice_only,
        Profile::of(
            r#"from = "+15550000001"
voice_application_id = "voice-app""#,
        ),
    );
    let Err(Failure::Usage(message)) =
        sources.code_request(send_args(&cli(&[])), Channel::Messaging)
    else {
        panic!()
    };
    assert_eq!(
        message,
        "no messaging application id: pass --application-id, set \
         BW_MESSAGING_APPLICATION_ID, or add `messaging_application_id` to profile \
         `default` in /cfg/mfa/config.toml"
    );

    let both = env_of(&[
        ("BW_VOICE_APPLICATION_ID", "voice-env"),
        ("BW_MESSAGING_APPLICATION_ID", "sms-env"),
    ]);
    let profile = Profile::of(
        r#"from = "+15550000001"
voice_application_id = "voice-file"
messaging_application_id = "sms-file""#,
    );
    let sources = Sources::new(&both, profile.clone());
    let args = cli(&[]);
    let sms = sources
        .code_request(send_args(&args), Channel::Messaging)
        .unwrap();
    assert_eq!(sms.application_id.as_str(), "sms-env");
    let voice = sources
        .code_request(send_args(&args), Channel::Voice)
        .unwrap();
    assert_eq!(voice.application_id.as_str(), "voice-env");
    let none = env_of(&[]);
    let sources = Sources::new(&none, profile);
    let sms = sources
        .code_request(send_args(&args), Channel::Messaging)
        .unwrap();
    assert_eq!(sms.application_id.as_str(), "sms-file");
}

#[test]
fn verify_takes_its_lifetime_from_the_flag_then_the_profile() {
    let env = env_of(&[]);
    let code: Code = "1234".parse().unwrap();
    let sources = Sources::new(
        &env,
        Profile::of(
            r#"expiration_minutes = 5
scope = "login""#,
        ),
    );
    let from_profile = sources
        .verify_request(&verify_args(&[]), code.clone())
        .unwrap();
    assert_eq!(from_profile.expiration_minutes.get(), 5.0);
    assert_eq!(from_profile.scope.unwrap().as_str(), "login");
    let from_flag = sources
        .verify_request(
            &verify_args(&["--expiration", "15", "--scope", "2FA"]),
            code.clone(),
        )
        .unwrap();
    assert_eq!(from_flag.expiration_minutes.get(), 15.0);
    assert_eq!(from_flag.scope.unwrap().as_str(), "2FA");
    for (toml, minutes) in [
        ("expiration_minutes = 1.5", 1.5),
        ("expiration_minutes = 3.0", 3.0),
    ] {
        let sources = Sources::new(&env, Profile::of(toml));
        let request = sources
            .verify_request(&verify_args(&[]), code.clone())
            .unwrap();
        assert_eq!(request.expiration_minutes.get(), minutes, "{toml}");
    }
}

#[test]
fn verify_without_a_lifetime_says_how_to_give_one() {
    let env = env_of(&[]);
    let sources = Sources::new(&env, Profile::default());
    let Err(Failure::Usage(message)) =
        sources.verify_request(&verify_args(&[]), "1234".parse().unwrap())
    else {
        panic!()
    };
    assert_eq!(
        message,
        "no code lifetime: pass --expiration, set MFA_EXPIRATION_MINUTES, or add \
         `expiration_minutes` to profile `default` in /cfg/mfa/config.toml"
    );
    let sources = Sources::new(&env, Profile::of(r#"expiration_minutes = 16"#));
    let Err(Failure::Config(message)) =
        sources.verify_request(&verify_args(&[]), "1234".parse().unwrap())
    else {
        panic!()
    };
    assert_eq!(
        message,
        "key `expiration_minutes` of profile `default` in /cfg/mfa/config.toml is invalid \
         (\"16\"): must be a number of minutes from 1 to 15 (e.g. 3 or 1.5)"
    );
}
