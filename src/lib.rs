//! `mfa`: a client for Bandwidth's multi-factor authentication API.
//!
//! Build a [`Client`] from explicit values (no flags, files or environment needed),
//! describe what to send with a [`CodeRequest`] or [`VerifyRequest`] made of checked
//! types, and get a typed answer ([`CallId`], [`MessageId`], [`Verdict`]) or a typed
//! [`Error`] whose [`Error::class`] says which kind of failure it is. The three calls
//! are [`Client::send_voice_code`], [`Client::send_messaging_code`] and
//! [`Client::verify_code`]. The client authenticates with the account's username and
//! password ([`Credentials::basic`]) or with OAuth2 client credentials
//! ([`Credentials::ClientCredentials`]), whose access token it gets, reuses and renews
//! itself. The `mfa` command-line tool is built on this library.
//!
//! Every call blocks the thread that makes it until the answer is read, the time-out
//! passes or the network fails; nothing runs in the background. [`Client`] is `Send`
//! and `Sync`, and cheap to share behind an `Arc`: an async web server calls it from a
//! blocking task (`tokio::task::spawn_blocking`), each call on its own thread.
//!
//! A checked type's refusal ([`InvalidValue`]) converts into [`Error`] (as
//! [`Error::Invalid`], which sent nothing), so one `?` serves both, as below. Every
//! variant with fields is `#[non_exhaustive]`, made with a constructor
//! ([`Credentials::basic`], [`Error::api`], ...), so each may gain a field in a minor
//! release. What the command line uses beyond this API is in [`unversioned`], outside
//! semantic versioning.
//!
//! ```no_run
//! use mfa::{
//!     BaseUrl, Client, CodeRequest, Credentials, ErrorClass, ExpirationMinutes, Secret,
//!     Verdict, VerifyRequest,
//! };
//!
//! let client = Client::new(
//!     BaseUrl::default(),
//!     "9900000".parse()?,
//!     Credentials::basic("api-user".parse()?, Secret::from("...")),
//! );
//! // Send a code by voice call: the API calls the phone and speaks it.
//! let call = client.send_voice_code(&CodeRequest::new(
//!     "+15553334444".parse()?,
//!     "+15554443333".parse()?,
//!     "93de2206-9669-4e07-948d-329f4b722ee2".parse()?,
//! ))?;
//! println!("calling: {}", call.as_str());
//!
//! // Check the code the user typed back, within 5 minutes of the send.
//! let check = VerifyRequest::new(
//!     "+15553334444".parse()?,
//!     "123456".parse()?,
//!     ExpirationMinutes::new(5.0)?,
//! );
//! match client.verify_code(&check) {
//!     Ok(Verdict::Valid) => println!("welcome"),
//!     Ok(Verdict::Invalid) => println!("wrong or expired code"),
//!     Err(error) if error.class() == ErrorClass::RateLimited => println!("too many tries"),
//!     Err(error) => return Err(error),
//! }
//! # Ok::<(), mfa::Error>(())
//! ```

// The modules behind the root, one job each, are private. Each imports only modules
// above it in this list (`tests/architecture.rs` checks it):
// - `secret`: the wrapper that keeps passwords out of every output;
// - `text`: untrusted text made safe to show on one line of a terminal;
// - `fields`: the checked values a request is made of;
// - `base_url`: where the API and its token endpoint live, and the
//   https-unless-loopback rule;
// - `credentials`: who is calling, and the `Authorization` header they make;
// - `request`: the calls and the exact requests, showable without secrets;
// - `redact`: the secrets a client holds, taken out of every answer before it is read,
//   in every encoding a server may echo them in;
// - `error`: what can go wrong, by class;
// - `retry`: what may be retried (only what surely was not processed) and the waits;
// - `proxy`: which proxy a URL goes through, by curl's rules;
// - `tls::system`: the operating system's trusted CAs, each file read as any file
//   from outside is;
// - `tls`: extra trusted CAs (CAs only), the handshakes made, and a failed certificate
//   check in words;
// - `progress`: how far a request got: its host looked up, a byte of it written;
// - `transport`: how a request travels: time-out, retries, proxy, trusted CAs;
// - `answer`: reading answers into ids, verdicts or errors;
// - `application`: the Dashboard API's XML of an application: its kind, its locations;
// - `token`: OAuth2 access tokens, and asking the token endpoint for one;
// - `numbering`: a number's country and type, from libphonenumber's numbering plan;
// - `client`: the calls, and OAuth2 tokens got, reused and renewed;
// - `guard`: the rules a send must pass: countries, number types, and limits on the
//   codes sent, counted in a record that keeps no number;
// - `unversioned`: what the command line uses beyond the versioned API.

mod answer;
mod application;
mod base_url;
mod client;
mod credentials;
mod error;
mod fields;
mod guard;
mod numbering;
mod progress;
mod proxy;
mod redact;
mod request;
mod retry;
mod secret;
mod text;
mod tls;
mod token;
mod transport;
pub mod unversioned;

pub use answer::{CallId, CallState, MessageId, MessageStatus, Verdict};
pub use application::{Application, Location};
pub use base_url::{
    BaseUrl, DEFAULT_BASE_URL, DEFAULT_DASHBOARD_URL, DEFAULT_MESSAGING_URL, DEFAULT_TOKEN_URL,
    DEFAULT_VOICE_URL, TokenUrl,
};
pub use client::Client;
pub use credentials::{AuthScheme, ClientCredentials, Credentials};
pub use error::{
    CertificateProblem, Delivery, Error, ErrorClass, IoFailure, NetworkCause, TokenError,
};
pub use fields::{
    AccountId, ApplicationId, ClientId, Code, DEFAULT_MESSAGE, DOCUMENTED_MIN_DIGITS, Digits,
    ExpirationMinutes, InvalidValue, MessageTemplate, PhoneNumber, Scope, Username,
};
pub use guard::{
    CodeLimit, DEFAULT_PER_NUMBER, DEFAULT_REFUSED_TYPES, Guard, GuardError, GuardRule,
    MemoryRecord, NumberKey, NumberRules, RecordError, RecordKey, Refusal, SendRecord, Sent,
};
pub use numbering::{Country, NumberType, Placed};
pub use proxy::{NoProxy, Proxies, Proxy};
pub use request::{Call, CodeRequest, Request, USER_AGENT, VerifyRequest};
pub use retry::{Retries, Wait, WaitReason};
pub use secret::Secret;
pub use tls::CaCertificates;
pub use token::AccessToken;
pub use transport::{DEFAULT_TIMEOUT, Response, Transport};

/// Compiles the README's Rust example, so the front door stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
