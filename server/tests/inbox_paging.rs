//! The staff inbox a page at a time: every request once, in the inbox's order (what needs the
//! caller first, then by start), counts the same on every page, and bad paging parameters
//! answered 400.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::{Value, json};

/// All entries, page by page with `limit`, and the counts of each page.
async fn walk(s: &TestServer, token: &str, query: &str, limit: u32) -> (Vec<Value>, Vec<Value>) {
    let (mut entries, mut counts) = (Vec::new(), Vec::new());
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut path = format!("/api/v1/staff/requests?limit={limit}{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = s.get(&path, Some(token)).await.ok();
        let got = page["entries"].as_array().unwrap();
        assert!(got.len() <= limit as usize);
        entries.extend(got.iter().cloned());
        counts.push(page["counts"].clone());
        match page["next_cursor"].as_str() {
            Some(c) => {
                assert!(!got.is_empty(), "a page with a next cursor has entries");
                cursor = Some(c.to_string());
            }
            None => return (entries, counts),
        }
    }
    panic!("the inbox never ended");
}

fn key(e: &Value) -> (bool, String, String) {
    (
        !e["waits_on_caller"].as_bool().unwrap(),
        e["request"]["starts_at"].as_str().unwrap().to_string(),
        e["request"]["id"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn pages_cover_the_inbox_once_in_order_for_every_role() {
    let s = start().await;
    // More requests, some forwarded to each leader and some naming either, so that the groups
    // of those bound to a leader differ.
    let device = s.device().await;
    let protokol = s.login("protokol").await;
    for i in 0..30 {
        let leader = match i % 3 {
            0 => json!("bupati"),
            1 => json!("wakil_bupati"),
            _ => Value::Null,
        };
        let r = s
            .submit(
                &device,
                json!({"leader_id": leader.clone(), "starts_at": wita_at(10 + i % 5, 9),
                       "ends_at": wita_at(10 + i % 5, 11)}),
            )
            .await;
        let id = r["id"].as_str().unwrap();
        if i % 2 == 0 {
            s.transition(&protokol, id, json!({"action": "start_review"}))
                .await
                .ok();
        }
        if i % 4 == 0 {
            // A request naming either leader is forwarded to one of them.
            let to = if leader.is_null() {
                json!({"action": "forward_to_leader", "leader_id": "bupati"})
            } else {
                json!({"action": "forward_to_leader"})
            };
            s.transition(&protokol, id, to).await.ok();
        }
    }
    for user in [
        "admin",
        "protokol",
        "ajudan.bupati",
        "sespri.wabup",
        "agenda",
        "bupati",
    ] {
        let token = s.login(user).await;
        let (whole, _) = walk(&s, &token, "", 500).await;
        assert!(whole.len() > 30, "{user}: {}", whole.len());
        let (paged, counts) = walk(&s, &token, "", 7).await;
        let ids = |v: &[Value]| -> Vec<String> {
            v.iter()
                .map(|e| e["request"]["id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(ids(&paged), ids(&whole), "{user}: pages = one long page");
        assert_eq!(
            ids(&paged).into_iter().collect::<HashSet<_>>().len(),
            paged.len(),
            "{user}: no request twice"
        );
        // The order: those waiting on this user (core's rule, `waits_on_caller`) first, then
        // by start time and id. This checks the inbox's SQL grouping against the rule.
        let keys: Vec<_> = paged.iter().map(key).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{user}: inbox order");
        assert!(counts.windows(2).all(|w| w[0] == w[1]), "{user}: counts");
        let total: i64 = counts[0]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_i64().unwrap())
            .sum();
        assert_eq!(total as usize, whole.len(), "{user}: counts add up");
    }

    // Filters keep working with paging.
    let admin = s.login("admin").await;
    let (submitted, _) = walk(&s, &admin, "&state=submitted", 4).await;
    assert!(submitted.len() >= 15);
    assert!(
        submitted
            .iter()
            .all(|e| e["request"]["state"] == "submitted")
    );
}

#[tokio::test]
async fn bad_paging_parameters_are_answered_400() {
    let s = start().await;
    let admin = s.login("admin").await;
    for query in [
        "limit=0",
        "limit=501",
        "limit=-1",
        "limit=abc",
        "cursor=nonsense",
        "cursor=i1.2.0.x",
        "cursor=i1.0.notanumber.x",
        "cursor=i1.0.5.",
    ] {
        let body = s
            .get(&format!("/api/v1/staff/requests?{query}"), Some(&admin))
            .await
            .err(400);
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{query}: {body}"
        );
    }
    // The last page says so; the default page is 100.
    let page = s.get("/api/v1/staff/requests", Some(&admin)).await.ok();
    assert!(page["entries"].as_array().unwrap().len() <= 100);
}
