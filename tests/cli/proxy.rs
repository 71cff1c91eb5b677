//! Proxies from the environment, by curl's rules: the request goes through a real
//! forward proxy on 127.0.0.1 as a `CONNECT` tunnel (loopback hosts too), `NO_PROXY`
//! skips it, and the proxy's password never shows.

use crate::servers::{ProxyMode, TestCa, closed_port, file_with, forward_proxy, tls_server};
use crate::support::*;

/// The start of the `CONNECT` a proxy gets for a request to `127.0.0.1:{port}`.
fn connect_to(port: u16) -> String {
    format!("CONNECT 127.0.0.1:{port} HTTP/1.1\r\n")
}

/// A strict voice mock answering `c-1`, expected once.
fn one_call(server: &mut mockito::ServerGuard) -> mockito::Mock {
    voice_mock(server, &default_voice_body())
        .with_status(200)
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create()
}

#[test]
fn the_call_goes_through_the_proxy_in_a_tunnel_with_its_credentials() {
    let mut server = mockito::Server::new();
    let call = one_call(&mut server);
    let api_port = server.socket_address().port();
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
        .env("HTTP_PROXY", &proxy_url(proxy_port))
        .args(&["--verbose"])
        .run();
    outcome.assert_exit_and_stdout(0, "c-1\n");
    call.assert();
    let heads = proxy.entries();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(heads[0].starts_with(&connect_to(api_port)), "{}", heads[0]);
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
        "* 127.0.0.1:{api_port}: through proxy http://127.0.0.1:{proxy_port} (from HTTP_PROXY)"
    )]);
}

#[test]
fn lowercase_beats_uppercase_and_all_proxy_is_the_fallback() {
    let mut server = mockito::Server::new();
    let call = one_call(&mut server);
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    let dead = format!("http://127.0.0.1:{}", closed_port());
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .env("http_proxy", &proxy_url(proxy_port))
        .env("HTTP_PROXY", &dead)
        .run()
        .assert(0, "c-1\n", "");
    call.assert();
    assert_eq!(proxy.entries().len(), 1);

    let call = one_call(&mut server);
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .env("ALL_PROXY", &proxy_url(proxy_port))
        .env("HTTPS_PROXY", &dead)
        .run()
        .assert(0, "c-1\n", "");
    call.assert();
    assert_eq!(proxy.entries().len(), 2, "ALL_PROXY serves http:// URLs");
}

#[test]
fn no_proxy_skips_the_proxy_for_the_hosts_it_lists() {
    let mut server = mockito::Server::new();
    let api_port = server.socket_address().port();
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    for list in ["127.0.0.1", "localhost,127.0.0.0/8", "*"] {
        let call = one_call(&mut server);
        let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
            .env("HTTP_PROXY", &proxy_url(proxy_port))
            .env("NO_PROXY", list)
            .args(&["--verbose"])
            .run();
        outcome.assert_exit_and_stdout(0, "c-1\n");
        call.assert();
        outcome.assert_stderr_has_lines(&[format!(
            "* 127.0.0.1:{api_port}: no proxy, as NO_PROXY lists it (the proxy would be \
             http://127.0.0.1:{proxy_port} from HTTP_PROXY)"
        )]);
    }
    // A list that names other hosts leaves loopback going through the proxy.
    let call = one_call(&mut server);
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .env("HTTP_PROXY", &proxy_url(proxy_port))
        .env("no_proxy", "localhost,.internal.example")
        .run()
        .assert(0, "c-1\n", "");
    call.assert();
    assert_eq!(proxy.entries().len(), 1);
}

#[test]
fn an_https_proxy_variable_does_not_apply_to_an_http_url() {
    let mut server = mockito::Server::new();
    let call = one_call(&mut server);
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .env("HTTPS_PROXY", &proxy_url(proxy_port))
        .run()
        .assert(0, "c-1\n", "");
    call.assert();
    assert!(proxy.entries().is_empty());
}

#[test]
fn a_proxy_that_refuses_the_tunnel_exits_8_and_nothing_is_sent() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let api_port = server.socket_address().port();
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Refuse);
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .env("HTTP_PROXY", &proxy_url(proxy_port))
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: could not connect to 127.0.0.1:{api_port} (through proxy \
                 http://127.0.0.1:{proxy_port}): the proxy refused to open a tunnel (HTTP 407: it \
                 wants other proxy credentials); nothing was sent\n"
            ),
        );
    nothing.assert();
    assert_eq!(proxy.entries().len(), 1);
}

#[test]
fn a_proxy_nobody_listens_on_exits_8_and_nothing_is_sent() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let api_port = server.socket_address().port();
    let proxy_port = closed_port();
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .env("HTTP_PROXY", &proxy_url(proxy_port))
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: could not connect to 127.0.0.1:{api_port} (through proxy \
                 http://127.0.0.1:{proxy_port}): connection refused; nothing was sent\n"
            ),
        );
    nothing.assert();
}

#[test]
fn a_bad_proxy_variable_exits_3_without_showing_its_value() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let base_url = format!("{}/api/v1", server.url());
    let socks = format!("socks5://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:1080");
    Mfa::voice(&base_url).env("ALL_PROXY", &socks).run().assert(
        3,
        "",
        "mfa: error: environment variable ALL_PROXY is invalid: is a SOCKS proxy, which mfa \
         does not support; use an HTTP proxy (http://host:port)\n",
    );
    let with_path = format!("{}/path", proxy_url(3128));
    Mfa::voice(&base_url).env("http_proxy", &with_path).run().assert(
        3,
        "",
        "mfa: error: environment variable http_proxy is invalid: must be scheme://host:port with \
         no path, as in http://proxy.example:3128\n",
    );
    // Only the variables for the URLs in use are read: a broken HTTPS_PROXY does not
    // stop a call to an http:// URL.
    let call = one_call(&mut server);
    Mfa::voice(&base_url)
        .env("HTTPS_PROXY", &socks)
        .run()
        .assert(0, "c-1\n", "");
    call.assert();
    nothing.assert();
}

#[test]
fn the_token_request_goes_through_the_proxy_too() {
    let mut server = mockito::Server::new();
    let api_port = server.socket_address().port();
    let token = token_mock(&mut server, "tok-Qz-proxy", 3600)
        .expect(1)
        .create();
    let call = bearer_voice_mock(&mut server, "tok-Qz-proxy")
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    Mfa::voice_oauth(&server)
        .env("HTTP_PROXY", &proxy_url(proxy_port))
        .run()
        .assert(0, "c-1\n", "");
    token.assert();
    call.assert();
    let heads = proxy.entries();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(
        heads
            .iter()
            .all(|head| head.starts_with(&connect_to(api_port)))
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
