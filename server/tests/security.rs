//! Attacks on a real server on loopback, each of which must fail. Clients come from distinct
//! loopback addresses (127.0.0.2, 127.0.0.3, …) by binding their sockets, as different people
//! on the internet would; see also `tests/behind_nginx.rs` for the same behind a TLS proxy.

mod common;

use std::net::IpAddr;

use common::*;
use reqwest::StatusCode;
use sepiion_server::RunningServer;
use sepiion_server::config::Config;
use serde_json::{Value, json};

/// An HTTP client whose connections come from `ip` (any 127.0.0.0/8 address works on Linux).
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn login_from(s: &TestServer, http: &reqwest::Client, user: &str, password: &str) -> Res {
    s.send(
        http.post(s.url("/api/v1/auth/login"))
            .json(&json!({"username": user, "password": password})),
    )
    .await
}

#[tokio::test]
async fn parallel_guesses_for_one_account_are_capped_at_the_limit() {
    let s = start_with(|c| c.limits.login_failures = 5).await;
    let http = client_from("127.0.0.2");
    let url = s.url("/api/v1/auth/login");
    let handles: Vec<_> = (0..40)
        .map(|i| {
            let (http, url) = (http.clone(), url.clone());
            tokio::spawn(async move {
                let res = http
                    .post(url)
                    .json(&json!({"username": "admin", "password": format!("salah-{i}")}))
                    .send()
                    .await
                    .unwrap();
                (
                    res.status().as_u16(),
                    res.headers().contains_key("retry-after"),
                )
            })
        })
        .collect();
    let mut answers = Vec::new();
    for h in handles {
        answers.push(h.await.unwrap());
    }
    let checked = answers.iter().filter(|(s, _)| *s == 401).count();
    let refused = answers.iter().filter(|(s, _)| *s == 429).count();
    assert_eq!(checked + refused, 40, "{answers:?}");
    assert!(checked <= 5, "{checked} passwords were checked");
    // A refusal says when to come back.
    assert!(
        answers
            .iter()
            .filter(|(s, _)| *s == 429)
            .all(|(_, retry)| *retry)
    );
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_out_the_account_elsewhere() {
    let s = start_with(|c| c.limits.login_failures = 5).await;
    let owner = client_from("127.0.0.4");
    login_from(&s, &owner, "admin", PASSWORD).await.ok();
    let attacker = client_from("127.0.0.2");
    let mut locked = false;
    for _ in 0..8 {
        let r = login_from(&s, &attacker, "admin", "tebakan-salah").await;
        locked |= r.status == 429;
    }
    assert!(locked, "the attacker's address is locked for admin");
    // The attacker's lock does not reach anyone else: another address signs in at once…
    let colleague = client_from("127.0.0.3");
    login_from(&s, &colleague, "admin", PASSWORD).await.ok();
    // …and the attacker's address may still sign in to other accounts.
    login_from(&s, &attacker, "protokol", PASSWORD).await.ok();
    // Many addresses guessing the admin's password slow that account down, but its owner
    // (who signed in from 127.0.0.4 before) gets in without waiting.
    let bots: Vec<_> = (10..30)
        .map(|i| {
            let bot = client_from(&format!("127.0.0.{i}"));
            let url = s.url("/api/v1/auth/login");
            tokio::spawn(async move {
                let body = json!({"username": "admin", "password": "tebakan-salah"});
                bot.post(url).json(&body).send().await.unwrap().status()
            })
        })
        .collect();
    for bot in bots {
        assert_eq!(bot.await.unwrap(), 401, "slowed, never locked out");
    }
    let started = std::time::Instant::now();
    login_from(&s, &owner, "admin", PASSWORD).await.ok();
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

#[tokio::test]
async fn per_address_limits_key_on_the_client_and_ignore_forged_forwarding_headers() {
    let s = start_with(|c| {
        c.limits.registrations_per_hour = 3;
        c.trusted_proxies = vec!["127.0.0.9/32".into()];
        c.public_url = Some("https://agenda.example.go.id".into());
    })
    .await;
    let a = client_from("127.0.0.2");
    for i in 0..3 {
        // Each try claims to come from someone else: ignored, the peer is not a trusted proxy.
        let r = s
            .send(
                a.post(s.url("/api/v1/public/devices"))
                    .header("X-Forwarded-For", format!("198.51.100.{i}")),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = s
        .send(
            a.post(s.url("/api/v1/public/devices"))
                .header("X-Forwarded-For", "198.51.100.77")
                .header("Forwarded", "for=198.51.100.78"),
        )
        .await;
    r.err(429);
    // Another address is not affected.
    let b = client_from("127.0.0.3");
    let r = s.send(b.post(s.url("/api/v1/public/devices"))).await;
    assert_eq!(r.status, 201);
    // Through the trusted proxy, two clients behind it have a budget each.
    let proxy = client_from("127.0.0.9");
    for client in ["203.0.113.1", "203.0.113.2"] {
        for _ in 0..3 {
            let r = s
                .send(
                    proxy
                        .post(s.url("/api/v1/public/devices"))
                        .header("X-Forwarded-For", format!("192.0.2.50, {client}")),
                )
                .await;
            assert_eq!(r.status, 201, "{client}: {}", r.body);
        }
        let r = s
            .send(
                proxy
                    .post(s.url("/api/v1/public/devices"))
                    .header("X-Forwarded-For", client),
            )
            .await;
        r.err(429);
    }
}

#[tokio::test]
async fn guessing_tracking_codes_is_rate_limited_and_new_codes_carry_60_bits() {
    let s = start_with(|c| c.limits.track_lookups_per_client = 30).await;
    let device = s.device().await;
    let r = s.submit(&device, json!({})).await;
    let code = r["tracking_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 14, "{code}");
    assert_eq!(code.replace('-', "").len(), 12);
    // 12 characters of a 32-letter alphabet: 60 bits.
    let http = client_from("127.0.0.2");
    let mut first_refusal = None;
    for i in 0..400u32 {
        let guess = format!("AAAA-BBBB-{:04}", i % 10_000)
            .replace('0', "2")
            .replace('1', "3");
        let r = s
            .send(http.get(s.url(&format!("/api/v1/public/track/{guess}"))))
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            first_refusal = Some(i);
            break;
        }
        assert_eq!(r.status, 404, "{}", r.body);
    }
    assert_eq!(first_refusal, Some(30), "refused after the 30th look-up");
    // Someone else can still look up their own code.
    let other = client_from("127.0.0.3");
    let found = s
        .send(other.get(s.url(&format!("/api/v1/public/track/{}", code.to_lowercase()))))
        .await
        .ok();
    assert_eq!(found["tracking_code"], code.as_str());
    // A code handed out before (8 characters) keeps working.
    s.sql()
        .execute(
            "UPDATE requests SET tracking_code = 'K7QM-3XRD' WHERE tracking_code = ?1",
            [&code],
        )
        .unwrap();
    let old = s
        .send(other.get(s.url("/api/v1/public/track/k7qm3xrd")))
        .await
        .ok();
    assert_eq!(old["tracking_code"], "K7QM-3XRD");
}

/// Absolute URLs come from the configured public address only: a forged Host changes no feed,
/// and `X-Forwarded-Proto` from a peer that is not a trusted proxy does not make the portal's
/// cookies `Secure`.
#[tokio::test]
async fn absolute_urls_ignore_host_and_forwarded_proto_needs_a_trusted_proxy() {
    let s = start().await;
    let res = s
        .send(
            s.http
                .get(s.url("/ics/public.ics"))
                .header("Host", "evil.example"),
        )
        .await;
    assert_eq!(res.status, 200);
    let raw = s
        .http
        .get(s.url("/ics/public.ics"))
        .header("Host", "evil.example")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!raw.contains("evil.example"), "{raw}");
    assert!(raw.contains(&format!("URL:{}/agenda/", s.base)), "{raw}");
    let admin = s.login("admin").await;
    let info = s
        .send(
            s.http
                .get(s.url("/api/v1/staff/calendar-feed"))
                .bearer_auth(&admin)
                .header("Host", "evil.example"),
        )
        .await
        .ok();
    assert_eq!(info["public_url"], format!("{}/ics/public.ics", s.base));
    // The portal's cookies: no Secure flag on the word of an untrusted peer.
    let page = s
        .http
        .get(s.url("/ajukan"))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(!cookies.is_empty());
    assert!(cookies.iter().all(|c| !c.contains("Secure")), "{cookies:?}");
}

/// A server off loopback, or behind a proxy, will not start without `public_url`.
#[tokio::test]
async fn public_url_is_required_behind_a_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        addr: "127.0.0.1:0".into(),
        db: dir.path().join("s.db"),
        trusted_proxies: vec!["127.0.0.1/32".into()],
        ..Config::default()
    };
    let err = config.check().unwrap_err().to_string();
    assert!(err.contains("public_url is required"), "{err}");
    let err = RunningServer::start(config).await.err().expect("refused");
    assert!(err.to_string().contains("public_url"), "{err}");
}

/// Answers from the response cache count as look-ups too: asking 40 times for a known code
/// (the same address, so the answer is cached after the first) is refused after the limit.
#[tokio::test]
async fn cached_tracking_answers_count_against_the_limit() {
    let s = start_with(|c| c.limits.track_lookups_per_client = 30).await;
    let device = s.device().await;
    let r = s.submit(&device, json!({})).await;
    let code = r["tracking_code"].as_str().unwrap().to_string();
    let http = client_from("127.0.0.4");
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let r = s
            .send(http.get(s.url(&format!("/api/v1/public/track/{code}"))))
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        30,
        "{statuses:?}"
    );
    assert_eq!(statuses[30..], [429; 10], "{statuses:?}");
}

#[tokio::test]
async fn everybody_together_cannot_exceed_the_global_tracking_limit() {
    let s = start_with(|c| {
        c.limits.track_lookups_per_client = 1000;
        c.limits.track_lookups_global = 20;
    })
    .await;
    let mut statuses = Vec::new();
    for i in 2..32 {
        let http = client_from(&format!("127.0.1.{i}"));
        let r = s
            .send(http.get(s.url("/api/v1/public/track/AAAA-BBBB-CCCC")))
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 404).count(), 20);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10);
}

/// The body of a full edit (`PUT staff/agenda/{id}`) that changes nothing of `item` (as
/// `GET staff/agenda/{id}` answered it): its fields, its internal fields and its version.
fn edit_of(item: &Value) -> Value {
    let mut input = item.clone();
    input["base_version"] = item["version"].clone();
    for field in ["assigned_staff", "running_order", "internal_notes"] {
        input[field] = item["internal"][field].clone();
    }
    input
}

/// The demo agenda's items that the public may not see.
fn hidden_item_ids(s: &TestServer) -> Vec<String> {
    let conn = s.sql();
    let mut st = conn
        .prepare("SELECT id FROM agenda_items WHERE visibility != 'public'")
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn a_public_device_learns_nothing_of_items_it_was_never_shown() {
    let s = start().await;
    let hidden = hidden_item_ids(&s);
    assert!(
        hidden.len() > 10,
        "the demo has internal and confidential items"
    );
    let device = s.device().await;
    let Pulled {
        changes,
        cursor,
        remaining,
    } = s.pull_all(&device, None, 500).await;
    let tombstones: Vec<&Value> = changes.iter().filter(|c| c["record"].is_null()).collect();
    assert!(tombstones.is_empty(), "{} tombstones", tombstones.len());
    for c in &changes {
        assert!(!hidden.contains(&c["id"].as_str().unwrap().to_string()));
    }
    assert!(
        remaining.iter().all(|r| *r == 0),
        "no counts: {remaining:?}"
    );

    // Staff change a hidden item, and make a public item internal.
    let admin = s.login("admin").await;
    let public_item = {
        let conn = s.sql();
        conn.query_row(
            "SELECT id FROM agenda_items WHERE visibility = 'public' AND starts_at > unixepoch()
             ORDER BY starts_at LIMIT 1",
            [],
            |r| r.get::<_, String>(0),
        )
        .unwrap()
    };
    for (id, visibility) in [(&hidden[0], None), (&public_item, Some("internal"))] {
        let item = s
            .get(&format!("/api/v1/staff/agenda/{id}"), Some(&admin))
            .await
            .ok();
        let mut input = edit_of(&item);
        if let Some(v) = visibility {
            input["visibility"] = json!(v);
        }
        input["location"] = json!("Gedung Baru");
        s.put(&format!("/api/v1/staff/agenda/{id}"), Some(&admin), input)
            .await
            .ok();
    }
    let changes = s.pull_all(&device, Some(&cursor), 500).await.changes;
    let ids: Vec<&str> = changes.iter().map(|c| c["id"].as_str().unwrap()).collect();
    // The item it had is withdrawn; the one it never saw is not mentioned.
    assert_eq!(ids, [public_item.as_str()], "{changes:?}");
    assert!(changes[0]["record"].is_null());
    // A new device never hears of either.
    let fresh = s.device().await;
    let changes = s.pull_all(&fresh, None, 500).await.changes;
    assert!(changes.iter().all(|c| !c["record"].is_null()));
}

/// A request approved for the Bupati whose agenda item the Bupati's ajudan then makes
/// confidential. Returns (request id, item id).
async fn confidential_request(s: &TestServer) -> (String, String) {
    let device = s.device().await;
    confidential_request_of(s, &device).await
}

/// [`confidential_request`] submitted by `device`.
async fn confidential_request_of(s: &TestServer, device: &str) -> (String, String) {
    let r = s
        .submit(
            device,
            json!({"title": "Pertemuan tertutup dengan investor"}),
        )
        .await;
    let id = r["id"].as_str().unwrap().to_string();
    let protokol = s.login("protokol").await;
    let ajudan = s.login("ajudan.bupati").await;
    let out = s.approve(&protokol, &ajudan, &id).await;
    let item_id = out["agenda_item"]["id"].as_str().unwrap().to_string();
    let item = s
        .get(&format!("/api/v1/staff/agenda/{item_id}"), Some(&ajudan))
        .await
        .ok();
    let mut input = edit_of(&item);
    input["visibility"] = json!("confidential");
    s.put(
        &format!("/api/v1/staff/agenda/{item_id}"),
        Some(&ajudan),
        input,
    )
    .await
    .ok();
    (id, item_id)
}

#[tokio::test]
async fn the_request_behind_a_confidential_item_is_hidden_from_staff_who_may_not_see_it() {
    let s = start().await;
    let (id, item_id) = confidential_request(&s).await;
    for user in ["protokol", "ajudan.wabup", "agenda"] {
        let token = s.login(user).await;
        s.get(&format!("/api/v1/staff/requests/{id}"), Some(&token))
            .await
            .err(404);
        let inbox = s.get("/api/v1/staff/requests", Some(&token)).await.ok();
        let listed = inbox["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["request"]["id"] == id.as_str());
        assert!(!listed, "{user} sees it in the inbox");
        let changes = s.pull_all(&token, None, 500).await.changes;
        for c in &changes {
            if c["id"] == id.as_str() || c["id"] == item_id.as_str() {
                assert!(c["record"].is_null(), "{user} pulled {c}");
            }
        }
    }
    // The Bupati's own ajudan and the admin still see it.
    for user in ["ajudan.bupati", "admin"] {
        let token = s.login(user).await;
        s.get(&format!("/api/v1/staff/requests/{id}"), Some(&token))
            .await
            .ok();
    }
}

/// A notification is a read: a disposition naming staff who may not see the request, and the
/// requester cancelling it, tell nobody who would get 404 on the request.
#[tokio::test]
async fn nobody_is_told_about_a_request_they_may_not_open() {
    let s = start_with(|c| c.notify.schedule_every_s = 0).await;
    let device = s.device().await;
    let (id, _) = confidential_request_of(&s, &device).await;
    // Until now the request was not confidential: what staff were told then was theirs to know.
    let pending = || -> i64 {
        s.sql()
            .query_row(
                "SELECT count(*) FROM notify_events WHERE expanded = 0",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let expanded = async || {
        for _ in 0..200 {
            if pending() == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert_eq!(pending(), 0, "the events were expanded");
    };
    expanded().await;
    let before: i64 = s
        .sql()
        .query_row("SELECT coalesce(max(id), 0) FROM notify_events", [], |r| {
            r.get(0)
        })
        .unwrap();
    let ajudan = s.login("ajudan.bupati").await;
    s.post(
        &format!("/api/v1/staff/requests/{id}/notes"),
        Some(&ajudan),
        json!({"text": "@protokol @ajudan.wabup mohon siapkan RAHASIA-CATATAN",
               "instruction": "Siapkan ruang tertutup"}),
    )
    .await
    .ok();
    s.post(
        &format!("/api/v1/public/requests/{id}/cancel"),
        Some(&device),
        json!({"reason": "Tidak jadi"}),
    )
    .await
    .ok();
    expanded().await;
    let events: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM notify_events WHERE id > ?1",
            [before],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(events, 2, "a disposition and a cancellation were written");
    for user in ["protokol", "ajudan.wabup", "agenda", "sespri.wabup"] {
        let told: i64 = s
            .sql()
            .query_row(
                "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
                 WHERE u.username = ?1 AND n.event_id > ?3 AND (n.request_id = ?2
                   OR n.link_id = ?2 OR n.title_ind LIKE '%investor%'
                   OR n.body_ind LIKE '%RAHASIA%')",
                rusqlite::params![user, id, before],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(told, 0, "{user} was told about a request they cannot open");
    }
    // The admin, who may open it, is still told (the requester cancelled it).
    let admin_told: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
             WHERE u.role IN ('admin', 'adc') AND n.request_id = ?1 AND n.event_id > ?2",
            rusqlite::params![id, before],
            |r| r.get(0),
        )
        .unwrap();
    assert!(admin_told > 0, "those who may open it are told");
}

#[tokio::test]
async fn a_transition_cannot_change_a_confidential_item_through_its_request() {
    let s = start().await;
    let (id, item_id) = confidential_request(&s).await;
    let protokol = s.login("protokol").await;
    // REST.
    s.transition(
        &protokol,
        &id,
        json!({"action": "cancel", "reason": "Dibatalkan panitia"}),
    )
    .await
    .err(404);
    // Sync push takes the same path.
    let push = json!({"mutations": [{
        "id": uuid::Uuid::new_v4().to_string(),
        "op": {"type": "transition", "request_id": id,
               "input": {"action": "cancel", "reason": "Dibatalkan panitia"}}
    }]});
    let r = s
        .post("/api/v1/sync/push", Some(&protokol), push)
        .await
        .ok();
    assert_eq!(r["results"][0]["status"], "rejected", "{r}");
    assert_eq!(r["results"][0]["error"]["error"], "not_found");
    let status: String = s
        .sql()
        .query_row(
            "SELECT status FROM agenda_items WHERE id = ?1",
            [&item_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "confirmed");
}

#[tokio::test]
async fn a_clash_with_a_hidden_item_names_neither_its_id_nor_its_title() {
    let s = start().await;
    let (_, item_id) = confidential_request(&s).await;
    let protokol = s.login("protokol").await;
    let item: (String, String) = s
        .sql()
        .query_row(
            "SELECT datetime(starts_at, 'unixepoch') || 'Z', datetime(ends_at, 'unixepoch') || 'Z'
             FROM agenda_items WHERE id = ?1",
            [&item_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let body = json!({
        "leader_id": "bupati", "title": "Rapat koordinasi", "location": "Kantor Bupati",
        "starts_at": item.0.replace(' ', "T"), "ends_at": item.1.replace(' ', "T"),
        "category": "Rapat", "visibility": "internal", "status": "confirmed",
        "attendance": "in_person"
    });
    let out = s
        .post("/api/v1/staff/agenda", Some(&protokol), body)
        .await
        .ok();
    let text = out.to_string();
    let conflicts = out["conflicts"].as_array().unwrap();
    assert!(!conflicts.is_empty(), "{out}");
    assert!(!text.contains(&item_id), "{text}");
    assert!(!text.contains("investor"), "{text}");
}

#[tokio::test]
async fn logout_ends_the_session_whatever_the_case_of_the_scheme() {
    let s = start().await;
    let token = s.login("protokol").await;
    let r = s
        .send(
            s.http
                .post(s.url("/api/v1/auth/logout"))
                .header("Authorization", format!("bearer {token}")),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = s.get("/api/v1/auth/me", Some(&token)).await;
    assert_eq!(r.err(401)["error"], "session_expired");
}

#[tokio::test]
async fn idle_sessions_end_and_are_purged_and_deactivation_has_its_own_answer() {
    let s = start_with(|c| c.limits.session_idle_hours = 2).await;
    let idle = s.login("protokol").await;
    let other = s.login("agenda").await;
    let now = chrono::Utc::now().timestamp();
    s.sql()
        .execute(
            "UPDATE sessions SET last_used_at = ?1
             WHERE user_id = (SELECT id FROM users WHERE username = 'protokol')",
            [now - 3 * 3600],
        )
        .unwrap();
    let r = s.get("/api/v1/auth/me", Some(&idle)).await;
    assert_eq!(r.err(401)["error"], "session_expired");
    // Expired sessions do not pile up: a login purges them.
    s.sql()
        .execute(
            "UPDATE sessions SET expires_at = ?1
             WHERE user_id = (SELECT id FROM users WHERE username = 'agenda')",
            [now - 10],
        )
        .unwrap();
    s.login("admin").await;
    let left: i64 = s
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM sessions
             WHERE user_id IN (SELECT id FROM users WHERE username IN ('protokol', 'agenda'))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
    let _ = other;
    // A deactivated account is told so (the app then wipes its data).
    let sespri = s.login("sespri.bupati").await;
    let admin = s.login("admin").await;
    let users = s.get("/api/v1/admin/users", Some(&admin)).await.ok();
    let sid = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "sespri.bupati")
        .unwrap()["id"]
        .clone();
    s.put(
        &format!("/api/v1/admin/users/{sid}"),
        Some(&admin),
        json!({"active": false}),
    )
    .await
    .ok();
    let r = s.get("/api/v1/sync/pull", Some(&sespri)).await;
    assert_eq!(r.err(401)["error"], "account_deactivated");
    // And the audit log says what changed.
    let log = s
        .get("/api/v1/admin/audit?limit=20", Some(&admin))
        .await
        .ok();
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "user.update")
        .unwrap();
    assert_eq!(entry["detail"], "active: true -> false");
}

#[tokio::test]
async fn an_admin_can_revoke_a_public_device() {
    let s = start().await;
    let device = s.device().await;
    let me = s.get("/api/v1/public/requests", Some(&device)).await.ok();
    assert!(me.is_array());
    let device_id: String = s
        .sql()
        .query_row(
            "SELECT id FROM devices ORDER BY created_at DESC, rowid DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let protokol = s.login("protokol").await;
    s.post(
        &format!("/api/v1/admin/devices/{device_id}/revoke"),
        Some(&protokol),
        json!({}),
    )
    .await
    .err(403);
    let admin = s.login("admin").await;
    let r = s
        .post(
            &format!("/api/v1/admin/devices/{device_id}/revoke"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = s.get("/api/v1/public/requests", Some(&device)).await;
    assert_eq!(r.err(401)["error"], "device_revoked");
    s.post(
        "/api/v1/admin/devices/no-such-device/revoke",
        Some(&admin),
        json!({}),
    )
    .await
    .err(404);
}

#[tokio::test]
async fn demo_data_is_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        addr: "0.0.0.0:0".into(),
        db: dir.path().join("demo.db"),
        demo: true,
        ..Config::default()
    };
    let err = RunningServer::start(config.clone()).await.err().unwrap();
    assert!(err.to_string().contains("loopback"), "{err}");
    // A database made with demo data is refused off loopback even without --demo.
    let mut local = config.clone();
    local.addr = "127.0.0.1:0".into();
    RunningServer::start(local).await.unwrap().stop().await;
    let again = Config {
        demo: false,
        ..config
    };
    let err = RunningServer::start(again).await.err().unwrap();
    assert!(err.to_string().contains("loopback"), "{err}");
}

#[tokio::test]
async fn a_zero_limit_is_refused_at_start_with_its_name_not_a_panic_later() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        db: dir.path().join("s.db"),
        ..Config::default()
    };
    config
        .apply_env(|k| (k == "SEPIION_REGISTRATIONS_PER_HOUR").then(|| "0".to_string()))
        .unwrap();
    let err = RunningServer::start(config).await.err().unwrap();
    assert!(
        err.to_string().contains("limits.registrations_per_hour"),
        "{err}"
    );
}

#[tokio::test]
async fn attachments_are_served_as_inert_downloads() {
    let s = start().await;
    let device = s.device().await;
    let r = s.submit(&device, json!({})).await;
    let id = r["id"].as_str().unwrap();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\n<script>alert(1)</script>".to_vec())
            .file_name("undangan.pdf"),
    );
    let up = s
        .send(
            s.http
                .post(s.url(&format!("/api/v1/public/requests/{id}/attachments")))
                .bearer_auth(&device)
                .multipart(form),
        )
        .await
        .ok();
    let aid = up["id"].as_str().unwrap();
    let res = s
        .http
        .get(s.url(&format!("/api/v1/public/requests/{id}/attachments/{aid}")))
        .bearer_auth(&device)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
}

#[tokio::test]
async fn the_audit_log_traces_agenda_changes_of_transitions_and_sync_mutations() {
    let s = start().await;
    let device = s.device().await;
    let r = s.submit(&device, json!({})).await;
    let id = r["id"].as_str().unwrap().to_string();
    let protokol = s.login("protokol").await;
    let ajudan = s.login("ajudan.bupati").await;
    s.steps(&protokol, &id, &["start_review", "forward_to_leader"])
        .await;
    let mutation = uuid::Uuid::new_v4().to_string();
    let push = json!({"mutations": [{
        "id": mutation, "op": {"type": "transition", "request_id": id, "input": {"action": "approve"}}
    }]});
    let out = s.post("/api/v1/sync/push", Some(&ajudan), push).await.ok();
    assert_eq!(out["results"][0]["status"], "applied", "{out}");
    let item_id = out["results"][0]["record"]["data"]["agenda_item_id"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = s.login("admin").await;
    let log = s
        .get("/api/v1/admin/audit?limit=50", Some(&admin))
        .await
        .ok();
    let entries = log.as_array().unwrap();
    let approve = entries
        .iter()
        .find(|e| e["action"] == "request.approve")
        .unwrap();
    assert_eq!(approve["mutation_id"], mutation.as_str());
    let agenda = entries
        .iter()
        .find(|e| e["entity"] == "agenda_item" && e["entity_id"] == item_id.as_str())
        .expect("the agenda item made by the approval is in the audit log");
    assert_eq!(agenda["mutation_id"], mutation.as_str());
    assert_eq!(agenda["actor"], "user:ajudan.bupati");
}

/// Twelve anonymous addresses keep the public sheet queue full (each asks for another day as
/// soon as it is answered, and again shortly after a `429 busy`); meanwhile signed-in staff
/// still get their own sheet every time: staff work has its own queue and goes first.
#[tokio::test]
async fn anonymous_sheet_load_cannot_make_a_staff_sheet_fail() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let s = start_with(|c| c.limits.sheets_per_client = 10_000).await;
    let admin = s.login("admin").await;
    let stop = Arc::new(AtomicBool::new(false));
    let busy = Arc::new(AtomicUsize::new(0));
    let day = Arc::new(AtomicUsize::new(0));
    let flood: Vec<_> = (2..14)
        .map(|i| {
            let http = client_from(&format!("127.0.2.{i}"));
            let base = s.url("/api/v1/public/agenda/sheet");
            let (stop, busy, day) = (stop.clone(), busy.clone(), day.clone());
            tokio::spawn(async move {
                // Bounded: at most 3000 requests per address.
                for _ in 0..3000 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    // A day not asked before, so the cache never answers.
                    let n = day.fetch_add(1, Ordering::SeqCst) as i64;
                    let date = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()
                        + chrono::Duration::days(n);
                    let res = http
                        .get(format!("{base}?date={date}"))
                        .send()
                        .await
                        .unwrap();
                    if res.status() == 429 {
                        busy.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    } else {
                        assert_eq!(res.status(), 200);
                    }
                }
            })
        })
        .collect();
    // Wait (bounded) until the public queue has turned someone away: it is full.
    for _ in 0..600 {
        if busy.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        busy.load(Ordering::SeqCst) > 0,
        "the flood fills the public queue"
    );
    let mut statuses = Vec::new();
    for format in ["pdf", "png", "pdf"] {
        let r = s
            .send(
                s.http
                    .get(s.url(&format!("/api/v1/staff/agenda/sheet?format={format}")))
                    .bearer_auth(&admin),
            )
            .await;
        statuses.push(r.status.as_u16());
    }
    let busy_during = busy.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    for f in flood {
        f.await.unwrap();
    }
    assert_eq!(
        statuses,
        [200, 200, 200],
        "staff sheets under anonymous load"
    );
    assert!(busy_during > 0);
}

/// A bad date, format or leader is answered 400 before anything is counted: a flood of them
/// leaves the client's sheet budget whole.
#[tokio::test]
async fn invalid_sheet_requests_spend_no_public_budget() {
    let s = start_with(|c| c.limits.sheets_per_client = 2).await;
    let http = client_from("127.0.3.2");
    let get = |q: String| {
        let req = http.get(s.url(&format!("/api/v1/public/agenda/sheet?{q}")));
        async { s.send(req).await }
    };
    for i in 0..10 {
        for q in [
            format!("date=2031-02-{}", 30 + i),
            format!("date=2031-03-0{}&format=gif", i % 9 + 1),
            format!("date=2031-04-0{}&leader=raja-{i}", i % 9 + 1),
        ] {
            let r = get(q.clone()).await;
            assert_eq!(r.status, 400, "{q}: {}", r.body);
        }
    }
    let r = get("date=2031-02-30".into()).await;
    assert!(r.body["fields"]["date"].is_string(), "{}", r.body);
    let r = get("date=2031-04-01&leader=raja".into()).await;
    assert!(r.body["fields"]["leader"].is_string(), "{}", r.body);
    // The whole budget is still there: two new sheets, then the limit.
    for date in ["2031-05-01", "2031-05-02"] {
        let r = get(format!("date={date}")).await;
        assert_eq!(r.status, 200, "{date}: {}", r.body);
    }
    get("date=2031-05-03".into()).await.err(429);
}
