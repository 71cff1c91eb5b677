//! A server, a gateway's page or a proxy that echoes the request back: the password,
//! the client secret, the access token and every `Authorization` value they make are
//! taken out of whatever `mfa` shows of the answer (the API's message, the body it
//! quotes, `--verbose`'s log, `mfa doctor`'s lines), in text and JSON. The harness fails
//! any run whose output holds one; each test also checks that the echo was shown,
//! redacted. The last tests hold the rule as a table: each output path times each form
//! (JSON escapes, percent and HTML encoding, base64, hex) of the password and of the
//! code being verified.

use base64::Engine as _;

use crate::support::*;

/// Everything a hostile server could echo of `request`: the `Authorization` header,
/// what it decodes to, and the body.
fn echo(request: &mockito::Request) -> String {
    let authorization = request
        .header("authorization")
        .first()
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let decoded = authorization
        .strip_prefix("Basic ")
        .and_then(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
        })
        .map(|bytes| String::from_utf8(bytes).unwrap())
        .unwrap_or_default();
    let secret = decoded.split_once(':').map(|(_, s)| s).unwrap_or_default();
    format!("you sent Authorization: {authorization} ({decoded}, password {secret})")
}

/// The echo as the API's JSON error words.
fn json_echo(request: &mockito::Request) -> Vec<u8> {
    serde_json::json!({"error": echo(request), "requestId": "r-echo"})
        .to_string()
        .into_bytes()
}

#[test]
fn an_api_error_that_echoes_the_request_shows_it_redacted() {
    for (status, exit) in [(400, 5), (401, 4), (403, 4), (404, 5), (429, 6), (500, 7)] {
        let mut server = mockito::Server::new();
        let mock = voice_mock(&mut server, &default_voice_body())
            .with_status(status)
            .with_body_from_request(json_echo)
            .expect(2)
            .create();
        for json in [false, true] {
            let mut mfa = Mfa::voice(&format!("{}/api/v1", server.url()));
            if json {
                mfa = mfa.args(&["--json"]);
            }
            let outcome = mfa.run();
            assert_eq!(outcome.code, exit, "{status}: {}", outcome.stderr);
            assert!(
                outcome.stderr.contains(
                    "you sent Authorization: Basic <redacted> (<redacted>, password <redacted>)"
                ),
                "{status}: {}",
                outcome.stderr
            );
        }
        mock.assert();
    }
}

#[test]
fn a_gateway_page_or_an_unexpected_success_that_echoes_is_quoted_redacted() {
    for (status, exit) in [(502, 7), (200, 9)] {
        let mut server = mockito::Server::new();
        let mock = voice_mock(&mut server, &default_voice_body())
            .with_status(status)
            .with_body_from_request(|request| {
                format!("<html><pre>{}</pre></html>", echo(request)).into_bytes()
            })
            .expect(1)
            .create();
        let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
            .args(&["--verbose"])
            .run();
        assert_eq!(outcome.code, exit, "{}", outcome.stderr);
        // Both the error and --verbose's log of the answer show the echo, redacted.
        let shown = outcome
            .stderr
            .matches("Authorization: Basic <redacted> (<redacted>, password <redacted>)")
            .count();
        assert_eq!(shown, 2, "{status}: {}", outcome.stderr);
        mock.assert();
    }
}

#[test]
fn an_echoed_header_of_the_answer_is_redacted_in_the_log() {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_header("x-echo", &basic_auth())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["--verbose"])
        .run();
    outcome.assert_exit_and_stdout(0, "c-1\n");
    outcome.assert_stderr_has_lines(&["< x-echo: Basic <redacted>".into()]);
    mock.assert();
}

#[test]
fn the_token_endpoint_and_the_api_echoing_oauth_secrets_show_them_redacted() {
    // The token endpoint refuses, echoing the client's Basic header and secret.
    let mut server = mockito::Server::new();
    let token = server
        .mock("POST", TOKEN_PATH)
        .with_status(401)
        .with_body_from_request(|request| {
            serde_json::json!({"error": "invalid_client", "error_description": echo(request)})
                .to_string()
                .into_bytes()
        })
        .expect(1)
        .create();
    let outcome = Mfa::voice_oauth(&server).run();
    assert_eq!(outcome.code, 4, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("password <redacted>"),
        "{}",
        outcome.stderr
    );
    token.assert();

    // The API echoes the bearer token it was given.
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz-echoed", 3600)
        .expect(1)
        .create();
    let call = bearer_voice_mock(&mut server, "tok-Qz-echoed")
        .with_status(400)
        .with_body_from_request(json_echo)
        .expect(1)
        .create();
    let outcome = Mfa::voice_oauth(&server).args(&["--verbose"]).run();
    assert_eq!(outcome.code, 5, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("you sent Authorization: Bearer <redacted>"),
        "{}",
        outcome.stderr
    );
    token.assert();
    call.assert();
}

#[test]
fn the_doctor_shows_an_echo_redacted_in_text_and_json() {
    for json in [false, true] {
        let mut server = mockito::Server::new();
        let verify = server
            .mock("POST", VERIFY_PATH)
            .with_status(401)
            .with_body_from_request(json_echo)
            .expect(1)
            .create();
        let mut mfa = Mfa::new()
            .args(&["doctor", "--account-id", ACCOUNT, "--username", USERNAME])
            .args(&["--base-url", &format!("{}/api/v1", server.url())])
            .env("BW_PASSWORD", PASSWORD);
        if json {
            mfa = mfa.args(&["--json"]);
        }
        let outcome = mfa.run();
        assert_eq!(outcome.code, 4, "{}", outcome.stdout);
        assert!(
            outcome.stdout.contains("Basic <redacted> (<redacted>"),
            "{}",
            outcome.stdout
        );
        verify.assert();
    }
}

// The rule, held as a table: every output path times every form a server may echo a
// secret in (see src/redact.rs for the forms).

/// `secret` in each form that real servers, gateways and frameworks write, by name;
/// `user` is the name HTTP Basic pairs it with, if any.
fn forms(secret: &str, user: Option<&str>) -> Vec<(String, String)> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let b64_url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let each = |write: &dyn Fn(char) -> String| secret.chars().map(write).collect::<String>();
    let mut forms = vec![
        ("as is", secret.to_owned()),
        (
            "JSON \\u, lower",
            each(&|c| format!("\\u{:04x}", u32::from(c))),
        ),
        (
            "JSON \\u, upper",
            each(&|c| format!("\\u{:04X}", u32::from(c))),
        ),
        (
            "JSON, punctuation escaped",
            each(&|c| match c.is_ascii_alphanumeric() {
                true => c.to_string(),
                false => format!("\\u{:04x}", u32::from(c)),
            }),
        ),
        (
            "percent, upper",
            each(&|c| format!("%{:02X}", u32::from(c))),
        ),
        (
            "percent, lower, only what a form encodes",
            each(
                &|c| match c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    true => c.to_string(),
                    false => format!("%{:02x}", u32::from(c)),
                },
            ),
        ),
        (
            "HTML, named",
            each(&|c| match c {
                '!' => "&excl;".into(),
                '_' => "&lowbar;".into(),
                '-' => "&#45;".into(),
                c => c.to_string(),
            }),
        ),
        ("HTML, decimal", each(&|c| format!("&#{};", u32::from(c)))),
        ("HTML, hex", each(&|c| format!("&#x{:x};", u32::from(c)))),
        ("base64", b64.encode(secret)),
        ("base64url, no padding", b64_url.encode(secret)),
        (
            "base64, one byte in",
            b64.encode(format!("x{secret}"))[1..].to_owned(),
        ),
        (
            "base64, two bytes in",
            b64.encode(format!("xy{secret}"))[2..].to_owned(),
        ),
        (
            "hex, lower",
            secret.bytes().map(|b| format!("{b:02x}")).collect(),
        ),
        (
            "hex, upper",
            secret.bytes().map(|b| format!("{b:02X}")).collect(),
        ),
    ];
    if let Some(user) = user {
        let pair = format!("{user}:{secret}");
        forms.push(("base64 of user:secret", b64.encode(&pair)));
        forms.push(("base64url of user:secret", b64_url.encode(&pair)));
    }
    forms
        .into_iter()
        .map(|(name, form)| (name.to_owned(), form))
        .collect()
}

/// Asserts that none of `forms` is in `text`, and that something was redacted.
#[track_caller]
fn assert_scrubbed(case: &str, text: &str, forms: &[(String, String)]) {
    assert!(
        text.contains("<redacted>"),
        "{case}: nothing redacted: {text}"
    );
    for (name, form) in forms {
        assert!(
            !text.contains(form.as_str()),
            "{case}: the {name} form in {text}"
        );
    }
}

/// Runs `run` (a call whose answer echoes the `name` form) once for each output path:
/// the error, the JSON error, `--verbose` and the audit log; none shows or logs any of
/// `forms`, each exits 5.
fn on_every_path(name: &str, forms: &[(String, String)], run: impl Fn(&[&str]) -> Outcome) {
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    for (path, args) in [
        ("the error", &[][..]),
        ("the JSON error", &["--json"][..]),
        ("--verbose", &["--verbose"][..]),
        ("the audit log", &["--log", log.to_str().unwrap()][..]),
    ] {
        let outcome = run(args);
        assert_eq!(outcome.code, 5, "{name}, {path}: {}", outcome.stderr);
        assert_scrubbed(&format!("{name}, {path}"), &outcome.stderr, forms);
    }
    let logged = std::fs::read_to_string(&log).unwrap();
    assert_scrubbed(&format!("{name}, the log"), &logged, forms);
}

/// An API error whose words, requestId and a header echo `form`.
fn echoing(mock: mockito::Mock, form: &str) -> mockito::Mock {
    mock.with_status(400).with_header("x-echo", form).with_body(
        serde_json::json!({"error": format!("you sent {form}"), "requestId": form}).to_string(),
    )
}

#[test]
fn the_password_in_any_form_is_never_shown_nor_logged_on_any_path() {
    let password_forms = forms(PASSWORD, Some(USERNAME));
    for (name, form) in &password_forms {
        let mut server = mockito::Server::new();
        let mock = echoing(voice_mock(&mut server, &default_voice_body()), form)
            .expect(4)
            .create();
        on_every_path(name, &password_forms, |args| {
            Mfa::voice(&format!("{}/api/v1", server.url()))
                .args(args)
                .run()
        });
        mock.assert();

        let verify = echoing(fictional_verify(&mut server), form)
            .expect(2)
            .create();
        for json in [false, true] {
            let mut mfa = Mfa::new()
                .args(&["doctor", "--account-id", ACCOUNT, "--username", USERNAME])
                .args(&["--base-url", &format!("{}/api/v1", server.url())])
                .env("BW_PASSWORD", PASSWORD);
            if json {
                mfa = mfa.args(&["--json"]);
            }
            let outcome = mfa.run();
            let case = format!("{name}, the doctor, json {json}");
            assert_eq!(outcome.code, 5, "{case}: {}", outcome.stdout);
            assert_scrubbed(&case, &outcome.stdout, &password_forms);
        }
        verify.assert();
    }
}

#[test]
fn the_code_being_verified_in_any_form_is_never_shown_nor_logged() {
    let code_forms = forms(CODE, None);
    for (name, form) in &code_forms {
        let mut server = mockito::Server::new();
        let mock = echoing(
            api_mock(&mut server, VERIFY_PATH, &default_verify_body()),
            form,
        )
        .expect(4)
        .create();
        on_every_path(name, &code_forms, |args| {
            Mfa::verify(&format!("{}/api/v1", server.url()))
                .args(args)
                .run()
        });
        mock.assert();
    }
}
