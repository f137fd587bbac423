//! The public web portal over real HTTP: pages in both languages with their security headers,
//! the request form (one submission path with the API, errors that keep what was typed, the
//! honeypot, forged cross-site posts), tracking by code, answering staff (the submitting browser
//! and the private answer link act; the code alone reads), and the response cache (ETag → 304,
//! gzip made once, dropped by writes).

mod common;

use common::*;
use reqwest::header::{self, HeaderMap};
use reqwest::multipart::{Form, Part};
use serde_json::json;

/// A browser-like session: no automatic decompression (to see the encoding), cookies by hand.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
}

struct Page {
    status: u16,
    headers: HeaderMap,
    html: String,
}

impl Browser {
    fn new(s: &TestServer) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_gzip()
                .build()
                .unwrap(),
            base: s.base.clone(),
            cookies: Vec::new(),
        }
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = if self.cookies.is_empty() {
            req
        } else {
            req.header(header::COOKIE, self.cookie_header())
        };
        let res = req.send().await.expect("request reaches the server");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let first = v.to_str().unwrap().split(';').next().unwrap();
            let (k, val) = first.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            self.cookies.push((k.to_string(), val.to_string()));
        }
        let html = String::from_utf8_lossy(&res.bytes().await.unwrap()).into_owned();
        Page {
            status,
            headers,
            html,
        }
    }

    async fn get(&mut self, path: &str, lang: &str) -> Page {
        let req = self
            .http
            .get(format!("{}{path}", self.base))
            .header(header::ACCEPT_LANGUAGE, lang);
        self.send(req).await
    }

    async fn post_form(&mut self, form: Form, extra: &[(&str, &str)]) -> Page {
        let mut req = self
            .http
            .post(format!("{}/ajukan", self.base))
            .header(header::ACCEPT_LANGUAGE, "id")
            .multipart(form);
        if !extra.iter().any(|(k, _)| *k == "origin") {
            req = req.header(header::ORIGIN, self.base.clone());
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        self.send(req).await
    }
}

/// The value of a hidden input in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect(name) + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

fn future_date(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .to_string()
}

/// A complete form as a person fills it in (local date and times in WITA).
fn filled(csrf: &str, id: &str, overrides: &[(&str, &str)]) -> Form {
    let date = future_date(12);
    let mut fields: Vec<(&str, String)> = vec![
        ("csrf", csrf.into()),
        ("id", id.into()),
        ("kind", "undangan".into()),
        ("leader_id", "bupati".into()),
        ("title", "Pembukaan Festival Budaya Semarapura".into()),
        (
            "description",
            "Mohon Bapak Bupati berkenan membuka festival budaya.".into(),
        ),
        ("start_date", date),
        ("start_time", "09:00".into()),
        ("end_date", String::new()),
        ("end_time", "11:30".into()),
        ("location", "Lapangan Puputan Klungkung".into()),
        ("organizer", "Dinas Kebudayaan".into()),
        ("leader_role", "membuka acara".into()),
        ("expected_attendees", "1.500".into()),
        ("dress_code", "Pakaian adat madya".into()),
        ("letter_number", "005/12/DISBUD".into()),
        ("requester_name", "Ni Made Sari".into()),
        ("requester_phone", "0812 3456 7890".into()),
        ("requester_email", "sari@contoh.id".into()),
        ("website", String::new()),
    ];
    for (k, v) in overrides {
        match fields.iter_mut().find(|(n, _)| n == k) {
            Some(f) => f.1 = v.to_string(),
            None => fields.push((k, v.to_string())),
        }
    }
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v);
    }
    form
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

fn with_letter(form: Form) -> Form {
    form.part(
        "attachment",
        Part::bytes(PDF.to_vec())
            .file_name("undangan.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    )
}

async fn open_form(b: &mut Browser) -> (String, String) {
    let p = b.get("/ajukan", "id").await;
    assert_eq!(p.status, 200);
    (hidden(&p.html, "csrf"), hidden(&p.html, "id"))
}

/// Requests in the database, counted straight from the SQLite file.
fn request_count(s: &TestServer) -> i64 {
    let conn = s.sql();
    conn.query_row("SELECT COUNT(*) FROM requests", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn every_page_speaks_both_languages_and_carries_the_security_headers() {
    let s = start().await;
    let mut b = Browser::new(&s);
    for (path, id_text, en_text) in [
        ("/", "Jadwal Pimpinan", "The leaders' schedule"),
        ("/ajukan", "Ajukan Permohonan", "Submit a request"),
        ("/lacak", "Lacak Permohonan", "Track a request"),
        ("/tentang", "Catatan privasi", "Privacy note"),
    ] {
        for (lang, text, html_lang) in [("id", id_text, "id"), ("en-GB,en;q=0.9", en_text, "en")] {
            let p = b.get(path, lang).await;
            assert_eq!(p.status, 200, "{path} {lang}");
            assert!(p.html.contains(text), "{path} in {lang} says {text}");
            assert!(p.html.contains(&format!("<html lang=\"{html_lang}\"")));
            let csp = p.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
            assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
            assert!(!csp.contains("unsafe-inline"));
            assert_eq!(p.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(p.headers[header::REFERRER_POLICY], "same-origin");
            assert!(!p.html.contains("<style") && !p.html.contains(" style="));
            assert!(!p.html.contains("<script>"), "no inline script on {path}");
        }
    }
    // The switch link picks the other language and remembers it.
    let p = b.get("/tentang?lang=en", "id").await;
    assert!(p.html.contains("About this service"));
    assert_eq!(b.cookie("sepiion_lang").as_deref(), Some("en"));
    let p = b.get("/lacak", "id").await;
    assert!(p.html.contains("Track a request"));
}

/// A mistyped address in a browser gets the portal's own "not found" page (its language, its
/// security headers, a way back), not the API's JSON; API clients keep the JSON error.
#[tokio::test]
async fn an_unknown_address_is_a_page_for_a_browser_and_json_for_the_api() {
    let s = start().await;
    let html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    for (path, lang, title) in [
        ("/tidak-ada", "id", "Halaman tidak ditemukan"),
        ("/ajukan/salah/alamat", "en", "Page not found"),
    ] {
        let r = s
            .http
            .get(s.url(path))
            .header(header::ACCEPT, html)
            .header(header::ACCEPT_LANGUAGE, lang)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert!(
            r.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let csp = r.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let body = r.text().await.unwrap();
        assert!(body.contains(title), "{path}: {body}");
        assert!(body.contains("href=\"/\""), "a way back: {body}");
    }
    for (path, accept) in [
        ("/api/v1/tidak-ada", html),
        ("/tidak-ada", "application/json"),
    ] {
        let r = s
            .http
            .get(s.url(path))
            .header(header::ACCEPT, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"], "not_found", "{path}: {body}");
    }
}

#[tokio::test]
async fn a_portal_submission_is_an_ordinary_request_with_its_letter() {
    let s = start().await;
    let mut b = Browser::new(&s);
    let (csrf, id) = open_form(&mut b).await;
    let p = b.post_form(with_letter(filled(&csrf, &id, &[])), &[]).await;
    assert_eq!(p.status, 303, "{}", p.html);
    let location = p.headers[header::LOCATION].to_str().unwrap().to_string();
    let code = location
        .strip_prefix("/ajukan/terkirim/")
        .unwrap()
        .to_string();
    // The browser got an anonymous device, in a cookie scripts cannot read.
    let set: Vec<_> = p.headers.get_all(header::SET_COOKIE).iter().collect();
    let device_cookie = set
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("sepiion_device="))
        .expect("device cookie");
    assert!(device_cookie.contains("HttpOnly") && device_cookie.contains("SameSite=Strict"));
    let token = b.cookie("sepiion_device").unwrap();

    // The API sees the same request, bound to that device, with its letter and WITA times.
    let mine = s.get("/api/v1/public/requests", Some(&token)).await.ok();
    let r = &mine[0];
    assert_eq!(r["tracking_code"], code.as_str());
    assert_eq!(r["expected_attendees"], 1500);
    assert_eq!(r["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(r["attachments"][0]["content_type"], "application/pdf");
    let start = chrono::DateTime::parse_from_rfc3339(r["starts_at"].as_str().unwrap()).unwrap();
    assert_eq!(start.format("%H:%M").to_string(), "01:00", "09.00 WITA");

    // The success page shows the code, a WhatsApp link and the (hidden without JS) copy button.
    let p = b.get(&location, "id").await;
    assert_eq!(p.status, 200);
    assert!(p.html.contains(&format!(
        "<p class=\"code\" id=\"code\">{}</p>",
        code_markup(&code)
    )));
    assert!(p.html.contains("https://wa.me/?text="));
    assert!(p.html.contains("data-copy=") && p.html.contains(" hidden "));

    // Sending the same form again (back button) makes no second request.
    let p = b.post_form(with_letter(filled(&csrf, &id, &[])), &[]).await;
    assert_eq!(p.headers[header::LOCATION], location.as_str());
    let mine = s.get("/api/v1/public/requests", Some(&token)).await.ok();
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn errors_show_beside_their_fields_and_nothing_typed_is_lost() {
    let s = start().await;
    let before = request_count(&s);
    let mut b = Browser::new(&s);
    let (csrf, id) = open_form(&mut b).await;
    let form = filled(
        &csrf,
        &id,
        &[
            ("description", "pendek"),
            ("requester_phone", "12345"),
            ("end_time", "08:00"),
            ("title", "Malam Seni <Klungkung> & \"Kawan\""),
        ],
    );
    let p = b.post_form(with_letter(form), &[]).await;
    assert_eq!(p.status, 422);
    // The summary at the top links to each field; each field carries its own message.
    assert!(p.html.contains("role=\"alert\""));
    assert!(p.html.contains("href=\"#description\""));
    assert!(p.html.contains("href=\"#requester_phone\""));
    assert!(p.html.contains("href=\"#end_time\""));
    assert!(p.html.contains("id=\"description-error\""));
    assert!(
        p.html
            .contains("Terlalu pendek (paling sedikit 10 karakter).")
    );
    assert!(p.html.contains("Waktu selesai harus setelah waktu mulai."));
    assert!(p.html.contains(
        "aria-invalid=\"true\" aria-describedby=\"requester_phone-error requester_phone-hint\""
    ));
    // What was typed comes back, escaped.
    assert!(
        p.html
            .contains("value=\"Malam Seni &lt;Klungkung&gt; &amp; &quot;Kawan&quot;\"")
    );
    assert!(p.html.contains(">pendek</textarea>"));
    assert!(p.html.contains("value=\"Dinas Kebudayaan\""));
    assert!(p.html.contains("value=\"12345\""));
    assert!(p.html.contains("<option value=\"bupati\" selected>"));
    // A chosen file cannot be put back into a file input: the page says so.
    assert!(p.html.contains("id=\"attachment-again\""));
    // The same submission id stays, so fixing and resending makes one request.
    assert_eq!(hidden(&p.html, "id"), id);
    assert_eq!(request_count(&s), before);

    // In English when the browser prefers it.
    let req = b
        .http
        .post(format!("{}/ajukan", b.base))
        .header(header::ACCEPT_LANGUAGE, "en")
        .header(header::ORIGIN, b.base.clone())
        .header(header::COOKIE, b.cookie_header())
        .multipart(filled(&csrf, &id, &[("description", "short")]));
    let p = b.send(req).await;
    assert_eq!(p.status, 422);
    assert!(p.html.contains("Too short (at least 10 characters)."));

    let p = b
        .post_form(filled(&csrf, &id, &[("start_date", "besok")]), &[])
        .await;
    assert_eq!(p.status, 422);
    assert!(p.html.contains("href=\"#start_date\""));
    assert!(p.html.contains("value=\"besok\""));

    // A control character in a one-line field (a forged post: browsers send none) is refused
    // with the field named, like in the API and sync push.
    let p = b
        .post_form(
            filled(&csrf, &id, &[("title", "Festival\rBudaya Semarapura")]),
            &[],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.html.contains("href=\"#title\""), "{}", p.html);
    assert!(p.html.contains("karakter kontrol"), "{}", p.html);
}

#[tokio::test]
async fn the_honeypot_and_forged_posts_submit_nothing() {
    let s = start().await;
    let before = request_count(&s);
    let mut b = Browser::new(&s);
    let (csrf, id) = open_form(&mut b).await;

    let p = b
        .post_form(
            filled(&csrf, &id, &[("website", "http://spam.example")]),
            &[],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(b.cookie("sepiion_device").is_none());

    // Another site's page posting into the form.
    let p = b
        .post_form(
            filled(&csrf, &id, &[]),
            &[("origin", "http://evil.example")],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(
        p.html
            .contains("value=\"Pembukaan Festival Budaya Semarapura\"")
    );
    let (csrf, _) = open_form(&mut b).await;
    let p = b
        .post_form(filled(&csrf, &id, &[]), &[("sec-fetch-site", "cross-site")])
        .await;
    assert_eq!(p.status, 403);
    // A wrong form token, and no form cookie at all.
    let (_, _) = open_form(&mut b).await;
    let p = b.post_form(filled(&"0".repeat(48), &id, &[]), &[]).await;
    assert_eq!(p.status, 403);
    let mut stranger = Browser::new(&s);
    let p = stranger.post_form(filled(&csrf, &id, &[]), &[]).await;
    assert_eq!(p.status, 403);
    assert_eq!(request_count(&s), before);

    // The form cookie is HttpOnly and SameSite=Strict.
    let mut fresh = Browser::new(&s);
    let p = fresh.get("/ajukan", "id").await;
    let c = p.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        c.starts_with("sepiion_form=") && c.contains("HttpOnly") && c.contains("SameSite=Strict")
    );
    // A peer that is not a trusted proxy cannot claim HTTPS…
    let req = fresh
        .http
        .get(format!("{}/ajukan", fresh.base))
        .header("x-forwarded-proto", "https");
    let p = Browser::new(&s).send(req).await;
    assert!(
        !p.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
    // …behind a trusted TLS proxy the cookies are Secure.
    let behind = start_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1/32".into()];
        c.public_url = Some("http://127.0.0.1".into());
    })
    .await;
    let b = Browser::new(&behind);
    let req = b
        .http
        .get(format!("{}/ajukan", b.base))
        .header("x-forwarded-proto", "https");
    let p = Browser::new(&behind).send(req).await;
    assert!(
        p.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
}

#[tokio::test]
async fn lacak_finds_a_request_by_code_however_it_is_typed() {
    let s = start().await;
    let device = s.device().await;
    let r = s.submit(&device, json!({})).await;
    let code = r["tracking_code"].as_str().unwrap().to_string();
    let mut b = Browser::new(&s);
    let typed = code.to_lowercase().replace('-', " ");
    let p = b
        .get(&format!("/lacak?code={}", typed.replace(' ', "+")), "id")
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(
        p.headers[header::LOCATION],
        format!("/lacak/{code}").as_str()
    );
    let p = b
        .get(
            &format!("/lacak/{}", code.to_lowercase().replace('-', "")),
            "id",
        )
        .await;
    assert_eq!(p.status, 200);
    assert!(p.html.contains("Diajukan"));
    assert!(p.html.contains("Pembukaan Pesta Kesenian Desa Kamasan"));
    // The public view carries no contact data.
    assert!(!p.html.contains("081234567890") && !p.html.contains("sari@contoh.id"));
    let p = b.get("/lacak/ZZZZ-ZZZZ-ZZZZ", "en").await;
    assert_eq!(p.status, 404);
    let p = b.get("/lacak?code=%21%21", "en").await;
    assert_eq!(p.status, 422);
    assert!(p.html.contains("value=\"!!\""));
    assert!(p.html.contains("not a valid tracking code"));
}

#[tokio::test]
async fn public_reads_answer_304_until_a_write_changes_them() {
    let s = start().await;
    let b = Browser::new(&s);
    // Far beyond the demo's agenda: the day starts empty.
    let from = future_date(300);
    let agenda = format!("/api/v1/public/agenda?from={from}&to={from}");
    let get = |path: String, etag: Option<String>, gzip: bool| {
        let mut req = b.http.get(format!("{}{path}", b.base));
        if let Some(e) = etag {
            req = req.header(header::IF_NONE_MATCH, e);
        }
        if gzip {
            req = req.header(header::ACCEPT_ENCODING, "gzip");
        }
        req.send()
    };
    let first = get(agenda.clone(), None, true).await.unwrap();
    assert_eq!(first.status(), 200);
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_string();
    let again = get(agenda.clone(), Some(etag.clone()), true).await.unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let plain = get(agenda.clone(), None, false).await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.json::<serde_json::Value>().await.unwrap(), json!([]));

    // The Jadwal page is cached the same way.
    let page = format!("/?view=day&date={from}");
    let p = get(page.clone(), None, true).await.unwrap();
    assert_eq!(p.headers()[header::CONTENT_ENCODING], "gzip");
    let page_tag = p.headers()[header::ETAG].to_str().unwrap().to_string();
    assert!(p.bytes().await.unwrap().len() < 30 * 1024);
    assert_eq!(
        get(page.clone(), Some(page_tag.clone()), true)
            .await
            .unwrap()
            .status(),
        304
    );

    // Staff add a public item that day: both answers change at once.
    let agenda_staff = s.login("agenda").await;
    s.post(
        "/api/v1/staff/agenda",
        Some(&agenda_staff),
        json!({
            "leader_id": "bupati",
            "title": "Peresmian Pasar Seni",
            "starts_at": format!("{from}T02:00:00Z"),
            "ends_at": format!("{from}T03:00:00Z"),
            "location": "Pasar Seni Semarapura",
            "category": "Seremonial",
            "visibility": "public",
            "status": "confirmed",
            "attendance": "in_person",
            "dress_code": ""
        }),
    )
    .await
    .ok();
    let after = get(agenda.clone(), Some(etag.clone()), false)
        .await
        .unwrap();
    assert_eq!(after.status(), 200);
    assert_ne!(after.headers()[header::ETAG].to_str().unwrap(), etag);
    let items = after.json::<serde_json::Value>().await.unwrap();
    let zipped = get(agenda.clone(), None, true).await.unwrap();
    assert_eq!(zipped.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["title"], "Peresmian Pasar Seni");
    let p = get(page, Some(page_tag), false).await.unwrap();
    assert_eq!(p.status(), 200);
    assert!(p.text().await.unwrap().contains("Peresmian Pasar Seni"));
}

#[tokio::test]
async fn every_portal_page_is_under_30_kb_compressed() {
    let s = start().await;
    let b = Browser::new(&s);
    for path in [
        "/",
        "/?view=day",
        "/ajukan",
        "/lacak",
        "/tentang",
        "/static/portal.css",
    ] {
        let res = b
            .http
            .get(format!("{}{path}", b.base))
            .header(header::ACCEPT_ENCODING, "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let size = res.bytes().await.unwrap().len();
        assert!(size < 30 * 1024, "{path}: {size} bytes");
    }
}

#[tokio::test]
async fn an_agenda_item_page_shows_a_public_item_and_hides_every_other() {
    let s = start().await;
    let admin = s.login("admin").await;
    let mut ids = Vec::new();
    for (title, visibility) in [
        ("Peresmian Pasar Seni Semarapura", "public"),
        ("Rapat internal kepegawaian", "internal"),
        ("Pertemuan rahasia investor", "confidential"),
    ] {
        let made = s
            .post(
                "/api/v1/staff/agenda",
                Some(&admin),
                json!({"leader_id": "wakil_bupati", "title": title,
                    "starts_at": wita_at(2, 9), "ends_at": wita_at(2, 11),
                    "location": "Pasar Seni, Semarapura", "category": "peresmian",
                    "visibility": visibility, "status": "confirmed",
                    "attendance": "represented", "representative": "Sekretaris Daerah",
                    "dress_code": "Pakaian adat madya", "internal_notes": "CATATAN-DALAM"}),
            )
            .await
            .ok();
        ids.push(made["item"]["id"].as_str().unwrap().to_string());
    }
    let mut b = Browser::new(&s);
    let day = chrono::NaiveDate::parse_from_str(&wita_at(2, 9)[..10], "%Y-%m-%d").unwrap();
    let p = b.get(&format!("/agenda/{}", ids[0]), "id").await;
    assert_eq!(p.status, 200);
    for want in [
        ">Peresmian Pasar Seni Semarapura</h1>",
        &sepiion_core::time::date(day, sepiion_core::i18n::Lang::Id),
        "09.00–11.00 WITA",
        "Pasar Seni, Semarapura",
        "Wakil Bupati",
        "Sekretaris Daerah",
        "Pakaian adat madya",
        &format!("/?view=day&amp;date={day}"),
    ] {
        assert!(p.html.contains(want), "{want} missing: {}", p.html);
    }
    assert!(!p.html.contains("CATATAN-DALAM"));
    let csp = p.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(!csp.contains("unsafe-inline"));
    assert!(!p.html.contains("<style") && !p.html.contains("<script>"));
    let p = b.get(&format!("/agenda/{}", ids[0]), "en").await;
    assert!(p.html.contains("09:00–11:00 WITA") && p.html.contains("Place"));

    // Internal, confidential and unknown ids get one and the same "not found" page.
    let unknown = b.get("/agenda/tidak-ada", "id").await;
    assert_eq!(unknown.status, 404);
    for id in &ids[1..] {
        let p = b.get(&format!("/agenda/{id}"), "id").await;
        assert_eq!(p.status, 404, "{id}");
        assert_eq!(p.html, unknown.html, "a hidden item looks like no item");
    }
}

#[tokio::test]
async fn the_schedule_links_to_the_day_sheet_and_the_calendar_feed_of_what_it_shows() {
    let s = start().await;
    let admin = s.login("admin").await;
    s.post(
        "/api/v1/staff/agenda",
        Some(&admin),
        json!({"leader_id": "bupati", "title": "Penyerahan Bantuan Bedah Rumah",
            "starts_at": wita_at(3, 9), "ends_at": wita_at(3, 10),
            "location": "Desa Tihingan", "category": "kunjungan",
            "visibility": "public", "status": "confirmed", "attendance": "in_person",
            "dress_code": ""}),
    )
    .await
    .ok();
    let day = &wita_at(3, 9)[..10];
    let mut b = Browser::new(&s);
    let page = b
        .get(&format!("/?view=day&date={day}&leader=bupati"), "id")
        .await;
    let sheet_pdf =
        format!("/api/v1/public/agenda/sheet?date={day}&amp;format=pdf&amp;leader=bupati");
    let sheet_png =
        format!("/api/v1/public/agenda/sheet?date={day}&amp;format=png&amp;leader=bupati");
    let feed = "/ics/public.ics?leader=bupati";
    for link in [&sheet_pdf, &sheet_png, feed] {
        assert!(
            page.html.contains(&format!("href=\"{link}\"")),
            "{link}: {}",
            page.html
        );
    }
    // Each link answers with the document it names, holding the day's item.
    let open = |path: &str| {
        let url = format!("{}{}", s.base, path.replace("&amp;", "&"));
        async move { reqwest::get(url).await.unwrap() }
    };
    let pdf = open(&sheet_pdf).await;
    assert_eq!(pdf.headers()[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let png = open(&sheet_png).await;
    assert_eq!(png.headers()[header::CONTENT_TYPE], "image/png");
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let ics = open(feed).await.text().await.unwrap();
    assert!(ics.contains("Penyerahan Bantuan Bedah Rumah"), "{ics}");
    // A week shows no day sheet (it is one day's page), only the feed; both languages.
    let week = b.get(&format!("/?view=week&date={day}"), "en").await;
    assert!(!week.html.contains("/api/v1/public/agenda/sheet"));
    assert!(
        week.html.contains("href=\"/ics/public.ics\"")
            && week.html.contains("Subscribe in your calendar")
    );
}

/// The tracking code as the pages write it: each group with its dash unbreakable, a line break
/// allowed only after a dash.
fn code_markup(code: &str) -> String {
    let groups: Vec<&str> = code.split('-').collect();
    let last = groups.len() - 1;
    groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            if i < last {
                format!("<span class=\"code-group\">{g}-</span><wbr>")
            } else {
                format!("<span class=\"code-group\">{g}</span>")
            }
        })
        .collect()
}

#[tokio::test]
async fn the_tracking_code_may_break_only_after_a_dash_on_every_page_that_shows_it() {
    let s = start().await;
    let mut b = Browser::new(&s);
    let (csrf, id) = open_form(&mut b).await;
    let p = b.post_form(filled(&csrf, &id, &[]), &[]).await;
    assert_eq!(p.status, 303, "{}", p.html);
    let location = p.headers[header::LOCATION].to_str().unwrap().to_string();
    let code = location.rsplit('/').next().unwrap().to_string();
    assert_eq!(code.matches('-').count(), 2, "{code}");
    let groups = code_markup(&code);
    let sent = b.get(&location, "id").await;
    assert!(sent.html.contains(&groups), "{}", sent.html);
    // The tracking page (the submitting browser) and a reader's view of it.
    let tracked = b.get(&format!("/lacak/{code}"), "id").await;
    assert!(tracked.html.contains(&groups), "{}", tracked.html);
    let reader = Browser::new(&s).get(&format!("/lacak/{code}"), "en").await;
    assert!(reader.html.contains(&groups), "{}", reader.html);
    // The stylesheet keeps a group whole and lets `hidden` hide the copy button.
    let css = b.get("/static/portal.css", "id").await.html;
    assert!(css.contains(".code-group { white-space: nowrap; }"));
    assert!(css.contains("[hidden] { display: none !important; }"));
    assert!(!css.contains("break-all"));
}

#[tokio::test]
async fn the_schedule_says_today_only_for_today_and_marks_today_in_the_week() {
    let s = start().await;
    let mut b = Browser::new(&s);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Makassar)
        .date_naive();
    let other = today + chrono::Duration::days(3);
    let p = b.get(&format!("/?view=day&date={today}"), "id").await;
    assert!(
        p.html
            .contains("Agenda Harian hari ini (PDF, untuk dicetak)"),
        "{}",
        p.html
    );
    assert!(
        p.html
            .contains("Agenda Harian hari ini (gambar PNG, untuk WhatsApp)")
    );
    let p = b.get(&format!("/?view=day&date={other}"), "id").await;
    assert!(
        !p.html.contains("hari ini ("),
        "another day is not today: {}",
        p.html
    );
    let words = sepiion_core::time::date(other, sepiion_core::i18n::Lang::Id);
    assert!(
        p.html
            .contains(&format!("Agenda Harian {words} (PDF, untuk dicetak)")),
        "{words}: {}",
        p.html
    );
    let p = b.get(&format!("/?view=day&date={other}"), "en").await;
    let words = sepiion_core::time::date(other, sepiion_core::i18n::Lang::En);
    assert!(p.html.contains(&format!(
        "Daily agenda sheet for {words} (PDF, for printing)"
    )));
    // The week marks today, and only today.
    let p = b.get(&format!("/?view=week&date={today}"), "id").await;
    assert_eq!(
        p.html.matches("aria-current=\"date\"").count(),
        1,
        "{}",
        p.html
    );
    let marked = &p.html[p.html.find("aria-current=\"date\"").unwrap()..];
    let words = sepiion_core::time::date(today, sepiion_core::i18n::Lang::Id);
    assert!(marked[..marked.find("</h3>").unwrap()].contains(&words));
    assert!(p.html.contains("class=\"day today\""));
    // A week that does not hold today marks nothing.
    let p = b
        .get(
            &format!("/?view=week&date={}", today + chrono::Duration::days(14)),
            "id",
        )
        .await;
    assert!(!p.html.contains("aria-current=\"date\""));
    // The filters fold into one line saying what is shown.
    let p = b.get("/?view=week&leader=bupati", "id").await;
    assert!(
        p.html
            .contains("<summary>Tampilan: Minggu · Bupati Klungkung</summary>"),
        "{}",
        p.html
    );
}

/// The error summary's lines: (field, label, message), from "<a href=\"#field\">label: message</a>".
fn summary_lines(html: &str) -> Vec<(String, String, String)> {
    let start = html.find("id=\"errors\"").expect("an error summary");
    let end = start + html[start..].find("</ul>").unwrap();
    html[start..end]
        .split("<li><a href=\"#")
        .skip(1)
        .map(|li| {
            let (field, rest) = li.split_once("\">").unwrap();
            let text = &rest[..rest.find("</a>").unwrap()];
            let (label, msg) = text.split_once(": ").unwrap();
            (field.to_string(), label.to_string(), msg.to_string())
        })
        .collect()
}

#[tokio::test]
async fn error_texts_say_what_is_wrong_once_without_repeating_their_label() {
    let s = start().await;
    let mut b = Browser::new(&s);
    let (csrf, id) = open_form(&mut b).await;
    // The form as it opens (times pre-filled), sent without a date, with other mistakes.
    let p = b
        .post_form(
            filled(
                &csrf,
                &id,
                &[
                    ("start_date", ""),
                    ("expected_attendees", "0"),
                    ("requester_phone", "123"),
                    ("requester_email", "bukan-alamat"),
                ],
            ),
            &[],
        )
        .await;
    assert_eq!(p.status, 422);
    let lines = summary_lines(&p.html);
    let fields: Vec<&str> = lines.iter().map(|(f, _, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "expected_attendees",
            "start_date",
            "requester_phone",
            "requester_email"
        ],
        "the pre-filled end time gets no error: {lines:?}"
    );
    assert!(!p.html.contains("id=\"end_time-error\""));
    let start_date = lines.iter().find(|(f, _, _)| f == "start_date").unwrap();
    assert_eq!(
        start_date.2, "Wajib diisi.",
        "an empty date is required, not a format lesson"
    );
    assert!(
        p.html
            .contains("Perkiraan jumlah peserta: Isi angka antara 1 dan 100.000.")
    );
    for (field, label, msg) in &lines {
        assert!(
            !msg.to_lowercase().contains(&label.to_lowercase()),
            "{field}: \"{label}: {msg}\" says its label twice"
        );
    }
}

/// A post of the request form to `path` (e.g. the language switch's `/ajukan?lang=en`).
async fn post_form_to(b: &mut Browser, path: &str, form: Form) -> Page {
    let req = b
        .http
        .post(format!("{}{path}", b.base))
        .header(header::ACCEPT_LANGUAGE, "id")
        .header(header::ORIGIN, b.base.clone())
        .multipart(form);
    b.send(req).await
}

#[tokio::test]
async fn switching_language_on_ajukan_keeps_everything_typed_and_submits_nothing() {
    let s = start().await;
    let before = request_count(&s);
    let mut b = Browser::new(&s);
    let p = b.get("/ajukan", "id").await;
    // The switch is a button of the form, sending it to the other language's address.
    assert!(
        p.html.contains(
            "<button class=\"lang\" type=\"submit\" form=\"ajukan-form\" name=\"switch_lang\" value=\"1\" formaction=\"/ajukan?lang=en\""
        ),
        "{}",
        p.html
    );
    assert!(p.html.contains("<form id=\"ajukan-form\""));
    let (csrf, id) = (hidden(&p.html, "csrf"), hidden(&p.html, "id"));
    let typed = [
        ("title", "Malam Seni <Klungkung> & \"Kawan\""),
        ("description", "pendek"),
        ("organizer", "Sekaa Gong Kebyar Dharma Santhi"),
    ];
    let mut with_switch: Vec<(&str, &str)> = typed.to_vec();
    with_switch.push(("switch_lang", "1"));
    let p = post_form_to(
        &mut b,
        "/ajukan?lang=en",
        with_letter(filled(&csrf, &id, &with_switch)),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.html.contains("<html lang=\"en\""));
    assert!(p.html.contains("Submit a request"));
    assert_eq!(b.cookie("sepiion_lang").as_deref(), Some("en"));
    assert!(
        p.html
            .contains("value=\"Malam Seni &lt;Klungkung&gt; &amp; &quot;Kawan&quot;\"")
    );
    assert!(p.html.contains(">pendek</textarea>"));
    assert!(p.html.contains("value=\"Sekaa Gong Kebyar Dharma Santhi\""));
    assert!(p.html.contains("value=\"sari@contoh.id\""));
    assert!(p.html.contains("<option value=\"bupati\" selected>"));
    assert!(
        p.html.contains("id=\"attachment-again\""),
        "the chosen file must be chosen again"
    );
    // Not sent, and no errors: the person has not asked to send yet.
    assert!(!p.html.contains("id=\"errors\""));
    assert_eq!(hidden(&p.html, "id"), id);
    assert_eq!(request_count(&s), before);
    // Back, after a failed submit: the errors come again, in the chosen language.
    let p = b.post_form(filled(&csrf, &id, &typed), &[]).await;
    assert_eq!(p.status, 422);
    assert_eq!(hidden(&p.html, "checked"), "1");
    let mut again: Vec<(&str, &str)> = typed.to_vec();
    again.extend([("switch_lang", "1"), ("checked", "1")]);
    let p = post_form_to(&mut b, "/ajukan?lang=en", filled(&csrf, &id, &again)).await;
    assert_eq!(p.status, 200);
    assert!(
        p.html.contains("Too short (at least 10 characters)."),
        "{}",
        p.html
    );
    assert!(p.html.contains(">pendek</textarea>"));
    let p = post_form_to(&mut b, "/ajukan?lang=id", filled(&csrf, &id, &again)).await;
    assert!(p.html.contains("<html lang=\"id\""));
    assert!(
        p.html
            .contains("Terlalu pendek (paling sedikit 10 karakter).")
    );
    assert!(p.html.contains("value=\"Sekaa Gong Kebyar Dharma Santhi\""));
    assert_eq!(request_count(&s), before);
}

/// An answer post from the page at `path` (the tracking page or an answer link).
async fn post_answer(b: &mut Browser, path: &str, form: Form) -> Page {
    let req = b
        .http
        .post(format!("{}{path}", b.base))
        .header(header::ACCEPT_LANGUAGE, "id")
        .header(header::ORIGIN, b.base.clone())
        .multipart(form);
    b.send(req).await
}

fn answer_form(csrf: &str, fields: &[(&str, &str)]) -> Form {
    let mut form = Form::new().text("csrf", csrf.to_string());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form
}

/// The request as staff see it.
async fn staff_view(s: &TestServer, token: &str, id: &str) -> serde_json::Value {
    s.get(&format!("/api/v1/staff/requests/{id}"), Some(token))
        .await
        .ok()["request"]
        .clone()
}

#[tokio::test]
async fn the_requester_answers_through_the_browser_or_the_answer_link_and_the_code_only_reads() {
    let s = start().await;
    let mut submitter = Browser::new(&s);
    let (csrf, id) = open_form(&mut submitter).await;
    let p = submitter
        .post_form(with_letter(filled(&csrf, &id, &[])), &[])
        .await;
    assert_eq!(p.status, 303, "{}", p.html);
    let sent = p.headers[header::LOCATION].to_str().unwrap().to_string();
    let code = sent.strip_prefix("/ajukan/terkirim/").unwrap().to_string();

    // The "sent" page hands over the private answer link (and a WhatsApp message with it).
    let p = submitter.get(&sent, "id").await;
    let start = p
        .html
        .find("/jawab/")
        .expect("the sent page shows the answer link");
    let secret: String = p.html[start + 7..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(secret.len(), 64);
    let link = format!("/jawab/{secret}");
    assert!(p.html.contains("Tautan jawaban pribadi"));
    // Only its hash is stored.
    let conn = rusqlite::Connection::open(s.dir.path().join("sepiion.db")).unwrap();
    let stored: String = conn
        .query_row("SELECT secret_hash FROM answer_links", [], |r| r.get(0))
        .unwrap();
    assert_ne!(stored, secret);
    // The receipt carries the link to the requester (by e-mail/WhatsApp also to an address not
    // yet confirmed: beside the tracking code it is the one thing an unconfirmed one hears).
    let event: String = conn
        .query_row(
            "SELECT event FROM notify_events WHERE event LIKE '%\"submitted\"%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        event.contains(&format!("{}/jawab/{secret}", s.base)),
        "{event}"
    );

    // Staff propose another time.
    let token = submitter.cookie("sepiion_device").unwrap();
    let mine = s.get("/api/v1/public/requests", Some(&token)).await.ok();
    let rid = mine[0]["id"].as_str().unwrap().to_string();
    let protokol = s.login("protokol").await;
    s.transition(&protokol, &rid, json!({"action": "start_review"}))
        .await
        .ok();
    s.transition(
        &protokol,
        &rid,
        json!({"action": "propose_time", "proposed_starts_at": wita_at(14, 9),
               "proposed_ends_at": wita_at(14, 11), "reason": "Pagi hari pimpinan rapat."}),
    )
    .await
    .ok();

    // Someone who only knows the code reads, is told how to answer, and cannot act.
    let mut stranger = Browser::new(&s);
    let p = stranger.get(&format!("/lacak/{code}"), "id").await;
    assert_eq!(p.status, 200);
    assert!(
        p.html.contains("Usul waktu lain") || p.html.contains("usul"),
        "{}",
        p.html
    );
    assert!(p.html.contains("tautan jawaban pribadi"));
    assert!(
        !p.html.contains("name=\"action\""),
        "no answer forms for the code alone"
    );
    let p = stranger.get("/ajukan", "id").await;
    let stranger_csrf = hidden(&p.html, "csrf");
    let p = post_answer(
        &mut stranger,
        &format!("/lacak/{code}"),
        answer_form(&stranger_csrf, &[("action", "accept")]),
    )
    .await;
    assert_eq!(p.status, 403);
    assert_eq!(
        staff_view(&s, &protokol, &rid).await["state"],
        "time_proposed"
    );

    // The holder of the link, in another browser, accepts the proposal.
    let mut holder = Browser::new(&s);
    let p = holder.get(&link, "id").await;
    assert_eq!(p.status, 200);
    assert!(p.html.contains("Terima usulan waktu") && p.html.contains("Tolak usulan waktu"));
    // A post without the form's token does nothing; the page it gets back has a fresh token.
    let p = post_answer(
        &mut holder,
        &link,
        answer_form("x", &[("action", "accept")]),
    )
    .await;
    assert_eq!(p.status, 403);
    assert_eq!(
        staff_view(&s, &protokol, &rid).await["state"],
        "time_proposed"
    );
    let holder_csrf = hidden(&p.html, "csrf");
    let p = post_answer(
        &mut holder,
        &link,
        answer_form(&holder_csrf, &[("action", "accept")]),
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.html);
    let back = p.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(back, format!("{link}?selesai=accept#jawaban"));
    let p = holder.get(&back, "id").await;
    assert!(p.html.contains("Usulan waktu diterima."));
    assert!(p.html.contains("role=\"status\""));
    let r = staff_view(&s, &protokol, &rid).await;
    assert_eq!(r["state"], "in_review");
    assert_eq!(r["starts_at"], wita_at(14, 9).as_str());

    // Staff ask for more; the holder supplies it with a new letter — once, however often sent.
    s.transition(
        &protokol,
        &rid,
        json!({"action": "request_info", "reason": "Mohon lampirkan susunan acara."}),
    )
    .await
    .ok();
    let p = holder.get(&link, "id").await;
    assert!(p.html.contains("Kirim kelengkapan"));
    let attachment_id = hidden(&p.html, "attachment_id");
    // Empty information is refused beside its field; nothing is stored.
    let p = post_answer(
        &mut holder,
        &link,
        answer_form(
            &holder_csrf,
            &[
                ("action", "info"),
                ("info", " "),
                ("attachment_id", &attachment_id),
            ],
        ),
    )
    .await;
    assert_eq!(p.status, 422, "{}", p.html);
    assert!(p.html.contains("id=\"info-error\""));
    let info_form = || {
        with_letter(answer_form(
            &holder_csrf,
            &[
                ("action", "info"),
                ("from", "needs_info"),
                ("info", "Susunan acara terlampir."),
                ("attachment_id", &attachment_id),
            ],
        ))
    };
    let p = post_answer(&mut holder, &link, info_form()).await;
    assert_eq!(p.status, 303, "{}", p.html);
    let p = holder.get(&format!("{link}?selesai=info"), "id").await;
    assert!(p.html.contains("Kelengkapan terkirim."));
    let again = post_answer(&mut holder, &link, info_form()).await;
    assert_eq!(
        again.status, 303,
        "a second tap shows the same confirmation"
    );
    assert_eq!(
        again.headers[header::LOCATION],
        format!("{link}?selesai=info#jawaban").as_str()
    );
    let r = staff_view(&s, &protokol, &rid).await;
    assert_eq!(r["state"], "in_review");
    assert_eq!(r["attachments"].as_array().unwrap().len(), 2);

    // The submitting browser cancels on the tracking page: asked once, then done.
    let p = submitter.get(&format!("/lacak/{code}"), "id").await;
    assert!(p.html.contains("Batalkan permohonan"));
    let own_csrf = hidden(&p.html, "csrf");
    let path = format!("/lacak/{code}");
    let p = post_answer(
        &mut submitter,
        &path,
        answer_form(
            &own_csrf,
            &[("action", "cancel"), ("reason", "Acara ditunda.")],
        ),
    )
    .await;
    assert_eq!(p.status, 200);
    assert!(p.html.contains("Batalkan permohonan ini?"));
    assert!(p.html.contains("tidak dapat diurungkan"));
    assert_eq!(hidden(&p.html, "reason"), "Acara ditunda.");
    assert_eq!(staff_view(&s, &protokol, &rid).await["state"], "in_review");
    let p = post_answer(
        &mut submitter,
        &path,
        answer_form(
            &own_csrf,
            &[
                ("action", "cancel"),
                ("reason", "Acara ditunda."),
                ("confirm", "yes"),
            ],
        ),
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.html);
    let r = staff_view(&s, &protokol, &rid).await;
    assert_eq!(r["state"], "cancelled");
    assert_eq!(r["state_reason"], "Acara ditunda.");

    // An unknown link is a plain 404 page.
    let p = holder
        .get(&format!("/jawab/{}", "0".repeat(64)), "id")
        .await;
    assert_eq!(p.status, 404);
    assert!(p.html.contains("Tautan jawaban tidak dikenal"));
}
