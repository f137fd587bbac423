//! One sync: push the outbox (oldest first, in batches), then pull from the saved cursor until
//! the server has nothing more. Every step leaves the store consistent, so a sync cut off at any
//! point simply resumes: unconfirmed mutations are sent again (the server answers a replay
//! "already applied") and the pull continues from the last page saved.

use std::time::Duration;

use sepiion_core::api::SheetFormat;
use sepiion_core::model::StaffUser;
use sepiion_core::sync::MAX_PUSH;
use tokio::sync::{Mutex, Notify, watch};

use super::backoff::Backoff;
use super::client::{ServerClient, SyncError};
use crate::platform::Variant;
use crate::store::{Identity, PushTally, Store};

/// Pull page size: large pages mean fewer round trips on a slow network; the server caps it.
pub const PULL_PAGE: u32 = 2000;
/// Most pull pages in one sync; far above any real history, it only stops a misbehaving server
/// from keeping the device busy forever.
const MAX_PAGES: usize = 100_000;

/// What the engine is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncPhase {
    #[default]
    Idle,
    Registering,
    Pushing,
    Pulling,
    /// Waiting before retrying after a failure.
    Waiting {
        retry_in: Duration,
    },
    /// The last sync completed.
    Done,
    /// The last sync failed and is not retried without the user (e.g. signed out).
    Failed,
}

/// Progress for the UI: items so far and, where known, the total.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    /// Outbox entries answered by the server in this sync.
    pub pushed: u64,
    /// Outbox entries pending when the push began.
    pub to_push: u64,
    /// Changes received in this sync.
    pub pulled: u64,
    /// Changes expected in all (received + the server's `remaining`), once the first page is in.
    pub pull_total: Option<u64>,
    /// The last failure, in words.
    pub last_error: Option<String>,
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub push: PushTally,
    pub pulled: u64,
    /// HTTP requests made.
    pub round_trips: u64,
    /// The cursor was stale and the cache was rebuilt from scratch.
    pub full_resync: bool,
    /// Time spent writing pulled pages into the store (it overlaps the fetch of the next page).
    pub apply_time: Duration,
}

/// Syncs one store with one server. Share it (e.g. in an `Arc`); syncs never overlap.
pub struct SyncEngine {
    store: Store,
    client: ServerClient,
    progress: watch::Sender<SyncProgress>,
    running: Mutex<()>,
    page_size: u32,
    /// The server's settings were fetched in this run (they change rarely: once a run).
    info_fetched: std::sync::atomic::AtomicBool,
    names_fetched: std::sync::atomic::AtomicBool,
}

impl SyncEngine {
    pub fn new(store: Store, client: ServerClient) -> SyncEngine {
        SyncEngine {
            store,
            client,
            progress: watch::Sender::new(SyncProgress::default()),
            running: Mutex::new(()),
            page_size: PULL_PAGE,
            info_fetched: std::sync::atomic::AtomicBool::new(false),
            names_fetched: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Smaller pages (tests of resumption, the benchmark).
    pub fn with_page_size(mut self, size: u32) -> SyncEngine {
        self.page_size = size.max(1);
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn client(&self) -> &ServerClient {
        &self.client
    }

    /// Progress updates for the UI.
    pub fn progress(&self) -> watch::Receiver<SyncProgress> {
        self.progress.subscribe()
    }

    fn report(&self, f: impl FnOnce(&mut SyncProgress)) {
        self.progress.send_modify(f);
    }

    /// Staff login; the session is kept in the store. After a session ended without signing
    /// out, the same account finds its unsent changes waiting; another account first gets a
    /// clean device (one person's changes are never sent under another's name).
    pub async fn login(&self, username: &str, password: &str) -> Result<StaffUser, SyncError> {
        let login = self.client.login(username, password).await?;
        if self
            .store
            .previous_account()?
            .is_some_and(|prev| prev.id != login.user.id)
        {
            self.store.sign_out()?;
        }
        self.store.set_session(&login)?;
        Ok(login.user)
    }

    /// Signs the staff member out: the server ends the session first (best effort: offline,
    /// the token is forgotten anyway), then the account's data leaves the device.
    pub async fn sign_out(&self) -> Result<(), SyncError> {
        if let Identity::Staff { token, .. } = self.store.identity()? {
            let _ = self.client.logout(&token).await;
        }
        self.store.sign_out()?;
        Ok(())
    }

    /// What a refused sync means for the device's copy of a staff account: a session that ended
    /// keeps everything (sign in again); a deactivated account's data is removed.
    fn after_refusal(&self, error: &SyncError) -> Result<(), SyncError> {
        if self.store.variant() != Variant::Internal {
            return Ok(());
        }
        match error {
            SyncError::Unauthorized => self.store.end_session("expired")?,
            SyncError::AccountDeactivated => {
                self.store.sign_out()?;
                self.store
                    .set_pref(crate::store::SESSION_NOTICE, Some("deactivated"))?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The signed-in staff member's token, for staff calls outside sync.
    fn staff_token(&self) -> Result<String, SyncError> {
        match self.store.identity()? {
            Identity::Staff { token, .. } => Ok(token),
            _ => Err(SyncError::NotSignedIn),
        }
    }

    /// Whether the signed-in staff member has a personal calendar feed.
    pub async fn calendar_feed(&self) -> Result<sepiion_core::api::CalendarFeedInfo, SyncError> {
        self.client.calendar_feed(&self.staff_token()?).await
    }

    /// A new personal calendar feed address for the signed-in staff member.
    pub async fn renew_calendar_feed(
        &self,
    ) -> Result<sepiion_core::api::CalendarFeedSecret, SyncError> {
        self.client.renew_calendar_feed(&self.staff_token()?).await
    }

    /// The signed-in staff member's notification settings, kept on the device for the screen.
    pub async fn notification_settings(
        &self,
    ) -> Result<sepiion_core::api::NotificationSettings, SyncError> {
        let settings = self
            .client
            .notification_settings(&self.staff_token()?)
            .await?;
        self.store.set_notification_settings(&settings)?;
        Ok(settings)
    }

    /// Saves the signed-in staff member's notification settings.
    pub async fn save_notification_settings(
        &self,
        input: &sepiion_core::api::NotificationSettingsInput,
    ) -> Result<sepiion_core::api::NotificationSettings, SyncError> {
        let settings = self
            .client
            .save_notification_settings(&self.staff_token()?, input)
            .await?;
        self.store.set_notification_settings(&settings)?;
        Ok(settings)
    }

    /// The day's Agenda Harian sheet, typeset by the server with what this account may see.
    pub async fn agenda_sheet(
        &self,
        date: chrono::NaiveDate,
        leader: Option<&str>,
        format: SheetFormat,
    ) -> Result<Vec<u8>, SyncError> {
        self.client
            .agenda_sheet(&self.staff_token()?, date, leader, format)
            .await
    }

    /// The monthly report (`YYYY-MM`), for admin and protocol staff.
    pub async fn monthly_report(
        &self,
        month: &str,
    ) -> Result<sepiion_core::report::MonthlyReport, SyncError> {
        self.client
            .monthly_report(&self.staff_token()?, month)
            .await
    }

    /// An attachment's bytes from the server (staff: any request they may see; a public device:
    /// its own requests), kept in the store so that it opens offline afterwards.
    pub async fn fetch_attachment(
        &self,
        request_id: &str,
        meta: &sepiion_core::model::AttachmentMeta,
    ) -> Result<Vec<u8>, SyncError> {
        let (token, staff) = match self.store.identity()? {
            Identity::Staff { token, .. } => (token, true),
            Identity::None => return Err(SyncError::NotSignedIn),
            identity => (identity.token().unwrap_or_default().to_string(), false),
        };
        let data = self
            .client
            .download_attachment(&token, staff, request_id, &meta.id)
            .await?;
        self.store.cache_attachment(request_id, meta, &data)?;
        Ok(data)
    }

    /// The token to sync with; a public device registers the first time.
    async fn token(&self, round_trips: &mut u64) -> Result<String, SyncError> {
        match self.store.identity()? {
            Identity::None if self.store.variant() == Variant::Public => {
                self.report(|p| p.phase = SyncPhase::Registering);
                *round_trips += 1;
                let reg = self.client.register_device().await?;
                self.store.set_device(&reg)?;
                Ok(reg.token)
            }
            Identity::None => Err(SyncError::NotSignedIn),
            identity => Ok(identity.token().unwrap_or_default().to_string()),
        }
    }

    /// One sync, without retrying: push everything pending, then pull until caught up.
    pub async fn sync_once(&self) -> Result<SyncReport, SyncError> {
        let _one_at_a_time = self.running.lock().await;
        let mut report = SyncReport::default();
        let result = self.sync_inner(&mut report).await;
        if let Err(e) = &result {
            self.after_refusal(e)?;
        }
        self.report(|p| match &result {
            Ok(()) => {
                p.phase = SyncPhase::Done;
                p.last_error = None;
            }
            Err(e) => {
                p.phase = SyncPhase::Failed;
                p.last_error = Some(e.to_string());
            }
        });
        result.map(|()| report)
    }

    async fn sync_inner(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        let token = self.token(&mut report.round_trips).await?;
        self.push(&token, report).await?;
        self.upload_attachments(&token, report).await?;
        self.pull(&token, report).await?;
        self.fetch_server_info(report).await?;
        self.fetch_mention_names(report).await
    }

    /// Keeps the names an `@mention` may match (staff app), so that a note is checked before it
    /// is sent, also offline: once per start of the app and whenever the device has none (after
    /// a sign-in). Not having them is no failure of the sync: the server's answer to the note
    /// still names what matched nobody.
    async fn fetch_mention_names(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        use std::sync::atomic::Ordering;
        let Identity::Staff { token, .. } = self.store.identity()? else {
            return Ok(());
        };
        if self.names_fetched.load(Ordering::Relaxed) && self.store.mention_names()?.is_some() {
            return Ok(());
        }
        report.round_trips += 1;
        if let Ok(answer) = self.client.mention_names(&token).await {
            self.store.set_mention_names(&answer.names)?;
            self.names_fetched.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Keeps the server's settings the app uses offline (the travel buffer of its conflict
    /// warnings).
    async fn fetch_server_info(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        use std::sync::atomic::Ordering;
        if self.info_fetched.load(Ordering::Relaxed) {
            return Ok(());
        }
        report.round_trips += 1;
        let info = self.client.info().await?;
        self.store.set_server_info(&info)?;
        self.info_fetched.store(true, Ordering::Relaxed);
        Ok(())
    }

    async fn push(&self, token: &str, report: &mut SyncReport) -> Result<(), SyncError> {
        let to_push = self.store.pending_count()? as u64;
        self.report(|p| {
            *p = SyncProgress {
                phase: SyncPhase::Pushing,
                to_push,
                ..SyncProgress::default()
            }
        });
        // Each round settles at least one entry (or fails), so the loop ends.
        loop {
            let batch = self.store.next_push_batch(MAX_PUSH)?;
            if batch.is_empty() {
                return Ok(());
            }
            let ids: Vec<String> = batch.iter().map(|m| m.id.clone()).collect();
            report.round_trips += 1;
            let lang = self.store.language().unwrap_or_default();
            let answer = self.client.push(token, batch, lang).await?;
            let answered: Vec<&str> = answer.results.iter().map(|r| r.id.as_str()).collect();
            if answered != ids {
                return Err(SyncError::Protocol(
                    "push results do not match the mutations sent".into(),
                ));
            }
            let tally = self.store.apply_push_results(&answer.results)?;
            report.push += tally;
            let settled = answer.results.len() as u64;
            self.report(|p| p.pushed += settled);
        }
    }

    /// Sends files whose request the server has. A refusal (4xx) is kept with its reason; a
    /// network failure leaves the file for the next sync.
    async fn upload_attachments(
        &self,
        token: &str,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        for upload in self.store.uploads_ready()? {
            report.round_trips += 1;
            match self.client.upload_attachment(token, &upload).await {
                Ok(_) => self.store.upload_done(&upload.id)?,
                Err(SyncError::Server {
                    status,
                    body: Some(body),
                }) if (400..500).contains(&status) && status != 429 => {
                    self.store.upload_refused(&upload.id, &body.message)?
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn pull(&self, token: &str, report: &mut SyncReport) -> Result<(), SyncError> {
        self.report(|p| {
            p.phase = SyncPhase::Pulling;
            p.pull_total = None;
        });
        let mut cursor = self.store.cursor()?;
        // The next page, asked for while the one before it was being written.
        let mut prefetched = None;
        for _ in 0..MAX_PAGES {
            let answer = match prefetched.take() {
                Some(answer) => answer,
                None => {
                    report.round_trips += 1;
                    self.client
                        .pull(token, cursor.as_deref(), self.page_size)
                        .await
                }
            };
            match answer {
                Ok(page) => {
                    let has_more = page.has_more;
                    let next_cursor = page.cursor.clone();
                    // Writing a page is blocking disk work: it runs on tokio's blocking pool,
                    // never on the thread that drives the UI. Meanwhile the next page is on its
                    // way; it is used only after this one is stored, so the cursor saved is
                    // always that of the last page written, and a failure of either leaves the
                    // sync resumable from there.
                    let store = self.store.clone();
                    let apply = tokio::task::spawn_blocking(move || {
                        let started = std::time::Instant::now();
                        store
                            .apply_pull_page(&page)
                            .map(|()| (page.changes.len(), page.remaining, started.elapsed()))
                    });
                    let (applied, next) = if has_more {
                        report.round_trips += 1;
                        let next = self.client.pull(token, Some(&next_cursor), self.page_size);
                        let (applied, next) = tokio::join!(apply, next);
                        (applied, Some(next))
                    } else {
                        (apply.await, None)
                    };
                    let (count, remaining, took) = applied.map_err(|e| {
                        SyncError::Protocol(format!("applying a page failed: {e}"))
                    })??;
                    report.apply_time += took;
                    report.pulled += count as u64;
                    let (pulled, remaining) = (report.pulled, remaining.max(0) as u64);
                    self.report(|p| {
                        p.pulled = pulled;
                        p.pull_total = Some(pulled + remaining);
                    });
                    if !has_more {
                        return Ok(());
                    }
                    cursor = Some(next_cursor);
                    prefetched = next;
                }
                // The server no longer has the history since our cursor: start from scratch,
                // keeping unsent changes. Only once per sync: a second 410 is the server's
                // problem, not ours.
                Err(SyncError::StaleCursor) if !report.full_resync => {
                    report.full_resync = true;
                    self.store.reset_for_full_resync()?;
                    cursor = None;
                }
                Err(e) => return Err(e),
            }
        }
        Err(SyncError::Protocol("the pull never caught up".into()))
    }

    /// Syncs, retrying transient failures with backoff, at most `max_attempts` times in all.
    pub async fn sync_with_retry(
        &self,
        backoff: Backoff,
        max_attempts: u32,
    ) -> Result<SyncReport, SyncError> {
        let mut attempt = 0;
        let mut total = SyncReport::default();
        loop {
            let result = self.sync_once().await;
            attempt += 1;
            match result {
                Ok(r) => {
                    total.push += r.push;
                    total.pulled += r.pulled;
                    total.round_trips += r.round_trips;
                    total.full_resync |= r.full_resync;
                    total.apply_time += r.apply_time;
                    return Ok(total);
                }
                Err(e) if e.is_transient() && attempt < max_attempts => {
                    let retry_in = backoff.delay(attempt - 1);
                    self.report(|p| p.phase = SyncPhase::Waiting { retry_in });
                    tokio::time::sleep(retry_in).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The app's background loop: sync now, then whenever woken (a local change, the network
    /// came back) or every `interval`. Returns only when a sync fails in a way that needs the
    /// user (signed out, refused).
    pub async fn run(
        &self,
        wake: &Notify,
        interval: Duration,
        backoff: Backoff,
    ) -> Result<(), SyncError> {
        loop {
            match self.sync_with_retry(backoff, u32::MAX).await {
                Ok(_) => {}
                Err(e) if e.is_transient() => {}
                Err(e) => return Err(e),
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(interval) => {}
            }
        }
    }
}
