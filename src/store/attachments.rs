//! Files the requester attaches (the invitation letter). They are kept on the device — first
//! with the form draft, then with the submitted request — and uploaded by the sync engine once
//! the server has the request. Each upload carries the file's id, so a retried upload never
//! makes a second copy.

use chrono::Utc;
use rusqlite::params;
use sepiion_core::api::{MAX_ATTACHMENT_BYTES, attachment_type};
use sepiion_core::validation::{FieldErrors, Msg};

use super::{Store, StoreError, StoreResult};

/// A file waiting on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAttachment {
    pub id: String,
    /// `None` while it belongs to the form draft.
    pub request_id: Option<String>,
    pub filename: String,
    pub size: i64,
    /// Why the server refused it (it is kept so the user can see it).
    pub error: Option<String>,
}

/// A file ready to send: its request is known to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: String,
    pub request_id: String,
    pub filename: String,
    pub data: Vec<u8>,
}

/// Moves the draft's files to a request being submitted, inside the submission's transaction
/// (so they can never end up on the user's next request instead).
pub(crate) fn attach_draft_to(tx: &rusqlite::Transaction, request_id: &str) -> StoreResult<()> {
    tx.execute(
        "UPDATE attachments_outbox SET request_id = ?1 WHERE request_id IS NULL",
        params![request_id],
    )?;
    Ok(())
}

fn invalid(id: &str, en: &str) -> StoreError {
    let mut f = FieldErrors::default();
    f.add("attachment", Msg::new(id, en));
    StoreError::Invalid(f)
}

impl Store {
    /// Keeps a file chosen in the request form (with the draft until the form is sent).
    pub fn add_draft_attachment(
        &self,
        filename: &str,
        data: &[u8],
    ) -> StoreResult<LocalAttachment> {
        if data.is_empty() {
            return Err(invalid("Berkas kosong.", "The file is empty."));
        }
        if data.len() > MAX_ATTACHMENT_BYTES {
            return Err(invalid(
                "Lampiran paling besar 5 MB.",
                "Attachments are at most 5 MB.",
            ));
        }
        if attachment_type(data).is_none() {
            return Err(invalid(
                "Lampiran harus berupa PDF, JPEG atau PNG.",
                "Attachments must be PDF, JPEG or PNG.",
            ));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let name = sepiion_core::api::attachment_name(filename);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO attachments_outbox (id, request_id, filename, data, created_at)
                 VALUES (?1, NULL, ?2, ?3, ?4)",
                params![id, name, data, Utc::now().timestamp()],
            )?;
            Ok(())
        })?;
        Ok(LocalAttachment {
            id,
            request_id: None,
            filename: name,
            size: data.len() as i64,
            error: None,
        })
    }

    /// Removes a file from the draft.
    pub fn remove_draft_attachment(&self, id: &str) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM attachments_outbox WHERE id = ?1 AND request_id IS NULL",
                params![id],
            )?;
            Ok(())
        })
    }

    /// Files still on the device: of the draft (`None`) or of one request.
    pub fn local_attachments(&self, request_id: Option<&str>) -> StoreResult<Vec<LocalAttachment>> {
        self.read(|tx| {
            let mut st = tx.prepare_cached(
                "SELECT id, request_id, filename, length(data), error FROM attachments_outbox
                 WHERE request_id IS ?1 ORDER BY created_at, id",
            )?;
            let rows = st
                .query_map(params![request_id], |r| {
                    Ok(LocalAttachment {
                        id: r.get(0)?,
                        request_id: r.get(1)?,
                        filename: r.get(2)?,
                        size: r.get(3)?,
                        error: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Files whose request the server already has (its submission is no longer pending).
    pub fn uploads_ready(&self) -> StoreResult<Vec<Upload>> {
        self.read(|tx| {
            let mut st = tx.prepare_cached(
                // Driven by the (nearly always empty) outbox of files: as a join, SQLite walked
                // every request in the cache first, which made each sync as slow as the cache
                // is large.
                "SELECT a.id, a.request_id, a.filename, a.data FROM attachments_outbox a
                 WHERE a.status = 'pending'
                   AND EXISTS (SELECT 1 FROM records r
                               WHERE r.kind = 'request' AND r.id = a.request_id
                                 AND r.server_json IS NOT NULL)
                 ORDER BY a.created_at, a.id",
            )?;
            let rows = st
                .query_map([], |r| {
                    Ok(Upload {
                        id: r.get(0)?,
                        request_id: r.get(1)?,
                        filename: r.get(2)?,
                        data: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// The server has the file: it leaves the device.
    pub fn upload_done(&self, id: &str) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM attachments_outbox WHERE id = ?1", params![id])?;
            Ok(())
        })
    }

    /// The server refused the file for good (wrong type, request closed): kept with the reason.
    pub fn upload_refused(&self, id: &str, reason: &str) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE attachments_outbox SET status = 'rejected', error = ?2 WHERE id = ?1",
                params![id, reason],
            )?;
            Ok(())
        })
    }
}

/// An attachment opened on this device, kept so that it opens offline afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedFile {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl Store {
    /// The bytes of an attachment opened here before, if they are still on the device.
    pub fn cached_attachment(&self, attachment_id: &str) -> StoreResult<Option<CachedFile>> {
        self.read(|tx| {
            let mut st = tx.prepare_cached(
                "SELECT filename, content_type, data FROM attachment_files WHERE id = ?1",
            )?;
            let mut rows = st.query_map(params![attachment_id], |r| {
                Ok(CachedFile {
                    filename: r.get(0)?,
                    content_type: r.get(1)?,
                    data: r.get(2)?,
                })
            })?;
            Ok(rows.next().transpose()?)
        })
    }

    /// Keeps an attachment's bytes as the server sent them (opened once: it opens offline
    /// afterwards). Storing the same attachment again replaces it.
    pub fn cache_attachment(
        &self,
        request_id: &str,
        meta: &sepiion_core::model::AttachmentMeta,
        data: &[u8],
    ) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO attachment_files (id, request_id, filename, content_type, data, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET filename = excluded.filename,
                     content_type = excluded.content_type, data = excluded.data,
                     fetched_at = excluded.fetched_at",
                params![
                    meta.id,
                    request_id,
                    meta.filename,
                    meta.content_type,
                    data,
                    Utc::now().timestamp()
                ],
            )?;
            Ok(())
        })
    }
}
