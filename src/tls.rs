//! TLS: which certificates are trusted, and what a failed check means in words.
//!
//! The built-in roots are Mozilla's (webpki-roots), compiled in, so `mfa` behaves the
//! same on every machine. [`CaCertificates`] adds an operator's own CAs (a company's
//! TLS-inspecting proxy, a private test server) to them; it never replaces them. Only a
//! CA may be a trust anchor, as OpenSSL and curl hold: a server's own certificate
//! pinned as one is refused from a CA file and passed over in the system's store. The
//! operating system's store (with `SSL_CERT_FILE` and `SSL_CERT_DIR`, as OpenSSL tools
//! read them, each file read as any untrusted file is: `system`) is trusted too, unless
//! the caller pins the built-in roots alone; it is
//! read only when the built-in roots (and extra CAs) do not know a server's issuer, in
//! the same handshake, so a send to Bandwidth never pays for reading it. The rustls
//! configuration is made the first time an `https://` connection is opened, so a run
//! that opens none (plain HTTP to a loopback host) never builds a root store.
//!
//! ureq's own rustls connector takes either the built-in roots or a list of its own,
//! not both; hence the small connector here, which also turns a failed handshake into
//! a rustls error that says which check failed, instead of an I/O error that cannot
//! tell a refused certificate from a dropped connection.

use std::fmt;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore,
    SignatureScheme, StreamOwned,
};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
    TransportAdapter,
};

use crate::error::{CertificateProblem, NetworkCause};
use crate::fields::InvalidValue;

mod system;

/// Extra CA certificates to trust, besides the built-in roots.
#[derive(Clone, PartialEq, Eq)]
pub struct CaCertificates(Vec<CertificateDer<'static>>);

impl CaCertificates {
    /// Every certificate in PEM text (`-----BEGIN CERTIFICATE-----` blocks; anything
    /// else in the file, such as comments or a key, is skipped). Text with no
    /// certificate, or with one that cannot be used as a trust anchor (one that is no
    /// CA, such as a server's own certificate), is refused.
    pub fn from_pem(pem: &[u8]) -> Result<Self, InvalidValue> {
        let mut certificates = Vec::new();
        for item in CertificateDer::pem_slice_iter(pem) {
            let certificate = item
                .map_err(|err| InvalidValue::from_rule(format!("is not readable PEM ({err})")))?;
            certificates.push(certificate);
        }
        if certificates.is_empty() {
            return Err(InvalidValue::from_rule(
                "holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            ));
        }
        let mut store = RootCertStore::empty();
        for (n, certificate) in certificates.iter().enumerate() {
            let refused = |why: String| {
                InvalidValue::from_rule(format!(
                    "holds a certificate that cannot be trusted (number {}: {why})",
                    n + 1
                ))
            };
            not_a_ca(certificate).map_or(Ok(()), |why| Err(refused(why.to_owned())))?;
            store
                .add(certificate.clone())
                .map_err(|err| refused(err.to_string()))?;
        }
        Ok(CaCertificates(certificates))
    }

    /// How many certificates there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (never, for a value made by [`CaCertificates::from_pem`]).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for CaCertificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaCertificates({} certificates)", self.0.len())
    }
}

/// Why `certificate` is no CA, and so may not vouch for a server, if it is not: as
/// OpenSSL and curl judge a trust anchor, a CA says so in its basic constraints (or,
/// an old version-1 certificate, has no extensions at all), and a key usage, where it
/// gives one, allows signing certificates. A server's own certificate pinned as a CA
/// would otherwise vouch for any name it signs.
fn not_a_ca(certificate: &CertificateDer<'_>) -> Option<&'static str> {
    use x509_cert::certificate::Version;
    use x509_cert::der::Decode;
    use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
    let Ok(parsed) = x509_cert::Certificate::from_der(certificate.as_ref()) else {
        return Some("not a readable X.509 certificate");
    };
    let tbs = parsed.tbs_certificate();
    let usage = match tbs.get_extension::<KeyUsage>() {
        Ok(usage) => usage.map(|(_, usage)| usage),
        Err(_) => return Some("its key usage cannot be read"),
    };
    match tbs.get_extension::<BasicConstraints>() {
        Ok(Some((_, constraints))) if !constraints.ca => {
            return Some("it is no CA: its basic constraints say CA:FALSE");
        }
        Ok(Some(_)) => {}
        Ok(None) if tbs.version() == Version::V1 => {}
        Ok(None) if usage.as_ref().is_some_and(KeyUsage::key_cert_sign) => {}
        Ok(None) => return Some("it is no CA: it has no basic constraints saying CA:TRUE"),
        Err(_) => return Some("its basic constraints cannot be read"),
    }
    match usage {
        Some(usage) if !usage.key_cert_sign() => {
            Some("it is no CA: its key usage does not allow signing certificates")
        }
        _ => None,
    }
}

/// The trust a client puts in servers: the built-in roots plus any extra CAs, then, if
/// allowed, the system's store; made into a rustls configuration once, when first
/// needed.
#[derive(Debug)]
pub(crate) struct Trust {
    extra: Option<CaCertificates>,
    system: bool,
    config: OnceLock<Arc<ClientConfig>>,
    verifier: OnceLock<Arc<Verifier>>,
}

impl Default for Trust {
    fn default() -> Self {
        Trust::new(None, true)
    }
}

impl Trust {
    /// The built-in roots and `extra`, and the system's store too if `system`.
    pub(crate) fn new(extra: Option<CaCertificates>, system: bool) -> Self {
        Trust {
            extra,
            system,
            config: OnceLock::new(),
            verifier: OnceLock::new(),
        }
    }

    /// The same trust, with `extra` CAs instead.
    pub(crate) fn with_extra(&self, extra: CaCertificates) -> Self {
        Trust::new(Some(extra), self.system)
    }

    /// The same trust, with the system's store allowed (`system`) or not.
    pub(crate) fn with_system(&self, system: bool) -> Self {
        Trust::new(self.extra.clone(), system)
    }

    /// Which store vouched for the last server that passed: `the built-in roots` (or an
    /// extra CA) or `the system's store`.
    pub(crate) fn last_vouched(&self) -> &'static str {
        match self.verifier.get() {
            Some(verifier) if verifier.system_vouched.load(Ordering::Relaxed) => {
                "the system's store"
            }
            _ if self.extra.is_some() => "the built-in roots and the CA file",
            _ => "the built-in roots",
        }
    }

    /// Mozilla's roots and the extra CAs, together.
    fn roots(&self) -> RootCertStore {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for certificate in self.extra.iter().flat_map(|extra| &extra.0) {
            // Each was added to a store once already, in `from_pem`.
            let _ = roots.add(certificate.clone());
        }
        roots
    }

    /// Whether the rustls configuration has been made (by a first `https://` connection).
    #[cfg(test)]
    pub(crate) fn is_set_up(&self) -> bool {
        self.config.get().is_some()
    }

    fn config(&self) -> Arc<ClientConfig> {
        self.config
            .get_or_init(|| {
                let provider = Arc::new(ring_provider());
                let built_in = WebPkiServerVerifier::builder_with_provider(
                    Arc::new(self.roots()),
                    provider.clone(),
                )
                .build()
                .expect("the built-in roots are a valid store");
                let verifier = Arc::new(Verifier {
                    built_in,
                    system: self.system,
                    provider: provider.clone(),
                    system_store: OnceLock::new(),
                    system_vouched: AtomicBool::new(false),
                });
                let _ = self.verifier.set(verifier.clone());
                let config = ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .expect("ring supports the default TLS versions")
                    .dangerous()
                    .with_custom_certificate_verifier(verifier)
                    .with_no_client_auth();
                Arc::new(config)
            })
            .clone()
    }
}

/// The cryptography rustls uses: ring's. rustls 0.23.48 deprecates it, as it has no
/// post-quantum key exchange; aws-lc-rs has one, but would take the binary past its
/// 3 MiB (README, Performance) and need a C and assembler build for every release
/// target. Kept knowingly until rustls 0.24's ring provider, its own crate, is out.
#[allow(deprecated)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// Checks a server's certificate against the built-in roots (and extra CAs); only if
/// they do not know its issuer, and the system's store is allowed, reads that store
/// (once a run) and checks against it. Every check is webpki's, as rustls makes it.
#[derive(Debug)]
struct Verifier {
    built_in: Arc<WebPkiServerVerifier>,
    system: bool,
    provider: Arc<rustls::crypto::CryptoProvider>,
    /// The system's store as a verifier; `None` if it holds no usable certificate.
    system_store: OnceLock<Option<Arc<WebPkiServerVerifier>>>,
    /// Whether the system's store vouched for the last certificate that passed.
    system_vouched: AtomicBool,
}

impl Verifier {
    /// The system's store, read the first time it is needed.
    fn system_store(&self) -> Option<&Arc<WebPkiServerVerifier>> {
        self.system_store
            .get_or_init(|| {
                let mut roots = RootCertStore::empty();
                let cas = system::certificates()
                    .into_iter()
                    .filter(|certificate| not_a_ca(certificate).is_none());
                let (_, _) = roots.add_parsable_certificates(cas);
                if roots.is_empty() {
                    return None;
                }
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                    .build()
                    .ok()
            })
            .as_ref()
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.system_vouched.store(false, Ordering::Relaxed);
        let built_in = self.built_in.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        let unknown = matches!(
            built_in,
            Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer
            ))
        );
        if !unknown || !self.system {
            return built_in;
        }
        let Some(system) = self.system_store() else {
            return built_in;
        };
        let verified = system.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        self.system_vouched.store(true, Ordering::Relaxed);
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.built_in.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.built_in.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.built_in.supported_verify_schemes()
    }
}

/// A TLS handshake that succeeded: with which host, in which version of TLS, and the
/// certificate the server showed for itself. Made before any byte of a request is
/// written, so a transport's [`on_handshake`](crate::Transport::on_handshake) sees it
/// even when the request then fails.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Handshake {
    /// The host name (or address) the certificate was checked against.
    pub host: String,
    /// The version of TLS agreed: `TLS 1.2` or `TLS 1.3`.
    pub protocol: &'static str,
    /// The server's own certificate (the first of the chain it sent), DER-encoded.
    pub certificate: Vec<u8>,
    /// Which trusted CAs vouched for it: `the built-in roots` (`and the CA file`, when
    /// extra CAs were given) or `the system's store`.
    pub trusted_by: &'static str,
}

/// What is called with each handshake that succeeded.
pub(crate) type HandshakeNotice = Arc<dyn Fn(&Handshake) + Send + Sync>;

/// The last link of the connector chain: wraps a connection to an `https://` URL
/// (the API's, or an `https://` proxy's) in TLS, checked against a [`Trust`], and tells
/// `on_handshake` of each handshake that succeeded.
pub(crate) struct TlsConnector {
    pub(crate) trust: Arc<Trust>,
    pub(crate) on_handshake: Option<HandshakeNotice>,
}

impl fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConnector")
            .field("trust", &self.trust)
            .finish_non_exhaustive()
    }
}

impl<In: Transport> Connector<In> for TlsConnector {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details
            .uri
            .host()
            .ok_or(ureq::Error::Tls("no host to check the certificate against"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(host.to_owned())
            .map_err(|_| ureq::Error::Tls("the host is not a name a certificate can hold"))?;
        let mut connection = ClientConnection::new(self.trust.config(), name)?;
        let mut socket = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        socket.set_timeout(details.timeout);
        if let Err(err) = connection.complete_io(&mut socket) {
            return Err(handshake_error(err));
        }
        if let Some(notice) = &self.on_handshake {
            notice(&Handshake {
                host: host.to_owned(),
                protocol: match connection.protocol_version() {
                    Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3",
                    _ => "TLS 1.2",
                },
                certificate: connection
                    .peer_certificates()
                    .and_then(|chain| chain.first())
                    .map(|own| own.to_vec())
                    .unwrap_or_default(),
                trusted_by: self.trust.last_vouched(),
            });
        }
        Ok(Some(Either::B(TlsTransport {
            buffers: LazyBuffers::new(
                details.config.input_buffer_size(),
                details.config.output_buffer_size(),
            ),
            stream: StreamOwned::new(connection, socket),
        })))
    }
}

/// A failed handshake as a rustls error when it is one (a refused certificate, say),
/// else as the I/O error it is.
fn handshake_error(err: std::io::Error) -> ureq::Error {
    if err
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
    {
        let inner = err.into_inner().expect("checked above");
        let rustls = inner.downcast::<rustls::Error>().expect("checked above");
        return ureq::Error::Rustls(*rustls);
    }
    ureq::Error::from(err)
}

/// A connection in TLS.
pub(crate) struct TlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsTransport").finish_non_exhaustive()
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

/// Why a TLS handshake failed: which certificate check, or what else.
pub(crate) fn tls_failure(err: &rustls::Error) -> NetworkCause {
    use CertificateError as C;
    let problem = match err {
        rustls::Error::InvalidCertificate(problem) => match problem {
            C::UnknownIssuer => CertificateProblem::UnknownIssuer,
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                CertificateProblem::NotValidForName
            }
            C::Expired | C::ExpiredContext { .. } => CertificateProblem::Expired,
            C::NotValidYet | C::NotValidYetContext { .. } => CertificateProblem::NotValidYet,
            C::Revoked => CertificateProblem::Revoked,
            // The checks below rustls (webpki's) come as a name, e.g. `CaUsedAsEndEntity`.
            C::Other(other) => CertificateProblem::Other(check_in_words(&other.to_string())),
            other => CertificateProblem::Other(check_in_words(&format!("{other:?}"))),
        },
        rustls::Error::NoCertificatesPresented => {
            CertificateProblem::Other("was not presented at all".into())
        }
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            return NetworkCause::Failed(
                "TLS: the server does not speak TLS on this port (an http:// URL?)".into(),
            );
        }
        rustls::Error::AlertReceived(alert) => {
            return NetworkCause::Failed(format!(
                "TLS: the server ended the handshake ({alert:?})"
            ));
        }
        other => return NetworkCause::Failed(format!("TLS failed: {other}")),
    };
    NetworkCause::Certificate(problem)
}

/// What a certificate check named `check` (rustls's or webpki's name for it, perhaps
/// with details after it) found, as the rest of "the server's certificate ...": the
/// name is kept in parentheses for a search.
fn check_in_words(check: &str) -> String {
    let name = check
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or(check);
    let words = match name {
        "CaUsedAsEndEntity" => {
            "is a CA's own certificate, not one a CA issued to the server (a self-signed CA \
             certificate used as the server's?)"
        }
        "EndEntityUsedAsCa" => "was signed by a server's certificate, not by a CA's",
        "BadEncoding"
        | "BadDer"
        | "BadDerTime"
        | "TrailingData"
        | "MalformedExtensions"
        | "InvalidSerialNumber"
        | "InvalidCertValidity"
        | "UnsupportedCertVersion"
        | "ExtensionValueInvalid" => "could not be read: it is malformed",
        "BadSignature" | "InvalidSignatureForPublicKey" | "SignatureAlgorithmMismatch" => {
            "has a signature that does not verify"
        }
        name if name.starts_with("UnsupportedSignatureAlgorithm") => {
            "is signed with an algorithm that is not supported"
        }
        "UnhandledCriticalExtension" | "UnsupportedCriticalExtension" => {
            "has a critical extension that is not understood"
        }
        "UnknownRevocationStatus" => "has no known revocation status",
        "ExpiredRevocationList" | "ExpiredRevocationListContext" | "CrlExpired" => {
            "was checked against a revocation list that has expired"
        }
        "InvalidPurpose"
        | "InvalidPurposeContext"
        | "RequiredEkuNotFound"
        | "RequiredEkuNotFoundContext"
        | "EmptyEkuExtension" => {
            "is not meant for a TLS server (its extended key usage does not allow it)"
        }
        "NameConstraintViolation" | "InvalidNetworkMaskConstraint" | "MalformedNameConstraint" => {
            "breaks the name constraints of a CA above it"
        }
        "PathLenConstraintViolated"
        | "MaximumPathDepthExceeded"
        | "MaximumPathBuildCallsExceeded"
        | "MaximumSignatureChecksExceeded"
        | "MaximumNameConstraintComparisonsExceeded" => {
            "comes with a chain of CAs too long or too tangled to check"
        }
        "CertDistrusted" => "is from a CA that is no longer trusted",
        "UnsupportedNameType" | "MalformedDnsIdentifier" => {
            "names the server in a form that is not supported"
        }
        "ApplicationVerificationFailure" => "was refused by a verification check",
        _ => return format!("failed a check ({})", spaced(name)),
    };
    format!("{words} ({name})")
}

/// `CaUsedAsEndEntity` as `ca used as end entity`.
fn spaced(name: &str) -> String {
    let mut words = String::new();
    for (i, c) in name.char_indices() {
        if c.is_ascii_uppercase() && i > 0 {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_a_certificate_is_refused() {
        let err = CaCertificates::from_pem(b"just some text\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        );
        let err = CaCertificates::from_pem(
            b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("is not readable PEM"), "{err}");
    }

    #[test]
    fn extra_cas_are_added_to_the_built_in_roots_not_put_in_their_place() {
        let mut params = rcgen::CertificateParams::new(["ca.example".to_owned()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = params
            .self_signed(&rcgen::KeyPair::generate().unwrap())
            .unwrap();
        let extra = CaCertificates::from_pem(ca.pem().as_bytes()).unwrap();
        let built_in = webpki_roots::TLS_SERVER_ROOTS.len();
        assert!(built_in > 100, "Mozilla's roots: {built_in}");
        assert_eq!(Trust::default().roots().len(), built_in);
        assert_eq!(Trust::new(Some(extra), false).roots().len(), built_in + 1);
    }

    #[test]
    fn only_a_ca_may_be_a_trust_anchor() {
        use rcgen::{BasicConstraints, IsCa, KeyUsagePurpose};
        // (basic constraints, key usage, what is wrong with it)
        let cases = [
            (IsCa::Ca(BasicConstraints::Unconstrained), vec![], None),
            (
                IsCa::Ca(BasicConstraints::Constrained(0)),
                vec![KeyUsagePurpose::KeyCertSign],
                None,
            ),
            (IsCa::NoCa, vec![KeyUsagePurpose::KeyCertSign], None),
            (
                IsCa::ExplicitNoCa,
                vec![KeyUsagePurpose::KeyCertSign],
                Some("it is no CA: its basic constraints say CA:FALSE"),
            ),
            (
                IsCa::NoCa,
                vec![],
                Some("it is no CA: it has no basic constraints saying CA:TRUE"),
            ),
            (
                IsCa::Ca(BasicConstraints::Unconstrained),
                vec![KeyUsagePurpose::DigitalSignature],
                Some("it is no CA: its key usage does not allow signing certificates"),
            ),
        ];
        for (is_ca, usages, why) in cases {
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            params.is_ca = is_ca;
            params.key_usages = usages.clone();
            let certificate = params
                .self_signed(&rcgen::KeyPair::generate().unwrap())
                .unwrap();
            assert_eq!(not_a_ca(certificate.der()), why, "{is_ca:?} {usages:?}");
        }
        assert_eq!(
            not_a_ca(&CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01])),
            Some("not a readable X.509 certificate")
        );
    }

    #[test]
    fn a_pem_block_that_is_no_certificate_is_refused() {
        let junk = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let err = CaCertificates::from_pem(junk.as_bytes()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("holds a certificate that cannot be trusted (number 1:"),
            "{err}"
        );
    }

    #[test]
    fn each_failed_check_is_named() {
        let cases = [
            (
                CertificateError::UnknownIssuer,
                CertificateProblem::UnknownIssuer,
            ),
            (
                CertificateError::NotValidForName,
                CertificateProblem::NotValidForName,
            ),
            (CertificateError::Expired, CertificateProblem::Expired),
            (
                CertificateError::NotValidYet,
                CertificateProblem::NotValidYet,
            ),
            (CertificateError::Revoked, CertificateProblem::Revoked),
        ];
        for (check, problem) in cases {
            let failure = tls_failure(&rustls::Error::InvalidCertificate(check));
            assert_eq!(failure, NetworkCause::Certificate(problem));
        }
        assert_eq!(
            CertificateProblem::UnknownIssuer.to_string(),
            "TLS: the server's certificate is not signed by a trusted CA (unknown issuer)"
        );
        let plain_http = tls_failure(&rustls::Error::InvalidMessage(
            rustls::InvalidMessage::InvalidContentType,
        ));
        assert!(
            matches!(&plain_http, NetworkCause::Failed(words) if words.contains("does not speak TLS")),
            "{plain_http:?}"
        );
    }

    #[test]
    fn every_other_check_is_said_in_words_with_its_name() {
        let said = |check: CertificateError| {
            tls_failure(&rustls::Error::InvalidCertificate(check)).to_string()
        };
        assert_eq!(
            said(CertificateError::BadSignature),
            "TLS: the server's certificate has a signature that does not verify (BadSignature)"
        );
        assert_eq!(
            said(CertificateError::InvalidPurpose),
            "TLS: the server's certificate is not meant for a TLS server (its extended key \
             usage does not allow it) (InvalidPurpose)"
        );
        let other = |name: &str| {
            #[derive(Debug)]
            struct Named(String);
            impl fmt::Display for Named {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(&self.0)
                }
            }
            impl std::error::Error for Named {}
            said(CertificateError::Other(rustls::OtherError(Arc::new(
                Named(name.to_owned()),
            ))))
        };
        assert_eq!(
            other("CaUsedAsEndEntity"),
            "TLS: the server's certificate is a CA's own certificate, not one a CA issued to \
             the server (a self-signed CA certificate used as the server's?) \
             (CaUsedAsEndEntity)"
        );
        assert_eq!(
            other("RequiredEkuNotFoundContext(RequiredEkuNotFoundContext { .. })"),
            "TLS: the server's certificate is not meant for a TLS server (its extended key \
             usage does not allow it) (RequiredEkuNotFoundContext)"
        );
        assert_eq!(
            other("SomeNewCheckFailed"),
            "TLS: the server's certificate failed a check (some new check failed)"
        );
        for check in [
            CertificateError::BadEncoding,
            CertificateError::UnhandledCriticalExtension,
            CertificateError::UnknownRevocationStatus,
            CertificateError::ExpiredRevocationList,
            CertificateError::ApplicationVerificationFailure,
            CertificateError::InvalidOcspResponse,
        ] {
            let words = said(check.clone());
            assert!(
                !words.contains("Other(") && !words.contains("{"),
                "{check:?}: {words}"
            );
        }
    }
}
