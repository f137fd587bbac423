//! Server configuration: a TOML file, overridden by `SEPIION_…` environment variables, overridden
//! by command-line options (see `main.rs`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A leader as configured.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct LeaderConfig {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub name: String,
}

/// A representative as configured.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct RepresentativeConfig {
    pub id: String,
    pub name: String,
    pub position: String,
}

/// Declares the limits once: the struct, its defaults and [`Limits::all`], the one list that
/// `Config::check` validates (every limit at least 1) and the README documents.
macro_rules! limits {
    ($($(#[doc = $doc:literal])* $name:ident: $ty:ty = $default:expr,)*) => {
        /// Rate limits and sizes. The defaults suit a regency; tests raise or lower them.
        #[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
        #[serde(default)]
        pub struct Limits {
            $($(#[doc = $doc])* pub $name: $ty,)*
        }

        impl Default for Limits {
            fn default() -> Self {
                Limits { $($name: $default,)* }
            }
        }

        impl Limits {
            /// Every limit as `(key, value)`, in declaration order.
            pub fn all(&self) -> Vec<(&'static str, i64)> {
                vec![$((concat!("limits.", stringify!($name)), i64::try_from(self.$name).unwrap_or(i64::MAX)),)*]
            }
        }
    };
}

limits! {
    /// Device registrations per client address per hour.
    registrations_per_hour: u32 = 30,
    /// Request submissions per device per hour.
    submissions_per_hour: u32 = 20,
    /// Failed logins per username (and per address) per 15 minutes before login is refused.
    login_failures: u32 = 5,
    /// Largest JSON body in bytes.
    max_body_bytes: usize = 256 * 1024,
    /// Largest attachment in bytes.
    max_attachment_bytes: usize = sepiion_core::api::MAX_ATTACHMENT_BYTES,
    /// Attachments per request.
    max_attachments_per_request: u32 = 5,
    /// Staff session lifetime in hours.
    session_hours: i64 = 24 * 30,
    /// A staff session unused for this many hours ends (a week in the field must fit).
    session_idle_hours: i64 = 24 * 10,
    /// Tracking-code look-ups per client address per 10 minutes (cached answers included).
    track_lookups_per_client: u32 = 30,
    /// Tracking-code look-ups from all clients together per minute.
    track_lookups_global: u32 = 600,
    /// Client keys each in-memory limiter tracks at most (memory stays bounded).
    tracked_clients: usize = 100_000,
    /// Public Agenda Harian sheets a client may have typeset per 10 minutes (answers from the
    /// cache are not counted).
    sheets_per_client: u32 = 60,
    /// WhatsApp messages (or e-mails) to one requester's number (or address) per day in the
    /// regency's zone, across all devices, forms and requests; past it a delivery is not sent
    /// but logged as skipped.
    messages_per_destination_per_day: u32 = 10,
}

/// The protocol office as the public portal names it (page "Tentang"). Empty fields are left out.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(default)]
pub struct OfficeConfig {
    /// e.g. "Bagian Protokol dan Komunikasi Pimpinan, Sekretariat Daerah".
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    /// Opening hours as free text, e.g. "Senin–Jumat, 08.00–15.30 WITA".
    pub hours: String,
}

/// The daily agenda sheet (Agenda Harian). Both files are read at start.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(default)]
pub struct SheetConfig {
    /// A Typst template replacing the built-in one (the data arrive as `/data.json`).
    pub template: Option<PathBuf>,
    /// A logo image (PNG, JPEG or SVG) offered to the template as `/logo`.
    pub logo: Option<PathBuf>,
}

/// An ntfy-compatible push server (self-hosted ntfy or a public instance).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct NtfyConfig {
    /// e.g. `https://ntfy.example.go.id`; topics are published by JSON to this URL.
    pub base_url: String,
    /// Access token (`Authorization: Bearer`), if the server needs one.
    #[serde(default)]
    pub token: Option<String>,
    /// Most messages per second.
    #[serde(default = "default_rate")]
    pub rate_per_second: u32,
}

/// How the WhatsApp gateway's request body is written.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum BodyEncoding {
    /// `{phone}` and `{message}` are JSON-string escaped (for a JSON template).
    #[default]
    Json,
    /// `{phone}` and `{message}` are percent-encoded (for a form template).
    Form,
}

/// A WhatsApp HTTP gateway (the shape of common Indonesian gateway APIs). Off unless configured.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct WhatsappConfig {
    pub url: String,
    #[serde(default = "default_method")]
    pub method: String,
    /// Extra headers, e.g. `{ Authorization = "TOKEN" }`.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// Body with `{phone}` (international form, e.g. 6281234567890) and `{message}`.
    pub body: String,
    #[serde(default)]
    pub encoding: BodyEncoding,
    #[serde(default = "default_rate")]
    pub rate_per_second: u32,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption (a relay on the same host or in tests only).
    None,
}

/// An SMTP server for e-mail.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    #[serde(default)]
    pub security: SmtpSecurity,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// Sender, e.g. `"Protokol Klungkung <protokol@klungkungkab.go.id>"`.
    pub from: String,
    #[serde(default = "default_rate")]
    pub rate_per_second: u32,
}

fn default_rate() -> u32 {
    10
}
fn default_method() -> String {
    "POST".into()
}
fn default_smtp_port() -> u16 {
    587
}

/// Notifications: rules' settings, delivery and channels.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct NotifyConfig {
    /// A request for an event sooner than this many days is urgent ("mendesak").
    pub lead_time_days: i64,
    /// Hours a request may wait in `submitted`/`in_review` before protocol staff are reminded
    /// (twice as long: admin too).
    pub review_reminder_hours: i64,
    /// Hours a request may wait in `awaiting_leader` before the leader's ajudan and sespri are
    /// reminded (twice as long: admin too).
    pub leader_reminder_hours: i64,
    /// Local time of the daily digest of tomorrow's agenda, `HH:MM`.
    pub digest_time: String,
    /// Attempts per delivery before it is marked failed.
    pub max_attempts: u32,
    /// First retry delay; doubled on each further attempt.
    pub backoff_base_ms: u64,
    /// Longest retry delay.
    pub backoff_max_ms: u64,
    /// How often the dispatcher looks for due deliveries when nothing woke it.
    pub poll_ms: u64,
    /// Timeout of one delivery attempt.
    pub timeout_ms: u64,
    /// Seconds between the scheduler's checks for reminders and the digest; 0 turns it off.
    pub schedule_every_s: u64,
    pub ntfy: Option<NtfyConfig>,
    pub whatsapp: Option<WhatsappConfig>,
    pub smtp: Option<SmtpConfig>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            lead_time_days: sepiion_core::notify::DEFAULT_LEAD_TIME_DAYS,
            review_reminder_hours: 24,
            leader_reminder_hours: 48,
            digest_time: "17:00".into(),
            max_attempts: 8,
            backoff_base_ms: 5_000,
            backoff_max_ms: 30 * 60 * 1000,
            poll_ms: 500,
            timeout_ms: 15_000,
            schedule_every_s: 60,
            ntfy: None,
            whatsapp: None,
            smtp: None,
        }
    }
}

impl NotifyConfig {
    /// The digest's local time.
    pub fn digest_at(&self) -> Option<chrono::NaiveTime> {
        chrono::NaiveTime::parse_from_str(self.digest_time.trim(), "%H:%M").ok()
    }
}

/// Everything the server needs to run.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Config {
    /// Address to listen on.
    pub addr: String,
    /// SQLite database file.
    pub db: PathBuf,
    /// Fill an empty database with demo data before serving.
    pub demo: bool,
    /// Name of the regency or city, e.g. "Kabupaten Klungkung". When unset, the name stored in
    /// the database (by `demo`) is used.
    pub regency: Option<String>,
    /// IANA time zone of the regency.
    pub time_zone: String,
    /// Minimum minutes between two items of one leader at different locations.
    pub travel_buffer_minutes: i64,
    /// Leaders; written to the database at start. Empty keeps what the database has.
    pub leaders: Vec<LeaderConfig>,
    /// Representatives; written to the database at start.
    pub representatives: Vec<RepresentativeConfig>,
    pub limits: Limits,
    /// Reverse proxies (CIDR, e.g. `127.0.0.1/32`) whose `X-Forwarded-For` / `Forwarded` header
    /// names the client. Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<String>,
    /// The address the public reaches this server at, e.g. "https://agenda.klungkungkab.go.id",
    /// used in calendar feeds and shared links. When unset, the request's Host header is used.
    pub public_url: Option<String>,
    /// Contact of the protocol office, shown on the public portal.
    pub office: OfficeConfig,
    /// Networks (CIDR) whose direct connections may read `/metrics` without an admin token.
    pub metrics_allow: Vec<ipnet::IpNet>,
    pub notify: NotifyConfig,
    pub sheet: SheetConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: "127.0.0.1:8080".into(),
            db: PathBuf::from("sepiion.db"),
            demo: false,
            regency: None,
            time_zone: "Asia/Makassar".into(),
            travel_buffer_minutes: sepiion_core::conflict::DEFAULT_TRAVEL_BUFFER_MINUTES,
            leaders: Vec::new(),
            representatives: Vec::new(),
            limits: Limits::default(),
            trusted_proxies: Vec::new(),
            public_url: None,
            office: OfficeConfig::default(),
            metrics_allow: Vec::new(),
            notify: NotifyConfig::default(),
            sheet: SheetConfig::default(),
        }
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("invalid config file {0}: {1}")]
    Parse(PathBuf, toml::de::Error),
    #[error("invalid value for {0}: {1}")]
    Env(&'static str, String),
    #[error("unknown time zone {0:?} (expected an IANA name such as Asia/Makassar)")]
    TimeZone(String),
    #[error("invalid value for {0}: {1}")]
    Value(&'static str, String),
    #[error(
        "demo data is only served on a loopback address (127.0.0.1 or ::1), not on {0}: its \
         accounts and passwords are published in the README. Use a database without demo data \
         for a server others can reach."
    )]
    DemoOffLoopback(String),
    #[error(
        "public_url is required when the server listens on {0} (not loopback) or behind a \
         reverse proxy (trusted_proxies): set it to the address the public uses, e.g. \
         public_url = \"https://agenda.klungkungkab.go.id\" (or SEPIION_PUBLIC_URL). Calendar \
         feeds and shared links are made from it, never from a request's Host header."
    )]
    PublicUrlRequired(String),
}

impl Config {
    /// Reads the TOML file (if given), then applies environment overrides.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError::Read(path.to_path_buf(), e))?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse(path.to_path_buf(), e))?
            }
            None => Config::default(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        config.check()?;
        Ok(config)
    }

    /// Applies `SEPIION_*` overrides read through `get`.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn num<T: std::str::FromStr>(key: &'static str, v: String) -> Result<T, ConfigError> {
            v.parse()
                .map_err(|_| ConfigError::Env(key, format!("{v:?} is not a number")))
        }
        if let Some(v) = get("SEPIION_REGENCY") {
            self.regency = Some(v);
        }
        if let Some(v) = get("SEPIION_PUBLIC_URL") {
            self.public_url = Some(v);
        }
        if let Some(v) = get("SEPIION_TIME_ZONE") {
            self.time_zone = v;
        }
        if let Some(v) = get("SEPIION_TRAVEL_BUFFER_MINUTES") {
            self.travel_buffer_minutes = num("SEPIION_TRAVEL_BUFFER_MINUTES", v)?;
        }
        if let Some(v) = get("SEPIION_REGISTRATIONS_PER_HOUR") {
            self.limits.registrations_per_hour = num("SEPIION_REGISTRATIONS_PER_HOUR", v)?;
        }
        if let Some(v) = get("SEPIION_SUBMISSIONS_PER_HOUR") {
            self.limits.submissions_per_hour = num("SEPIION_SUBMISSIONS_PER_HOUR", v)?;
        }
        if let Some(v) = get("SEPIION_LOGIN_FAILURES") {
            self.limits.login_failures = num("SEPIION_LOGIN_FAILURES", v)?;
        }
        if let Some(v) = get("SEPIION_TRACK_LOOKUPS_PER_CLIENT") {
            self.limits.track_lookups_per_client = num("SEPIION_TRACK_LOOKUPS_PER_CLIENT", v)?;
        }
        if let Some(v) = get("SEPIION_TRACK_LOOKUPS_GLOBAL") {
            self.limits.track_lookups_global = num("SEPIION_TRACK_LOOKUPS_GLOBAL", v)?;
        }
        if let Some(v) = get("SEPIION_SHEETS_PER_CLIENT") {
            self.limits.sheets_per_client = num("SEPIION_SHEETS_PER_CLIENT", v)?;
        }
        if let Some(v) = get("SEPIION_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
        }
        if let Some(v) = get("SEPIION_METRICS_ALLOW") {
            self.metrics_allow = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|_| {
                        ConfigError::Env(
                            "SEPIION_METRICS_ALLOW",
                            format!("{s:?} is not a network such as 127.0.0.1/32"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        // Secrets may stay out of the configuration file.
        if let Some(v) = get("SEPIION_NTFY_TOKEN")
            && let Some(n) = &mut self.notify.ntfy
        {
            n.token = Some(v);
        }
        if let Some(v) = get("SEPIION_SMTP_PASSWORD")
            && let Some(s) = &mut self.notify.smtp
        {
            s.password = Some(v);
        }
        Ok(())
    }

    /// Checks values that would otherwise fail later: every limit must be positive (a zero
    /// would refuse everything or divide by zero), proxies must parse, demo data stays on
    /// loopback.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.tz()?;
        if self.notify.digest_at().is_none() {
            return Err(ConfigError::Env(
                "notify.digest_time",
                format!("{:?} is not HH:MM", self.notify.digest_time),
            ));
        }
        if self.notify.max_attempts == 0 {
            return Err(ConfigError::Env(
                "notify.max_attempts",
                "must be at least 1".into(),
            ));
        }
        if self.travel_buffer_minutes < 0 {
            return Err(ConfigError::Env(
                "travel_buffer_minutes",
                "must not be negative".into(),
            ));
        }
        let positive = self.limits.all();
        for (key, value) in positive {
            if value <= 0 {
                return Err(ConfigError::Value(
                    key,
                    format!("{value} (must be at least 1; limits cannot be switched off)"),
                ));
            }
        }
        self.trusted_proxy_nets()?;
        if self.demo && !self.listens_on_loopback() {
            return Err(ConfigError::DemoOffLoopback(self.addr.clone()));
        }
        match self.public_url.as_deref() {
            None if !self.listens_on_loopback() || !self.trusted_proxies.is_empty() => {
                return Err(ConfigError::PublicUrlRequired(self.addr.clone()));
            }
            Some(u) => {
                let rest = u
                    .strip_prefix("https://")
                    .or_else(|| u.strip_prefix("http://"));
                let host = rest.map(|r| r.trim_end_matches('/')).unwrap_or("");
                if host.is_empty()
                    || host
                        .chars()
                        .any(|c| c.is_control() || c.is_whitespace() || "?#@\\\"<>".contains(c))
                {
                    return Err(ConfigError::Value(
                        "public_url",
                        format!("{u:?} is not an address such as https://agenda.example.go.id"),
                    ));
                }
            }
            None => {}
        }
        Ok(())
    }

    /// The parsed `trusted_proxies`.
    pub fn trusted_proxy_nets(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.trusted_proxies
            .iter()
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        ConfigError::Value(
                            "trusted_proxies",
                            format!("{s:?} is not an address or CIDR such as 127.0.0.1/32"),
                        )
                    })
            })
            .collect()
    }

    /// Whether `addr` is a loopback address (or `localhost`).
    pub fn listens_on_loopback(&self) -> bool {
        match self.addr.parse::<std::net::SocketAddr>() {
            Ok(a) => a.ip().is_loopback(),
            Err(_) => self
                .addr
                .rsplit_once(':')
                .is_some_and(|(host, _)| host.eq_ignore_ascii_case("localhost")),
        }
    }

    pub fn tz(&self) -> Result<chrono_tz::Tz, ConfigError> {
        sepiion_core::time::parse_tz(&self.time_zone)
            .ok_or_else(|| ConfigError::TimeZone(self.time_zone.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            r#"
regency = "Kota Denpasar"
time_zone = "Asia/Makassar"
travel_buffer_minutes = 45
[[leaders]]
id = "walikota"
title = "Wali Kota Denpasar"
[limits]
submissions_per_hour = 3
"#,
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut c: Config = toml::from_str(&text).unwrap();
        assert_eq!(c.leaders[0].id, "walikota");
        assert_eq!(c.limits.submissions_per_hour, 3);
        assert_eq!(c.limits.login_failures, 5, "unset limits keep defaults");
        c.apply_env(|k| (k == "SEPIION_TRAVEL_BUFFER_MINUTES").then(|| "10".to_string()))
            .unwrap();
        assert_eq!(c.travel_buffer_minutes, 10);
        // The fuzzing script raises the public look-up and sheet limits this way.
        c.apply_env(|k| {
            k.starts_with("SEPIION_TRACK_")
                .then(|| "100000".to_string())
        })
        .unwrap();
        assert_eq!(c.limits.track_lookups_per_client, 100_000);
        assert_eq!(c.limits.track_lookups_global, 100_000);
        assert!(
            c.apply_env(|k| (k == "SEPIION_SHEETS_PER_CLIENT").then(|| "-1".to_string()))
                .is_err()
        );
        assert!(
            c.apply_env(|k| (k == "SEPIION_LOGIN_FAILURES").then(|| "x".to_string()))
                .is_err()
        );
        c.apply_env(|k| {
            (k == "SEPIION_METRICS_ALLOW").then(|| "127.0.0.1/32, ::1/128".to_string())
        })
        .unwrap();
        assert_eq!(c.metrics_allow.len(), 2);
        assert!(
            c.apply_env(|k| (k == "SEPIION_METRICS_ALLOW").then(|| "127.0.0.1".to_string()))
                .is_err(),
            "a network needs its prefix length"
        );
    }

    #[test]
    fn zero_limits_and_bad_proxies_are_refused_with_the_key() {
        let mut c = Config::default();
        c.limits.registrations_per_hour = 0;
        let err = c.check().unwrap_err().to_string();
        assert!(err.contains("limits.registrations_per_hour"), "{err}");
        // Every limit of the one list, each set to zero in the TOML file, is refused by name.
        let keys: Vec<&str> = Limits::default()
            .all()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert!(keys.contains(&"limits.sheets_per_client"), "{keys:?}");
        for key in keys {
            let name = key.trim_start_matches("limits.");
            let c: Config = toml::from_str(&format!("[limits]\n{name} = 0\n")).unwrap();
            let err = c.check().unwrap_err().to_string();
            assert!(err.contains(key), "{key}: {err}");
        }
        let mut c = Config {
            trusted_proxies: vec!["10.0.0.0/8".into(), "::1".into()],
            ..Config::default()
        };
        assert_eq!(c.trusted_proxy_nets().unwrap().len(), 2);
        c.trusted_proxies.push("proxy.example".into());
        assert!(c.check().unwrap_err().to_string().contains("proxy.example"));
        let mut c = Config::default();
        c.apply_env(|k| (k == "SEPIION_TRUSTED_PROXIES").then(|| "127.0.0.1/32, ::1/128".into()))
            .unwrap();
        assert_eq!(c.trusted_proxies, ["127.0.0.1/32", "::1/128"]);
    }

    #[test]
    fn demo_data_only_on_loopback() {
        for (addr, ok) in [
            ("127.0.0.1:8080", true),
            ("[::1]:0", true),
            ("localhost:8080", true),
            ("0.0.0.0:8080", false),
            ("[::]:8080", false),
            ("192.0.2.1:80", false),
            ("example.org:80", false),
        ] {
            let c = Config {
                addr: addr.into(),
                demo: true,
                ..Config::default()
            };
            assert_eq!(c.check().is_ok(), ok, "{addr}");
        }
    }

    #[test]
    fn public_url_is_required_off_loopback_and_behind_a_proxy() {
        for (addr, proxies, url, ok) in [
            ("127.0.0.1:8080", false, None, true),
            ("0.0.0.0:8080", false, None, false),
            ("127.0.0.1:8080", true, None, false),
            (
                "127.0.0.1:8080",
                true,
                Some("https://agenda.example.go.id"),
                true,
            ),
            (
                "0.0.0.0:8080",
                false,
                Some("https://agenda.example.go.id/"),
                true,
            ),
            ("127.0.0.1:8080", false, Some("agenda.example.go.id"), false),
            (
                "127.0.0.1:8080",
                false,
                Some("https://x.example/\r\nEvil"),
                false,
            ),
        ] {
            let c = Config {
                addr: addr.into(),
                trusted_proxies: if proxies {
                    vec!["127.0.0.1/32".into()]
                } else {
                    Vec::new()
                },
                public_url: url.map(String::from),
                ..Config::default()
            };
            let r = c.check();
            assert_eq!(r.is_ok(), ok, "{addr} {proxies} {url:?}: {r:?}");
            if url.is_none() && !ok {
                assert!(
                    r.unwrap_err()
                        .to_string()
                        .contains("public_url is required")
                );
            }
        }
    }

    #[test]
    fn unknown_time_zone_is_refused() {
        let c = Config {
            time_zone: "Bali/Klungkung".into(),
            ..Config::default()
        };
        assert!(matches!(c.check(), Err(ConfigError::TimeZone(_))));
    }

    /// The README's example of the notification channels (an ntfy server, a WhatsApp gateway,
    /// SMTP) is configuration this server reads as documented.
    #[test]
    fn the_readme_notification_example_is_read_as_documented() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("```toml\n[notify]\n")
            .expect("the README has the [notify] example")
            + "```toml\n".len();
        let block = &readme[start..start + readme[start..].find("```").unwrap()];
        let config: Config = toml::from_str(block).expect("the example parses");
        config.check().expect("the example is accepted");
        let n = &config.notify;
        assert_eq!((n.lead_time_days, n.digest_time.as_str()), (7, "17:00"));
        let ntfy = n.ntfy.as_ref().expect("ntfy");
        assert_eq!(ntfy.base_url, "https://ntfy.klungkungkab.go.id");
        assert!(ntfy.token.is_some());
        assert_eq!(ntfy.rate_per_second, 10);
        let wa = n.whatsapp.as_ref().expect("whatsapp");
        assert_eq!(
            (wa.url.as_str(), wa.method.as_str()),
            ("https://api.gateway.example/send", "POST")
        );
        assert_eq!(
            wa.headers.get("Authorization").map(String::as_str),
            Some("TOKEN-DARI-GATEWAY")
        );
        assert!(wa.body.contains("{phone}") && wa.body.contains("{message}"));
        assert_eq!((wa.encoding, wa.rate_per_second), (BodyEncoding::Json, 1));
        let smtp = n.smtp.as_ref().expect("smtp");
        assert_eq!(
            (smtp.host.as_str(), smtp.port),
            ("mail.klungkungkab.go.id", 587)
        );
        assert_eq!(smtp.security, SmtpSecurity::Starttls);
        assert_eq!(
            smtp.username.as_deref(),
            Some("protokol@klungkungkab.go.id")
        );
        assert!(
            smtp.password.is_none(),
            "the password comes from SEPIION_SMTP_PASSWORD"
        );
        assert!(smtp.from.contains("<protokol@klungkungkab.go.id>"));
        assert_eq!(smtp.rate_per_second, 5);
    }
}
