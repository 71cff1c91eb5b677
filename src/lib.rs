//! `mfa`: a client for Bandwidth's multi-factor authentication API.
//!
//! Build a [`Client`] from explicit values (no flags, files or environment needed),
//! describe the code to send with a [`CodeRequest`] made of checked types, and get a
//! typed answer ([`CallId`]) or a typed [`Error`] whose [`Error::class`] says which
//! kind of failure it is. The `mfa` command-line tool is built on this library.
//!
//! Modules, one job each:
//! - [`fields`]: the checked values a request is made of;
//! - [`base_url`]: where the API lives, and the https-unless-loopback rule;
//! - [`request`]: the calls and the exact requests, showable without secrets;
//! - [`client`]: sending, and reading answers;
//! - [`error`]: what can go wrong, by class;
//! - [`secret`]: the wrapper that keeps passwords out of every output.

pub mod base_url;
pub mod client;
pub mod error;
pub mod fields;
pub mod request;
pub mod secret;

pub use base_url::{BaseUrl, DEFAULT_BASE_URL};
pub use client::{BODY_CAP, CallId, Client, Credentials, DEFAULT_TIMEOUT, Response, read_id};
pub use error::{Delivery, Error, ErrorClass, NetworkCause};
pub use fields::{
    AccountId, ApplicationId, Digits, InvalidValue, MessageTemplate, PhoneNumber, Scope, Username,
};
pub use request::{AuthScheme, Call, CodeRequest, Request, USER_AGENT};
pub use secret::Secret;

/// Compiles the README's Rust example, so the front door stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
