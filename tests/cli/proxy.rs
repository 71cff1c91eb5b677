//! Proxies from the environment, by curl's rules: an `https://` request goes through a
//! real forward proxy on 127.0.0.1 as a `CONNECT` tunnel (loopback hosts too), `NO_PROXY`
//! skips it, and the proxy's password never shows. An `http://` URL, whose
//! credentials travel in clear text, is never reached through a proxy. The API is a
//! mockito server behind a TLS front, so every expectation stays strict.

use crate::servers::{
    ProxyMode, TestCa, TlsFront, closed_port, file_with, forward_proxy, raw_server, tls_server,
};
use crate::support::*;

/// The start of the `CONNECT` a proxy gets for a request to `localhost:{port}`.
fn connect_to(port: u16) -> String {
    format!("CONNECT localhost:{port} HTTP/1.1\r\n")
}

/// A strict voice mock answering `c-1`, expected once.
fn one_call(server: &mut mockito::ServerGuard) -> mockito::Mock {
    voice_mock(server, &default_voice_body())
        .with_status(200)
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create()
}

/// `mfa voice` to the API behind `front`, trusting its CA.
fn voice_through(front: &TlsFront) -> Mfa {
    Mfa::voice(&front.base_url()).env("MFA_CA_FILE", front.ca_file.to_str().unwrap())
}

#[test]
fn the_call_goes_through_the_proxy_in_a_tunnel_with_its_credentials() {
    let mut server = mockito::Server::new();
    let call = one_call(&mut server);
    let front = TlsFront::new(server.socket_address().port());
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    let outcome = voice_through(&front)
        .env("HTTPS_PROXY", &proxy_url(proxy_port))
        .args(&["--verbose"])
        .run();
    outcome.assert_exit_and_stdout(0, "c-1\n");
    call.assert();
    let heads = proxy.entries();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with(&connect_to(front.port)),
        "{}",
        heads[0]
    );
    assert!(
        heads[0].contains(&format!(
            "\r\nProxy-Authorization: Basic {}\r\n",
            proxy_basic_auth()
        )),
        "{}",
        heads[0]
    );
    assert!(
        heads[0].contains(&format!("\r\nUser-Agent: {USER_AGENT}\r\n")),
        "{}",
        heads[0]
    );
    outcome.assert_stderr_has_lines(&[format!(
        "* localhost:{}: through proxy http://127.0.0.1:{proxy_port} (from HTTPS_PROXY)",
        front.port
    )]);
}

#[test]
fn lowercase_beats_uppercase_and_all_proxy_is_the_fallback() {
    let mut server = mockito::Server::new();
    let front = TlsFront::new(server.socket_address().port());
    let call = one_call(&mut server);
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    let dead = format!("http://127.0.0.1:{}", closed_port());
    voice_through(&front)
        .env("https_proxy", &proxy_url(proxy_port))
        .env("HTTPS_PROXY", &dead)
        .run()
        .assert(0, "c-1\n", "");
    call.assert();
    assert_eq!(proxy.entries().len(), 1);

    let call = one_call(&mut server);
    voice_through(&front)
        .env("ALL_PROXY", &proxy_url(proxy_port))
        .env("HTTP_PROXY", &dead)
        .run()
        .assert(0, "c-1\n", "");
    call.assert();
    assert_eq!(proxy.entries().len(), 2, "ALL_PROXY serves https:// URLs");
}

#[test]
fn no_proxy_skips_the_proxy_for_the_hosts_it_lists() {
    let mut server = mockito::Server::new();
    let front = TlsFront::new(server.socket_address().port());
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    for list in ["localhost", "127.0.0.0/8,localhost", "*"] {
        let call = one_call(&mut server);
        let outcome = voice_through(&front)
            .env("HTTPS_PROXY", &proxy_url(proxy_port))
            .env("NO_PROXY", list)
            .args(&["--verbose"])
            .run();
        outcome.assert_exit_and_stdout(0, "c-1\n");
        call.assert();
        outcome.assert_stderr_has_lines(&[format!(
            "* localhost:{}: no proxy, as NO_PROXY lists it (the proxy would be \
             http://127.0.0.1:{proxy_port} from HTTPS_PROXY)",
            front.port
        )]);
    }
    // A list that names other hosts leaves loopback going through the proxy.
    let call = one_call(&mut server);
    voice_through(&front)
        .env("HTTPS_PROXY", &proxy_url(proxy_port))
        .env("no_proxy", "127.0.0.1,.internal.example")
        .run()
        .assert(0, "c-1\n", "");
    call.assert();
    assert_eq!(proxy.entries().len(), 1);
}

#[test]
fn an_http_url_is_reached_directly_whatever_the_proxy_variables_say() {
    // Its Basic header would cross to the proxy in clear text, and a real proxy would
    // reach its own loopback, not ours.
    let mut server = mockito::Server::new();
    let call = one_call(&mut server);
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    let via = proxy_url(proxy_port);
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .env("HTTPS_PROXY", &via)
        .env("http_proxy", &via)
        .env("HTTP_PROXY", &via)
        .env("ALL_PROXY", &via)
        .run()
        .assert(0, "c-1\n", "");
    call.assert();
    assert!(proxy.entries().is_empty(), "{:?}", proxy.entries());
}

#[test]
fn a_proxy_that_refuses_the_tunnel_exits_8_and_nothing_is_sent() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let front = TlsFront::new(server.socket_address().port());
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Refuse);
    voice_through(&front)
        .env("HTTPS_PROXY", &proxy_url(proxy_port))
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: could not connect to localhost:{} (through proxy \
                 http://127.0.0.1:{proxy_port}): the proxy refused to open a tunnel (HTTP 407: it \
                 wants other proxy credentials); nothing was sent\n",
                front.port
            ),
        );
    nothing.assert();
    assert_eq!(proxy.entries().len(), 1);
}

#[test]
fn a_proxy_that_answers_garbage_to_connect_is_named_and_nothing_is_sent() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let front = TlsFront::new(server.socket_address().port());
    let (proxy_port, proxy) = raw_server(|socket| {
        use std::io::Write;
        let _ = socket.write_all(b"\x16\x03\x01 not HTTP at all\r\n\r\n");
    });
    voice_through(&front)
        .env("HTTPS_PROXY", &proxy_url(proxy_port))
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: could not connect to localhost:{} (through proxy \
                 http://127.0.0.1:{proxy_port}): the proxy did not answer the CONNECT in HTTP; \
                 nothing was sent\n",
                front.port
            ),
        );
    nothing.assert();
    assert_eq!(proxy.entries().len(), 1);
}

#[test]
fn a_proxy_nobody_listens_on_exits_8_and_nothing_is_sent() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let front = TlsFront::new(server.socket_address().port());
    let proxy_port = closed_port();
    voice_through(&front)
        .env("HTTPS_PROXY", &proxy_url(proxy_port))
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: could not connect to localhost:{} (through proxy \
                 http://127.0.0.1:{proxy_port}): connection refused; nothing was sent\n",
                front.port
            ),
        );
    nothing.assert();
}

#[test]
fn a_bad_proxy_variable_exits_3_without_showing_its_value() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let front = TlsFront::new(server.socket_address().port());
    let socks = format!("socks5://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:1080");
    voice_through(&front).env("ALL_PROXY", &socks).run().assert(
        3,
        "",
        "mfa: error: environment variable ALL_PROXY is invalid: is a SOCKS proxy, which mfa \
         does not support; use an HTTP proxy (http://host:port); nothing was sent\n",
    );
    let with_path = format!("{}/path", proxy_url(3128));
    voice_through(&front)
        .env("https_proxy", &with_path)
        .run()
        .assert(
            3,
            "",
            "mfa: error: environment variable https_proxy is invalid: must be scheme://host:port \
             with no path, as in http://proxy.example:3128; nothing was sent\n",
        );
    nothing.assert();
    // An http:// URL reads no proxy variable: a broken one does not stop it.
    let call = one_call(&mut server);
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .env("HTTPS_PROXY", &socks)
        .env("HTTP_PROXY", &with_path)
        .run()
        .assert(0, "c-1\n", "");
    call.assert();
}

#[test]
fn the_token_request_goes_through_the_proxy_too() {
    let mut server = mockito::Server::new();
    let front = TlsFront::new(server.socket_address().port());
    let token = token_mock(&mut server, "tok-Qz-proxy", 3600)
        .expect(1)
        .create();
    let call = bearer_voice_mock(&mut server, "tok-Qz-proxy")
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    Mfa::voice_oauth(&server)
        .args(&["--base-url", &front.base_url()])
        .env("MFA_TOKEN_URL", &front.url(TOKEN_PATH))
        .env("MFA_CA_FILE", front.ca_file.to_str().unwrap())
        .env("HTTPS_PROXY", &proxy_url(proxy_port))
        .run()
        .assert(0, "c-1\n", "");
    token.assert();
    call.assert();
    let heads = proxy.entries();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(
        heads
            .iter()
            .all(|head| head.starts_with(&connect_to(front.port)))
    );
}

#[test]
fn tls_runs_end_to_end_through_the_tunnel() {
    let ca = TestCa::new();
    let (_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    let (api_port, api) = tls_server(ca.issue(&["localhost"]), r#"{"callId":"c-tls-1"}"#);
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    Mfa::voice(&format!("https://localhost:{api_port}/api/v1"))
        .env("HTTPS_PROXY", &proxy_url(proxy_port))
        .env("MFA_CA_FILE", ca_file.to_str().unwrap())
        .run()
        .assert(0, "c-tls-1\n", "");
    let heads = proxy.entries();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with(&format!("CONNECT localhost:{api_port} HTTP/1.1\r\n")),
        "{}",
        heads[0]
    );
    assert_eq!(api.entries().len(), 1);
}
