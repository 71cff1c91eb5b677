//! OAuth2 client credentials: the token request, Bearer calls, the token cache, its
//! expiry and renewal, refused credentials, and which credentials win.

use base64::Engine as _;

use crate::support::*;

/// The answer to a voice call.
fn answered(mock: mockito::Mock, call_id: &str) -> mockito::Mock {
    mock.with_status(200)
        .with_header("content-type", "application/json")
        .with_body(format!(r#"{{"callId":"{call_id}"}}"#))
}

#[test]
fn a_token_is_fetched_with_the_client_credentials_and_the_call_carries_it() {
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(1).create();
    let call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(1)
        .create();
    // Basic credentials are complete too: client credentials win.
    Mfa::voice_oauth(&server)
        .args(&["--username", USERNAME])
        .env("BW_PASSWORD", PASSWORD)
        .run()
        .assert(0, "c-1\n", "");
    token.assert();
    call.assert();
}

#[test]
fn the_client_id_flag_and_the_profile_give_client_credentials_too() {
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(1).create();
    let call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(1)
        .create();
    Mfa::voice_request()
        .args(&[
            "--account-id",
            ACCOUNT,
            "--base-url",
            &format!("{}/api/v1", server.url()),
            "--client-id",
            CLIENT_ID,
        ])
        .config(&format!(
            "[profiles.default]\nclient_id = \"not-this-one\"\nclient_secret = \"{CLIENT_SECRET}\"\n\
             token_url = \"{}{TOKEN_PATH}\"\n",
            server.url()
        ))
        .run()
        .assert(0, "c-1\n", "");
    token.assert();
    call.assert();
}

#[test]
fn a_burst_of_runs_costs_one_token_request() {
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(1).create();
    let call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(3)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    for _ in 0..3 {
        mfa.run().assert(0, "c-1\n", "");
    }
    token.assert();
    call.assert();
}

#[cfg(unix)]
#[test]
fn the_cached_token_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let mut server = mockito::Server::new();
    let _token = token_mock(&mut server, "tok-Qz1", 3600).create();
    let _call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1").create();
    let mfa = Mfa::voice_oauth(&server);
    mfa.run().assert(0, "c-1\n", "");
    let dir = mfa.token_dir();
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(mode(&files[0]), 0o600);
    let kept = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        kept.contains("tok-Qz1") && !kept.contains(CLIENT_SECRET),
        "{kept}"
    );
}

#[test]
fn a_token_within_a_minute_of_expiring_is_not_reused() {
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 60).expect(2).create();
    let call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(2)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    mfa.run().assert(0, "c-1\n", "");
    mfa.run().assert(0, "c-1\n", "");
    token.assert();
    call.assert();
}

#[test]
fn a_cached_token_the_api_refuses_is_replaced_once_and_the_call_made_again() {
    let mut server = mockito::Server::new();
    let first = token_mock(&mut server, "tok-Qz1", 3600).expect(1).create();
    let ok = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(1)
        .create();
    let mfa = Mfa::voice_oauth(&server).args(&["--verbose"]);
    let outcome = mfa.run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, "c-1\n"));
    first.assert();
    ok.assert();
    first.remove();
    ok.remove();

    // The token was revoked: the API refuses it once, a new one is fetched, and the
    // call goes through with it.
    let refused = bearer_voice_mock(&mut server, "tok-Qz1")
        .with_status(401)
        .with_body(r#"{"message":"Unauthorized"}"#)
        .expect(1)
        .create();
    let second = token_mock(&mut server, "tok-Qz2", 3600).expect(1).create();
    let renewed = answered(bearer_voice_mock(&mut server, "tok-Qz2"), "c-2")
        .expect(2)
        .create();
    let outcome = mfa.run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, "c-2\n"));
    outcome.assert_stderr_has_lines(&[
        "* access token: refused (HTTP 401); got a new one and made the call once more".into(),
    ]);
    // The new token is the one kept.
    let outcome = mfa.run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, "c-2\n"));
    assert!(
        outcome
            .stderr
            .starts_with("* access token: from the cache (expires in "),
        "{}",
        outcome.stderr
    );
    refused.assert();
    second.assert();
    renewed.assert();
}

#[test]
fn a_new_token_the_api_refuses_is_not_tried_again_and_not_kept() {
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(1).create();
    let refused = bearer_voice_mock(&mut server, "tok-Qz1")
        .with_status(403)
        .with_body(r#"{"message":"Forbidden"}"#)
        .expect(1)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    mfa.run().assert_error(
        4,
        "the API refused the credentials (HTTP 403): Forbidden; a token was issued for the \
         client id (from environment variable BW_CLIENT_ID) and the client secret (from \
         environment variable BW_CLIENT_SECRET), but the API refused it; check that this \
         client may use MFA on account 9900000 (from --account-id)",
    );
    token.assert();
    refused.assert();
}

#[test]
fn a_401_to_a_new_token_drops_it_from_the_cache() {
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(2).create();
    let refused = bearer_voice_mock(&mut server, "tok-Qz1")
        .with_status(401)
        .with_body(r#"{"message":"Unauthorized"}"#)
        .expect(2)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    // Each run fetches its own token: the refused one was not kept.
    for _ in 0..2 {
        let outcome = mfa.run();
        assert_eq!(outcome.code, 4, "{}", outcome.stderr);
    }
    token.assert();
    refused.assert();
}

#[test]
fn refused_client_credentials_exit_4_naming_where_they_came_from() {
    let mut server = mockito::Server::new();
    let token = server
        .mock("POST", TOKEN_PATH)
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"error":"invalid_client","error_description":"Bad client credentials"}"#)
        .expect(1)
        .create();
    let call = server.mock("POST", VOICE_PATH).expect(0).create();
    let host = server.host_with_port();
    Mfa::voice_oauth(&server).run().assert(
        4,
        "",
        &format!(
            "mfa: error: the token endpoint {host} refused the client credentials (HTTP 401): \
             invalid_client: Bad client credentials; check the client id (from environment \
             variable BW_CLIENT_ID) and the client secret (from environment variable \
             BW_CLIENT_SECRET); nothing was sent\n"
        ),
    );
    token.assert();
    call.assert();
}

#[test]
fn a_refusal_in_json_is_one_object() {
    let mut server = mockito::Server::new();
    let _token = server
        .mock("POST", TOKEN_PATH)
        .with_status(400)
        .with_body(r#"{"error":"invalid_client"}"#)
        .create();
    let nothing = server.mock("POST", VOICE_PATH).expect(0).create();
    let outcome = Mfa::voice_oauth(&server).args(&["--json"]).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (4, ""));
    let error: serde_json::Value = serde_json::from_str(&outcome.stderr).unwrap();
    assert_eq!(error["error"]["kind"], "credentials");
    assert_eq!(error["error"]["status"], 400);
    assert_eq!(error["error"]["message"], "invalid_client");
    nothing.assert();
}

#[test]
fn a_token_answer_without_a_token_exits_9_and_never_shows_its_body() {
    let mut server = mockito::Server::new();
    let _token = server
        .mock("POST", TOKEN_PATH)
        .with_status(200)
        .with_body(r#"{"token":"tok-Qz-odd"}"#)
        .create();
    let nothing = server.mock("POST", VOICE_PATH).expect(0).create();
    let host = server.host_with_port();
    Mfa::voice_oauth(&server).run().assert_error(
        9,
        &format!(
            "unexpected answer from the token endpoint {host} (HTTP 200): expected JSON with a \
             string \"access_token\"; nothing was sent"
        ),
    );
    nothing.assert();
}

#[test]
fn an_unreachable_token_endpoint_exits_8_and_sends_nothing() {
    let mut server = mockito::Server::new();
    let nothing = server.mock("POST", VOICE_PATH).expect(0).create();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    Mfa::voice_oauth(&server)
        .env("MFA_TOKEN_URL", &format!("http://127.0.0.1:{port}/token"))
        .run()
        .assert_error(
            8,
            &format!(
                "could not get an access token from 127.0.0.1:{port}: connection refused; \
                 nothing was sent"
            ),
        );
    nothing.assert();
}

#[test]
fn a_token_url_in_clear_text_is_refused() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    Mfa::voice_oauth(&server)
        .env(
            "MFA_TOKEN_URL",
            "http://api.bandwidth.com/api/v1/oauth2/token",
        )
        .run()
        .assert_error(
            3,
            "environment variable MFA_TOKEN_URL is invalid (\"http://api.bandwidth.com/api/v1/\
             oauth2/token\"): must start with https://",
        );
    nothing.assert();
}

#[test]
fn dry_run_shows_a_bearer_token_and_fetches_none() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let url = format!("{}/api/v1/accounts/{ACCOUNT}/code/voice", server.url());
    let shown = shown_request(&url, &default_voice_body())
        .replace("Authorization: Basic", "Authorization: Bearer");
    Mfa::voice_oauth(&server)
        .args(&["--dry-run"])
        .run()
        .assert(0, &shown, GUARD_WOULD_SEND);
    nothing.assert();
}

#[test]
fn verbose_says_where_the_token_came_from_and_never_shows_it() {
    let mut server = mockito::Server::new();
    let _token = token_mock(&mut server, "tok-Qz1", 3600).create();
    let _call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1").create();
    let outcome = Mfa::voice_oauth(&server).args(&["-v"]).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, "c-1\n"));
    assert!(
        outcome
            .stderr
            .starts_with("* access token: new from the token endpoint (expires in 35"),
        "{}",
        outcome.stderr
    );
    outcome.assert_stderr_has_lines(&["> Authorization: Bearer <redacted>".into()]);
}

#[test]
fn runs_at_once_share_one_token_and_each_sends_once() {
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(1).create();
    let call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(8)
        .create();
    // Eight codes to one number: the guard's limit (5 in 10 minutes) is not what this
    // test measures.
    let mfa = Mfa::voice_oauth(&server).env("MFA_MAX_CODES_PER_NUMBER", "off");
    let children: Vec<_> = (0..8)
        .map(|_| {
            mfa.command()
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "c-1\n");
        assert!(!stderr.contains(TOKEN_PREFIX), "{stderr}");
    }
    token.assert();
    call.assert();
}

#[test]
fn a_cache_that_cannot_be_used_costs_a_warning_not_the_call() {
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(2).create();
    let call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(2)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    // A file where the cache folder would be.
    std::fs::write(mfa.home().join(".cache"), "not a folder").unwrap();
    let cache = mfa.home().join(".cache").join("mfa").join("tokens");
    for _ in 0..2 {
        let outcome = mfa.run();
        assert_eq!((outcome.code, outcome.stdout.as_str()), (0, "c-1\n"));
        assert!(
            outcome.stderr.starts_with(&format!(
                "mfa: warning: token cache {}: could not lock it: ",
                cache.display()
            )),
            "{}",
            outcome.stderr
        );
        assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    }
    token.assert();
    call.assert();
}

/// The one file in the token cache of `mfa`'s home.
fn cache_file(mfa: &Mfa) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(mfa.token_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn a_tampered_cache_is_ignored_and_replaced_never_a_crash() {
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(3).create();
    let call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(3)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    mfa.run().assert(0, "c-1\n", "");
    let file = cache_file(&mfa);
    let entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // Past the end of the clock: it panicked on every run until the file was deleted.
    let mut past_the_clock = entry.clone();
    past_the_clock["expires_at"] = 9_223_372_036_854_775_808u64.into();
    for tampered in [
        past_the_clock.to_string().into_bytes(),
        b"\x00\xffnot json at all".to_vec(),
    ] {
        std::fs::write(&file, tampered).unwrap();
        mfa.run().assert(0, "c-1\n", "");
        let kept: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert!(
            kept["expires_at"].as_u64().unwrap() < 9_000_000_000,
            "{kept}"
        );
    }
    token.assert();
    call.assert();
}

#[cfg(unix)]
#[test]
fn a_cache_file_others_can_read_is_made_private_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let mut server = mockito::Server::new();
    let _token = token_mock(&mut server, "tok-Qz1", 3600).expect(1).create();
    let _call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(2)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    mfa.run().assert(0, "c-1\n", "");
    let file = cache_file(&mfa);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    mfa.run().assert(
        0,
        "c-1\n",
        &format!(
            "mfa: warning: token cache file {} could be read by others (mode 644); it is 600 now\n",
            file.display()
        ),
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[cfg(unix)]
#[test]
fn a_cache_another_user_could_write_is_not_used_and_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let chmod = |path: &std::path::Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    // A file others can write: a token in it could be anyone's.
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(2).create();
    let call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(2)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    mfa.run().assert(0, "c-1\n", "");
    let file = cache_file(&mfa);
    chmod(&file, 0o666);
    mfa.run().assert(
        0,
        "c-1\n",
        &format!(
            "mfa: warning: token cache file {} is not used: other users can write the file \
             (mode 666); it was neither read nor replaced, and a new token was asked for; \
             remove it if you did not put it there\n",
            file.display()
        ),
    );
    token.assert();
    call.assert();
    // A folder others can fill: nothing in it is read or written.
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(1).create();
    let call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(1)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    let folder = mfa.token_dir();
    std::fs::create_dir_all(&folder).unwrap();
    chmod(&folder, 0o777);
    let outcome = mfa.run();
    outcome.assert_exit_and_stdout(0, "c-1\n");
    assert!(
        outcome.stderr.contains(&format!(
            "other users can add and replace files in its folder {} (mode 777)",
            folder.display()
        )) && outcome.stderr.starts_with("mfa: warning: "),
        "{}",
        outcome.stderr
    );
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
    token.assert();
    call.assert();
}

#[cfg(unix)]
#[test]
fn a_fifo_planted_as_the_lock_costs_a_warning_not_a_hang() {
    let mut server = mockito::Server::new();
    let _token = token_mock(&mut server, "tok-Qz1", 3600).expect(2).create();
    let _call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(2)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    mfa.run().assert(0, "c-1\n", "");
    let lock = cache_file(&mfa).with_extension("lock");
    assert!(!lock.exists(), "the lock file goes with the lock");
    make_fifo(&lock);
    let started = std::time::Instant::now();
    let outcome = mfa.run();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, "c-1\n"));
    assert!(
        outcome
            .stderr
            .contains("could not lock it: the lock file: it is a FIFO, not a regular file"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_lock_held_by_a_stopped_run_is_waited_for_no_longer_than_the_timeout() {
    let mut server = mockito::Server::new();
    let _token = token_mock(&mut server, "tok-Qz1", 3600).expect(2).create();
    let _call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(2)
        .create();
    let mfa = Mfa::voice_oauth(&server).args(&["--timeout", "1"]);
    mfa.run().assert(0, "c-1\n", "");
    let lock = cache_file(&mfa).with_extension("lock");
    // Held as a run stopped with Ctrl-Z would hold it.
    let held = private_file(&lock);
    held.lock().unwrap();
    let started = std::time::Instant::now();
    let outcome = mfa.run();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, "c-1\n"));
    assert!(
        outcome.stderr.ends_with(
            "could not lock it: another run has held it for longer than the time-out (1 s)\n"
        ),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_cached_token_is_used_only_by_a_run_holding_the_secret_that_earned_it() {
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(1).create();
    let call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(1)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    mfa.run().assert(0, "c-1\n", "");
    // The same client, a wrong (or rotated, or mistyped) secret: the cached token is not
    // its to use, and the token endpoint refuses the secret at once.
    let wrong_secret = "cs-Wrong!s3cr3t";
    let wrong_basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{wrong_secret}"))
    );
    let refused = server
        .mock("POST", TOKEN_PATH)
        .match_header("authorization", wrong_basic.as_str())
        .with_status(401)
        .with_body(r#"{"error":"invalid_client"}"#)
        .expect(1)
        .create();
    // The same HOME, so the same cache.
    let outcome = Outcome::of(
        mfa.command()
            .env("BW_CLIENT_SECRET", wrong_secret)
            .output()
            .unwrap(),
    );
    assert_eq!(outcome.code, 4, "{}", outcome.stderr);
    assert!(!outcome.stderr.contains(wrong_secret), "{}", outcome.stderr);
    refused.assert();
    token.assert();
    call.assert();
}

#[cfg(unix)]
#[test]
fn a_planted_cache_file_of_another_user_is_never_read_nor_written_through() {
    use std::os::unix::fs::MetadataExt;
    let mut server = mockito::Server::new();
    let token = token_mock(&mut server, "tok-Qz1", 3600).expect(2).create();
    let call = answered(bearer_voice_mock(&mut server, "tok-Qz1"), "c-1")
        .expect(2)
        .create();
    let mfa = Mfa::voice_oauth(&server);
    if std::fs::metadata(mfa.home()).unwrap().uid() != 0 {
        eprintln!("skipped: only root can give a file to another user");
        return;
    }
    mfa.run().assert(0, "c-1\n", "");
    let file = cache_file(&mfa);
    let mut entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    entry["access_token"] = "PLANTED".into();
    let planted = entry.to_string();
    std::fs::write(&file, &planted).unwrap();
    std::os::unix::fs::chown(&file, Some(65534), Some(65534)).unwrap();
    let outcome = mfa.run();
    outcome.assert_exit_and_stdout(0, "c-1\n");
    assert_eq!(
        outcome.stderr,
        format!(
            "mfa: warning: token cache file {} is not used: the file belongs to another user \
             (uid 65534); it was neither read nor replaced, and a new token was asked for; \
             remove it if you did not put it there\n",
            file.display()
        )
    );
    // The planted file is as it was: never replaced, never chmod-ed.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), planted);
    assert_eq!(std::fs::metadata(&file).unwrap().uid(), 65534);
    token.assert();
    call.assert();
}
