//! `mfa`: a client for Bandwidth's multi-factor authentication API.
//!
//! Build a [`Client`] from explicit values (no flags, files or environment needed),
//! describe what to send with a [`CodeRequest`] or [`VerifyRequest`] made of checked
//! types, and get a typed answer ([`CallId`], [`MessageId`], [`Verdict`]) or a typed
//! [`Error`] whose [`Error::class`] says which kind of failure it is. The three calls
//! are [`Client::send_voice_code`], [`Client::send_messaging_code`] and
//! [`Client::verify_code`]. The client authenticates with the account's username and
//! password ([`Credentials::Basic`]) or with OAuth2 client credentials
//! ([`Credentials::ClientCredentials`]), whose access token it gets, reuses and renews
//! itself. The `mfa` command-line tool is built on this library.
//!
//! Modules, one job each:
//! - [`fields`]: the checked values a request is made of;
//! - [`base_url`]: where the API and its token endpoint live, and the
//!   https-unless-loopback rule;
//! - [`request`]: the calls and the exact requests, showable without secrets;
//! - [`client`]: the calls, and OAuth2 tokens got, reused and renewed;
//! - [`transport`]: how a request travels: time-out, retries, proxy, trusted CAs;
//! - [`retry`]: what may be retried (only what surely was not processed) and the waits;
//! - [`proxy`]: which proxy a URL goes through, by curl's rules;
//! - [`tls`]: extra trusted CAs, and a failed certificate check in words;
//! - [`token`]: OAuth2 client credentials and access tokens;
//! - [`answer`]: reading answers into ids, verdicts or errors;
//! - [`error`]: what can go wrong, by class;
//! - [`secret`]: the wrapper that keeps passwords out of every output.

pub mod answer;
pub mod base_url;
pub mod client;
pub mod error;
pub mod fields;
pub mod proxy;
pub mod request;
pub mod retry;
pub mod secret;
pub mod tls;
pub mod token;
pub mod transport;

pub use answer::{Answer, CallId, MessageId, Verdict};
pub use base_url::{BaseUrl, DEFAULT_BASE_URL, DEFAULT_TOKEN_URL, TokenUrl};
pub use client::{Client, Credentials, Response};
pub use error::{CertificateProblem, Delivery, Error, ErrorClass, NetworkCause, TokenFailure};
pub use fields::{
    AccountId, ApplicationId, ClientId, Code, Digits, ExpirationMinutes, InvalidValue,
    MessageTemplate, PhoneNumber, Scope, Username,
};
pub use proxy::{NoProxy, Proxies, Proxy};
pub use request::{
    AuthScheme, Body, Call, CodeRequest, REDACTED, Request, USER_AGENT, VerifyRequest,
};
pub use retry::{Retries, Wait, WaitReason};
pub use secret::Secret;
pub use tls::CaCertificates;
pub use token::{AccessToken, ClientCredentials};
pub use transport::{BODY_CAP, DEFAULT_TIMEOUT, HEAD_CAP, Transport};

/// Compiles the README's Rust example, so the front door stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
