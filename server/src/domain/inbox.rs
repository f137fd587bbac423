//! The staff inbox, one page at a time: the requests that need the caller first, then the
//! others, each group by start time. A page costs the same however many requests the database
//! holds: both groups are walked in the order of an index (`requests_by_start`) from the
//! cursor on, and only the page's requests are loaded in full.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Transaction, params_from_iter};
use sepiion_core::model::{Request, RequestState};
use sepiion_core::validation::Msg;
use sepiion_core::workflow;

use crate::domain::caller::Staff;
use crate::domain::visibility::staff_sees_request;
use crate::error::{ApiError, ApiResult};
use crate::storage::rows::{fill_request, request_columns, request_from_row};

/// What the inbox is filtered by (local dates already turned into instants), and the time whose
/// view of "waits on the caller" it takes (a request can wait on its staff once it is over).
pub struct InboxFilter<'a> {
    pub state: Option<RequestState>,
    pub leader: Option<&'a str>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// Where a page starts: the group (0: needs the caller, 1: the rest) and the last entry seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxCursor {
    group: u8,
    starts_at: i64,
    id: String,
}

impl InboxCursor {
    fn start(group: u8) -> InboxCursor {
        InboxCursor {
            group,
            starts_at: i64::MIN,
            id: String::new(),
        }
    }

    pub fn encode(&self) -> String {
        format!("i1.{}.{}.{}", self.group, self.starts_at, self.id)
    }

    /// A cursor made by [`InboxCursor::encode`]; anything else is a 400.
    pub fn parse(s: &str) -> ApiResult<InboxCursor> {
        let bad = || {
            ApiError::bad_query(
                "cursor",
                Msg::new(
                    "Parameter cursor (kursor kotak masuk) tidak dikenal; muat ulang dari halaman pertama.",
                    "Unknown inbox cursor; reload from the first page.",
                ),
            )
        };
        let mut parts = s.splitn(4, '.');
        if parts.next() != Some("i1") {
            return Err(bad());
        }
        let group = parts.next().and_then(|g| g.parse::<u8>().ok());
        let starts_at = parts.next().and_then(|t| t.parse::<i64>().ok());
        match (group, starts_at, parts.next()) {
            (Some(group @ (0 | 1)), Some(starts_at), Some(id)) if !id.is_empty() => {
                Ok(InboxCursor {
                    group,
                    starts_at,
                    id: id.to_string(),
                })
            }
            _ => Err(bad()),
        }
    }
}

/// The `WHERE` clause of the filters and its parameters (the state filter only when asked).
fn filter_sql(f: &InboxFilter, with_state: bool) -> (String, Vec<Value>) {
    let mut sql = String::from("1");
    let mut args = Vec::new();
    if let Some(leader) = f.leader {
        sql.push_str(
            " AND (leader_id = ? OR assigned_leader_id = ?
                   OR (leader_id IS NULL AND assigned_leader_id IS NULL))",
        );
        args.push(Value::Text(leader.to_string()));
        args.push(Value::Text(leader.to_string()));
    }
    if let Some(from) = f.from {
        sql.push_str(" AND starts_at >= ?");
        args.push(Value::Integer(from.timestamp()));
    }
    if let Some(to) = f.to {
        sql.push_str(" AND starts_at < ?");
        args.push(Value::Integer(to.timestamp()));
    }
    if let (true, Some(state)) = (with_state, f.state) {
        sql.push_str(" AND state = ?");
        args.push(Value::Text(state.as_str().to_string()));
    }
    (sql, args)
}

/// Whether a request waits on `staff` at `now` (group 0): core's rule [`workflow::waits_on`] in
/// its query shape ([`workflow::waiting_states`] and [`workflow::acts_on`]: one bound to a
/// leader acts on that leader's requests and on those naming no leader), checked against the
/// rule by the inbox tests through each entry's `waits_on_caller`.
fn needs_caller_sql(staff: &Staff, now: DateTime<Utc>) -> (String, Vec<Value>) {
    let waiting = workflow::waiting_states(staff.role);
    let list = |states: &[RequestState]| {
        Value::Text(
            serde_json::to_string(&states.iter().map(|s| s.as_str()).collect::<Vec<_>>())
                .unwrap_or_else(|_| "[]".into()),
        )
    };
    let mut sql = String::from(
        "((state IN (SELECT value FROM json_each(?))
           OR (state IN (SELECT value FROM json_each(?)) AND ends_at < ?))",
    );
    let mut args = vec![
        list(&waiting.always),
        list(&waiting.once_over),
        Value::Integer(now.timestamp()),
    ];
    if staff.role.is_bound_to_leader() {
        sql.push_str(
            " AND (COALESCE(assigned_leader_id, leader_id) IS NULL
                   OR COALESCE(assigned_leader_id, leader_id) IS ?)",
        );
        args.push(match &staff.leader_id {
            Some(l) => Value::Text(l.clone()),
            None => Value::Null,
        });
    }
    sql.push(')');
    (sql, args)
}

/// Up to `limit` requests of `group` after `after`, in order (hidden ones not yet removed).
fn group_rows(
    tx: &Transaction,
    staff: &Staff,
    f: &InboxFilter,
    after: &InboxCursor,
    limit: usize,
) -> ApiResult<Vec<Request>> {
    let (filter, mut args) = filter_sql(f, true);
    let (needs, needs_args) = needs_caller_sql(staff, f.now);
    args.extend(needs_args);
    args.push(Value::Integer(after.starts_at));
    args.push(Value::Text(after.id.clone()));
    args.push(Value::Integer(limit as i64));
    let sql = format!(
        "SELECT {columns} FROM requests
         WHERE {filter} AND {needs} = {group} AND (starts_at, id) > (?, ?)
         ORDER BY starts_at, id LIMIT ?",
        columns = request_columns!(),
        group = if after.group == 0 { "1" } else { "0" },
    );
    let mut st = tx.prepare_cached(&sql)?;
    let rows = st
        .query_map(params_from_iter(args), request_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One page of the inbox after `cursor`, and the cursor of the next page if there is one.
pub fn page(
    tx: &Transaction,
    staff: &Staff,
    f: &InboxFilter,
    cursor: Option<InboxCursor>,
    limit: usize,
) -> ApiResult<(Vec<Request>, Option<InboxCursor>)> {
    let mut at = cursor.unwrap_or_else(|| InboxCursor::start(0));
    let mut out = Vec::new();
    // Each round either fills the page, or moves past a group's end: at most a few rounds
    // unless many requests are hidden from the caller.
    while at.group <= 1 {
        let want = limit - out.len();
        let rows = group_rows(tx, staff, f, &at, want)?;
        let exhausted = rows.len() < want;
        for r in rows {
            at.starts_at = r.starts_at.timestamp();
            at.id.clone_from(&r.id);
            if staff_sees_request(tx, staff, &r)? {
                out.push(fill_request(tx, r)?);
            }
        }
        if out.len() >= limit {
            break;
        }
        if exhausted {
            at = InboxCursor::start(at.group + 1);
        }
    }
    if at.group > 1 {
        return Ok((out, None));
    }
    // A full page: is there anything after it (in this group, or the next)?
    let more = !group_rows(tx, staff, f, &at, 1)?.is_empty()
        || (at.group == 0 && !group_rows(tx, staff, f, &InboxCursor::start(1), 1)?.is_empty());
    Ok((out, more.then_some(at)))
}

/// Requests per state under the leader and date filters (not the state filter), of those the
/// caller may see.
pub fn counts(
    tx: &Transaction,
    staff: &Staff,
    f: &InboxFilter,
) -> ApiResult<BTreeMap<String, i64>> {
    let mut counts: BTreeMap<String, i64> = RequestState::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    let (filter, args) = filter_sql(f, false);
    // Without a leader or date filter the counts are kept in `request_counts` (migration 0006)
    // and cost the same however many requests there are.
    let sql = if f.leader.is_none() && f.from.is_none() && f.to.is_none() {
        "SELECT state, n FROM request_counts".to_string()
    } else {
        format!("SELECT state, COUNT(*) FROM requests WHERE {filter} GROUP BY state")
    };
    let mut st = tx.prepare_cached(&sql)?;
    let rows = st
        .query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (state, n) in rows {
        *counts.entry(state).or_insert(0) += n;
    }
    // A request is hidden only when it is tied to an agenda item the caller may not see, which
    // only a confidential item can be (`records::staff_sees_item`): those few are checked
    // one by one with the rule itself.
    let sql = format!(
        "SELECT {columns} FROM requests
         WHERE {filter} AND agenda_item_id IN
               (SELECT id FROM agenda_items WHERE visibility = 'confidential')",
        columns = request_columns!()
    );
    let mut st = tx.prepare_cached(&sql)?;
    let tied = st
        .query_map(params_from_iter(args.iter()), request_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for r in tied {
        if !staff_sees_request(tx, staff, &r)? {
            *counts.entry(r.state.as_str().to_string()).or_insert(0) -= 1;
        }
    }
    Ok(counts)
}
