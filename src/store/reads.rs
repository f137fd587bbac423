//! What screens read: all from the cache, so they work offline. Each entry says whether it has
//! local changes not yet confirmed (`pending`) or a conflict waiting for the user.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::{Transaction, params};
use sepiion_core::model::{AgendaItem, Leader, Note, Representative, Request, RequestState};
use sepiion_core::sync::{EntityKind, Record};
use sepiion_core::time::local_days_range;
use sepiion_core::workflow;

use super::outbox::OutboxEntry;
use super::{Store, StoreResult};

/// An agenda item as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaEntry {
    pub item: AgendaItem,
    /// Changed on this device and not yet confirmed by the server.
    pub pending: bool,
    /// A change of it conflicts with the server's version: see [`Store::conflicts`].
    pub conflict: bool,
}

/// A request as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestEntry {
    pub request: Request,
    pub pending: bool,
    pub conflict: bool,
}

/// A note as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteEntry {
    pub note: Note,
    pub pending: bool,
}

/// What the staff inbox shows: a state, a leader (requests naming either leader included) and
/// local dates of the event's start in `tz` (the regency's time zone), each optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxFilter {
    pub state: Option<RequestState>,
    pub leader: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub tz: Tz,
}

impl InboxFilter {
    /// Every request.
    pub fn all(tz: Tz) -> Self {
        InboxFilter {
            state: None,
            leader: None,
            from: None,
            to: None,
            tz,
        }
    }

    /// The dates as a UTC range of start times `[from, to)`, each end open when not given.
    fn utc_range(&self) -> (Option<i64>, Option<i64>) {
        let from = self
            .from
            .map(|d| local_days_range(d, d, self.tz).0.timestamp());
        let to = self
            .to
            .map(|d| local_days_range(d, d, self.tz).1.timestamp());
        (from, to)
    }
}

/// A page of the staff inbox ([`Store::inbox_page`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxPage {
    /// The requests shown, each with whether it waits on the signed-in staff member.
    pub entries: Vec<(RequestEntry, bool)>,
    /// More requests match than the page holds.
    pub more: bool,
    /// Requests matching the filter, and how many of them wait on the staff member.
    pub total: i64,
    pub waiting: i64,
}

/// Everything the request screen shows: the request with its timeline, its notes (staff), and
/// this device's changes of it that are not settled yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDetail {
    pub request: RequestEntry,
    pub notes: Vec<NoteEntry>,
    pub outbox: Vec<OutboxEntry>,
}

struct Row {
    json: String,
    pending: bool,
    conflict: bool,
}

fn rows(tx: &Transaction, sql: &str, args: impl rusqlite::Params) -> StoreResult<Vec<Row>> {
    Ok(tx
        .prepare_cached(sql)?
        .query_map(args, |r| {
            Ok(Row {
                json: r.get(0)?,
                pending: r.get(1)?,
                conflict: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

fn request_entry(row: Row) -> StoreResult<Option<RequestEntry>> {
    Ok(match serde_json::from_str(&row.json)? {
        Record::Request(r) => Some(RequestEntry {
            request: *r,
            pending: row.pending,
            conflict: row.conflict,
        }),
        _ => None,
    })
}

fn request_entries(rows: Vec<Row>) -> StoreResult<Vec<RequestEntry>> {
    Ok(rows
        .into_iter()
        .map(request_entry)
        .collect::<StoreResult<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect())
}

fn agenda_entry(row: Row) -> StoreResult<Option<AgendaEntry>> {
    Ok(match serde_json::from_str(&row.json)? {
        Record::AgendaItem(a) => Some(AgendaEntry {
            item: *a,
            pending: row.pending,
            conflict: row.conflict,
        }),
        _ => None,
    })
}

impl Store {
    /// The agenda of one leader (or all) on the local dates `from..=to` in the regency's time
    /// zone: every item overlapping those days, by start time.
    pub fn agenda(
        &self,
        leader: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
        tz: Tz,
    ) -> StoreResult<Vec<AgendaEntry>> {
        let (start, end) = local_days_range(from, to, tz);
        self.read(|tx| {
            // The overlap test runs on the index alone (it holds leader, start, end and the
            // key); only the matching rows are then read with their JSON. Written as one
            // query, SQLite fetched every earlier item's row (~1 KB of JSON each) to test its
            // end time: 3.7 ms instead of 0.2 ms for a week out of a year (`bench/ui-reads`).
            let matching = match leader {
                Some(_) => {
                    "SELECT id FROM records WHERE kind = 'agenda_item' AND leader_id = ?1
                       AND starts_at < ?3 AND ends_at > ?2"
                }
                // `?1 IS NULL` (true here) only so that both forms take the same parameters.
                None => {
                    "SELECT id FROM records WHERE kind = 'agenda_item' AND ?1 IS NULL
                       AND starts_at < ?3 AND ends_at > ?2"
                }
            };
            let rows = rows(
                tx,
                &format!(
                    "SELECT coalesce(json, server_json), pending, conflict FROM records
                     WHERE kind = 'agenda_item' AND id IN ({matching})
                     ORDER BY starts_at, id"
                ),
                params![leader, start.timestamp(), end.timestamp()],
            )?;
            Ok(rows
                .into_iter()
                .map(agenda_entry)
                .collect::<StoreResult<Vec<_>>>()?
                .into_iter()
                .flatten()
                .collect())
        })
    }

    /// One agenda item.
    pub fn agenda_item(&self, id: &str) -> StoreResult<Option<AgendaEntry>> {
        self.read(|tx| {
            let row = rows(
                tx,
                "SELECT coalesce(json, server_json), pending, conflict FROM records WHERE kind = 'agenda_item' AND id = ?1",
                params![id],
            )?
            .pop();
            row.map(agenda_entry).transpose().map(Option::flatten)
        })
    }

    /// Staff inbox: requests in `state` (or all), for `leader` (requests naming either leader
    /// included), by event start.
    pub fn inbox(
        &self,
        state: Option<RequestState>,
        leader: Option<&str>,
    ) -> StoreResult<Vec<RequestEntry>> {
        self.read(|tx| {
            request_entries(rows(
                tx,
                "SELECT coalesce(json, server_json), pending, conflict FROM records
                 WHERE kind = 'request' AND (?1 IS NULL OR state = ?1)
                   AND (?2 IS NULL OR leader_id = ?2 OR leader_id IS NULL)
                 ORDER BY starts_at, id",
                params![state.map(|s| s.as_str()), leader],
            )?)
        })
    }

    /// A page of the staff inbox: the requests under `filter` that wait on the signed-in staff
    /// member first ([`workflow::waits_on`], in its query shape), then the others, each by event
    /// start; at most `limit`. Only the shown page's records are parsed, so the read stays short
    /// however many requests the device holds (`bench/ui-reads`).
    pub fn inbox_page(&self, filter: &InboxFilter, limit: usize) -> StoreResult<InboxPage> {
        self.read(|tx| {
            let (role, own_leader) = match super::identity(tx)? {
                super::Identity::Staff { user, .. } => (Some(user.role), user.leader_id),
                _ => (None, None),
            };
            let waiting = role.map(workflow::waiting_states);
            let states = |s: Option<&[RequestState]>| {
                serde_json::to_string(
                    &s.unwrap_or_default()
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>(),
                )
            };
            let always = states(waiting.as_ref().map(|w| w.always.as_slice()))?;
            let once_over = states(waiting.as_ref().map(|w| w.once_over.as_slice()))?;
            // `acts_on`: a role bound to a leader acts on that leader's requests and on those
            // naming no leader; the `leader_id` column is the leader a request is for.
            let bound = role.is_some_and(|r| r.is_bound_to_leader());
            let (from, to) = filter.utc_range();
            // ?1 state, ?2 leader, ?3 from, ?4 to, ?5 always, ?6 once over, ?7 bound,
            // ?8 own leader, ?9 now, ?10 limit.
            let matching = "kind = 'request' AND (?1 IS NULL OR state = ?1)
                 AND (?2 IS NULL OR leader_id = ?2 OR leader_id IS NULL)
                 AND (?3 IS NULL OR starts_at >= ?3) AND (?4 IS NULL OR starts_at < ?4)";
            let waits = "((NOT ?7 OR leader_id IS NULL OR leader_id IS ?8)
                 AND (state IN (SELECT value FROM json_each(?5))
                      OR (state IN (SELECT value FROM json_each(?6)) AND ends_at < ?9)))";
            let now = chrono::Utc::now().timestamp();
            let args = params![
                filter.state.map(|s| s.as_str()),
                filter.leader,
                from,
                to,
                always,
                once_over,
                bound,
                own_leader,
                now,
                limit as i64 + 1
            ];
            let mut st = tx.prepare_cached(&format!(
                "SELECT coalesce(json, server_json), pending, conflict, {waits} FROM records
                 WHERE {matching}
                 ORDER BY 4 DESC, starts_at, id LIMIT ?10"
            ))?;
            let mut rows: Vec<(Row, bool)> = st
                .query_map(args, |r| {
                    Ok((
                        Row {
                            json: r.get(0)?,
                            pending: r.get(1)?,
                            conflict: r.get(2)?,
                        },
                        r.get(3)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let more = rows.len() > limit;
            rows.truncate(limit);
            let (total, waiting_total): (i64, i64) = tx
                .prepare_cached(&format!(
                    // The page query's parameters, the limit (?10) only so that they are the same.
                    "SELECT COUNT(*), COALESCE(SUM({waits}), 0) FROM records WHERE {matching}
                       AND ?10 IS NOT NULL"
                ))?
                .query_row(args, |r| Ok((r.get(0)?, r.get(1)?)))?;
            let mut entries = Vec::with_capacity(rows.len());
            for (row, waits) in rows {
                if let Some(entry) = request_entry(row)? {
                    entries.push((entry, waits));
                }
            }
            Ok(InboxPage {
                entries,
                more,
                total,
                waiting: waiting_total,
            })
        })
    }

    /// Number of requests per state.
    pub fn inbox_counts(&self) -> StoreResult<BTreeMap<RequestState, i64>> {
        self.read(|tx| {
            let counts: Vec<(String, i64)> = tx
                .prepare_cached(
                    "SELECT state, COUNT(*) FROM records WHERE kind = 'request' GROUP BY state",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(counts
                .into_iter()
                .filter_map(|(s, n)| RequestState::parse(&s).map(|s| (s, n)))
                .collect())
        })
    }

    /// A request with its timeline, notes and unsettled local changes.
    pub fn request_detail(&self, id: &str) -> StoreResult<Option<RequestDetail>> {
        let Some(request) = self.read(|tx| {
            let row = rows(
                tx,
                "SELECT coalesce(json, server_json), pending, conflict FROM records WHERE kind = 'request' AND id = ?1",
                params![id],
            )?
            .pop();
            row.map(request_entry).transpose().map(Option::flatten)
        })?
        else {
            return Ok(None);
        };
        let notes = self.read(|tx| {
            let rows = rows(
                tx,
                "SELECT coalesce(json, server_json), pending, conflict FROM records
                 WHERE kind = 'note' AND request_id = ?1 ORDER BY starts_at, id",
                params![id],
            )?;
            let mut notes = Vec::new();
            for row in rows {
                if let Record::Note(note) = serde_json::from_str(&row.json)? {
                    notes.push(NoteEntry {
                        note,
                        pending: row.pending,
                    });
                }
            }
            Ok(notes)
        })?;
        let note_ids: Vec<&str> = notes.iter().map(|n| n.note.id.as_str()).collect();
        let outbox = self
            .outbox()?
            .into_iter()
            .filter(|e| match e.kind {
                EntityKind::Request => e.record_id == id,
                EntityKind::Note => note_ids.contains(&e.record_id.as_str()),
                _ => false,
            })
            .collect();
        Ok(Some(RequestDetail {
            request,
            notes,
            outbox,
        }))
    }

    /// Public app: this device's own requests, newest first (the server sends a public device
    /// only its own).
    pub fn own_requests(&self) -> StoreResult<Vec<RequestEntry>> {
        self.read(|tx| {
            let mut list = request_entries(rows(
                tx,
                "SELECT coalesce(json, server_json), pending, conflict FROM records WHERE kind = 'request'",
                [],
            )?)?;
            list.sort_by(|a, b| {
                b.request
                    .created_at
                    .cmp(&a.request.created_at)
                    .then_with(|| a.request.id.cmp(&b.request.id))
            });
            Ok(list)
        })
    }

    /// The leaders, in their configured order.
    pub fn leaders(&self) -> StoreResult<Vec<Leader>> {
        Ok(self
            .records_of(EntityKind::Leader)?
            .into_iter()
            .filter_map(|r| match r {
                Record::Leader(l) => Some(l),
                _ => None,
            })
            .collect())
    }

    /// Who may represent a leader (active ones first, by name).
    pub fn representatives(&self) -> StoreResult<Vec<Representative>> {
        let mut reps: Vec<Representative> = self
            .records_of(EntityKind::Representative)?
            .into_iter()
            .filter_map(|r| match r {
                Record::Representative(p) => Some(p),
                _ => None,
            })
            .collect();
        reps.sort_by(|a, b| b.active.cmp(&a.active).then_with(|| a.name.cmp(&b.name)));
        Ok(reps)
    }

    /// Every shown record of a kind, by the kind's natural order.
    pub fn records_of(&self, kind: EntityKind) -> StoreResult<Vec<Record>> {
        self.read(|tx| {
            let rows = rows(
                tx,
                "SELECT coalesce(json, server_json), pending, conflict FROM records WHERE kind = ?1
                 ORDER BY starts_at, id",
                params![kind.as_str()],
            )?;
            rows.into_iter()
                .map(|r| Ok(serde_json::from_str(&r.json)?))
                .collect()
        })
    }

    /// Every record as the server last sent it, by kind and id: what this device believes the
    /// server holds (diagnostics and convergence checks).
    pub fn server_records(&self) -> StoreResult<Vec<Record>> {
        self.read(|tx| {
            let jsons: Vec<String> = tx
                .prepare_cached(
                    "SELECT server_json FROM records WHERE server_json IS NOT NULL
                     ORDER BY kind, id",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            jsons.iter().map(|j| Ok(serde_json::from_str(j)?)).collect()
        })
    }
}
