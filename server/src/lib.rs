//! The Sepiion server: axum over SQLite. Both apps sync with it.
//!
//! `main.rs` is a thin command line over this library; tests start [`RunningServer`] on
//! 127.0.0.1 port 0 with a temporary database.

pub mod agenda;
pub mod auth;
pub mod backup;
pub mod cache;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod ics;
pub mod inbox;
pub mod metrics;
pub mod notify;
pub mod portal;
pub mod records;
pub mod reports;
pub mod requests;
pub mod router;
pub mod sheet;
pub mod state;
pub mod sync;
pub mod throttle;
pub mod users;

use std::net::SocketAddr;
use std::sync::Arc;

use rusqlite::params;

use crate::auth::PasswordWork;
use crate::config::Config;
use crate::db::{Db, log_change, set_setting};
use crate::state::{AppState, Ctx};
use crate::throttle::{LoginGuard, RateLimiter};

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
    let lock = db::ServeLock::shared(&config.db)?;
    {
        let mut conn = db::open(&config.db)?;
        // A database made by `demo` is refused off loopback too, not only `--demo`.
        if demo::has_demo_data(&conn)? && !config.listens_on_loopback() {
            return Err(config::ConfigError::DemoOffLoopback(config.addr.clone()).into());
        }
        if config.demo {
            demo::seed_if_empty(&mut conn, &ctx)?;
        }
        apply_config_data(&mut conn, config)?;
        // Made here, on the writer, so that pulls (reads) only ever read it.
        let tx = conn.transaction()?;
        sync::seal_cursor(&tx, 0)?;
        tx.commit()?;
    }
    let limiter = Arc::new(RateLimiter::new(config.limits.tracked_clients));
    let db = Db::open_locked(&config.db, lock)?;
    Ok(AppState {
        cache: Arc::new(cache::PublicCache::new(db.generation.clone())),
        sheet_cache: Arc::new(cache::PublicCache::with_capacity(
            db.generation.clone(),
            crate::sheet::CACHED_SHEETS,
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
    dispatcher: Option<notify::dispatch::Dispatcher>,
    /// Writes reminders and daily digests (unless turned off).
    scheduler: Option<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// Binds `config.addr` (use port 0 for any free port) and serves until stopped.
    pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
        let state = prepare(&config)?;
        let listener = tokio::net::TcpListener::bind(&config.addr).await?;
        Self::serve(state, listener)
    }

    /// Serves on an already bound listener.
    pub fn serve(
        state: AppState,
        listener: tokio::net::TcpListener,
    ) -> anyhow::Result<RunningServer> {
        let addr = listener.local_addr()?;
        let dispatcher = notify::dispatch::Dispatcher::start(state.db.clone(), state.ctx.clone())?;
        let every = state.ctx.notify.schedule_every_s;
        let scheduler = (every > 0).then(|| {
            notify::schedule::spawn(
                state.db.clone(),
                state.ctx.clone(),
                Arc::new(notify::schedule::SystemClock),
                std::time::Duration::from_secs(every),
            )
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = router::app(state).into_make_service_with_connect_info::<SocketAddr>();
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
