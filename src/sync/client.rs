//! The server's HTTP API as the app uses it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use sepiion_core::api::{
    DeviceRegistration, ErrorBody, LoginInput, LoginResponse, ServerInfo, SheetFormat,
};
use sepiion_core::sync::{Mutation, PullPage, PushRequest, PushResponse};
use sepiion_core::validation::Lang;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::store::StoreError;

/// Why a sync (or a call) did not complete.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No connection, a connection cut, a timeout: try again later.
    #[error("network error: {0}")]
    Network(#[source] reqwest::Error),
    /// The server answered with an error status.
    #[error("server answered {status}: {}", .body.as_ref().map(|b| b.message.as_str()).unwrap_or(""))]
    Server {
        status: u16,
        body: Option<ErrorBody>,
    },
    /// The token is no longer accepted (or the login was wrong): the user must sign in again.
    /// Nothing made on the device is lost.
    #[error("the server no longer accepts this device's credentials")]
    Unauthorized,
    /// An admin deactivated the signed-in account: the app removes that account's data.
    #[error("the account has been deactivated")]
    AccountDeactivated,
    /// The cursor is older than the server's history: a full resync is needed.
    #[error("the sync cursor is stale")]
    StaleCursor,
    /// The internal app needs a staff login first.
    #[error("not signed in")]
    NotSignedIn,
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server's answer does not fit the protocol.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    /// An address this build may not use: not http(s), with credentials, or plain HTTP to
    /// another machine in an Android release build (see `platform::parse_server_url`).
    #[error("server address {0:?} refused: {1}")]
    BadServerUrl(String, crate::platform::ServerUrlError),
}

impl SyncError {
    /// Whether trying again later may succeed without the user doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Network(_) => true,
            SyncError::Server { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }
}

/// Requests made and response bytes received (after decompression), for diagnostics and the
/// benchmark.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    response_bytes: AtomicU64,
    decode_nanos: AtomicU64,
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    pub requests: u64,
    pub response_bytes: u64,
    /// Time spent turning successful answers' JSON into values.
    pub decode_time: Duration,
}

/// Redirects are followed only within the server's own origin (scheme, host and port): a
/// redirect elsewhere would carry the user's token, or downgrade to plain HTTP.
pub fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same && attempt.previous().len() < 5 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// The server, seen from the app. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ServerClient {
    http: reqwest::Client,
    base: String,
    counters: Arc<Counters>,
}

/// Development builds only: also trust the CA certificate (PEM) in the file named by
/// `SEPIION_DEV_EXTRA_CA`, for a test server behind nginx with a self-signed CA. Release builds
/// do not contain this and trust the public roots only.
#[cfg(debug_assertions)]
fn dev_extra_ca(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    let Some(path) = std::env::var_os("SEPIION_DEV_EXTRA_CA") else {
        return builder;
    };
    match std::fs::read(&path)
        .ok()
        .and_then(|pem| reqwest::Certificate::from_pem(&pem).ok())
    {
        Some(ca) => builder.add_root_certificate(ca),
        None => {
            eprintln!(
                "SEPIION_DEV_EXTRA_CA: {} is not a readable PEM certificate; ignored",
                std::path::Path::new(&path).display()
            );
            builder
        }
    }
}

impl ServerClient {
    /// A client for the server at `base_url` (e.g. `https://sepiion.klungkungkab.go.id`), with
    /// gzip and timeouts suited to a phone on a poor network.
    ///
    /// TLS is rustls (with ring) trusting the Mozilla root certificates compiled into the app
    /// (`webpki-roots`, reqwest 0.12's `rustls-tls`). That works the same on Android, desktop and
    /// in tests with no set-up: no OpenSSL to cross-compile or ship, and no platform verifier
    /// (reqwest 0.13's default, which panics on Android unless initialised through JNI first).
    /// The cost: roots change only with an app update, and certificates that only the phone
    /// trusts (a CA installed by the user or an MDM) are not accepted. A regency's server needs a
    /// certificate from a public CA (e.g. Let's Encrypt).
    pub fn new(base_url: &str) -> Result<ServerClient, SyncError> {
        let base = crate::platform::server_url(base_url)
            .map_err(|e| SyncError::BadServerUrl(base_url.to_string(), e))?;
        let builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(90))
            .gzip(true)
            .redirect(same_origin_redirects())
            .user_agent(concat!("sepiion-app/", env!("CARGO_PKG_VERSION")));
        #[cfg(debug_assertions)]
        let builder = dev_extra_ca(builder);
        let http = builder.build().map_err(SyncError::Network)?;
        Ok(Self::with_http(&base, http))
    }

    /// A client using a configured `reqwest::Client` (tests: no connection reuse).
    pub fn with_http(base_url: &str, http: reqwest::Client) -> ServerClient {
        ServerClient {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            counters: Arc::default(),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn stats(&self) -> ClientStats {
        ClientStats {
            requests: self.counters.requests.load(Ordering::Relaxed),
            response_bytes: self.counters.response_bytes.load(Ordering::Relaxed),
            decode_time: Duration::from_nanos(self.counters.decode_nanos.load(Ordering::Relaxed)),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, SyncError> {
        let (status, bytes) = self.send_raw(req).await?;
        let started = std::time::Instant::now();
        let value = serde_json::from_slice(bytes.as_ref())
            .map_err(|e| SyncError::Protocol(format!("{status}: {e}")));
        self.counters
            .decode_nanos
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        value
    }

    /// A successful answer's body as it came (files such as the agenda sheet); errors as in
    /// [`Self::send`].
    async fn send_raw(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, impl AsRef<[u8]>), SyncError> {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let res = req.send().await.map_err(SyncError::Network)?;
        let status = res.status();
        // The whole body is read before deciding anything: a connection cut mid-body is a
        // network error, never half an answer.
        let bytes = res.bytes().await.map_err(SyncError::Network)?;
        self.counters
            .response_bytes
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if status.is_success() {
            return Ok((status, bytes));
        }
        let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
        Err(match status {
            StatusCode::UNAUTHORIZED
                if body
                    .as_ref()
                    .is_some_and(|b| b.error == "account_deactivated") =>
            {
                SyncError::AccountDeactivated
            }
            StatusCode::UNAUTHORIZED => SyncError::Unauthorized,
            StatusCode::GONE if body.as_ref().is_some_and(|b| b.error == "stale_cursor") => {
                SyncError::StaleCursor
            }
            _ => SyncError::Server {
                status: status.as_u16(),
                body,
            },
        })
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<T, SyncError> {
        let mut req = self.http.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    /// Registers this public device anonymously; the token is shown once.
    pub async fn register_device(&self) -> Result<DeviceRegistration, SyncError> {
        self.post("/public/devices", None, &serde_json::json!({}))
            .await
    }

    /// Staff login.
    pub async fn login(&self, username: &str, password: &str) -> Result<LoginResponse, SyncError> {
        let input = LoginInput {
            username: username.to_string(),
            password: password.to_string(),
        };
        self.post("/auth/login", None, &input).await
    }

    /// Ends a staff session on the server.
    pub async fn logout(&self, token: &str) -> Result<(), SyncError> {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let res = self
            .http
            .post(self.url("/auth/logout"))
            .bearer_auth(token)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(SyncError::Network)?;
        match res.status() {
            s if s.is_success() => Ok(()),
            // Already over on the server: that is what we wanted.
            StatusCode::UNAUTHORIZED => Ok(()),
            s => Err(SyncError::Server {
                status: s.as_u16(),
                body: None,
            }),
        }
    }

    /// The regency's settings (name, time zone, leaders).
    pub async fn info(&self) -> Result<ServerInfo, SyncError> {
        self.send(self.http.get(self.url("/public/info"))).await
    }

    /// Uploads a file of one of this device's requests. The file's id makes a retry harmless.
    pub async fn upload_attachment(
        &self,
        token: &str,
        upload: &crate::store::attachments::Upload,
    ) -> Result<sepiion_core::model::AttachmentMeta, SyncError> {
        let form = reqwest::multipart::Form::new()
            .text("id", upload.id.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(upload.data.clone())
                    .file_name(upload.filename.clone()),
            );
        let path = format!("/public/requests/{}/attachments", upload.request_id);
        let req = self
            .http
            .post(self.url(&path))
            .bearer_auth(token)
            .multipart(form);
        self.send(req).await
    }

    /// Looks a request up by its tracking code (no credentials needed).
    pub async fn track(&self, code: &str) -> Result<sepiion_core::api::TrackedRequest, SyncError> {
        // Only letters, digits and '-' reach the path.
        let clean: String = code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let path = format!("/public/track/{clean}");
        self.send(self.http.get(self.url(&path))).await
    }

    /// The address of the public calendar feed (no network needed).
    pub fn public_feed_url(&self) -> String {
        format!("{}/ics/public.ics", self.base)
    }

    /// Whether the staff member has a personal calendar feed.
    pub async fn calendar_feed(
        &self,
        token: &str,
    ) -> Result<sepiion_core::api::CalendarFeedInfo, SyncError> {
        let req = self
            .http
            .get(self.url("/staff/calendar-feed"))
            .bearer_auth(token);
        self.send(req).await
    }

    /// Makes a new personal calendar feed address (the old one stops working).
    pub async fn renew_calendar_feed(
        &self,
        token: &str,
    ) -> Result<sepiion_core::api::CalendarFeedSecret, SyncError> {
        self.post("/staff/calendar-feed", Some(token), &serde_json::json!({}))
            .await
    }

    /// The names an `@mention` may match (staff only).
    pub async fn mention_names(
        &self,
        token: &str,
    ) -> Result<sepiion_core::api::MentionNames, SyncError> {
        let req = self
            .http
            .get(self.url("/staff/mention-names"))
            .bearer_auth(token);
        self.send(req).await
    }

    /// One's notification settings and the ntfy topic to subscribe to.
    pub async fn notification_settings(
        &self,
        token: &str,
    ) -> Result<sepiion_core::api::NotificationSettings, SyncError> {
        let req = self
            .http
            .get(self.url("/staff/notification-settings"))
            .bearer_auth(token);
        self.send(req).await
    }

    /// Saves one's phone, e-mail and channels; the answer is the settings as stored.
    pub async fn save_notification_settings(
        &self,
        token: &str,
        input: &sepiion_core::api::NotificationSettingsInput,
    ) -> Result<sepiion_core::api::NotificationSettings, SyncError> {
        let req = self
            .http
            .put(self.url("/staff/notification-settings"))
            .bearer_auth(token)
            .json(input);
        self.send(req).await
    }

    /// The monthly report (`month` is `YYYY-MM`).
    /// The day's Agenda Harian sheet (`format`: PDF or PNG) with what this staff account may
    /// see.
    pub async fn agenda_sheet(
        &self,
        token: &str,
        date: chrono::NaiveDate,
        leader: Option<&str>,
        format: SheetFormat,
    ) -> Result<Vec<u8>, SyncError> {
        let date = date.format("%Y-%m-%d").to_string();
        let mut query = vec![("date", date.as_str()), ("format", format.as_str())];
        if let Some(l) = leader {
            query.push(("leader", l));
        }
        let req = self
            .http
            .get(self.url("/staff/agenda/sheet"))
            .query(&query)
            .bearer_auth(token);
        Ok(self.send_raw(req).await?.1.as_ref().to_vec())
    }

    pub async fn monthly_report(
        &self,
        token: &str,
        month: &str,
    ) -> Result<sepiion_core::report::MonthlyReport, SyncError> {
        let req = self
            .http
            .get(self.url("/staff/reports/monthly"))
            .query(&[("month", month)])
            .bearer_auth(token);
        self.send(req).await
    }

    /// An attachment's bytes: through the staff API with a staff token, else through the public
    /// API, which serves only the device's own requests.
    pub async fn download_attachment(
        &self,
        token: &str,
        staff: bool,
        request_id: &str,
        attachment_id: &str,
    ) -> Result<Vec<u8>, SyncError> {
        let scope = if staff { "staff" } else { "public" };
        let req = self
            .http
            .get(self.url(&format!(
                "/{scope}/requests/{request_id}/attachments/{attachment_id}"
            )))
            .bearer_auth(token);
        Ok(self.send_raw(req).await?.1.as_ref().to_vec())
    }

    /// One page of changes after `cursor` (`None`: from scratch).
    pub async fn pull(
        &self,
        token: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<PullPage, SyncError> {
        let limit = limit.to_string();
        let mut query = vec![("limit", limit.as_str())];
        if let Some(c) = cursor {
            query.push(("cursor", c));
        }
        let req = self
            .http
            .get(self.url("/sync/pull"))
            .query(&query)
            .bearer_auth(token);
        self.send(req).await
    }

    /// Sends mutations; the answer has one result per mutation, in order.
    /// Pushes mutations. `lang` is the app's language, sent as `Accept-Language`: the server
    /// answers errors in it and keeps it on a submitted request, so the requester's messages
    /// come in the language they used.
    pub async fn push(
        &self,
        token: &str,
        mutations: Vec<Mutation>,
        lang: Lang,
    ) -> Result<PushResponse, SyncError> {
        let code = match lang {
            Lang::Id => "id",
            Lang::En => "en",
        };
        let req = self
            .http
            .post(self.url("/sync/push"))
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT_LANGUAGE, code)
            .json(&PushRequest { mutations });
        self.send(req).await
    }
}
