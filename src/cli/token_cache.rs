//! The OAuth2 token cache: one file per client id and token URL under
//! `<user cache dir>/mfa/tokens/`, so a burst of sends costs one token request.
//!
//! A token is used only by a run that holds the very client secret that earned it: the
//! entry keeps a one-way fingerprint of the secret (SHA-256, never the secret itself),
//! so a run with a wrong, mistyped or rotated secret finds no token and is refused by
//! the token endpoint at once, as it should be. A cache file that another user owns,
//! or a link in its place, is never read nor written through: `mfa` warns and goes on
//! without the cache.
//!
//! Files are created with mode 0600 in a folder made with mode 0700, and replaced
//! whole (written beside, then renamed), so a reader sees the old token or the new one,
//! never half of either. Runs that start at once take turns on a lock file while they
//! look for a token and fetch one, so only the first fetches; the lock is let go
//! before the call itself. A file that cannot be read, or that belongs to another
//! client, is ignored and replaced. The cache only ever saves time: when it cannot be
//! used, `mfa` says so in a warning and fetches a token as if it were empty.
//!
//! [`token_for`] gives a client its token before a call, and [`keep_token`] keeps what
//! the call taught: a token the API refused is dropped, a renewed one kept.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use mfa::{AccessToken, Client, ClientCredentials, Credentials};
use serde::{Deserialize, Serialize};

use crate::cli::args::OutputFormat;
use crate::cli::output::{self, Log};
use crate::cli::owned_path::{self, Access, Refusal};
use crate::cli::private_files;
use crate::cli::untrusted_file::{self, Unreadable};

/// Where one client's token is kept.
#[derive(Debug)]
pub struct TokenCache {
    dir: PathBuf,
    file: PathBuf,
    lock: PathBuf,
    client_id: String,
    token_url: String,
    /// The fingerprint of the client secret this run holds.
    secret_fingerprint: String,
}

/// The file's contents. The client id and URL are kept in it too, so that two
/// clients whose names hash alike never take each other's token.
#[derive(Serialize, Deserialize)]
struct CachedToken {
    client_id: String,
    token_url: String,
    /// [`fingerprint`] of the client secret that earned the token.
    secret_fingerprint: String,
    access_token: String,
    /// Seconds since 1970.
    expires_at: u64,
}

impl TokenCache {
    /// The cache for `credentials` under `cache_dir`: none for Basic credentials, which
    /// need no token, or when no cache folder is known.
    pub fn for_credentials(credentials: &Credentials, cache_dir: Option<&Path>) -> Option<Self> {
        match (credentials, cache_dir) {
            (Credentials::ClientCredentials(client), Some(dir)) => {
                Some(TokenCache::new(dir, client))
            }
            _ => None,
        }
    }

    /// The cache for `client` under `cache_dir`.
    pub fn new(cache_dir: &Path, client: &ClientCredentials) -> Self {
        let dir = cache_dir.join("mfa").join("tokens");
        let client_id = client.client_id.as_str().to_owned();
        let token_url = client.token_url.as_str().to_owned();
        let name = format!(
            "{:016x}",
            fnv1a(format!("{client_id}\0{token_url}").as_bytes())
        );
        let secret_fingerprint = fingerprint(&client_id, &token_url, client.client_secret.expose());
        TokenCache {
            file: dir.join(format!("{name}.json")),
            lock: dir.join(format!("{name}.lock")),
            dir,
            client_id,
            token_url,
            secret_fingerprint,
        }
    }

    /// Why the cache file must not be used, if it must not: a link in its place, or a
    /// file another user owns or could write, was not made by `mfa` for this user.
    pub fn foreign(&self) -> Option<String> {
        let why = match owned_path::open(&self.file, Access::ReadNoLink) {
            Err(Refusal::Foreign(foreign)) => foreign.why,
            Err(Refusal::Unusable(why @ Unreadable::NotAFile(_))) => why.to_string(),
            _ => return None,
        };
        Some(format!(
            "token cache file {} is not used: {why}; it was neither read nor replaced, and a \
             new token was asked for; remove it if you did not put it there",
            self.file.display()
        ))
    }

    /// The folder, for messages.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Waits for this client's lock, at most `patience` (a run that holds it may be
    /// stopped, or waiting on a slow token endpoint), and holds it until the returned
    /// lock is dropped. A lock file that is not a regular file is refused at once.
    pub fn lock(&self, patience: Duration) -> io::Result<private_files::Lock> {
        private_files::lock(
            &self.lock,
            patience,
            "the lock file",
            "another run has held it",
        )
    }

    /// The token kept for this client and secret, if any, whatever its expiry. What the
    /// file holds is untrusted: anything that is not a regular file of at most
    /// [`ENTRY_CAP`] bytes holding this client's entry, earned with this secret, with a
    /// representable expiry is no token.
    pub fn load(&self) -> Option<AccessToken> {
        let opened = owned_path::open(&self.file, Access::ReadNoLink).ok()?;
        let bytes = untrusted_file::read_capped(&opened.file, ENTRY_CAP).ok()?;
        read_entry(&bytes, self.owner())
    }

    /// Whose tokens this cache holds.
    fn owner(&self) -> Owner<'_> {
        Owner {
            client_id: &self.client_id,
            token_url: &self.token_url,
            secret_fingerprint: &self.secret_fingerprint,
        }
    }

    /// Puts a cache file that its group or others may read back to mode 0600; says so.
    /// The file opened is the one changed (never a link's target).
    pub fn mend_mode(&self) -> Option<String> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let opened = owned_path::open(&self.file, Access::ReadNoLink).ok()?;
            let mode = opened.mode;
            if mode & 0o077 == 0 {
                return None;
            }
            let mended = opened
                .file
                .set_permissions(fs::Permissions::from_mode(0o600));
            Some(match mended {
                Ok(()) => format!(
                    "token cache file {} could be read by others (mode {mode:o}); it is 600 now",
                    self.file.display()
                ),
                Err(e) => format!(
                    "token cache file {} can be read by others (mode {mode:o}) and could not \
                     be made 600: {e}",
                    self.file.display()
                ),
            })
        }
        #[cfg(not(unix))]
        None
    }

    /// Keeps `token` for the next run, replacing any other.
    pub fn store(&self, token: &AccessToken) -> io::Result<()> {
        let expires_at = token
            .expires_at()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let entry = CachedToken {
            client_id: self.client_id.clone(),
            token_url: self.token_url.clone(),
            secret_fingerprint: self.secret_fingerprint.clone(),
            access_token: token.expose().to_owned(),
            expires_at,
        };
        let json = serde_json::to_string(&entry)?;
        private_files::replace(&self.file, json.as_bytes(), None)
    }

    /// Drops the kept token (the API refused it).
    pub fn forget(&self) -> io::Result<()> {
        match fs::remove_file(&self.file) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// The largest cache entry read: a token and its client take a few hundred bytes.
const ENTRY_CAP: u64 = 64 * 1024;

/// Whose token an entry must be to be used.
#[derive(Clone, Copy)]
struct Owner<'a> {
    client_id: &'a str,
    token_url: &'a str,
    secret_fingerprint: &'a str,
}

/// The token in a cache entry's `bytes`, if it is `owner`'s and its expiry can be told;
/// `None` for anything else, however damaged.
fn read_entry(bytes: &[u8], owner: Owner) -> Option<AccessToken> {
    let entry: CachedToken = serde_json::from_slice(bytes).ok()?;
    if entry.client_id != owner.client_id
        || entry.token_url != owner.token_url
        || entry.secret_fingerprint != owner.secret_fingerprint
    {
        return None;
    }
    let expires_at = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(entry.expires_at))?;
    AccessToken::new(entry.access_token, expires_at).ok()
}

/// Gives `client` an access token: the cached one while it is usable, else a new one,
/// which is cached. Runs that start at once take turns here, so one fetches and the
/// others reuse its token; none waits for its turn longer than `patience`. A cache
/// that cannot be used costs a warning, never the call.
pub fn token_for(
    client: Client,
    cache: Option<&TokenCache>,
    patience: Duration,
    log: Log,
    format: OutputFormat,
    err: &mut dyn Write,
) -> Result<Client, mfa::Error> {
    // The cache, while this run holds its turn; none if it cannot be locked, or if its
    // file is another user's.
    let cache = cache.and_then(|cache| match cache.lock(patience) {
        Ok(turn) => Some((cache, turn)),
        Err(e) => {
            warn(err, format, cache, "lock it", e);
            None
        }
    });
    let cache = cache.filter(|(cache, _)| match cache.foreign() {
        Some(warning) => {
            let _ = output::write_warning(err, format, &warning);
            false
        }
        None => true,
    });
    if let Some((cache, _)) = &cache
        && let Some(warning) = cache.mend_mode()
    {
        let _ = output::write_warning(err, format, &warning);
    }
    let now = SystemTime::now();
    let cached = cache.as_ref().and_then(|(cache, _)| cache.load());
    if let Some(token) = cached.filter(|token| token.is_usable_at(now)) {
        let note = format!("access token: from the cache ({})", expires_in(&token));
        log.note(err, &note);
        return Ok(client.with_token(token));
    }
    let Some(token) = client.fetch_token()? else {
        return Ok(client);
    };
    let note = format!(
        "access token: new from the token endpoint ({})",
        expires_in(&token)
    );
    log.note(err, &note);
    if let Some((cache, _turn)) = cache.filter(|_| token.is_usable_at(now))
        && let Err(e) = cache.store(&token)
    {
        warn(err, format, cache, "save the access token", e);
    }
    Ok(client)
}

/// After the call: a token the API refused (`refused`: it answered 401) is dropped
/// from the cache, and one the client got anew after a refusal is kept instead.
/// `before` is the token the call started with.
pub fn keep_token(
    client: &Client,
    cache: &TokenCache,
    before: Option<&AccessToken>,
    refused: bool,
    log: Log,
    format: OutputFormat,
    err: &mut dyn Write,
) {
    if cache.foreign().is_some() {
        // Said before the call; never written through.
        return;
    }
    let now_held = client.token();
    let renewed = now_held.as_ref() != before && before.is_some();
    if renewed {
        log.note(
            err,
            "access token: refused (HTTP 401); got a new one and made the call once more",
        );
    }
    let result = match now_held {
        _ if refused => cache.forget(),
        Some(token) if renewed => cache.store(&token),
        _ => Ok(()),
    };
    if let Err(e) = result {
        warn(err, format, cache, "update it", e);
    }
}

/// The warning for a token cache that could not be used: it costs time, never the call.
fn warn(err: &mut dyn Write, format: OutputFormat, cache: &TokenCache, what: &str, e: io::Error) {
    let message = format!(
        "token cache {}: could not {what}: {e}",
        cache.dir().display()
    );
    let _ = output::write_warning(err, format, &message);
}

/// `expires in 3540 s`.
fn expires_in(token: &AccessToken) -> String {
    let left = token
        .expires_at()
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    format!("expires in {} s", left.as_secs())
}

/// A one-way fingerprint of `secret` for `client_id` at `token_url`: the SHA-256 of
/// the three, in hex. The cache keeps it to tell whether a run holds the secret that
/// earned a token, without keeping the secret.
fn fingerprint(client_id: &str, token_url: &str, secret: &str) -> String {
    let input = format!("mfa token cache\0{client_id}\0{token_url}\0{secret}");
    ring::digest::digest(&ring::digest::SHA256, input.as_bytes())
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// FNV-1a, 64 bits: a file name that is the same on every machine and in every
/// version, unlike std's hasher. Five lines, so no crate for it.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn client(id: &str) -> ClientCredentials {
        client_with_secret(id, "s")
    }

    fn client_with_secret(id: &str, secret: &str) -> ClientCredentials {
        ClientCredentials::new(id.parse().unwrap(), mfa::Secret::from(secret))
            .with_token_url("http://127.0.0.1:1/token".parse().unwrap())
    }

    /// The owner `read_entry` checks entries against: client `c1` at `u`, secret `s`.
    fn c1() -> Owner<'static> {
        Owner {
            client_id: "c1",
            token_url: "u",
            secret_fingerprint: "f",
        }
    }

    fn token(value: &str, at: u64) -> AccessToken {
        AccessToken::new(value, SystemTime::UNIX_EPOCH + Duration::from_secs(at)).unwrap()
    }

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn a_token_is_kept_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(dir.path(), &client("c1"));
        assert!(cache.load().is_none());
        let _lock = cache.lock(Duration::from_secs(1)).unwrap();
        cache.store(&token("tok-1", 4_000_000_000)).unwrap();
        assert_eq!(cache.load(), Some(token("tok-1", 4_000_000_000)));
        cache.forget().unwrap();
        assert!(cache.load().is_none());
        cache.forget().unwrap();
    }

    #[test]
    fn a_token_is_used_only_with_the_secret_that_earned_it() {
        let dir = tempfile::tempdir().unwrap();
        let right = TokenCache::new(dir.path(), &client_with_secret("c1", "right"));
        right.store(&token("tok-1", 4_000_000_000)).unwrap();
        // The same client id and token URL, the same file, another secret: no token.
        let wrong = TokenCache::new(dir.path(), &client_with_secret("c1", "wrong"));
        assert_eq!(wrong.file, right.file);
        assert!(wrong.load().is_none());
        assert!(right.load().is_some());
        // The file holds a fingerprint, never the secret.
        let kept = fs::read_to_string(&right.file).unwrap();
        assert!(!kept.contains("right"), "{kept}");
        assert!(kept.contains(&right.secret_fingerprint), "{kept}");
        assert_eq!(right.secret_fingerprint.len(), 64);
        assert_ne!(right.secret_fingerprint, wrong.secret_fingerprint);
        // The fingerprint is SHA-256, the same in every run and version.
        // (`printf 'mfa token cache\0c\0u\0s' | sha256sum`)
        assert_eq!(
            fingerprint("c", "u", "s"),
            "6925a31d356b57a834717395bbe7d983fe733a41e158d75a4e0e00abfa0d4d4c"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_cache_file_of_another_user_or_a_link_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(dir.path(), &client("c1"));
        assert_eq!(cache.foreign(), None);
        cache.store(&token("tok-1", 4_000_000_000)).unwrap();
        assert_eq!(cache.foreign(), None);
        fs::remove_file(&cache.file).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &cache.file).unwrap();
        let said = cache.foreign().unwrap();
        assert!(
            said.contains(
                "is not used: it is a symbolic link, not a regular file; it was \
                 neither read nor replaced"
            ),
            "{said}"
        );
    }

    #[test]
    fn clients_do_not_share_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let one = TokenCache::new(dir.path(), &client("c1"));
        let two = TokenCache::new(dir.path(), &client("c2"));
        one.store(&token("tok-1", 4_000_000_000)).unwrap();
        assert!(two.load().is_none());
        // A file under another client's name is not taken either.
        fs::copy(&one.file, &two.file).unwrap();
        assert!(two.load().is_none());
    }

    #[test]
    fn an_expiry_past_the_clocks_end_is_no_token_and_no_panic() {
        let entry = |expires_at: u64| {
            format!(
                r#"{{"client_id":"c1","token_url":"u","secret_fingerprint":"f","access_token":"t","expires_at":{expires_at}}}"#
            )
        };
        for expires_at in [1u64 << 63, u64::MAX] {
            assert_eq!(read_entry(entry(expires_at).as_bytes(), c1()), None);
        }
        // The latest time the clock can hold is a (far) expiry like any other.
        for expires_at in [(1u64 << 63) - 1, 4_000_000_000] {
            assert!(read_entry(entry(expires_at).as_bytes(), c1()).is_some());
        }
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_read_without_a_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = read_entry(&bytes, c1());
        }

        #[test]
        fn any_entry_is_read_without_a_panic(
            client_id in ".{0,12}",
            access_token in ".{0,40}",
            expires_at in proptest::num::u64::ANY,
        ) {
            let json = serde_json::json!({
                "client_id": client_id, "token_url": "u", "secret_fingerprint": "f",
                "access_token": access_token, "expires_at": expires_at,
            });
            let read = read_entry(json.to_string().as_bytes(), c1());
            if let Some(token) = read {
                proptest::prop_assert_eq!(client_id, "c1");
                proptest::prop_assert_eq!(token.expose(), access_token);
            }
        }

        #[test]
        fn a_token_kept_is_read_back(seconds in 0u64..(1u64 << 40), token in "[!-~]{1,64}") {
            let dir = tempfile::tempdir().unwrap();
            let cache = TokenCache::new(dir.path(), &client("c1"));
            let kept = AccessToken::new(token, SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)).unwrap();
            cache.store(&kept).unwrap();
            proptest::prop_assert_eq!(cache.load(), Some(kept));
        }
    }

    #[test]
    fn a_lock_held_elsewhere_is_waited_for_no_longer_than_the_patience() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(dir.path(), &client("c1"));
        let held = cache.lock(Duration::from_secs(1)).unwrap();
        let started = Instant::now();
        let err = cache.lock(Duration::from_millis(200)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(held);
        assert!(cache.lock(Duration::from_millis(200)).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_as_the_lock_or_the_cache_file_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(dir.path(), &client("c1"));
        private_files::make_dir(&cache.dir).unwrap();
        for path in [&cache.lock, &cache.file] {
            let made = std::process::Command::new("mkfifo")
                .arg(path)
                .status()
                .unwrap();
            assert!(made.success());
        }
        let started = Instant::now();
        assert!(cache.lock(Duration::from_secs(30)).is_err());
        assert_eq!(cache.load(), None);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[cfg(unix)]
    #[test]
    fn a_cache_file_others_may_read_is_made_private_again() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(dir.path(), &client("c1"));
        cache.store(&token("tok-1", 4_000_000_000)).unwrap();
        assert_eq!(cache.mend_mode(), None);
        fs::set_permissions(&cache.file, fs::Permissions::from_mode(0o644)).unwrap();
        let said = cache.mend_mode().unwrap();
        assert!(
            said.ends_with("could be read by others (mode 644); it is 600 now"),
            "{said}"
        );
        assert_eq!(
            fs::metadata(&cache.file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(dir.path(), &client("c1"));
        private_files::make_dir(&cache.dir).unwrap();
        fs::write(&cache.file, "{\"client_id\":").unwrap();
        assert!(cache.load().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn files_and_folders_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(dir.path(), &client("c1"));
        cache.store(&token("tok-1", 4_000_000_000)).unwrap();
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&cache.file), 0o600);
        assert_eq!(mode(&cache.dir), 0o700);
        assert_eq!(mode(cache.dir.parent().unwrap()), 0o700);
    }
}
