//! The library's public path, as a Rust program uses it: each `Client` method against a
//! local mockito server with strict expectations, with Basic and OAuth2 credentials, and
//! each class of error. Nothing here goes through the command line.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use mfa::unversioned::Handshake;
use mfa::{
    AccessToken, CaCertificates, Client, ClientCredentials, CodeRequest, Credentials, Delivery,
    Error, ErrorClass, ExpirationMinutes, NetworkCause, Secret, TokenError, Transport, Verdict,
    VerifyRequest,
};
use mockito::{Matcher, Mock, ServerGuard};

#[path = "cli/servers.rs"]
#[allow(dead_code)]
mod servers;

const ACCOUNT: &str = "9900000";
const VOICE_PATH: &str = "/api/v1/accounts/9900000/code/voice";
const SMS_PATH: &str = "/api/v1/accounts/9900000/code/messaging";
const VERIFY_PATH: &str = "/api/v1/accounts/9900000/code/verify";
const TOKEN_PATH: &str = "/oauth2/token";
const USER_AGENT: &str = concat!("mfa/", env!("CARGO_PKG_VERSION"));
const CODE_BODY: &str = r#"{"to":"+15553334444","from":"+15554443333","applicationId":"app-1","scope":"login","message":"Your code is {CODE}","digits":6}"#;
const VERIFY_BODY: &str =
    r#"{"to":"+15553334444","scope":"login","code":"48213967","expirationTimeInMinutes":3}"#;

fn basic(user: &str, password: &str) -> String {
    let pair = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// `Basic` for the username and password `basic_client` uses.
fn basic_auth() -> String {
    basic("api-user", "pw-1")
}

fn base_url(server: &ServerGuard) -> mfa::BaseUrl {
    format!("{}/api/v1", server.url()).parse().unwrap()
}

fn basic_client(server: &ServerGuard) -> Client {
    Client::new(
        base_url(server),
        ACCOUNT.parse().unwrap(),
        Credentials::basic("api-user".parse().unwrap(), Secret::from("pw-1")),
    )
    .with_timeout(Duration::from_secs(10))
}

fn oauth_client(server: &ServerGuard) -> Client {
    let client = ClientCredentials::new("client-1".parse().unwrap(), Secret::from("cs-1"))
        .with_token_url(format!("{}{TOKEN_PATH}", server.url()).parse().unwrap());
    Client::new(
        base_url(server),
        ACCOUNT.parse().unwrap(),
        Credentials::ClientCredentials(client),
    )
    .with_timeout(Duration::from_secs(10))
}

fn code_request() -> CodeRequest {
    CodeRequest::new(
        "+15553334444".parse().unwrap(),
        "+15554443333".parse().unwrap(),
        "app-1".parse().unwrap(),
    )
    .with_scope("login".parse().unwrap())
    .with_message("Your code is {CODE}".parse().unwrap())
}

fn verify_request() -> VerifyRequest {
    VerifyRequest::new(
        "+15553334444".parse().unwrap(),
        "48213967".parse().unwrap(),
        ExpirationMinutes::new(3.0).unwrap(),
    )
    .with_scope("login".parse().unwrap())
}

/// A strict mock of one call: method, path, every header and the exact body.
fn call(server: &mut ServerGuard, path: &str, body: &str, authorization: &str) -> Mock {
    server
        .mock("POST", path)
        .match_header("authorization", authorization)
        .match_header("accept", "application/json")
        .match_header("content-type", "application/json")
        .match_header("user-agent", USER_AGENT)
        .match_body(Matcher::Exact(body.to_owned()))
}

fn token_endpoint(server: &mut ServerGuard, token: &str) -> Mock {
    server
        .mock("POST", TOKEN_PATH)
        .match_header("authorization", basic("client-1", "cs-1").as_str())
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_body(Matcher::Exact("grant_type=client_credentials".into()))
        .with_status(200)
        .with_body(format!(
            r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#
        ))
}

#[test]
fn send_voice_code_with_basic_credentials_returns_the_call_id() {
    let mut server = mockito::Server::new();
    let mock = call(&mut server, VOICE_PATH, CODE_BODY, &basic_auth())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let call_id = basic_client(&server)
        .send_voice_code(&code_request())
        .unwrap();
    assert_eq!(call_id.as_str(), "c-1");
    mock.assert();
}

#[test]
fn send_messaging_code_returns_the_message_id() {
    let mut server = mockito::Server::new();
    let mock = call(&mut server, SMS_PATH, CODE_BODY, &basic_auth())
        .with_body(r#"{"messageId":"m-1"}"#)
        .expect(1)
        .create();
    let message_id = basic_client(&server)
        .send_messaging_code(&code_request())
        .unwrap();
    assert_eq!(message_id.as_str(), "m-1");
    mock.assert();
}

#[test]
fn verify_code_returns_the_verdict_either_way() {
    let mut server = mockito::Server::new();
    let auth = basic_auth();
    let valid = call(&mut server, VERIFY_PATH, VERIFY_BODY, &auth)
        .with_body(r#"{"valid":true}"#)
        .expect(1)
        .create();
    let client = basic_client(&server);
    assert_eq!(
        client.verify_code(&verify_request()).unwrap(),
        Verdict::Valid
    );
    valid.assert();
    valid.remove();
    let invalid = call(&mut server, VERIFY_PATH, VERIFY_BODY, &auth)
        .with_body(r#"{"valid":false}"#)
        .expect(1)
        .create();
    assert_eq!(
        client.verify_code(&verify_request()).unwrap(),
        Verdict::Invalid
    );
    invalid.assert();
}

#[test]
fn each_error_status_falls_into_its_class_and_nothing_is_repeated() {
    for (status, body, class) in [
        (
            400,
            r#"{"error":"to number is required","requestId":"r-1"}"#,
            ErrorClass::Rejected,
        ),
        (
            401,
            r#"{"message":"Unauthorized"}"#,
            ErrorClass::CredentialsRefused,
        ),
        (
            403,
            r#"{"Message":"no access"}"#,
            ErrorClass::CredentialsRefused,
        ),
        (429, r#"{"error":"too many"}"#, ErrorClass::RateLimited),
        (500, r#"{"error":"fault"}"#, ErrorClass::ServerFailed),
        (200, r#"{"callid":"c-1"}"#, ErrorClass::UnexpectedAnswer),
        (302, "", ErrorClass::UnexpectedAnswer),
    ] {
        let mut server = mockito::Server::new();
        let mock = call(&mut server, VOICE_PATH, CODE_BODY, &basic_auth())
            .with_status(status)
            .with_body(body)
            .expect(1)
            .create();
        let err = basic_client(&server)
            .send_voice_code(&code_request())
            .unwrap_err();
        assert_eq!(err.class(), class, "{status}: {err}");
        if status >= 400 {
            assert_eq!(err.status(), Some(status as u16));
        }
        mock.assert();
    }
}

#[test]
fn an_error_keeps_its_api_message_and_request_id() {
    let mut server = mockito::Server::new();
    let _mock = call(&mut server, VOICE_PATH, CODE_BODY, &basic_auth())
        .with_status(400)
        .with_body(r#"{"error":"to number is required","requestId":"r-1"}"#)
        .expect(1)
        .create();
    let err = basic_client(&server)
        .send_voice_code(&code_request())
        .unwrap_err();
    assert_eq!(err.api_message(), Some("to number is required"));
    assert_eq!(err.request_id(), Some("r-1"));
    assert_eq!(
        err.to_string(),
        "the API rejected the request (HTTP 400): to number is required (requestId r-1); \
         nothing was sent"
    );
}

#[test]
fn a_refused_connection_is_a_network_error_whose_source_is_the_io_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::new(
        format!("http://127.0.0.1:{port}/api/v1").parse().unwrap(),
        ACCOUNT.parse().unwrap(),
        Credentials::basic("u".parse().unwrap(), Secret::from("p")),
    );
    let err = client.send_voice_code(&code_request()).unwrap_err();
    assert_eq!(err.class(), ErrorClass::Network);
    let Error::Network {
        delivery, cause, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*delivery, Delivery::NotSent);
    let NetworkCause::Io(io) = cause else {
        panic!("{cause:?}")
    };
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
    // Error -> NetworkCause -> IoFailure -> io::Error.
    let mut chain = Vec::new();
    let mut next = std::error::Error::source(&err);
    while let Some(cause) = next {
        chain.push(cause.to_string());
        next = cause.source();
    }
    assert_eq!(chain.len(), 3, "{chain:?}");
    assert_eq!(chain[0], "connection refused");
    assert!(
        err.to_string()
            .ends_with(": connection refused; nothing was sent"),
        "{err}"
    );
}

#[test]
fn oauth2_gets_one_token_and_reuses_it_for_every_call() {
    let mut server = mockito::Server::new();
    let token = token_endpoint(&mut server, "tok-1").expect(1).create();
    let voice = call(&mut server, VOICE_PATH, CODE_BODY, "Bearer tok-1")
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let verify = call(&mut server, VERIFY_PATH, VERIFY_BODY, "Bearer tok-1")
        .with_body(r#"{"valid":true}"#)
        .expect(1)
        .create();
    let client = oauth_client(&server);
    assert_eq!(
        client.send_voice_code(&code_request()).unwrap().as_str(),
        "c-1"
    );
    assert_eq!(
        client.verify_code(&verify_request()).unwrap(),
        Verdict::Valid
    );
    let held = client.token().unwrap();
    assert_eq!(held.expose(), "tok-1");
    assert!(!format!("{held:?} {client:?}").contains("tok-1"));
    token.assert();
    voice.assert();
    verify.assert();
}

#[test]
fn a_kept_token_the_api_refuses_is_renewed_once() {
    let mut server = mockito::Server::new();
    let refused = call(&mut server, SMS_PATH, CODE_BODY, "Bearer tok-old")
        .with_status(401)
        .with_body(r#"{"message":"Unauthorized"}"#)
        .expect(1)
        .create();
    let token = token_endpoint(&mut server, "tok-new").expect(1).create();
    let sms = call(&mut server, SMS_PATH, CODE_BODY, "Bearer tok-new")
        .with_body(r#"{"messageId":"m-1"}"#)
        .expect(1)
        .create();
    let kept = AccessToken::new(
        "tok-old",
        std::time::SystemTime::now() + Duration::from_secs(3600),
    )
    .unwrap();
    let client = oauth_client(&server).with_token(kept);
    assert_eq!(
        client
            .send_messaging_code(&code_request())
            .unwrap()
            .as_str(),
        "m-1"
    );
    assert_eq!(client.token().unwrap().expose(), "tok-new");
    refused.assert();
    token.assert();
    sms.assert();
}

#[test]
fn refused_client_credentials_are_a_token_error_and_no_call_is_made() {
    let mut server = mockito::Server::new();
    let token = server
        .mock("POST", TOKEN_PATH)
        .with_status(401)
        .with_body(r#"{"error":"invalid_client"}"#)
        .expect(1)
        .create();
    let voice = server.mock("POST", VOICE_PATH).expect(0).create();
    let err = oauth_client(&server)
        .send_voice_code(&code_request())
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::CredentialsRefused);
    assert!(
        matches!(
            &err,
            Error::Token {
                reason: TokenError::Refused { status: 401, .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().ends_with("; nothing was sent"), "{err}");
    token.assert();
    voice.assert();
}

#[test]
fn fetch_token_is_the_one_way_to_a_token_and_basic_needs_none() {
    let mut server = mockito::Server::new();
    let token = token_endpoint(&mut server, "tok-1").expect(1).create();
    let client = oauth_client(&server);
    let fetched = client.fetch_token().unwrap().unwrap();
    assert_eq!(fetched.expose(), "tok-1");
    assert_eq!(client.token(), Some(fetched));
    token.assert();
    assert_eq!(basic_client(&server).fetch_token().unwrap(), None);
}

#[test]
fn on_response_sees_each_answer_of_the_api_but_never_the_token_endpoints() {
    let mut server = mockito::Server::new();
    let _token = token_endpoint(&mut server, "tok-1").expect(1).create();
    let _voice = call(&mut server, VOICE_PATH, CODE_BODY, "Bearer tok-1")
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let client = oauth_client(&server).on_response(move |response| {
        log.lock()
            .unwrap()
            .push((response.status, response.body.clone()));
    });
    client.send_voice_code(&code_request()).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(200, r#"{"callId":"c-1"}"#.to_owned())]
    );
}

#[test]
fn the_request_shown_is_the_request_sent_but_for_secrets() {
    let mut server = mockito::Server::new();
    let base = base_url(&server);
    let request = mfa::Request::verify_code(
        &base,
        &ACCOUNT.parse().unwrap(),
        mfa::AuthScheme::Basic,
        &verify_request(),
    );
    assert_eq!(
        request.url(),
        format!("{base}/accounts/9900000/code/verify")
    );
    assert_eq!(
        request.shown_body(),
        VERIFY_BODY.replace("48213967", "<redacted>")
    );
    let sent = call(&mut server, VERIFY_PATH, VERIFY_BODY, &basic_auth())
        .with_body(r#"{"valid":true}"#)
        .expect(1)
        .create();
    basic_client(&server)
        .verify_code(&verify_request())
        .unwrap();
    sent.assert();
}

/// A Basic client of `https://localhost:{port}`, its transport trusting `ca` (if any)
/// and keeping each handshake it makes.
fn tls_client(port: u16, ca: Option<&servers::TestCa>) -> (Client, Arc<Mutex<Vec<Handshake>>>) {
    let made = Arc::new(Mutex::new(Vec::new()));
    let kept = made.clone();
    let mut transport = Transport::default()
        .with_timeout(Duration::from_secs(10))
        .on_handshake(move |handshake| kept.lock().unwrap().push(handshake.clone()));
    if let Some(ca) = ca {
        transport =
            transport.with_ca_certificates(CaCertificates::from_pem(ca.pem().as_bytes()).unwrap());
    }
    let client = Client::new(
        format!("https://localhost:{port}/api/v1").parse().unwrap(),
        ACCOUNT.parse().unwrap(),
        Credentials::basic("api-user".parse().unwrap(), Secret::from("pw-1")),
    )
    .with_transport(transport);
    (client, made)
}

#[test]
fn each_handshake_is_told_with_its_host_version_and_the_servers_own_certificate() {
    let ca = servers::TestCa::new();
    let identity = ca.issue(&["localhost"]);
    let own = identity.chain[0].to_vec();
    let (port, _log) = servers::tls_server(identity, r#"{"valid":true}"#);
    let (client, made) = tls_client(port, Some(&ca));
    assert_eq!(
        client.verify_code(&verify_request()).unwrap(),
        Verdict::Valid
    );
    let made = made.lock().unwrap();
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].host, "localhost");
    assert_eq!(made[0].protocol, "TLS 1.3");
    assert_eq!(made[0].certificate, own);
}

#[test]
fn a_refused_certificate_is_no_handshake_and_nothing_is_sent() {
    let ca = servers::TestCa::new();
    let (port, log) = servers::tls_server(ca.issue(&["localhost"]), r#"{"valid":true}"#);
    let (client, made) = tls_client(port, None);
    let error = client.verify_code(&verify_request()).unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Network {
                cause: NetworkCause::Certificate(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.delivery(), Delivery::NotSent);
    assert!(made.lock().unwrap().is_empty());
    assert_eq!(log.entries_once(1), ["handshake failed"]);
}

#[test]
fn an_error_never_holds_the_callers_secret_even_when_the_server_echoes_it() {
    let mut server = mockito::Server::new();
    let mock = call(&mut server, VOICE_PATH, CODE_BODY, &basic_auth())
        .with_status(400)
        .with_body(format!(
            r#"{{"error":"got {} for api-user:pw-1","requestId":"r-1"}}"#,
            basic_auth()
        ))
        .expect(1)
        .create();
    let seen = Arc::new(Mutex::new(String::new()));
    let logged = Arc::clone(&seen);
    let err = basic_client(&server)
        .on_response(move |response| *logged.lock().unwrap() = response.body.clone())
        .send_voice_code(&code_request())
        .unwrap_err();
    let shown = err.to_string();
    assert_eq!(
        shown,
        "the API rejected the request (HTTP 400): got Basic <redacted> for <redacted> \
         (requestId r-1); nothing was sent"
    );
    assert_eq!(
        err.api_message(),
        Some("got Basic <redacted> for <redacted>")
    );
    let seen = seen.lock().unwrap();
    assert!(
        !seen.contains("pw-1") && seen.contains("<redacted>"),
        "{seen}"
    );
    mock.assert();
}

#[test]
fn a_client_may_be_shared_by_threads_as_the_crate_doc_says() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<mfa::Client>();
    shared::<mfa::Error>();
}

#[test]
fn every_refused_value_names_its_field() {
    let refused: [(Option<&str>, mfa::InvalidValue); 12] = [
        (
            Some("PhoneNumber"),
            "1555".parse::<mfa::PhoneNumber>().unwrap_err(),
        ),
        (
            Some("ApplicationId"),
            "".parse::<mfa::ApplicationId>().unwrap_err(),
        ),
        (Some("Scope"), "".parse::<mfa::Scope>().unwrap_err()),
        (
            Some("MessageTemplate"),
            "no code".parse::<mfa::MessageTemplate>().unwrap_err(),
        ),
        (
            Some("AccountId"),
            "..".parse::<mfa::AccountId>().unwrap_err(),
        ),
        (
            Some("Username"),
            "a:b".parse::<mfa::Username>().unwrap_err(),
        ),
        (Some("ClientId"), "".parse::<mfa::ClientId>().unwrap_err()),
        (Some("Digits"), mfa::Digits::new(9).unwrap_err()),
        (Some("Retries"), "11".parse::<mfa::Retries>().unwrap_err()),
        (
            Some("ExpirationMinutes"),
            mfa::ExpirationMinutes::new(16.0).unwrap_err(),
        ),
        (Some("Code"), "12a".parse::<mfa::Code>().unwrap_err()),
        (
            Some("BaseUrl"),
            "http://example.com".parse::<mfa::BaseUrl>().unwrap_err(),
        ),
    ];
    for (field, error) in refused {
        assert_eq!(error.field(), field, "{error:?}");
        // What is shown stays the rule alone.
        assert_eq!(error.to_string(), error.rule());
    }
    assert_eq!(mfa::InvalidValue::from_rule("x").field(), None);
}

#[test]
fn a_checked_types_refusal_goes_through_question_mark_as_an_error_that_sent_nothing() {
    fn send(to: &str) -> Result<(), Error> {
        let _to: mfa::PhoneNumber = to.parse()?;
        Ok(())
    }
    let err = send("5553334444").unwrap_err();
    let Error::Invalid(invalid) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(invalid.field(), Some("PhoneNumber"));
    assert_eq!(err.class(), ErrorClass::Rejected);
    assert_eq!(err.delivery(), Delivery::NotSent);
    assert_eq!((err.call(), err.status()), (None, None));
    assert_eq!(
        err.to_string(),
        format!("invalid PhoneNumber: {}; nothing was sent", invalid.rule())
    );
    // The rule is in the message; no source repeats it.
    assert!(std::error::Error::source(&err).is_none());
}

#[test]
fn each_variant_with_fields_has_a_constructor_that_fills_them() {
    let api = Error::api(
        mfa::Call::VerifyCode,
        429,
        Some("slow down".into()),
        Some("r-1".into()),
        Some(Duration::from_secs(3)),
    );
    assert_eq!(api.class(), ErrorClass::RateLimited);
    assert_eq!(api.call(), Some(mfa::Call::VerifyCode));
    assert_eq!(
        (api.api_message(), api.request_id(), api.retry_after()),
        (Some("slow down"), Some("r-1"), Some(Duration::from_secs(3)))
    );
    let network = Error::network(
        mfa::Call::VoiceCode,
        "h:443",
        Delivery::MaybeSent,
        NetworkCause::TimedOut(Duration::from_secs(1)),
    );
    assert_eq!(network.class(), ErrorClass::Network);
    assert_eq!(network.delivery(), Delivery::MaybeSent);
    let odd = Error::unexpected_answer(
        mfa::Call::MessagingCode,
        Some(200),
        Delivery::Sent,
        "no messageId",
        "{}",
    );
    assert_eq!(odd.class(), ErrorClass::UnexpectedAnswer);
    assert_eq!((odd.status(), odd.delivery()), (Some(200), Delivery::Sent));
    let refused = Error::token("auth:443", TokenError::refused(401, None));
    assert_eq!(refused.class(), ErrorClass::CredentialsRefused);
    assert_eq!((refused.call(), refused.status()), (None, Some(401)));
    let no_token = Error::token("auth:443", TokenError::unexpected(Some(200), "no token"));
    assert_eq!(no_token.class(), ErrorClass::UnexpectedAnswer);
    assert!(matches!(
        mfa::WaitReason::rate_limited(true),
        mfa::WaitReason::RateLimited {
            retry_after: true,
            ..
        }
    ));
    let basic = Credentials::basic("u".parse().unwrap(), Secret::from("p"));
    assert_eq!(basic.scheme(), mfa::AuthScheme::Basic);
}

/// A client whose Voice and Messaging APIs are `server`'s `/voice` and `/messaging`.
fn asking_client(server: &ServerGuard) -> Client {
    basic_client(server)
        .with_voice_url(format!("{}/voice", server.url()).parse().unwrap())
        .with_messaging_url(format!("{}/messaging", server.url()).parse().unwrap())
        .with_dashboard_url(format!("{}/dashboard", server.url()).parse().unwrap())
}

/// A strict mock of a GET at `path` (and `query`): the headers a question carries,
/// no `Content-Type` and no body.
fn question(server: &mut ServerGuard, path: &str, query: Matcher) -> Mock {
    server
        .mock("GET", path)
        .match_query(query)
        .match_header("authorization", basic_auth().as_str())
        .match_header("accept", "application/json")
        .match_header("content-type", Matcher::Missing)
        .match_header("user-agent", USER_AGENT)
        .match_body(Matcher::Exact(String::new()))
}

#[test]
fn a_calls_state_is_one_get_of_the_voice_api_read_with_every_field() {
    let mut server = mockito::Server::new();
    let asked = question(
        &mut server,
        "/voice/accounts/9900000/calls/c-15ac29a2",
        Matcher::Missing,
    )
    .with_body(
        r#"{"callId":"c-15ac29a2","state":"disconnected","disconnectCause":"busy",
            "startTime":"2026-12-06T10:00:00.000Z","endTime":"2026-12-06T10:00:09.000Z",
            "answerTime":null,"errorMessage":null,"somethingNew":1}"#,
    )
    .expect(1)
    .create();
    let state = asking_client(&server)
        .call_state(&"c-15ac29a2".parse().unwrap())
        .unwrap();
    asked.assert();
    assert_eq!(state.state, "disconnected");
    assert_eq!(state.disconnect_cause.as_deref(), Some("busy"));
    assert_eq!(
        state.start_time.as_deref(),
        Some("2026-12-06T10:00:00.000Z")
    );
    assert_eq!(state.answer_time, None);
    assert_eq!(state.reached(), Some(false));
}

#[test]
fn an_id_never_changes_the_path_or_the_query() {
    let mut server = mockito::Server::new();
    let asked = question(
        &mut server,
        "/voice/accounts/9900000/calls/c-1%2F..%2Fx%3Fy%23z%20%C3%A9",
        Matcher::Missing,
    )
    .with_status(404)
    .with_body(r#"{"type":"not-found","description":"no such call"}"#)
    .expect(1)
    .create();
    let err = asking_client(&server)
        .call_state(&"c-1/../x?y#z é".parse().unwrap())
        .unwrap_err();
    asked.assert();
    assert_eq!(
        (err.status(), err.class()),
        (Some(404), ErrorClass::Rejected)
    );
    assert_eq!(
        err.api_message(),
        Some("no such call"),
        "the Voice API's words"
    );
    let mut server = mockito::Server::new();
    let asked = question(
        &mut server,
        "/messaging/users/9900000/messages",
        Matcher::Exact("messageId=m%26limit%3D1%2B2".into()),
    )
    .with_body(r#"{"totalCount":0,"messages":[]}"#)
    .expect(1)
    .create();
    let status = asking_client(&server)
        .message_status(&"m&limit=1+2".parse().unwrap())
        .unwrap();
    asked.assert();
    assert_eq!(status, None, "an empty list: not visible");
}

#[test]
fn a_messages_status_is_read_from_the_list_and_only_a_receipt_means_delivered() {
    for (status, error, reached) in [
        ("DELIVERED", None, Some(true)),
        ("UNDELIVERED", Some(4720), Some(false)),
        ("FAILED", Some(9902), Some(false)),
        ("SENT", None, None),
        ("QUEUED", None, None),
        ("SOMETHING_NEW", None, None),
    ] {
        let mut server = mockito::Server::new();
        let error_json = error
            .map(|e| format!(r#","errorCode":{e}"#))
            .unwrap_or_default();
        let asked = question(
            &mut server,
            "/messaging/users/9900000/messages",
            Matcher::Exact("messageId=m-1".into()),
        )
        .with_body(format!(
            r#"{{"totalCount":1,"messages":[{{"messageId":"m-1","messageStatus":"{status}"{error_json},"receiveTime":"2026-12-06T10:00:00.000Z"}}]}}"#
        ))
        .expect(1)
        .create();
        let message = asking_client(&server)
            .message_status(&"m-1".parse().unwrap())
            .unwrap()
            .unwrap();
        asked.assert();
        assert_eq!(
            (
                message.status.as_str(),
                message.error_code,
                message.reached()
            ),
            (status, error, reached)
        );
    }
}

#[test]
fn an_answer_without_the_state_is_unexpected_and_says_no_code_was_sent() {
    let mut server = mockito::Server::new();
    let _asked = question(
        &mut server,
        "/voice/accounts/9900000/calls/c-1",
        Matcher::Missing,
    )
    .with_body(r#"{"callId":"c-1"}"#)
    .expect(1)
    .create();
    let err = asking_client(&server)
        .call_state(&"c-1".parse().unwrap())
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::UnexpectedAnswer);
    assert_eq!(err.call(), Some(mfa::Call::CallState));
    assert!(
        err.to_string()
            .contains("expected JSON with a string \"state\""),
        "{err}"
    );
    assert!(
        err.to_string().ends_with("it only asked: no code was sent"),
        "{err}"
    );
}

#[test]
fn an_application_and_its_locations_are_two_gets_of_the_dashboard_api_in_xml() {
    let mut server = mockito::Server::new();
    let strict = |server: &mut ServerGuard, path: &str| {
        server
            .mock("GET", path)
            .match_query(Matcher::Missing)
            .match_header("authorization", basic_auth().as_str())
            .match_header("accept", "application/xml")
            .match_header("content-type", Matcher::Missing)
            .match_header("user-agent", USER_AGENT)
            .match_body(Matcher::Exact(String::new()))
            .with_header("content-type", "application/xml")
            .expect(1)
    };
    let application = strict(
        &mut server,
        "/dashboard/accounts/9900000/applications/a%2F1",
    )
    .with_body(
        "<ApplicationProvisioningResponse><Application><ApplicationId>a/1</ApplicationId>\
             <ServiceType>Messaging-V2</ServiceType><AppName>Codes</AppName></Application>\
             </ApplicationProvisioningResponse>",
    )
    .create();
    let locations = strict(
        &mut server,
        "/dashboard/accounts/9900000/applications/a%2F1/associatedsippeers",
    )
    .with_body(
        "<AssociatedSipPeersResponse><AssociatedSipPeers><AssociatedSipPeer><SiteId>1\
         </SiteId><PeerId>10</PeerId><PeerName>Main</PeerName></AssociatedSipPeer>\
         </AssociatedSipPeers></AssociatedSipPeersResponse>",
    )
    .create();
    let client = asking_client(&server);
    let id = "a/1".parse().unwrap();
    let found = client.application(&id).unwrap();
    let places = client.application_locations(&id).unwrap();
    application.assert();
    locations.assert();
    assert!(found.is_messaging());
    assert_eq!(found.name.as_deref(), Some("Codes"));
    assert_eq!(places.len(), 1);
    assert_eq!(places[0].name.as_deref(), Some("Main"));
}

#[test]
fn fifty_threads_at_once_to_one_number_with_a_limit_of_three_admit_exactly_three() {
    let guard = mfa::Guard::new(mfa::MemoryRecord::new().unwrap())
        .per_number(Some("3/10m".parse().unwrap()));
    let to: mfa::PhoneNumber = "+15553334444".parse().unwrap();
    let admitted = std::sync::atomic::AtomicUsize::new(0);
    let barrier = std::sync::Barrier::new(50);
    std::thread::scope(|threads| {
        for _ in 0..50 {
            threads.spawn(|| {
                barrier.wait();
                match guard.admit(&to) {
                    Ok(()) => {
                        admitted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    Err(mfa::GuardError::Limit(refusal)) => {
                        assert_eq!(refusal.rule, mfa::GuardRule::PerNumber);
                    }
                    Err(other) => panic!("{other}"),
                }
            });
        }
    });
    assert_eq!(admitted.into_inner(), 3);
}

/// A store of the caller's own: it sees only hashed numbers, and one that cannot be
/// read stops the send with its reason.
struct Store {
    key: mfa::RecordKey,
    seen: std::sync::Arc<std::sync::Mutex<Vec<mfa::Sent>>>,
    broken: bool,
}

impl mfa::SendRecord for Store {
    fn key(&self) -> &mfa::RecordKey {
        &self.key
    }

    fn admit(
        &self,
        number: mfa::NumberKey,
        now: std::time::SystemTime,
        since: std::time::SystemTime,
        decide: &mut dyn FnMut(&[mfa::Sent]) -> Option<mfa::Refusal>,
    ) -> Result<Option<mfa::Refusal>, mfa::RecordError> {
        if self.broken {
            return Err(mfa::RecordError("the database is down".into()));
        }
        let mut seen = self.seen.lock().unwrap();
        let recent: Vec<mfa::Sent> = seen.iter().copied().filter(|s| s.at >= since).collect();
        let refused = decide(&recent);
        if refused.is_none() {
            seen.push(mfa::Sent { number, at: now });
        }
        Ok(refused)
    }
}

#[test]
fn a_guard_counts_in_the_callers_own_store_which_never_sees_a_number() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = Store {
        key: mfa::RecordKey::from_bytes(&[7; 32]),
        seen: seen.clone(),
        broken: false,
    };
    let to: mfa::PhoneNumber = "+15553334444".parse().unwrap();
    let expected = mfa::NumberKey::of(&mfa::RecordKey::from_bytes(&[7; 32]), &to);
    let guard = mfa::Guard::new(store);
    let now = std::time::SystemTime::now();
    for _ in 0..5 {
        guard.admit_at(&to, now).unwrap();
    }
    let Err(mfa::GuardError::Limit(refusal)) = guard.admit_at(&to, now) else {
        panic!("the default limit is 5 codes in 10 minutes");
    };
    assert_eq!(refusal.limit, mfa::DEFAULT_PER_NUMBER);
    assert_eq!(refusal.retry_at, now + std::time::Duration::from_secs(600));
    assert_eq!(guard.limits(), (Some(mfa::DEFAULT_PER_NUMBER), None));
    let kept = seen.lock().unwrap();
    assert_eq!(kept.len(), 5, "the refusal is not recorded");
    assert!(kept.iter().all(|sent| sent.number == expected));
    let broken = mfa::Guard::new(Store {
        key: mfa::RecordKey::from_bytes(&[7; 32]),
        seen: Default::default(),
        broken: true,
    });
    let error = broken.admit(&to).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the record of codes sent cannot be used: the database is down"
    );
}

#[test]
fn a_guard_refuses_countries_not_allowed_and_premium_rate_before_its_store_is_asked() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = Store {
        key: mfa::RecordKey::from_bytes(&[7; 32]),
        seen: seen.clone(),
        broken: false,
    };
    let us: mfa::Country = "US".parse().unwrap();
    let guard = mfa::Guard::new(store).allowed_countries(Some(vec![us]));
    assert_eq!(guard.number_rules().countries(), Some(&[us][..]));
    assert_eq!(
        guard.number_rules().refused_types(),
        &mfa::DEFAULT_REFUSED_TYPES[..]
    );
    let jamaica: mfa::PhoneNumber = "+18765230123".parse().unwrap();
    let Err(mfa::GuardError::Country(placed)) = guard.admit(&jamaica) else {
        panic!("+1 876 is Jamaica");
    };
    assert_eq!(placed.country, Some("JM".parse().unwrap()));
    let premium: mfa::PhoneNumber = "+19002345678".parse().unwrap();
    let Err(mfa::GuardError::NumberType(placed)) = guard.admit(&premium) else {
        panic!("+1 900 is premium rate");
    };
    assert_eq!(placed.number_type, mfa::NumberType::PremiumRate);
    assert!(
        seen.lock().unwrap().is_empty(),
        "a refused number is never counted"
    );
    let home: mfa::PhoneNumber = "+12015550123".parse().unwrap();
    guard.check(&home).unwrap();
    assert!(seen.lock().unwrap().is_empty(), "a check counts nothing");
    guard.admit(&home).unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
}
