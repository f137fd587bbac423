//! The sync protocol: paging, cursor resumption, tombstones, at-most-once pushes, conflicts and
//! stale cursors.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::{Value, json};

/// The latest state per (entity, id) after applying changes in order.
fn apply(changes: &[Value]) -> BTreeMap<(String, String), Value> {
    let mut state = BTreeMap::new();
    for c in changes {
        let key = (
            c["entity"].as_str().unwrap().to_string(),
            c["id"].as_str().unwrap().to_string(),
        );
        if c["record"].is_null() {
            state.remove(&key);
        } else {
            state.insert(key, c["record"]["data"].clone());
        }
    }
    state
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[tokio::test]
async fn staff_full_sync_pages_through_everything_once() {
    let s = start().await;
    let admin = s.login("admin").await;
    let Pulled {
        changes,
        cursor,
        remaining,
    } = s.pull_all(&admin, None, 37).await;
    let pages = remaining.len();
    assert!(pages > 3, "demo data spans several pages of 37");
    let state = apply(&changes);
    // Every change id appears once in a full sync (the change log keeps the latest only).
    assert_eq!(state.len(), changes.len());
    let count = |kind: &str| state.keys().filter(|(k, _)| k == kind).count();
    assert_eq!(count("leader"), 2);
    assert_eq!(count("request"), 40);
    assert!(count("agenda_item") > 100);
    assert!(count("note") > 0);
    // Caught up: the next pull from the cursor is empty.
    let Pulled { changes: again, .. } = s.pull_all(&admin, Some(&cursor), 37).await;
    assert!(again.is_empty());
}

#[tokio::test]
async fn a_pull_resumes_from_its_cursor_and_sees_later_changes_only() {
    let s = start().await;
    let protokol = s.login("protokol").await;
    let first = s
        .get("/api/v1/sync/pull?limit=10", Some(&protokol))
        .await
        .ok();
    let cursor = first["cursor"].as_str().unwrap().to_string();
    let Pulled {
        changes: rest,
        cursor: end,
        ..
    } = s.pull_all(&protokol, Some(&cursor), 100).await;
    // Resuming from the same cursor twice gives the same answer (the cursor is not consumed).
    let Pulled {
        changes: rest_again,
        ..
    } = s.pull_all(&protokol, Some(&cursor), 100).await;
    assert_eq!(rest, rest_again);
    let first_ids: Vec<&Value> = first["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert!(rest.iter().all(|c| !first_ids.contains(&&c["id"])));

    let device = s.device().await;
    let new = s.submit(&device, json!({})).await;
    let Pulled { changes: later, .. } = s.pull_all(&protokol, Some(&end), 100).await;
    // Besides the request, the notification of it may already be there (written by the
    // dispatcher shortly after the submission).
    let later: Vec<Value> = later
        .into_iter()
        .filter(|c| c["entity"] != "notification")
        .collect();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0]["id"], new["id"]);
    assert_eq!(later[0]["record"]["type"], "request");
}

#[tokio::test]
async fn an_item_turned_internal_reaches_public_devices_as_a_tombstone() {
    let s = start().await;
    let device = s.device().await;
    let agenda = s.login("agenda").await;
    let body = json!({"leader_id": "bupati", "title": "Pawai budaya", "starts_at": wita_at(6, 16),
        "ends_at": wita_at(6, 18), "location": "Jalan Puputan", "visibility": "public",
        "status": "confirmed", "attendance": "in_person"});
    let made = s
        .post("/api/v1/staff/agenda", Some(&agenda), body.clone())
        .await
        .ok();
    let id = made["item"]["id"].as_str().unwrap().to_string();
    let Pulled {
        changes, cursor, ..
    } = s.pull_all(&device, None, 500).await;
    let state = apply(&changes);
    let key = ("agenda_item".to_string(), id.clone());
    assert_eq!(state[&key]["title"], "Pawai budaya");
    assert!(state[&key].get("internal").is_none());

    let mut hidden = body.clone();
    merge(
        &mut hidden,
        json!({"visibility": "internal", "base_version": 1}),
    );
    s.put(&format!("/api/v1/staff/agenda/{id}"), Some(&agenda), hidden)
        .await
        .ok();
    let Pulled {
        changes: later,
        cursor,
        ..
    } = s.pull_all(&device, Some(&cursor), 500).await;
    assert_eq!(later.len(), 1);
    assert_eq!(later[0]["id"], id.as_str());
    assert!(later[0]["record"].is_null(), "a tombstone: {}", later[0]);

    // Made public again, it comes back.
    let mut shown = body;
    merge(&mut shown, json!({"title": "Pawai budaya (diubah)"}));
    s.put(&format!("/api/v1/staff/agenda/{id}"), Some(&agenda), shown)
        .await
        .ok();
    let Pulled { changes: back, .. } = s.pull_all(&device, Some(&cursor), 500).await;
    assert_eq!(back[0]["record"]["data"]["title"], "Pawai budaya (diubah)");
}

#[tokio::test]
async fn a_replayed_push_is_applied_once() {
    let s = start().await;
    let device = s.device().await;
    let mut request = request_body(8);
    merge(&mut request, json!({"id": uuid()}));
    let push = json!({"mutations": [
        {"id": uuid(), "op": {"type": "submit_request", "request": request}}
    ]});
    let first = s
        .post("/api/v1/sync/push", Some(&device), push.clone())
        .await
        .ok();
    assert_eq!(first["results"][0]["status"], "applied");
    let code = first["results"][0]["record"]["data"]["tracking_code"].clone();
    // The answer was "lost"; the device sends the same push again.
    let second = s.post("/api/v1/sync/push", Some(&device), push).await.ok();
    assert_eq!(second["results"][0]["status"], "already_applied");
    assert_eq!(
        second["results"][0]["record"]["data"]["tracking_code"],
        code
    );
    let mine = s.get("/api/v1/public/requests", Some(&device)).await.ok();
    assert_eq!(mine.as_array().unwrap().len(), 1);

    // Staff: a note pushed twice is one note.
    let protokol = s.login("protokol").await;
    let request_id = mine[0]["id"].as_str().unwrap().to_string();
    let note = json!({"mutations": [{"id": uuid(), "op": {"type": "add_note",
        "request_id": request_id, "note": {"id": uuid(), "text": "Sudah dihubungi panitia."}}}]});
    for expected in ["applied", "already_applied", "already_applied"] {
        let r = s
            .post("/api/v1/sync/push", Some(&protokol), note.clone())
            .await
            .ok();
        assert_eq!(r["results"][0]["status"], expected);
    }
    let detail = s
        .get(
            &format!("/api/v1/staff/requests/{request_id}"),
            Some(&protokol),
        )
        .await
        .ok();
    assert_eq!(detail["notes"].as_array().unwrap().len(), 1);
    // A mutation id belongs to its caller: another caller reusing it is refused.
    let other = s.login("agenda").await;
    let r = s.post("/api/v1/sync/push", Some(&other), note).await.ok();
    assert_eq!(r["results"][0]["status"], "rejected");
}

#[tokio::test]
async fn a_push_based_on_an_old_version_is_a_conflict_with_the_current_record() {
    let s = start().await;
    let a = s.login("agenda").await;
    let b = s.login("sespri.bupati").await;
    let id = uuid();
    let item = json!({"id": id, "leader_id": "bupati", "title": "Kunjungan ke Nusa Penida",
        "starts_at": wita_at(9, 8), "ends_at": wita_at(9, 15), "location": "Pelabuhan Sampalan",
        "visibility": "public", "status": "tentative", "attendance": "in_person"});
    let created = s
        .post(
            "/api/v1/sync/push",
            Some(&a),
            json!({"mutations": [
            {"id": uuid(), "op": {"type": "create_agenda_item", "item": item.clone()}}]}),
        )
        .await
        .ok();
    assert_eq!(created["results"][0]["status"], "applied");
    assert_eq!(created["results"][0]["record"]["data"]["version"], 1);

    // Both edit version 1 offline.
    let mut edit_a = item.clone();
    merge(
        &mut edit_a,
        json!({"title": "Kunjungan kerja ke Nusa Penida"}),
    );
    let mut edit_b = item;
    merge(&mut edit_b, json!({"location": "Pelabuhan Buyuk"}));
    let ra = s
        .post(
            "/api/v1/sync/push",
            Some(&a),
            json!({"mutations": [{"id": uuid(), "base_version": 1,
            "op": {"type": "update_agenda_item", "id": id, "item": edit_a}}]}),
        )
        .await
        .ok();
    assert_eq!(ra["results"][0]["status"], "applied");
    let rb = s
        .post(
            "/api/v1/sync/push",
            Some(&b),
            json!({"mutations": [{"id": uuid(), "base_version": 1,
            "op": {"type": "update_agenda_item", "id": id, "item": edit_b}}]}),
        )
        .await
        .ok();
    let result = &rb["results"][0];
    assert_eq!(result["status"], "conflict");
    assert_eq!(result["record"]["data"]["version"], 2);
    assert_eq!(
        result["record"]["data"]["title"],
        "Kunjungan kerja ke Nusa Penida"
    );
    assert_eq!(result["record"]["data"]["location"], "Pelabuhan Sampalan");
    // Nothing was overwritten.
    let now = s
        .get(&format!("/api/v1/staff/agenda/{id}"), Some(&a))
        .await
        .ok();
    assert_eq!(now["location"], "Pelabuhan Sampalan");

    // The same holds for request transitions based on an old version.
    let device = s.device().await;
    let req = s.submit(&device, json!({})).await;
    let rid = req["id"].as_str().unwrap();
    let protokol = s.login("protokol").await;
    s.transition(&protokol, rid, json!({"action": "start_review"}))
        .await
        .ok();
    let stale = s
        .post(
            "/api/v1/sync/push",
            Some(&protokol),
            json!({"mutations": [{"id": uuid(),
            "base_version": 1, "op": {"type": "transition", "request_id": rid,
            "input": {"action": "request_info", "reason": "Lengkapi surat"}}}]}),
        )
        .await
        .ok();
    assert_eq!(stale["results"][0]["status"], "conflict");
    assert_eq!(stale["results"][0]["record"]["data"]["state"], "in_review");
}

#[tokio::test]
async fn rejected_mutations_say_why_and_do_not_block_the_rest() {
    let s = start().await;
    let device = s.device().await;
    let mut bad = request_body(8);
    merge(&mut bad, json!({"id": uuid(), "title": ""}));
    let mut good = request_body(8);
    merge(&mut good, json!({"id": uuid()}));
    let r = s
        .post(
            "/api/v1/sync/push",
            Some(&device),
            json!({"mutations": [
                {"id": uuid(), "op": {"type": "submit_request", "request": bad}},
                {"id": uuid(), "op": {"type": "create_agenda_item", "item": {"leader_id": "bupati",
                    "title": "x", "starts_at": wita_at(1, 9), "ends_at": wita_at(1, 10),
                    "location": "x", "visibility": "public", "status": "confirmed",
                    "attendance": "in_person"}}},
                {"id": uuid(), "op": {"type": "submit_request", "request": good}},
            ]}),
        )
        .await
        .ok();
    let results = r["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "rejected");
    assert_eq!(results[0]["error"]["error"], "validation");
    assert!(results[0]["error"]["fields"]["title"].is_string());
    assert_eq!(results[1]["status"], "rejected");
    assert_eq!(results[1]["error"]["error"], "forbidden");
    assert_eq!(results[2]["status"], "applied");
}

#[tokio::test]
async fn an_old_or_foreign_cursor_is_answered_clearly() {
    let s = start().await;
    let protokol = s.login("protokol").await;
    let admin = s.login("admin").await;
    let Pulled { cursor, .. } = s.pull_all(&protokol, None, 500).await;
    let r = s
        .post("/api/v1/admin/sync/reset", Some(&admin), json!({}))
        .await;
    assert_eq!(r.status, 204);
    let e = s
        .get(
            &format!("/api/v1/sync/pull?cursor={cursor}"),
            Some(&protokol),
        )
        .await;
    // Every cursor handed out before the reset is stale, even one that was up to date…
    assert_eq!(e.err(410)["error"], "stale_cursor");
    // …and the full resync that follows completes, over many pages (their cursors lie above
    // the floor).
    let Pulled {
        changes: all,
        remaining,
        ..
    } = s.pull_all(&protokol, None, 50).await;
    let pages = remaining.len();
    assert!(pages > 2 && all.len() > 100, "{pages} pages");
    let before = "c1-5";
    let stale = s
        .get(
            &format!("/api/v1/sync/pull?cursor={before}"),
            Some(&protokol),
        )
        .await
        .err(410);
    assert_eq!(stale["error"], "stale_cursor");
    // A cursor from the future (a server restored from an older backup) is stale too.
    s.get("/api/v1/sync/pull?cursor=c1-ffffff", Some(&protokol))
        .await
        .err(410);
    let garbage = s
        .get("/api/v1/sync/pull?cursor=hello", Some(&protokol))
        .await
        .err(400);
    assert_eq!(garbage["error"], "invalid_cursor");
    // A full resync always works.
    let Pulled { changes: all, .. } = s.pull_all(&protokol, None, 500).await;
    assert!(all.len() > 100);
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_asks() {
    let s = start().await;
    let admin = s.login("admin").await;
    // A client that does not decompress by itself, to see the header.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let res = raw
        .get(s.url("/api/v1/sync/pull?limit=500"))
        .bearer_auth(&admin)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
}

/// Apps that ask for zstd get pull pages in zstd; older apps, which ask for gzip only, get gzip
/// as before; both carry the same page.
#[tokio::test]
async fn pull_pages_come_in_zstd_to_apps_that_ask_and_in_gzip_to_older_ones() {
    use std::io::Read;
    let s = start().await;
    let admin = s.login("admin").await;
    let raw = reqwest::Client::builder()
        .no_gzip()
        .no_zstd()
        .build()
        .unwrap();
    let fetch = |encoding: &'static str| {
        let req = raw
            .get(s.url("/api/v1/sync/pull?limit=200"))
            .bearer_auth(&admin)
            .header("accept-encoding", encoding);
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 200);
            let coding = res
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_string());
            assert_eq!(res.headers()["content-type"], "application/json");
            (coding, res.bytes().await.unwrap().to_vec())
        }
    };
    let (coding, zstd_body) = fetch("gzip, zstd").await;
    assert_eq!(coding.as_deref(), Some("zstd"));
    let from_zstd: Value =
        serde_json::from_slice(&zstd::decode_all(&zstd_body[..]).unwrap()).unwrap();
    let (coding, gzip_body) = fetch("gzip").await;
    assert_eq!(coding.as_deref(), Some("gzip"));
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&gzip_body[..])
        .read_to_end(&mut json)
        .unwrap();
    let from_gzip: Value = serde_json::from_slice(&json).unwrap();
    let (coding, plain) = fetch("identity").await;
    assert_eq!(coding, None);
    let from_plain: Value = serde_json::from_slice(&plain).unwrap();
    // The same changes (cursors are sealed afresh, but open to the same place).
    assert_eq!(from_zstd["changes"], from_gzip["changes"]);
    assert_eq!(from_zstd["changes"], from_plain["changes"]);
    assert_eq!(from_zstd["changes"].as_array().unwrap().len(), 200);
    assert!(
        zstd_body.len() < gzip_body.len() && zstd_body.len() * 5 < plain.len(),
        "{} vs {}",
        zstd_body.len(),
        gzip_body.len()
    );
}

#[tokio::test]
async fn a_rejected_push_answers_in_the_language_the_device_asks_for() {
    let s = start().await;
    let device = s.device().await;
    let push = |title: &str| {
        let mut request = request_body(8);
        merge(&mut request, json!({"id": uuid(), "title": title}));
        json!({"mutations": [{"id": uuid(), "op": {"type": "submit_request", "request": request}}]})
    };
    // The check runs inside the database's blocking thread; the language still arrives.
    let en = s
        .send(
            s.http
                .post(s.url("/api/v1/sync/push"))
                .bearer_auth(&device)
                .header("accept-language", "en-US,en;q=0.9")
                .json(&push("")),
        )
        .await
        .ok();
    let result = &en["results"][0];
    assert_eq!(result["status"], "rejected", "{en}");
    assert_eq!(
        result["error"]["message"],
        "Some fields are missing or invalid. Check the marked fields."
    );
    assert_eq!(result["error"]["fields"]["title"], "Required.");
    let id = s
        .post("/api/v1/sync/push", Some(&device), push(""))
        .await
        .ok();
    assert_eq!(
        id["results"][0]["error"]["fields"]["title"], "Wajib diisi.",
        "Indonesian without Accept-Language"
    );
}
