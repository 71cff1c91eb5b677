//! Real TLS on 127.0.0.1: a server whose certificate comes from a CA made in the test.
//! Without that CA `mfa` refuses the server and sends nothing; with `--ca-file`,
//! `MFA_CA_FILE` or `ca_file` it trusts it besides the built-in roots. Every refusal
//! names the check that failed.

use crate::servers::{TestCa, file_with, tls_server};
use crate::support::*;

const ANSWER: &str = r#"{"callId":"c-tls-1"}"#;

/// `mfa voice` against `https://localhost:{port}/api/v1`.
fn voice_over_tls(port: u16) -> Mfa {
    Mfa::voice(&format!("https://localhost:{port}/api/v1"))
}

#[test]
fn a_server_from_an_unknown_ca_is_refused_and_nothing_is_sent() {
    let ca = TestCa::new();
    let (port, log) = tls_server(ca.issue(&["localhost"]), ANSWER);
    voice_over_tls(port).run().assert(
        8,
        "",
        &format!(
            "mfa: error: could not connect to localhost:{port}: TLS: the server's certificate is \
             not signed by a trusted CA (unknown issuer); if a private CA or a TLS-inspecting \
             proxy signed it, trust that CA's certificate with --ca-file FILE or MFA_CA_FILE; \
             nothing was sent\n"
        ),
    );
    assert_eq!(log.entries_once(1), ["handshake failed"]);
}

#[test]
fn the_ca_file_makes_the_server_trusted_and_the_call_goes_through() {
    let ca = TestCa::new();
    let (_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    let (port, log) = tls_server(ca.issue(&["localhost"]), ANSWER);
    voice_over_tls(port)
        .args(&["--ca-file", ca_file.to_str().unwrap()])
        .run()
        .assert(0, "c-tls-1\n", "");
    let requests = log.entries();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let request = &requests[0];
    assert!(
        request.starts_with(&format!("POST {VOICE_PATH} HTTP/1.1\r\n")),
        "{request}"
    );
    assert!(
        request.contains(&format!("\r\nauthorization: {}\r\n", basic_auth()))
            || request.contains(&format!("\r\nAuthorization: {}\r\n", basic_auth())),
        "{request}"
    );
    assert!(request.ends_with(&default_voice_body()), "{request}");
}

#[test]
fn an_answer_of_many_tls_records_is_read_whole() {
    // 60 KiB: four TLS records, each longer than the room mfa reads a connection into.
    let answer = format!(
        r#"{{"callId":"c-tls-long","note":"{}"}}"#,
        "n".repeat(60 * 1024)
    );
    let answer: &'static str = Box::leak(answer.into_boxed_str());
    let ca = TestCa::new();
    let (_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    let (port, log) = tls_server(ca.issue(&["localhost"]), answer);
    voice_over_tls(port)
        .args(&["--ca-file", ca_file.to_str().unwrap()])
        .run()
        .assert(0, "c-tls-long\n", "");
    assert_eq!(log.entries().len(), 1);
}

#[test]
fn the_ca_file_comes_from_the_environment_or_the_profile_too() {
    let ca = TestCa::new();
    let (port, log) = tls_server(ca.issue(&["localhost"]), ANSWER);
    let (_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    voice_over_tls(port)
        .env("MFA_CA_FILE", ca_file.to_str().unwrap())
        .run()
        .assert(0, "c-tls-1\n", "");
    // A relative `ca_file` is read from the config file's folder.
    let mfa = voice_over_tls(port).config("[profiles.default]\nca_file = \"company-ca.pem\"\n");
    std::fs::write(
        mfa.default_config_path().with_file_name("company-ca.pem"),
        ca.pem(),
    )
    .unwrap();
    mfa.run().assert(0, "c-tls-1\n", "");
    assert_eq!(log.entries().len(), 2);
}

#[test]
fn every_ca_in_the_file_is_trusted() {
    // A file with two CAs: the server's is the second. Both are added (`--verbose`
    // counts them); that the built-in roots stay is a unit test in src/tls.rs.
    let (ca, other) = (TestCa::new(), TestCa::new());
    let (_folder, ca_file) = file_with(&format!("{}{}", other.pem(), ca.pem()), "cas.pem");
    let (port, _log) = tls_server(ca.issue(&["localhost"]), ANSWER);
    let outcome = voice_over_tls(port)
        .args(&["--ca-file", ca_file.to_str().unwrap(), "--verbose"])
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    outcome.assert_stderr_has_lines(&[format!(
        "* trusting 2 more CA certificate(s) from {} (from --ca-file)",
        ca_file.display()
    )]);
}

#[test]
fn a_ca_certificate_served_as_the_servers_own_is_refused_in_words() {
    let (pem, identity) = TestCa::ca_as_server(&["localhost"]);
    let (_folder, ca_file) = file_with(&pem, "ca.pem");
    let (port, log) = tls_server(identity, ANSWER);
    voice_over_tls(port)
        .args(&["--ca-file", ca_file.to_str().unwrap()])
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: could not connect to localhost:{port}: TLS: the server's \
                 certificate is a CA's own certificate, not one a CA issued to the server (a \
                 self-signed CA certificate used as the server's?) (CaUsedAsEndEntity); \
                 nothing was sent\n"
            ),
        );
    assert_eq!(log.entries_once(1), ["handshake failed"]);
}

#[test]
fn a_certificate_for_another_name_or_expired_is_refused_naming_the_check() {
    let ca = TestCa::new();
    let (_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    for (identity, check) in [
        (
            ca.issue(&["api.example.com"]),
            "is not valid for this host name",
        ),
        (ca.issue_expired(&["localhost"]), "has expired"),
    ] {
        let (port, log) = tls_server(identity, ANSWER);
        voice_over_tls(port)
            .args(&["--ca-file", ca_file.to_str().unwrap()])
            .run()
            .assert(
                8,
                "",
                &format!(
                    "mfa: error: could not connect to localhost:{port}: TLS: the server's \
                     certificate {check}; nothing was sent\n"
                ),
            );
        assert_eq!(log.entries_once(1), ["handshake failed"]);
    }
}

#[test]
fn a_ca_file_from_another_ca_says_it_does_not_hold_the_signer() {
    let (ca, other) = (TestCa::new(), TestCa::new());
    let (_folder, ca_file) = file_with(&other.pem(), "other.pem");
    let (port, _log) = tls_server(ca.issue(&["localhost"]), ANSWER);
    voice_over_tls(port)
        .env("MFA_CA_FILE", ca_file.to_str().unwrap())
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: could not connect to localhost:{port}: TLS: the server's certificate is \
                 not signed by a trusted CA (unknown issuer); the CA file {} (from environment \
                 variable MFA_CA_FILE) does not hold the CA that signed it either; nothing was \
                 sent\n",
                ca_file.display()
            ),
        );
}

#[test]
fn a_missing_ca_file_exits_2_from_the_flag_and_3_from_elsewhere() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let base_url = format!("{}/api/v1", server.url());
    Mfa::voice(&base_url)
        .args(&["--ca-file", "/nonexistent/ca.pem"])
        .run()
        .assert(
            2,
            "",
            "mfa: error: the CA file /nonexistent/ca.pem (from --ca-file) cannot be read: there \
             is no such file; nothing was sent\n",
        );
    Mfa::voice(&base_url)
        .env("MFA_CA_FILE", "/nonexistent/ca.pem")
        .run()
        .assert(
            3,
            "",
            "mfa: error: the CA file /nonexistent/ca.pem (from environment variable MFA_CA_FILE) \
             cannot be read: there is no such file; nothing was sent\n",
        );
    let mfa =
        Mfa::voice(&base_url).config("[profiles.default]\nca_file = \"/nonexistent/ca.pem\"\n");
    let place = format!(
        "profile `default` in {}",
        mfa.default_config_path().display()
    );
    mfa.run().assert(
        3,
        "",
        &format!(
            "mfa: error: the CA file /nonexistent/ca.pem (from key `ca_file` of {place}) cannot be \
             read: there is no such file; nothing was sent\n"
        ),
    );
    // Checked in a dry run too, which would otherwise hide what stops the real call.
    Mfa::voice_request()
        .args(&[
            "--account-id",
            ACCOUNT,
            "--dry-run",
            "--ca-file",
            "/nonexistent/ca.pem",
        ])
        .run()
        .assert_error(
            2,
            "the CA file /nonexistent/ca.pem (from --ca-file) cannot be read",
        );
    nothing.assert();
}

#[test]
fn a_file_that_is_no_pem_certificate_is_refused() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let base_url = format!("{}/api/v1", server.url());
    let (_folder, not_pem) = file_with("this is not a certificate\n", "ca.pem");
    Mfa::voice(&base_url)
        .args(&["--ca-file", not_pem.to_str().unwrap()])
        .run()
        .assert(
            2,
            "",
            &format!(
                "mfa: error: the CA file {} (from --ca-file) holds no PEM certificate \
                 (-----BEGIN CERTIFICATE-----); nothing was sent\n",
                not_pem.display()
            ),
        );
    let folder = tempfile::tempdir().unwrap();
    Mfa::voice(&base_url)
        .env("MFA_CA_FILE", folder.path().to_str().unwrap())
        .run()
        .assert_error(
            3,
            &format!(
                "the CA file {} (from environment variable MFA_CA_FILE) cannot be read",
                folder.path().display()
            ),
        );
    nothing.assert();
}

#[test]
fn plain_http_to_a_tls_port_is_no_http_answer() {
    let ca = TestCa::new();
    let (port, log) = tls_server(ca.issue(&["localhost"]), ANSWER);
    Mfa::voice(&format!("http://localhost:{port}/api/v1"))
        .run()
        .assert(
            9,
            "",
            "mfa: error: unexpected answer from the API: not an HTTP answer (http parse fail: \
             invalid HTTP version); the code may have been sent, so check before sending \
             another\n",
        );
    assert_eq!(log.entries_once(1), ["handshake failed"]);
}

#[test]
fn a_ca_known_only_to_the_systems_store_is_trusted_unless_the_built_in_roots_are_pinned() {
    let ca = TestCa::new();
    let (_folder, system_store) = file_with(&ca.pem(), "system-ca.pem");
    let (port, log) = tls_server(ca.issue(&["localhost"]), r#"{"callId":"c-sys"}"#);
    // SSL_CERT_FILE names the system's store, as OpenSSL tools read it; no --ca-file.
    Mfa::voice(&format!("https://localhost:{port}/api/v1"))
        .env("SSL_CERT_FILE", system_store.to_str().unwrap())
        .run()
        .assert(0, "c-sys\n", "");
    assert_eq!(log.entries_once(1).len(), 1);
    // ca_roots = "builtin" pins the built-in roots alone: the same server is refused.
    let outcome = Mfa::voice(&format!("https://localhost:{port}/api/v1"))
        .env("SSL_CERT_FILE", system_store.to_str().unwrap())
        .config("[profiles.default]\nca_roots = \"builtin\"\n")
        .run();
    outcome.assert_error(8, &format!("could not connect to localhost:{port}: TLS: the server's certificate is not signed by a trusted CA (unknown issuer)"));
    assert_eq!(log.entries_once(2)[1], "handshake failed");
    // The doctor says which store vouched for the server.
    let outcome = Mfa::new()
        .args(&["doctor", "--account-id", ACCOUNT, "--username", USERNAME])
        .args(&["--base-url", &format!("https://localhost:{port}/api/v1")])
        .env("BW_PASSWORD", PASSWORD)
        .env("SSL_CERT_FILE", system_store.to_str().unwrap())
        .run();
    let tls = outcome
        .stdout
        .lines()
        .find(|line| line.contains("TLS: localhost"))
        .unwrap_or_default()
        .to_owned();
    assert!(
        tls.contains(&format!(
            "certificate issued by {} (trusted through the system's store)",
            ca.common_name()
        )),
        "{}",
        outcome.stdout
    );
    // A bad value names the setting.
    let outcome = Mfa::voice(&format!("https://localhost:{port}/api/v1"))
        .env("MFA_CA_ROOTS", "none")
        .run();
    outcome.assert_error(
        3,
        "environment variable MFA_CA_ROOTS is invalid (\"none\"): must be `system` or `builtin`",
    );
}

#[test]
fn a_servers_own_certificate_pinned_as_a_ca_never_vouches() {
    use rcgen::{IsCa, KeyUsagePurpose};
    // (how the certificate says it is no CA, what mfa says of it)
    let leaves = [
        (
            IsCa::ExplicitNoCa,
            vec![KeyUsagePurpose::DigitalSignature],
            "it is no CA: its basic constraints say CA:FALSE",
        ),
        (
            IsCa::NoCa,
            vec![KeyUsagePurpose::DigitalSignature],
            "it is no CA: it has no basic constraints saying CA:TRUE",
        ),
        (
            IsCa::Ca(rcgen::BasicConstraints::Unconstrained),
            vec![KeyUsagePurpose::DigitalSignature],
            "it is no CA: its key usage does not allow signing certificates",
        ),
    ];
    for (is_ca, usages, why) in leaves {
        let (pem, identity) = TestCa::leaf_as_server(&["localhost"], is_ca, usages);
        let (port, log) = tls_server(identity, ANSWER);
        let (_folder, pinned) = file_with(&pem, "pinned.pem");
        // From --ca-file: refused before anything is sent.
        let outcome = voice_over_tls(port)
            .args(&["--ca-file", pinned.to_str().unwrap()])
            .run();
        outcome.assert_error(2, "the CA file ");
        assert!(
            outcome
                .stderr
                .contains(&format!("cannot be trusted (number 1: {why})")),
            "{}",
            outcome.stderr
        );
        // From the system's store: passed over, so the server is refused (its issuer
        // unknown, or a CA's certificate served as a server's).
        let outcome = voice_over_tls(port)
            .env("SSL_CERT_FILE", pinned.to_str().unwrap())
            .run();
        outcome.assert_error(
            8,
            &format!("could not connect to localhost:{port}: TLS: the server's certificate is "),
        );
        assert_eq!(log.entries_once(1), ["handshake failed"], "{why}");
    }
}

#[test]
fn a_system_store_named_as_a_fifo_or_a_device_is_passed_over_at_once() {
    let ca = TestCa::new();
    let (port, log) = tls_server(ca.issue(&["localhost"]), ANSWER);
    let folder = tempfile::tempdir().unwrap();
    let fifo = folder.path().join("fifo");
    make_fifo(&fifo);
    let started = std::time::Instant::now();
    for (variable, value) in [
        ("SSL_CERT_FILE", fifo.to_str().unwrap()),
        ("SSL_CERT_FILE", "/dev/zero"),
        ("SSL_CERT_DIR", "/dev"),
    ] {
        let outcome = voice_over_tls(port)
            .args(&["--timeout", "5"])
            .env(variable, value)
            .run();
        outcome.assert_error(
            8,
            &format!("could not connect to localhost:{port}: TLS: the server's certificate is not signed by a trusted CA (unknown issuer)"),
        );
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(log.entries_once(3).len(), 3);
}
