//! What the domain is configured with.

use std::sync::Arc;

use chrono::Duration;
use chrono_tz::Tz;

use crate::config::{Config, Limits, NotifyConfig, OfficeConfig};
use crate::storage::settings::setting;

/// The configuration the domain works with, derived once from the server's configuration file:
/// time zone, travel buffer, limits, the regency, the office, notifications and the sheet
/// template. It knows nothing of HTTP; the HTTP layer keeps it in its `AppState`.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub tz: Tz,
    pub travel_buffer: Duration,
    pub limits: Limits,
    /// The configured regency name, if any (else the database's).
    pub regency: Option<String>,
    /// Proxies whose forwarding headers name the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The public base address without a trailing slash: configured (`public_url`, required off
    /// loopback and behind a proxy), else set by the server to the loopback address it listens
    /// on. Every absolute URL (feeds, shared links) is made from it, never from `Host`.
    pub public_url: Option<String>,
    /// The protocol office's contact for the public portal.
    pub office: OfficeConfig,
    /// Who may read `/metrics` without an admin token.
    pub metrics_allow: Vec<ipnet::IpNet>,
    pub notify: NotifyConfig,
    /// The Agenda Harian template and logo, loaded once.
    pub sheet: Arc<crate::domain::sheet::SheetEngine>,
}

impl Ctx {
    pub fn from_config(config: &Config) -> anyhow::Result<Ctx> {
        Ok(Ctx {
            tz: config.tz()?,
            travel_buffer: Duration::minutes(config.travel_buffer_minutes),
            limits: config.limits.clone(),
            regency: config.regency.clone(),
            trusted_proxies: config.trusted_proxy_nets()?,
            public_url: config
                .public_url
                .as_deref()
                .map(|u| u.trim_end_matches('/').to_string()),
            office: config.office.clone(),
            metrics_allow: config.metrics_allow.clone(),
            notify: config.notify.clone(),
            sheet: Arc::new(crate::domain::sheet::SheetEngine::from_config(
                &config.sheet,
            )?),
        })
    }
}

impl Ctx {
    /// The base of absolute URLs (see `public_url`).
    pub fn public_base(&self) -> &str {
        self.public_url.as_deref().unwrap_or("http://127.0.0.1")
    }

    /// The regency's name: configured, else stored in the database. Every page, sheet, feed and
    /// report names the regency through this.
    pub fn regency_name(&self, tx: &rusqlite::Transaction) -> rusqlite::Result<String> {
        Ok(match &self.regency {
            Some(r) => r.clone(),
            None => setting(tx, "regency")?.unwrap_or_else(|| "Pemerintah Daerah".into()),
        })
    }
}
