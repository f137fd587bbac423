//! The iCalendar feeds, read back with Python's `icalendar` (PyPI, made by `scripts/pyenv`;
//! its python is named by `SEPIION_TEST_PYTHON`) and compared with the agenda API for the same
//! caller and window: times in WITA, escaping, folding, status, sequence, what each caller sees.

mod common;
mod pytools;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::*;
use serde_json::{Value, json};

/// Parses `ics` with Python's icalendar; returns `{name, timezone, events: [...]}`.
fn parse_ics(ics: &str) -> Value {
    pytools::read_with("ics_events.py", "feed.ics", ics.as_bytes())
}

fn wita(t: &str) -> String {
    let t: DateTime<Utc> = t.parse().unwrap();
    t.with_timezone(&chrono_tz::Asia::Makassar)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Every agenda item the API gives `token` (or the public) over the feed's window, fetched in
/// ranges the API accepts, without items cancelled more than 30 days ago.
async fn api_items(s: &TestServer, token: Option<&str>, leader: Option<&str>) -> Vec<Value> {
    let now = Utc::now();
    let (from, to) = (now - Duration::days(60), now + Duration::days(365));
    let path = if token.is_some() {
        "/api/v1/staff/agenda"
    } else {
        "/api/v1/public/agenda"
    };
    let mut by_id = BTreeMap::new();
    let mut day: NaiveDate = (from - Duration::days(1)).date_naive();
    while day <= (to + Duration::days(1)).date_naive() {
        let end = day + Duration::days(90);
        let mut q = format!("{path}?from={day}&to={end}");
        if let Some(l) = leader {
            q.push_str(&format!("&leader={l}"));
        }
        for item in s.get(&q, token).await.ok().as_array().unwrap() {
            by_id.insert(item["id"].as_str().unwrap().to_string(), item.clone());
        }
        day = end + Duration::days(1);
    }
    let kept_since = now - Duration::days(30);
    by_id
        .into_values()
        .filter(|i| {
            let starts: DateTime<Utc> = i["starts_at"].as_str().unwrap().parse().unwrap();
            let ends: DateTime<Utc> = i["ends_at"].as_str().unwrap().parse().unwrap();
            let updated: DateTime<Utc> = i["updated_at"].as_str().unwrap().parse().unwrap();
            starts < to && ends > from && !(i["status"] == "cancelled" && updated < kept_since)
        })
        .collect()
}

/// Asserts that the parsed feed holds exactly the API's items, field by field.
/// The leaders' offices in the demo data, as a feed of several leaders names them.
fn leader_title(id: &str) -> &'static str {
    match id {
        "bupati" => "Bupati Klungkung",
        "wakil_bupati" => "Wakil Bupati Klungkung",
        other => panic!("no leader {other}"),
    }
}

/// An event's title without the leader a feed of several leaders puts before it.
fn title_of(event: &Value) -> &str {
    let summary = event["summary"].as_str().unwrap();
    ["Bupati Klungkung: ", "Wakil Bupati Klungkung: "]
        .iter()
        .find_map(|prefix| summary.strip_prefix(prefix))
        .unwrap_or(summary)
}

/// Asserts that the parsed feed holds exactly the API's items, field by field; `combined`: a
/// feed of every leader, whose summaries name the leader first.
fn assert_feed_equals_api(feed: &Value, items: &[Value], staff: bool, who: &str) {
    assert_feed_equals_api_as(feed, items, staff, who, true)
}

fn assert_feed_equals_api_as(
    feed: &Value,
    items: &[Value],
    staff: bool,
    who: &str,
    combined: bool,
) {
    let events = feed["events"].as_array().unwrap();
    let mut by_uid: BTreeMap<String, &Value> = BTreeMap::new();
    for e in events {
        by_uid.insert(e["uid"].as_str().unwrap().to_string(), e);
    }
    assert_eq!(events.len(), by_uid.len(), "{who}: UIDs are unique");
    let expected: Vec<String> = items
        .iter()
        .map(|i| format!("{}@sepiion", i["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        by_uid.keys().cloned().collect::<Vec<_>>(),
        {
            let mut e = expected.clone();
            e.sort();
            e
        },
        "{who}: the feed holds exactly the API's items"
    );
    for item in items {
        let e = by_uid[&format!("{}@sepiion", item["id"].as_str().unwrap())];
        let ctx = format!("{who}: {}", item["title"]);
        let title = item["title"].as_str().unwrap();
        let summary = if combined {
            format!(
                "{}: {title}",
                leader_title(item["leader_id"].as_str().unwrap())
            )
        } else {
            title.to_string()
        };
        assert_eq!(e["summary"], summary, "{ctx}");
        // The dress code is public: in every feed that has the item.
        let dress = item["dress_code"].as_str().unwrap();
        let description = e["description"].as_str().unwrap();
        if dress.is_empty() {
            assert!(!description.contains("Pakaian:"), "{ctx}: {description}");
        } else {
            assert!(
                description.contains(&format!("Pakaian: {dress}")),
                "{ctx}: {description}"
            );
        }
        assert_eq!(e["location"], item["location"], "{ctx}");
        assert_eq!(
            e["start"],
            wita(item["starts_at"].as_str().unwrap()),
            "{ctx}"
        );
        assert_eq!(e["end"], wita(item["ends_at"].as_str().unwrap()), "{ctx}");
        let updated = wita(item["updated_at"].as_str().unwrap());
        assert_eq!(e["last_modified"], updated, "{ctx}");
        assert_eq!(e["dtstamp"], updated, "{ctx}");
        assert_eq!(e["sequence"], item["ical_sequence"], "{ctx}");
        let status = match item["status"].as_str().unwrap() {
            "tentative" => "TENTATIVE",
            "cancelled" => "CANCELLED",
            _ => "CONFIRMED",
        };
        assert_eq!(e["status"], status, "{ctx}");
        // Only public items have a page to open (the portal's `/agenda/{id}`).
        if item["visibility"] == "public" {
            assert!(
                e["url"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("/agenda/{}", item["id"].as_str().unwrap())),
                "{ctx}: {}",
                e["url"]
            );
        } else {
            assert_eq!(e["url"], "", "{ctx}: no address for a non-public item");
        }
        let description = e["description"].as_str().unwrap();
        assert!(
            description.contains(&format!("Kategori: {}", item["category"].as_str().unwrap())),
            "{ctx}: {description}"
        );
        if let Some(internal) = item.get("internal") {
            assert!(staff, "{ctx}: the public API never has internal fields");
            let notes = internal["internal_notes"].as_str().unwrap();
            if !notes.is_empty() {
                assert!(description.contains(notes), "{ctx}: {description}");
            }
            for s in internal["assigned_staff"].as_array().unwrap() {
                assert!(
                    description.contains(s["name"].as_str().unwrap()),
                    "{ctx}: {description}"
                );
            }
        } else {
            assert!(!staff, "{ctx}: staff items carry internal fields");
            for word in [
                "Petugas",
                "Catatan internal",
                "Susunan acara",
                "Peran pimpinan",
            ] {
                assert!(
                    !description.contains(word),
                    "{ctx}: public feed shows {word}"
                );
            }
        }
    }
}

async fn feed_text(s: &TestServer, path: &str) -> String {
    let res = s.http.get(s.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/calendar; charset=utf-8"
    );
    res.text().await.unwrap()
}

const LONG_TITLE: &str = "Rapat Koordinasi Persiapan Pelaksanaan Upacara Peringatan Hari Ulang \
    Tahun Kabupaten Klungkung ke-34, Pawai Budaya; dan Pameran Produk Unggulan Usaha Mikro, Kecil \
    dan Menengah se-Kabupaten";

#[tokio::test]
async fn feeds_hold_what_the_agenda_api_gives_the_same_caller() {
    let s = start().await;
    let admin = s.login("admin").await;
    s.create_item(
        &admin,
        json!({"title": LONG_TITLE, "starts_at": wita_at(3, 9), "ends_at": wita_at(3, 11),
            "location": "Gedung Mahalaya, Jl. Untung Surapati; Semarapura", "category": "rapat",
            "dress_code": "Pakaian dinas harian"}),
    )
    .await;
    s.create_item(
        &admin,
        json!({"title": "Briefing internal staf protokol", "starts_at": wita_at(4, 8),
            "ends_at": wita_at(4, 9), "visibility": "internal", "status": "tentative",
            "internal_notes": "Siapkan daftar hadir, papan nama; dan pengeras suara",
            "assigned_staff": [{"name": "I Ketut Protokol", "duty": "Protokol"}],
            "running_order": "08.00 pembukaan, 08.30 arahan"}),
    )
    .await;
    s.create_item(
        &admin,
        json!({"title": "Pertemuan tertutup dengan investor", "starts_at": wita_at(5, 14),
            "ends_at": wita_at(5, 15), "visibility": "confidential",
            "internal_notes": "Rahasia"}),
    )
    .await;
    s.create_item(
        &admin,
        json!({"title": "Kunjungan kerja Wakil Bupati ke Nusa Penida", "leader_id": "wakil_bupati",
            "starts_at": wita_at(6, 7), "ends_at": wita_at(6, 16), "location": "Nusa Penida",
            "category": "kunjungan"}),
    )
    .await;
    // Outside the window (400 days ahead) and an item cancelled today.
    s.create_item(
        &admin,
        json!({"title": "Agenda tahun depan sekali", "starts_at": wita_at(400, 9),
            "ends_at": wita_at(400, 10)}),
    )
    .await;
    let cancelled = s
        .create_item(
            &admin,
            json!({"title": "Peresmian pasar yang batal", "starts_at": wita_at(8, 9),
            "ends_at": wita_at(8, 10)}),
        )
        .await;
    let id = cancelled["id"].as_str().unwrap();
    s.post(
        &format!("/api/v1/staff/agenda/{id}/cancel"),
        Some(&admin),
        json!({"reason": "Hujan"}),
    )
    .await
    .ok();
    // One cancelled 31 days ago: gone from feeds (its change time is set in the database file,
    // as no clock can be moved through the API).
    let old = s
        .create_item(
            &admin,
            json!({"title": "Lomba layang-layang yang lama batal", "starts_at": wita_at(10, 9),
            "ends_at": wita_at(10, 10)}),
        )
        .await;
    let old_id = old["id"].as_str().unwrap().to_string();
    s.post(
        &format!("/api/v1/staff/agenda/{old_id}/cancel"),
        Some(&admin),
        json!({"reason": "Angin"}),
    )
    .await
    .ok();
    {
        let conn = s.sql();
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .unwrap();
        conn.execute(
            "UPDATE agenda_items SET updated_at = ?2 WHERE id = ?1",
            rusqlite::params![old_id, (Utc::now() - Duration::days(31)).timestamp()],
        )
        .unwrap();
    }

    // The public feed, whole and for one leader.
    let raw = feed_text(&s, "/ics/public.ics").await;
    let feed = parse_ics(&raw);
    let public = api_items(&s, None, None).await;
    assert!(public.len() >= 4, "fixtures are in the public API");
    assert_feed_equals_api(&feed, &public, false, "public");
    let summaries: Vec<&str> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(title_of)
        .collect();
    assert!(summaries.contains(&LONG_TITLE));
    assert!(summaries.contains(&"Peresmian pasar yang batal"));
    for absent in [
        "Agenda tahun depan sekali",
        "Lomba layang-layang yang lama batal",
        "Briefing internal staf protokol",
        "Pertemuan tertutup dengan investor",
    ] {
        assert!(!summaries.contains(&absent), "public feed has {absent}");
    }
    assert_eq!(feed["timezone"], "Asia/Makassar");
    // Text is escaped, and long Indonesian lines are folded at 75 octets.
    assert!(raw.contains("Jl. Untung Surapati\\; Semarapura"), "{raw}");
    assert!(raw.contains("Kabupaten Klungkung ke-34\\,"), "{raw}");
    for line in raw.split("\r\n") {
        assert!(line.len() <= 75, "unfolded line: {line:?}");
    }
    assert!(raw.contains("\r\n "), "long lines are folded");
    assert!(!raw.replace("\r\n", "").contains('\n'), "lines end in CRLF");

    // Every event's URL opens the portal's page of that item, which names it.
    for e in feed["events"].as_array().unwrap() {
        let url = e["url"].as_str().unwrap();
        let path = &url[url.find("/agenda/").expect("a public event has a URL")..];
        let res = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{url}");
        let html = res.text().await.unwrap();
        let title = maud::html! { (title_of(e)) }.into_string();
        assert!(html.contains(&format!(">{title}</h1>")), "{url}: {html}");
    }

    let wakil = parse_ics(&feed_text(&s, "/ics/public.ics?leader=wakil_bupati").await);
    let wakil_api = api_items(&s, None, Some("wakil_bupati")).await;
    assert!(!wakil_api.is_empty());
    assert_feed_equals_api_as(&wakil, &wakil_api, false, "public wakil_bupati", false);

    // Personal feeds: protocol staff (no confidential items) and the Bupati's ajudan (theirs).
    for username in ["protokol", "ajudan.bupati", "admin"] {
        let token = s.login(username).await;
        let made = s
            .post("/api/v1/staff/calendar-feed", Some(&token), json!({}))
            .await
            .ok();
        let url = made["url"].as_str().unwrap();
        let path = &url[url.find("/ics/").unwrap()..];
        let feed = parse_ics(&feed_text(&s, path).await);
        let items = api_items(&s, Some(&token), None).await;
        assert_feed_equals_api(&feed, &items, true, username);
        let summaries: Vec<&str> = feed["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(title_of)
            .collect();
        assert!(summaries.contains(&"Briefing internal staf protokol"));
        assert_eq!(
            summaries.contains(&"Pertemuan tertutup dengan investor"),
            username != "protokol",
            "{username}: confidential items only for admin and the leader's own ajudan"
        );
    }
}

#[tokio::test]
async fn feeds_answer_304_are_gzipped_and_personal_addresses_can_be_renewed_and_revoked() {
    let s = start().await;
    let res = s.http.get(s.url("/ics/public.ics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = s
        .http
        .get(s.url("/ics/public.ics"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
    assert!(res.bytes().await.unwrap().is_empty());
    // A change to the agenda changes the ETag.
    let admin = s.login("admin").await;
    s.create_item(
        &admin,
        json!({"title": "Rapat baru", "starts_at": wita_at(2, 9), "ends_at": wita_at(2, 10)}),
    )
    .await;
    let res = s
        .http
        .get(s.url("/ics/public.ics"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_ne!(res.headers()["etag"].to_str().unwrap(), etag);

    // gzip on the wire when asked for (a client that does not decompress by itself).
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let res = raw
        .get(s.url("/ics/public.ics"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let gzip_tag = res.headers()["etag"].to_str().unwrap().to_string();
    let body = res.bytes().await.unwrap();
    assert_eq!(&body[..2], &[0x1f, 0x8b], "a gzip stream");

    // The plain and the gzip answer are different bytes: each has its own strong ETag, and
    // If-None-Match answers 304 only for the tag of the answer it would send.
    let res = raw.get(s.url("/ics/public.ics")).send().await.unwrap();
    assert!(res.headers().get("content-encoding").is_none());
    let plain_tag = res.headers()["etag"].to_str().unwrap().to_string();
    for tag in [&plain_tag, &gzip_tag] {
        assert!(tag.starts_with('"'), "a strong tag: {tag}");
    }
    assert_ne!(plain_tag, gzip_tag, "one strong tag for two encodings");
    for (encoding, tag, status) in [
        (None, &plain_tag, 304),
        (Some("gzip"), &gzip_tag, 304),
        (Some("gzip"), &plain_tag, 200),
        (None, &gzip_tag, 200),
    ] {
        let mut req = raw
            .get(s.url("/ics/public.ics"))
            .header("if-none-match", tag.as_str());
        if let Some(e) = encoding {
            req = req.header("accept-encoding", e);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), status, "{encoding:?} with {tag}");
        assert_eq!(
            res.headers()["etag"].to_str().unwrap(),
            if encoding.is_some() {
                &gzip_tag
            } else {
                &plain_tag
            }
        );
        assert_eq!(res.headers()["vary"], "accept-encoding");
        if status == 200 {
            let body = res.bytes().await.unwrap();
            assert_eq!(body[..2] == [0x1f, 0x8b], encoding.is_some());
        }
    }

    // Unknown leader, unknown or malformed secrets.
    s.get("/ics/public.ics?leader=raja", None).await.err(404);
    s.get("/ics/staff/spc_0000.ics", None).await.err(404);
    s.get("/ics/staff/nothing", None).await.err(404);

    // Made, shown as active, renewed (the old address dies), revoked by admin.
    let token = s.login("protokol").await;
    let info = s
        .get("/api/v1/staff/calendar-feed", Some(&token))
        .await
        .ok();
    assert_eq!(info["active"], false);
    assert!(
        info["public_url"]
            .as_str()
            .unwrap()
            .ends_with("/ics/public.ics")
    );
    let path = |v: &Value| {
        let url = v["url"].as_str().unwrap().to_string();
        url[url.find("/ics/").unwrap()..].to_string()
    };
    let first = path(
        &s.post("/api/v1/staff/calendar-feed", Some(&token), json!({}))
            .await
            .ok(),
    );
    assert_eq!(
        s.http.get(s.url(&first)).send().await.unwrap().status(),
        200
    );
    let res = s.http.get(s.url(&first)).send().await.unwrap();
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    let info = s
        .get("/api/v1/staff/calendar-feed", Some(&token))
        .await
        .ok();
    assert_eq!(info["active"], true);
    let second = path(
        &s.post("/api/v1/staff/calendar-feed", Some(&token), json!({}))
            .await
            .ok(),
    );
    assert_ne!(first, second);
    s.get(&first, None).await.err(404);
    assert_eq!(
        s.http.get(s.url(&second)).send().await.unwrap().status(),
        200
    );
    let me = s.get("/api/v1/auth/me", Some(&token)).await.ok();
    let uid = me["id"].as_i64().unwrap();
    let res = s
        .send(
            s.http
                .delete(s.url(&format!("/api/v1/admin/users/{uid}/calendar-feed")))
                .bearer_auth(&token),
        )
        .await;
    res.err(403);
    let res = s
        .send(
            s.http
                .delete(s.url(&format!("/api/v1/admin/users/{uid}/calendar-feed")))
                .bearer_auth(&admin),
        )
        .await;
    assert_eq!(res.status, 204);
    s.get(&second, None).await.err(404);
    let info = s
        .get("/api/v1/staff/calendar-feed", Some(&token))
        .await
        .ok();
    assert_eq!(info["active"], false);
    let res = s
        .send(
            s.http
                .delete(s.url(&format!("/api/v1/admin/users/{uid}/calendar-feed")))
                .bearer_auth(&admin),
        )
        .await;
    res.err(404);
}

/// Hostile text stored before free text was validated (or written past the API) cannot bend the
/// public feed: a category or title carrying CR/LF and `END:VEVENT` stays one value of one event,
/// and lines are folded at 75 octets after escaping without splitting a UTF-8 character.
#[tokio::test]
async fn hostile_text_stays_inside_its_value() {
    let s = start().await;
    let admin = s.login("admin").await;
    // New free text with control characters is refused, naming the field, in the API…
    let refused = s
        .post(
            "/api/v1/staff/agenda",
            Some(&admin),
            json!({"leader_id": "bupati", "title": "Rapat", "location": "Kantor Bupati",
                "starts_at": wita_at(3, 9), "ends_at": wita_at(3, 10),
                "category": "Rapat\r\nEND:VEVENT", "visibility": "public",
                "status": "confirmed", "attendance": "in_person"}),
        )
        .await
        .err(422);
    assert!(refused["fields"]["category"].is_string(), "{refused}");
    // …and in a sync push.
    let push = json!({"mutations": [{
        "id": uuid::Uuid::new_v4().to_string(),
        "op": {"type": "create_agenda_item", "item": {
            "id": uuid::Uuid::new_v4().to_string(), "leader_id": "bupati",
            "title": "Rapat\rpalsu", "location": "Kantor Bupati",
            "starts_at": wita_at(3, 9), "ends_at": wita_at(3, 10), "category": "rapat",
            "visibility": "public", "status": "confirmed", "attendance": "in_person"}},
        "base_version": null
    }]});
    let out = s.post("/api/v1/sync/push", Some(&admin), push).await.ok();
    assert_eq!(out["results"][0]["status"], "rejected", "{out}");
    assert!(
        out["results"][0]["error"]["fields"]["title"].is_string(),
        "{out}"
    );

    // What an older server stored: written into the database directly.
    let injected =
        "Rapat\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:palsu@sepiion\r\nSUMMARY:Palsu, ya; \\";
    let title = format!("Judul\rSUMMARY:Palsu {}", "ééé 🎉 Klungkung ".repeat(12));
    let item = s
        .create_item(
            &admin,
            json!({"title": "Sementara", "starts_at": wita_at(3, 9), "ends_at": wita_at(3, 11)}),
        )
        .await;
    let id = item["id"].as_str().unwrap().to_string();
    {
        let conn = rusqlite::Connection::open(s.dir.path().join("sepiion.db")).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .unwrap();
        conn.execute(
            "UPDATE agenda_items SET category = ?2, title = ?3, location = ?4 WHERE id = ?1",
            rusqlite::params![id, injected, title, "Gedung\u{0b}\u{1b}[0m Mahalaya"],
        )
        .unwrap();
    }
    let raw = feed_text(&s, "/ics/public.ics").await;
    for line in raw.as_bytes().split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        assert!(line.len() <= 75, "{:?}", String::from_utf8_lossy(line));
        assert!(
            std::str::from_utf8(line).is_ok(),
            "a character split by folding"
        );
        assert!(!line.contains(&b'\r'), "a bare CR");
    }
    assert!(!raw.contains('\u{1b}') && !raw.contains('\u{0b}'));
    let feed = parse_ics(&raw);
    let events = feed["events"].as_array().unwrap();
    assert!(
        events.iter().all(|e| e["uid"] != "palsu@sepiion"),
        "an event was injected: {feed}"
    );
    let ours: Vec<&Value> = events
        .iter()
        .filter(|e| e["uid"] == format!("{id}@sepiion").as_str())
        .collect();
    assert_eq!(ours.len(), 1, "{feed}");
    assert_eq!(
        ours[0]["categories"],
        json!([injected.replace("\r\n", "\n")]),
        "one category, as stored"
    );
    assert_eq!(title_of(ours[0]), title.replace('\r', "\n"));
}
