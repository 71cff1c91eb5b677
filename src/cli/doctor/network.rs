//! The doctor's own look at the route, before any call: the host and port a URL
//! names, its addresses (the lookup bounded by the time-out) and a TCP connection to
//! one of them.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

/// The host and port a URL (`scheme://host[:port]/...`) names.
pub fn host_and_port(url: &str) -> Option<(String, u16)> {
    let uri: ureq::http::Uri = url.parse().ok()?;
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    Some((host.to_string(), port))
}

/// The addresses of `host`, looked up on a thread of its own so that `timeout` bounds
/// the lookup too.
pub fn look_up(host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>, String> {
    let (sender, answer) = mpsc::channel();
    let name = host.to_string();
    std::thread::spawn(move || {
        let _ = sender.send((name.as_str(), port).to_socket_addrs().map(Vec::from_iter));
    });
    match answer.recv_timeout(timeout) {
        Ok(Ok(addresses)) if !addresses.is_empty() => Ok(addresses),
        Ok(Ok(_)) => Err("no address".into()),
        Ok(Err(_)) => Err("name not found".into()),
        Err(_) => Err(format!("no answer in {} s", timeout.as_secs_f64())),
    }
}

/// Connects to the first of `addresses` that takes a TCP connection.
pub fn connect(addresses: &[SocketAddr], timeout: Duration) -> Result<SocketAddr, String> {
    let mut last = String::from("no address");
    for address in addresses {
        match TcpStream::connect_timeout(address, timeout) {
            Ok(_) => return Ok(*address),
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = "connection refused".into()
            }
            Err(err) if err.kind() == std::io::ErrorKind::TimedOut => {
                last = format!("no connection in {} s", timeout.as_secs_f64())
            }
            Err(err) => last = err.kind().to_string(),
        }
    }
    Err(last)
}
