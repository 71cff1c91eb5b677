//! Real servers on 127.0.0.1 for what mockito cannot be: a TLS server with a
//! certificate from a test CA made in the test, a TLS front that puts such a server
//! before a mockito server (a proxy only ever carries `https://`), a forward proxy that
//! tunnels with `CONNECT`, and a raw server that answers with whatever bytes a test
//! scripts.
//! Each records what reached it, so a test can say exactly what was sent.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// What reached a server: one entry per connection or request, in order.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, entry: String) {
        self.0.lock().unwrap().push(entry);
    }

    pub fn entries(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// The entries once there are `count` (or after 5 s): the server's thread may
    /// log a connection the client has already given up on a moment later.
    pub fn entries_once(&self, count: usize) -> Vec<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while self.0.lock().unwrap().len() < count && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.entries()
    }
}

/// A CA made for one test, and the server certificates it signs.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    name: String,
}

/// A server certificate and its key.
pub struct ServerIdentity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl TestCa {
    pub fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // Each CA its own name: a CA with another's name but not its key would be
        // taken for its issuer and fail the signature check instead.
        static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("mfa test CA {n}");
        params
            .distinguished_name
            .push(DnType::CommonName, name.clone());
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        TestCa { issuer, name }
    }

    /// The CA's common name, as its certificates name their issuer.
    pub fn common_name(&self) -> &str {
        &self.name
    }

    /// The CA's certificate in PEM, as an operator would get it.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `names` (host names or IP addresses).
    pub fn issue(&self, names: &[&str]) -> ServerIdentity {
        self.issue_with(names, |_| {})
    }

    /// A self-signed CA certificate that also names `names`, served as the server's own,
    /// as some set-ups do by mistake; and its PEM, to trust it.
    pub fn ca_as_server(names: &[&str]) -> (String, ServerIdentity) {
        self_signed_server(names, "mfa test CA used as a server", |params| {
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        })
    }

    /// A self-signed certificate for `names` that is no CA (`is_ca` says how its basic
    /// constraints put it, `usages` its key usage), served as the server's own; and its
    /// PEM, to pin it as if it were a CA.
    pub fn leaf_as_server(
        names: &[&str],
        is_ca: IsCa,
        usages: Vec<KeyUsagePurpose>,
    ) -> (String, ServerIdentity) {
        self_signed_server(names, "mfa test server, self-signed", |params| {
            params.is_ca = is_ca;
            params.key_usages = usages;
        })
    }

    /// A server certificate for `names` that expired in 2020.
    pub fn issue_expired(&self, names: &[&str]) -> ServerIdentity {
        self.issue_with(names, |params| {
            params.not_before = rcgen::date_time_ymd(2019, 1, 1);
            params.not_after = rcgen::date_time_ymd(2020, 1, 1);
        })
    }

    /// A server certificate for `names` that expires `days` days and an hour from now.
    pub fn issue_expiring_in(&self, names: &[&str], days: u64) -> ServerIdentity {
        self.issue_with(names, |params| {
            let left = std::time::Duration::from_secs(days * 86_400 + 3600);
            params.not_after = (std::time::SystemTime::now() + left).into();
        })
    }

    fn issue_with(
        &self,
        names: &[&str],
        adjust: impl Fn(&mut CertificateParams),
    ) -> ServerIdentity {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        adjust(&mut params);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        ServerIdentity {
            chain: vec![cert.der().clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

/// A self-signed certificate for `names`, called `name`, made as `adjust` says, served
/// as the server's own; and its PEM.
fn self_signed_server(
    names: &[&str],
    name: &str,
    adjust: impl FnOnce(&mut CertificateParams),
) -> (String, ServerIdentity) {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    adjust(&mut params);
    params.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let identity = ServerIdentity {
        chain: vec![cert.der().clone()],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    };
    (cert.pem(), identity)
}

/// Listens on a free port of 127.0.0.1 and hands each connection, on its own thread,
/// to `handle` with the server's log.
fn serve(handle: impl Fn(TcpStream, &Log) + Send + Sync + 'static) -> (u16, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Log::default();
    let kept = log.clone();
    let handle = Arc::new(handle);
    std::thread::spawn(move || {
        for socket in listener.incoming() {
            let Ok(socket) = socket else { continue };
            let (handle, log) = (handle.clone(), kept.clone());
            std::thread::spawn(move || handle(socket, &log));
        }
    });
    (port, log)
}

/// Reads one HTTP request (head and `Content-Length` body) as text.
fn read_request(reader: &mut impl BufRead) -> Option<String> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(head + &String::from_utf8_lossy(&body))
}

/// A TLS server's configuration for `identity`, with the protocol versions rustls
/// deems safe, and ring's cryptography, as `mfa` has (src/tls.rs says why it is kept
/// though rustls 0.23.48 deprecates it).
#[allow(deprecated)]
fn server_config(identity: ServerIdentity) -> Arc<rustls::ServerConfig> {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(identity.chain, identity.key)
    .unwrap();
    Arc::new(config)
}

/// An HTTPS server on 127.0.0.1 that answers every request with `answer` (a JSON
/// body, status 200). Handshakes the client refused are logged as `handshake failed`.
pub fn tls_server(identity: ServerIdentity, answer: &'static str) -> (u16, Log) {
    let config = server_config(identity);
    serve(move |socket, log| {
        let connection = rustls::ServerConnection::new(config.clone()).unwrap();
        let mut stream = rustls::StreamOwned::new(connection, socket);
        let request = read_request(&mut BufReader::new(&mut stream));
        match request {
            Some(request) => {
                log.push(request);
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = stream.write_all(reply.as_bytes());
                stream.conn.send_close_notify();
                let _ = stream.flush();
            }
            None => log.push("handshake failed".into()),
        }
    })
}

/// An HTTPS server for `localhost` on 127.0.0.1 that hands each request on to a
/// plain-HTTP server (a mockito server, with its strict expectations) and its answer
/// back, and the CA file that makes `mfa` trust it.
pub struct TlsFront {
    pub port: u16,
    pub ca_file: std::path::PathBuf,
    _folder: tempfile::TempDir,
}

impl TlsFront {
    /// A front for the plain-HTTP server on `upstream`, a port of 127.0.0.1.
    pub fn new(upstream: u16) -> Self {
        let ca = TestCa::new();
        let (folder, ca_file) = file_with(&ca.pem(), "ca.pem");
        let config = server_config(ca.issue(&["localhost"]));
        let (port, _) = serve(move |socket, _| {
            let connection = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut stream = rustls::StreamOwned::new(connection, socket);
            let Some(request) = read_request(&mut BufReader::new(&mut stream)) else {
                return;
            };
            // One request a connection: the upstream closes once it has answered.
            let request = request.replacen("\r\n", "\r\nConnection: close\r\n", 1);
            let mut upstream = TcpStream::connect(("127.0.0.1", upstream)).unwrap();
            upstream.write_all(request.as_bytes()).unwrap();
            let mut answer = Vec::new();
            let _ = std::io::Read::read_to_end(&mut upstream, &mut answer);
            let _ = stream.write_all(&answer);
            stream.conn.send_close_notify();
            let _ = stream.flush();
        });
        TlsFront {
            port,
            ca_file,
            _folder: folder,
        }
    }

    /// `https://localhost:PORT/api/v1`, the base URL in front of the upstream's.
    pub fn base_url(&self) -> String {
        format!("https://localhost:{}/api/v1", self.port)
    }

    /// `https://localhost:PORT` and `path`.
    pub fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }
}

/// How the forward proxy treats a `CONNECT`.
#[derive(Clone, Copy)]
pub enum ProxyMode {
    /// Opens the tunnel.
    Tunnel,
    /// Answers 407, as a proxy wanting other credentials does.
    Refuse,
}

/// A forward proxy on 127.0.0.1 that tunnels `CONNECT host:port` requests to their
/// target. Each request head it gets is logged as received.
pub fn forward_proxy(mode: ProxyMode) -> (u16, Log) {
    serve(move |client, log| tunnel(client, mode, log))
}

fn tunnel(client: TcpStream, mode: ProxyMode, log: &Log) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let Some(head) = read_request(&mut reader) else {
        return;
    };
    log.push(head.clone());
    let mut client = client;
    let target = head
        .strip_prefix("CONNECT ")
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_owned);
    let (Some(target), ProxyMode::Tunnel) = (target, mode) else {
        let _ = client
            .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let Ok(upstream) = TcpStream::connect(&target) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .unwrap();
    let (mut up_read, mut up_write) = (upstream.try_clone().unwrap(), upstream);
    let mut client_write = client.try_clone().unwrap();
    let upward = std::thread::spawn(move || {
        // Whatever the client sent after its CONNECT head is still in the reader.
        let _ = std::io::copy(&mut reader, &mut up_write);
        let _ = up_write.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut up_read, &mut client_write);
    let _ = client_write.shutdown(std::net::Shutdown::Write);
    let _ = upward.join();
}

/// A plain-HTTP server on 127.0.0.1 that reads each request and then lets `answer`
/// write whatever it likes to the socket. Each request is logged.
pub fn raw_server(answer: fn(&mut TcpStream)) -> (u16, Log) {
    serve(move |mut socket, log| {
        let mut reader = BufReader::new(socket.try_clone().unwrap());
        if let Some(request) = read_request(&mut reader) {
            log.push(request);
            let _ = socket.set_write_timeout(Some(Duration::from_secs(30)));
            answer(&mut socket);
        }
    })
}

/// A port on 127.0.0.1 with nobody listening.
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Writes `text` to a new file in a folder that lives as long as the returned guard.
pub fn file_with(text: &str, name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join(name);
    std::fs::write(&path, text).unwrap();
    (folder, path)
}
