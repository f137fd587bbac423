//! The Sepiion server: axum over SQLite. Both apps sync with it.
//!
//! Three layers, each in its folder, each importing only the ones before it:
//!
//! - [`storage`]: the SQLite database (connection, migrations, change log, settings, audit,
//!   rows, sessions, notification rows, backups) — imports only `sepiion_core`, [`config`] and
//!   [`error`];
//! - [`domain`]: the rules (callers, visibility, requests, agenda, sync, inbox, reports, users,
//!   demo, sheet, feeds, notifications) over storage, configured by [`domain::context::Ctx`];
//! - [`http`]: the axum router, state, extractors, limits, caches, metrics, handlers and the
//!   portal.
//!
//! `main.rs` is a thin command line over this library; tests start [`RunningServer`] on
//! 127.0.0.1 port 0 with a temporary database.

pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod storage;

use std::net::SocketAddr;
use std::sync::Arc;

use rusqlite::params;

use crate::config::Config;
use crate::domain::caller::PasswordWork;
use crate::domain::context::Ctx;
use crate::http::state::AppState;
use crate::http::throttle::{LoginGuard, RateLimiter};
use crate::storage::Db;
use crate::storage::changes::log_change;
use crate::storage::settings::set_setting;

/// Writes the configured regency name, leaders and representatives into the database.
pub fn apply_config_data(conn: &mut rusqlite::Connection, config: &Config) -> anyhow::Result<()> {
    let tx = conn.transaction()?;
    if let Some(r) = &config.regency {
        set_setting(&tx, "regency", r)?;
    }
    for (i, l) in config.leaders.iter().enumerate() {
        let changed = tx.execute(
            "INSERT INTO leaders (id, title, name, sort_order) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, name = excluded.name,
                 sort_order = excluded.sort_order, version = version + 1
             WHERE title != excluded.title OR name != excluded.name
                OR sort_order != excluded.sort_order",
            params![l.id, l.title, l.name, i as i64],
        )?;
        if changed > 0 {
            log_change(&tx, "leader", &l.id)?;
        }
    }
    for r in &config.representatives {
        let changed = tx.execute(
            "INSERT INTO representatives (id, name, position) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position,
                 version = version + 1
             WHERE name != excluded.name OR position != excluded.position",
            params![r.id, r.name, r.position],
        )?;
        if changed > 0 {
            log_change(&tx, "representative", &r.id)?;
        }
    }
    // A database without leaders gets the two offices every regency has.
    let count: i64 = tx.query_row("SELECT COUNT(*) FROM leaders", [], |r| r.get(0))?;
    if count == 0 {
        for (i, (id, title)) in [("bupati", "Bupati"), ("wakil_bupati", "Wakil Bupati")]
            .into_iter()
            .enumerate()
        {
            tx.execute(
                "INSERT INTO leaders (id, title, name, sort_order) VALUES (?1, ?2, '', ?3)",
                params![id, title, i as i64],
            )?;
            log_change(&tx, "leader", id)?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Opens the database, applies configuration data (and demo data when asked) and builds the
/// shared state.
pub fn prepare(config: &Config) -> anyhow::Result<AppState> {
    config.check()?;
    let ctx = Ctx::from_config(config)?;
    // Before anything opens the database: `restore` must not replace it under the server.
    let lock = storage::ServeLock::shared(&config.db)?;
    {
        let mut conn = storage::open(&config.db)?;
        // A database made by `demo` is refused off loopback too, not only `--demo`.
        if domain::demo::has_demo_data(&conn)? && !config.listens_on_loopback() {
            return Err(config::ConfigError::DemoOffLoopback(config.addr.clone()).into());
        }
        if config.demo {
            domain::demo::seed_if_empty(&mut conn, &ctx)?;
        }
        apply_config_data(&mut conn, config)?;
        // Made here, on the writer, so that pulls (reads) only ever read it.
        let tx = conn.transaction()?;
        domain::sync::seal_cursor(&tx, 0)?;
        tx.commit()?;
    }
    let limiter = Arc::new(RateLimiter::new(config.limits.tracked_clients));
    let db = Db::open_locked(&config.db, lock)?;
    Ok(AppState {
        cache: Arc::new(http::cache::PublicCache::new(db.generation.clone())),
        sheet_cache: Arc::new(http::cache::PublicCache::with_capacity(
            db.generation.clone(),
            crate::domain::sheet::CACHED_SHEETS,
        )),
        db,
        logins: Arc::new(LoginGuard::new(config.limits.tracked_clients)),
        passwords: PasswordWork::new(),
        ctx: Arc::new(ctx),
        limiter,
        metrics: Arc::default(),
    })
}

/// A server running in the background of the current tokio runtime.
pub struct RunningServer {
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// Delivers notifications while the server runs.
    dispatcher: Option<domain::notify::dispatch::Dispatcher>,
    /// Writes reminders and daily digests (unless turned off).
    scheduler: Option<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// Binds `config.addr` (use port 0 for any free port) and serves until stopped.
    pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
        let state = prepare(&config)?;
        let listener = tokio::net::TcpListener::bind(&config.addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.addr))?;
        Self::serve(state, listener)
    }

    /// Serves on an already bound listener.
    pub fn serve(
        state: AppState,
        listener: tokio::net::TcpListener,
    ) -> anyhow::Result<RunningServer> {
        let addr = listener.local_addr()?;
        let mut state = state;
        if state.ctx.public_url.is_none() {
            // Only on loopback (Config::check requires public_url elsewhere): the address
            // itself, for a development server's feed links.
            Arc::make_mut(&mut state.ctx).public_url = Some(format!("http://{addr}"));
        }
        let dispatcher =
            domain::notify::dispatch::Dispatcher::start(state.db.clone(), state.ctx.clone())?;
        let every = state.ctx.notify.schedule_every_s;
        let scheduler = (every > 0).then(|| {
            domain::notify::schedule::spawn(
                state.db.clone(),
                state.ctx.clone(),
                Arc::new(domain::notify::schedule::SystemClock),
                std::time::Duration::from_secs(every),
            )
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = http::router::app(state).into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
        });
        Ok(RunningServer {
            addr,
            shutdown: Some(tx),
            task,
            dispatcher: Some(dispatcher),
            scheduler,
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits for open ones to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        if let Some(s) = self.scheduler.take() {
            s.abort();
        }
        if let Some(d) = self.dispatcher.take() {
            d.stop().await;
        }
    }

    /// Stops at once, dropping open connections (like a crash, minus the process exit).
    pub fn abort(self) {
        self.task.abort();
        if let Some(s) = self.scheduler {
            s.abort();
        }
    }

    /// Waits until the server ends (it runs until stopped or until an I/O error).
    pub async fn wait(mut self) -> std::io::Result<()> {
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

#[cfg(test)]
mod layers {
    use std::path::{Path, PathBuf};

    /// Every `.rs` file under `dir`.
    fn sources(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(sources(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
        out
    }

    /// The places in `layer`'s files that name one of `forbidden` (a module path of this crate).
    fn offences(layer: &str, forbidden: &[&str]) -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(layer);
        let files = sources(&root);
        assert!(!files.is_empty(), "{} has no source files", root.display());
        let mut found = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                for f in forbidden {
                    // `crate::http`, `super::super::http`, and a `use crate::{http, …}` group.
                    let names = line.contains(&format!("crate::{f}"))
                        || line.contains(&format!("super::{f}"))
                        || (line.contains("crate::{") && line.contains(f));
                    if names {
                        found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn storage_names_neither_the_domain_nor_http() {
        let found = offences("storage", &["domain", "http"]);
        assert!(
            found.is_empty(),
            "storage must not depend on upper layers:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn the_domain_does_not_name_http() {
        let found = offences("domain", &["http"]);
        assert!(
            found.is_empty(),
            "the domain must not depend on HTTP:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn the_layer_check_sees_an_offence() {
        // The check itself: the HTTP layer does name the domain.
        assert!(!offences("http", &["domain"]).is_empty());
    }
}
