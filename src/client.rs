//! `Client`: sends a [`Request`] and reads the answer into a typed result.
//!
//! Each call is a method that builds its own [`Request`] and reads its answer; the
//! [`Transport`] carries every request the same way (time-out, retries, proxy, trusted
//! CAs, answers read up to [`BODY_CAP`](crate::BODY_CAP)). It knows nothing of flags,
//! files or the environment: it is built from explicit values. A failure says whether the
//! request may already have reached the API, since a send is not idempotent and must
//! never be repeated blindly. Besides the transport's retries, the one repeat it
//! makes: a call refused with 401 while carrying an access token that was not just
//! issued is made once more with a new token, since a refused call did nothing.
//!
//! Every answer is scrubbed of the secrets the client holds before anything reads it
//! (`redact`), so an echo of the request never reaches an error, a log or a caller.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::answer::{self, CallId, CallState, MessageId, MessageStatus, Verdict};
use crate::application::{self, Application, Location};
use crate::base_url::{BaseUrl, DEFAULT_DASHBOARD_URL, DEFAULT_MESSAGING_URL, DEFAULT_VOICE_URL};
use crate::credentials::{ClientCredentials, Credentials, basic_authorization};
use crate::error::{Delivery, Error};
use crate::fields::{AccountId, ApplicationId};
use crate::progress::Notice;
use crate::redact::Redactions;
use crate::request::{CodeRequest, Request, VerifyRequest};
use crate::token::{self, AccessToken};
use crate::transport::{NoAnswer, Response, Transport};

/// Told of each answer the API gives, e.g. to log it.
type ResponseNotice = Arc<dyn Fn(&Response) + Send + Sync>;

/// A client for one Bandwidth account.
///
/// ```
/// use std::time::Duration;
/// use mfa::{Client, Credentials, Secret};
///
/// let client = Client::new(
///     mfa::BaseUrl::default(),
///     "9900000".parse()?,
///     Credentials::basic("api-user".parse()?, Secret::from("pw")),
/// )
/// .with_timeout(Duration::from_secs(10));
/// assert_eq!(client.timeout(), Duration::from_secs(10));
/// # Ok::<(), mfa::InvalidValue>(())
/// ```
///
/// With [`Credentials::ClientCredentials`], the client gets an access token before its
/// first call and keeps it until 60 s before it expires ([`AccessToken::is_usable_at`]).
pub struct Client {
    base_url: BaseUrl,
    voice_url: BaseUrl,
    messaging_url: BaseUrl,
    dashboard_url: BaseUrl,
    account_id: AccountId,
    credentials: Credentials,
    transport: Transport,
    token: Mutex<Option<HeldToken>>,
    on_response: Option<ResponseNotice>,
    on_written: Option<Notice>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("account_id", &self.account_id)
            .field("credentials", &self.credentials)
            .field("transport", &self.transport)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// The access token in use, and whether it was issued for the call now being made.
#[derive(Debug, Clone)]
struct HeldToken {
    token: AccessToken,
    /// Issued and not yet used. A 401 with such a token is final: a new one would be
    /// refused too. Any other token may have been revoked since it last worked.
    just_issued: bool,
}

impl Client {
    /// A client that calls `base_url` for `account_id` with `credentials`, with the
    /// default time-out of 30 s.
    pub fn new(base_url: BaseUrl, account_id: AccountId, credentials: Credentials) -> Self {
        Client {
            base_url,
            voice_url: DEFAULT_VOICE_URL
                .parse()
                .expect("Bandwidth's Voice API is a base URL"),
            messaging_url: DEFAULT_MESSAGING_URL
                .parse()
                .expect("Bandwidth's Messaging API is a base URL"),
            dashboard_url: DEFAULT_DASHBOARD_URL
                .parse()
                .expect("Bandwidth's Dashboard API is a base URL"),
            account_id,
            credentials,
            transport: Transport::default(),
            token: Mutex::new(None),
            on_response: None,
            on_written: None,
        }
    }

    /// Calls `notice` when the first byte of a call's request is written: from then on
    /// until its answer comes, the call may have been made. Token requests, which send
    /// no code, are not told.
    pub fn on_request_written(mut self, notice: impl Fn() + Send + Sync + 'static) -> Self {
        self.on_written = Some(Arc::new(notice));
        self
    }

    /// Calls `notice` with each answer the API gives to a call, whatever its status,
    /// before it is read: to log it, say. Answers of the token endpoint, which hold
    /// tokens, are never shown to it.
    pub fn on_response(mut self, notice: impl Fn(&Response) + Send + Sync + 'static) -> Self {
        self.on_response = Some(Arc::new(notice));
        self
    }

    /// Sets where the Voice API is, which [`Client::call_state`] asks (by default
    /// Bandwidth's, [`DEFAULT_VOICE_URL`]).
    pub fn with_voice_url(mut self, voice_url: BaseUrl) -> Self {
        self.voice_url = voice_url;
        self
    }

    /// Sets where the Messaging API is, which [`Client::message_status`] asks (by
    /// default Bandwidth's, [`DEFAULT_MESSAGING_URL`]).
    pub fn with_messaging_url(mut self, messaging_url: BaseUrl) -> Self {
        self.messaging_url = messaging_url;
        self
    }

    /// Sets where the Dashboard API is, which [`Client::application`] and
    /// [`Client::application_locations`] ask (by default Bandwidth's,
    /// [`DEFAULT_DASHBOARD_URL`]).
    pub fn with_dashboard_url(mut self, dashboard_url: BaseUrl) -> Self {
        self.dashboard_url = dashboard_url;
        self
    }

    /// Sets how long a call may take in all, from connecting to the last byte. A token
    /// request gets the same time.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.transport = self.transport.with_timeout(timeout);
        self
    }

    /// Sets how requests travel: time-out, retries, proxies and trusted CAs. The
    /// token endpoint is reached the same way.
    pub fn with_transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// How requests travel.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Starts with an access token got earlier (from a cache, say), used while it is
    /// usable instead of asking for a new one. If the API refuses it (401), the client
    /// drops it and asks for a new one, once.
    pub fn with_token(self, token: AccessToken) -> Self {
        self.hold(token, false);
        self
    }

    /// The time-out in force.
    pub fn timeout(&self) -> Duration {
        self.transport.timeout()
    }

    /// The access token held now, if any: to keep for a later client.
    pub fn token(&self) -> Option<AccessToken> {
        self.held().map(|held| held.token)
    }

    /// Asks the token endpoint for a new access token now and holds it for the next
    /// call. Needs [`Credentials::ClientCredentials`]; with Basic credentials it does
    /// nothing and returns `None`.
    pub fn fetch_token(&self) -> Result<Option<AccessToken>, Error> {
        let Credentials::ClientCredentials(client) = &self.credentials else {
            return Ok(None);
        };
        Ok(Some(self.issue(client)?))
    }

    fn held(&self) -> Option<HeldToken> {
        self.token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn hold(&self, token: AccessToken, just_issued: bool) {
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(HeldToken { token, just_issued });
    }

    /// Sends a code by voice call, once, and returns the call's id.
    ///
    /// ```no_run
    /// use mfa::{Client, CodeRequest, Credentials, Digits, Secret};
    ///
    /// let client = Client::new(
    ///     mfa::BaseUrl::default(),
    ///     "9900000".parse()?,
    ///     Credentials::basic("api-user".parse()?, Secret::from("pw")),
    /// );
    /// let call = client.send_voice_code(
    ///     &CodeRequest::new(
    ///         "+15553334444".parse()?,
    ///         "+15554443333".parse()?,
    ///         "93de2206-9669-4e07-948d-329f4b722ee2".parse()?,
    ///     )
    ///     .with_message("Your code is {CODE}".parse()?)
    ///     .with_digits(Digits::new(6)?),
    /// )?;
    /// println!("{}", call.as_str());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_voice_code(&self, body: &CodeRequest) -> Result<CallId, Error> {
        let (url, account, scheme) = (&self.base_url, &self.account_id, self.credentials.scheme());
        answer::call_id(&self.send(&Request::voice_code(url, account, scheme, body))?)
    }

    /// Sends a code by text message, once, and returns the message's id. The
    /// `application_id` is the messaging application's.
    ///
    /// ```no_run
    /// use mfa::{Client, CodeRequest, Credentials, Digits, Secret};
    ///
    /// let client = Client::new(
    ///     mfa::BaseUrl::default(),
    ///     "9900000".parse()?,
    ///     Credentials::basic("api-user".parse()?, Secret::from("pw")),
    /// );
    /// let message = client.send_messaging_code(
    ///     &CodeRequest::new(
    ///         "+15553334444".parse()?,
    ///         "+15554443333".parse()?,
    ///         "b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90".parse()?,
    ///     )
    ///     .with_scope("login".parse()?)
    ///     .with_message("Your {NAME} login code is {CODE}".parse()?)
    ///     .with_digits(Digits::new(6)?),
    /// )?;
    /// println!("{}", message.as_str());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_messaging_code(&self, body: &CodeRequest) -> Result<MessageId, Error> {
        let (url, account, scheme) = (&self.base_url, &self.account_id, self.credentials.scheme());
        answer::message_id(&self.send(&Request::messaging_code(url, account, scheme, body))?)
    }

    /// Checks a code the user typed back. A wrong or expired code is
    /// `Ok(Verdict::Invalid)`, not an error; too many checks for one number is an
    /// [`Error`] of class [`crate::ErrorClass::RateLimited`].
    ///
    /// ```no_run
    /// use mfa::{Client, Credentials, ErrorClass, ExpirationMinutes, Secret, Verdict, VerifyRequest};
    ///
    /// let client = Client::new(
    ///     mfa::BaseUrl::default(),
    ///     "9900000".parse()?,
    ///     Credentials::basic("api-user".parse()?, Secret::from("pw")),
    /// );
    /// let typed = "123456"; // what the user typed
    /// let check = client.verify_code(
    ///     &VerifyRequest::new("+15553334444".parse()?, typed.parse()?, ExpirationMinutes::new(3.0)?)
    ///         .with_scope("login".parse()?),
    /// );
    /// match check {
    ///     Ok(Verdict::Valid) => println!("welcome"),
    ///     Ok(Verdict::Invalid) => println!("wrong or expired code"),
    ///     Err(err) if err.class() == ErrorClass::RateLimited => println!("wait: {err}"),
    ///     Err(err) => return Err(err.into()),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_code(&self, body: &VerifyRequest) -> Result<Verdict, Error> {
        let (url, account, scheme) = (&self.base_url, &self.account_id, self.credentials.scheme());
        answer::verdict(&self.send(&Request::verify_code(url, account, scheme, body))?)
    }

    /// Asks the Voice API for the state of the call that speaks a code: whether it was
    /// answered, or why not. Sends nothing. A call not yet visible (Bandwidth shows one
    /// within a few minutes) or older than 7 days is an [`Error::Api`] with status 404.
    pub fn call_state(&self, call_id: &CallId) -> Result<CallState, Error> {
        let (url, account, scheme) = (&self.voice_url, &self.account_id, self.credentials.scheme());
        let request = Request::call_state(url, account, scheme, call_id.as_str());
        answer::call_state(&self.send(&request)?)
    }

    /// Asks the Messaging API for the status of the text message that carries a code:
    /// whether it was delivered, or why not. Sends nothing. `Ok(None)` when the API
    /// lists no such message (not yet visible, or not this account's).
    pub fn message_status(&self, message_id: &MessageId) -> Result<Option<MessageStatus>, Error> {
        let (url, account, scheme) = (
            &self.messaging_url,
            &self.account_id,
            self.credentials.scheme(),
        );
        let request = Request::message_status(url, account, scheme, message_id.as_str());
        answer::message_status(&self.send(&request)?)
    }

    /// Asks the Dashboard API what the application `application_id` is: a voice or a
    /// messaging application. Sends nothing. One the account does not have is an
    /// [`Error::Api`] with status 404; credentials that may not read the Dashboard API
    /// get 401 or 403.
    pub fn application(&self, application_id: &ApplicationId) -> Result<Application, Error> {
        let (url, account, scheme) = (
            &self.dashboard_url,
            &self.account_id,
            self.credentials.scheme(),
        );
        let request = Request::application(url, account, scheme, application_id.as_str());
        application::application(&self.send(&request)?)
    }

    /// Asks the Dashboard API which locations the application `application_id` is
    /// associated with; sends nothing. A messaging application with none takes every
    /// message and delivers none.
    pub fn application_locations(
        &self,
        application_id: &ApplicationId,
    ) -> Result<Vec<Location>, Error> {
        let (url, account, scheme) = (
            &self.dashboard_url,
            &self.account_id,
            self.credentials.scheme(),
        );
        let request = Request::application_locations(url, account, scheme, application_id.as_str());
        application::locations(&self.send(&request)?)
    }

    /// Sends a request once and returns the answer, whatever its status. Only a
    /// failure to get an answer at all is an error here; the typed call judges the
    /// answer. With client credentials, an access token is got first if
    /// none is held or it is nearly spent; a 401 to a token that was not just issued
    /// gets one new token and one more try, since the API did nothing with the first.
    fn send(&self, request: &Request) -> Result<Response, Error> {
        match &self.credentials {
            Credentials::Basic { username, password } => {
                self.exchange(request, basic_authorization(username.as_str(), password))
            }
            Credentials::ClientCredentials(client) => self.send_with_token(client, request),
        }
    }

    fn send_with_token(
        &self,
        client: &ClientCredentials,
        request: &Request,
    ) -> Result<Response, Error> {
        let now = std::time::SystemTime::now();
        // A token just issued is used even if it lives less than the renewal margin:
        // a newer one would live no longer.
        let (mut token, just_issued) = match self.held() {
            Some(held) if held.just_issued || held.token.is_usable_at(now) => {
                (held.token, held.just_issued)
            }
            _ => (self.issue(client)?, true),
        };
        let mut response = self.exchange(request, token.bearer())?;
        if response.status == 401 && !just_issued {
            token = self.issue(client)?;
            response = self.exchange(request, token.bearer())?;
        }
        // Whatever the answer, the token has now been used once.
        self.hold(token, false);
        Ok(response)
    }

    /// A new token from the endpoint, held as just issued.
    fn issue(&self, client: &ClientCredentials) -> Result<AccessToken, Error> {
        let token = token::fetch(client, &self.transport)?;
        self.hold(token.clone(), true);
        Ok(token)
    }

    /// One exchange with the API: the request with `authorization`, and its answer.
    fn exchange(&self, request: &Request, authorization: String) -> Result<Response, Error> {
        let mut headers: Vec<(&str, &str)> = request.plain_headers().into_iter().collect();
        headers.push(("Authorization", &authorization));
        let response = match request.method() {
            "GET" => self
                .transport
                .get(request.url(), &headers, self.on_written.as_ref()),
            _ => self.transport.post(
                request.url(),
                &headers,
                request.body().as_bytes(),
                self.on_written.as_ref(),
            ),
        };
        let response = response.map_err(|no_answer| match no_answer {
            NoAnswer::NotHttp(problem) => Error::UnexpectedAnswer {
                call: request.call(),
                status: None,
                delivery: Delivery::MaybeSent,
                problem: format!("not an HTTP answer ({problem})"),
                body: String::new(),
            },
            NoAnswer::Network {
                delivery, cause, ..
            } => Error::Network {
                call: request.call(),
                host: self.transport.describe_host(request.url()),
                delivery,
                cause,
            },
        })?;
        let mut redactions = self.redactions();
        if let Some(code) = request.code() {
            redactions.add_code(code.expose());
        }
        let response = response.scrubbed(&redactions);
        if let Some(notice) = &self.on_response {
            notice(&response);
        }
        Ok(response)
    }

    /// Every secret this client holds: the password or client secret (in each form it
    /// travels in) and the access token held now.
    fn redactions(&self) -> Redactions {
        let mut redactions = Redactions::default();
        match &self.credentials {
            Credentials::Basic { username, password } => {
                redactions.add_basic(username.as_str(), password.expose());
            }
            Credentials::ClientCredentials(client) => {
                redactions.add_basic(client.client_id.as_str(), client.client_secret.expose());
            }
        }
        if let Some(held) = self.held() {
            redactions.add(held.token.expose());
        }
        redactions
    }
}
