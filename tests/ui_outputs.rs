//! The office's outputs in the apps: calendar subscription (public Jadwal, staff personal feed),
//! "Bagikan agenda" (wa.me text), the Laporan screen (tables with SVG bars) — rendered from a real
//! local store — and the engine's calls for them against the real server.

mod common;

use common::ui::{leader, render, sign_in, store_with, today_at};

use std::sync::Arc;

use chrono::{Duration, Utc};
use chrono_tz::Asia::Makassar;
use dioxus::prelude::*;
use sepiion::platform::Variant;
use sepiion::ui::internal::reports::ReportView;
use sepiion::ui::internal::share::agenda_text;
use sepiion::ui::shell::Route;
use sepiion::ui::{self, Launch};
use sepiion_core::model::*;
use sepiion_core::phone::wa_me_share;
use sepiion_core::report::{
    Count, LeaderAgendaReport, MonthlyReport, RequestReport, ResponseTimes,
};
use sepiion_core::sync::Record;
use sepiion_core::validation::Lang;

fn item(
    id: &str,
    title: &str,
    hour: i64,
    visibility: Visibility,
    status: AgendaStatus,
) -> AgendaItem {
    AgendaItem {
        id: id.into(),
        leader_id: "bupati".into(),
        title: title.into(),
        starts_at: today_at(hour),
        ends_at: today_at(hour + 1),
        location: "Gedung Mahudara Mandala Giri".into(),
        category: "Rapat".into(),
        visibility,
        status,
        attendance: Attendance::InPerson,
        representative: None,
        dress_code: String::new(),
        internal: Some(AgendaInternal::default()),
        ical_sequence: 0,
        updated_at: Utc::now(),
        version: 1,
    }
}

#[test]
fn the_public_schedule_offers_the_calendar_feed() {
    let (_d, store) = store_with(Variant::Public, vec![]);
    let html = render(&store, Variant::Public, Route::Schedule);
    assert!(html.contains("Langganan kalender"), "{html}");
    assert!(html.contains("/ics/public.ics"));
    assert!(html.contains("webcal://"));
}

#[test]
fn staff_see_their_personal_feed_and_reports_only_for_admin_and_protocol() {
    let (_d, store) = store_with(Variant::Internal, vec![]);
    sign_in(&store, "staf", Role::Protocol, None);
    let html = render(&store, Variant::Internal, Route::Sync);
    assert!(html.contains("Kalender pribadi"), "{html}");
    assert!(html.contains("Buat alamat baru"));
    assert!(html.contains(">Laporan<"), "reports tab for protocol staff");
    let html = render(&store, Variant::Internal, Route::Reports);
    assert!(html.contains("Laporan Bulanan"));
    assert!(html.contains(r#"type="month""#));

    let (_d, store) = store_with(Variant::Internal, vec![]);
    sign_in(&store, "staf", Role::Adc, None);
    let html = render(&store, Variant::Internal, Route::Sync);
    assert!(!html.contains(">Laporan<"), "no reports tab for an ajudan");
}

#[test]
fn the_shared_agenda_text_leaves_out_confidential_and_cancelled_items() {
    let items = vec![
        item(
            "a",
            "Rapat paripurna DPRD",
            9,
            Visibility::Public,
            AgendaStatus::Confirmed,
        ),
        item(
            "b",
            "Briefing staf",
            11,
            Visibility::Internal,
            AgendaStatus::Confirmed,
        ),
        item(
            "c",
            "Pertemuan rahasia",
            13,
            Visibility::Confidential,
            AgendaStatus::Confirmed,
        ),
        item(
            "d",
            "Peresmian batal",
            15,
            Visibility::Public,
            AgendaStatus::Cancelled,
        ),
    ];
    let t = sepiion::i18n::texts(Lang::Id);
    let day = Utc::now().with_timezone(&Makassar).date_naive();
    let leaders = [leader("bupati", "Bupati Klungkung", 0)];
    let text = agenda_text(t, Lang::Id, Makassar, day, &leaders, &items);
    assert!(text.starts_with("*AGENDA PIMPINAN*\n"), "{text}");
    assert!(text.contains("*Bupati Klungkung*"));
    assert!(
        text.contains("09.00–10.00 WITA — Rapat paripurna DPRD"),
        "{text}"
    );
    assert!(text.contains("Briefing staf"));
    assert!(!text.contains("Pertemuan rahasia"));
    assert!(!text.contains("Peresmian batal"));
    let link = wa_me_share(&text);
    assert!(
        link.starts_with("https://wa.me/?text=%2AAGENDA%20PIMPINAN%2A%0A"),
        "{link}"
    );
    assert!(!link.contains(' ') && !link.contains('\n'));
    let empty = agenda_text(t, Lang::Id, Makassar, day, &leaders, &[]);
    assert!(empty.contains(t.no_items));

    // The staff agenda screen carries the share panel with that link.
    let (_d, store) = store_with(
        Variant::Internal,
        items
            .into_iter()
            .map(|i| Record::AgendaItem(Box::new(i)))
            .collect(),
    );
    sign_in(&store, "staf", Role::Protocol, None);
    let html = render(&store, Variant::Internal, Route::Agenda);
    assert!(html.contains("Bagikan agenda"), "{html}");
    assert!(html.contains("https://wa.me/?text="));
    assert!(html.contains("Rapat%20paripurna%20DPRD"));
    // Beside the text: the server's sheet as PDF and as PNG.
    assert!(
        html.contains(r#"id="sheet-pdf""#) && html.contains("Unduh lembar Agenda Harian (PDF)"),
        "{html}"
    );
    assert!(
        html.contains(r#"id="sheet-png""#) && html.contains("Unduh lembar Agenda Harian (PNG)")
    );
}

/// The elements with a click handler, in the order of the first render.
fn click_targets(edits: &[dioxus_core::Mutation]) -> Vec<dioxus_core::ElementId> {
    edits
        .iter()
        .filter_map(|m| match m {
            dioxus_core::Mutation::NewEventListener { name, id } if name == "click" => Some(*id),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sheet_buttons_save_the_servers_pdf_and_png_for_the_shown_day() {
    let server = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Arc::new(common::staff(dir.path(), "agenda", &server.base, "protokol").await);
    let store = engine.store().clone();
    let saved = tempfile::tempdir().unwrap();
    store
        .set_pref(ui::prefs::DOWNLOAD_DIR, saved.path().to_str())
        .unwrap();
    let day = Utc::now().with_timezone(&Makassar).date_naive() + Duration::days(1);

    #[component]
    fn Root(day: chrono::NaiveDate) -> Element {
        let launch = use_context::<Launch>();
        ui::use_app(launch);
        rsx! { sepiion::ui::internal::share::ShareAgenda { day, leader: None } }
    }
    dioxus_html::set_event_converter(Box::new(dioxus_html::SerializedHtmlEventConverter));
    let launch = Launch {
        variant: Variant::Internal,
        store,
        engine: Some(engine.clone()),
        tz: Makassar,
        initial_route: Some(Route::Agenda),
    };
    let mut dom = VirtualDom::new_with_props(Root, RootProps { day }).with_root_context(launch);
    let targets = click_targets(&dom.rebuild_to_vec().edits);
    assert_eq!(targets.len(), 2, "a PDF and a PNG button");
    for (target, name, magic) in [
        (
            targets[0],
            format!("agenda-harian-{day}.pdf"),
            &b"%PDF-"[..],
        ),
        (
            targets[1],
            format!("agenda-harian-{day}.png"),
            &b"\x89PNG"[..],
        ),
    ] {
        let data =
            dioxus_html::PlatformEventData::new(Box::<dioxus_html::SerializedMouseData>::default());
        let event = dioxus_core::Event::new(
            std::rc::Rc::new(data) as std::rc::Rc<dyn std::any::Any>,
            true,
        );
        dom.runtime().handle_event("click", event, target);
        let file = saved.path().join(&name);
        // The sheet is typeset by the server; wait (bounded) for the file and the notice.
        let mut html = String::new();
        for _ in 0..600 {
            let _ =
                tokio::time::timeout(std::time::Duration::from_millis(100), dom.wait_for_work())
                    .await;
            dom.render_immediate(&mut dioxus_core::NoOpMutations);
            html = dioxus_ssr::render(&dom);
            if html.contains("sheet-saved") || html.contains(r#"role="alert""#) {
                break;
            }
        }
        assert!(
            html.contains(&format!("Tersimpan di {}", file.display())),
            "{html}"
        );
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            bytes.starts_with(magic),
            "{name} is a real file of its kind"
        );
    }
    // The PDF is the staff sheet for that day (what this account may see).
    let out = std::process::Command::new("pdftotext")
        .arg(saved.path().join(format!("agenda-harian-{day}.pdf")))
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(INTERNAL)"), "{text}");
    assert!(
        text.contains(&sepiion_core::time::date(day, sepiion_core::i18n::Lang::Id)),
        "{text}"
    );
}

fn sample_report() -> MonthlyReport {
    let c = |k: &str, n: i64| Count {
        key: k.into(),
        count: n,
    };
    MonthlyReport {
        month: "2026-10".into(),
        regency: "Kabupaten Klungkung".into(),
        time_zone: "Asia/Makassar".into(),
        agenda: vec![LeaderAgendaReport {
            leader_id: "bupati".into(),
            leader_title: "Bupati Klungkung".into(),
            items: 12,
            cancelled: 1,
            by_attendance: vec![c("in_person", 8), c("represented", 4), c("absent", 0)],
            by_category: vec![c("rapat", 6)],
        }],
        requests: RequestReport {
            total: 10,
            by_kind: vec![c("undangan", 10)],
            by_state: vec![c("approved", 10)],
            by_outcome: vec![c("attended", 5), c("declined", 5)],
        },
        response_times: vec![ResponseTimes {
            month: "2026-10".into(),
            submitted: 10,
            first_action_count: 10,
            first_action_median_hours: Some(2.5),
            first_action_p90_hours: Some(6.0),
            decision_count: 10,
            decision_median_hours: Some(30.0),
            decision_p90_hours: Some(70.0),
        }],
        left_out: 0,
    }
}

/// The Laporan screen's report in `lang`, rendered.
fn report_html(report: MonthlyReport, lang: Lang) -> String {
    #[component]
    fn Root(report: MonthlyReport) -> Element {
        let launch = use_context::<Launch>();
        ui::use_app(launch);
        rsx! { ReportView { report } }
    }
    let (_d, store) = store_with(Variant::Internal, vec![]);
    store.set_language(lang).unwrap();
    let launch = Launch {
        variant: Variant::Internal,
        store,
        engine: None,
        tz: Makassar,
        initial_route: Some(Route::Reports),
    };
    let mut dom = VirtualDom::new_with_props(Root, RootProps { report }).with_root_context(launch);
    dom.rebuild_in_place();
    dioxus_ssr::render(&dom)
}

/// The rows of the table captioned `caption`: (row heading, cells' text).
fn table_rows(html: &str, caption: &str) -> Vec<(String, Vec<String>)> {
    let start = html
        .find(&format!("<caption>{caption}</caption>"))
        .unwrap_or_else(|| panic!("no table captioned {caption}: {html}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    let text = |cell: &str| {
        // The cell's text without its tags (the bar's SVG holds none).
        let mut out = String::new();
        let mut in_tag = false;
        for c in cell.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.trim().to_string()
    };
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let head = &row[row.find("<th scope=\"row\"").expect("a row heading")..];
            let head = text(&head[..head.find("</th>").unwrap()]);
            let cells = row
                .split("<td")
                .skip(1)
                .map(|c| text(&format!("<td{}", &c[..c.find("</td>").unwrap()])))
                .collect();
            (head, cells)
        })
        .collect()
}

/// Issue 24: the Laporan screen writes its figures as tables (caption, column and row
/// headings) whose cells carry bars drawn as SVG hidden from screen readers; a month without
/// data says so instead of "0 j"; hours and months in the reader's language.
#[test]
fn the_report_is_tables_with_bars_and_says_when_a_month_has_no_data() {
    let mut report = sample_report();
    report.response_times.insert(
        0,
        ResponseTimes {
            month: "2026-09".into(),
            submitted: 0,
            first_action_count: 0,
            first_action_median_hours: None,
            first_action_p90_hours: None,
            decision_count: 0,
            decision_median_hours: None,
            decision_p90_hours: None,
        },
    );
    let html = report_html(report.clone(), Lang::Id);
    assert!(
        html.contains("Kabupaten Klungkung · Oktober 2026"),
        "{html}"
    );
    // Attendance: 8 is the largest (the whole bar), 4 half, 0 none.
    let rows = table_rows(
        &html,
        "Agenda pimpinan menurut kehadiran — Bupati Klungkung",
    );
    assert_eq!(
        rows[0],
        ("Hadir sendiri".to_string(), vec!["8".to_string()])
    );
    assert!(html.contains(r#"width="100""#), "{html}");
    assert!(html.contains(r#"width="50""#), "{html}");
    assert!(html.contains(r#"width="0""#), "{html}");
    let outcomes = table_rows(&html, "Permohonan menurut hasil");
    assert_eq!(outcomes[0].0, "Dihadiri");
    assert_eq!(outcomes[1].0, "Ditolak");
    // Months in words; an empty month says so; hours in Indonesian with a decimal comma.
    let times = table_rows(&html, "Waktu tanggapan 12 bulan (median, jam)");
    assert_eq!(
        times,
        vec![
            (
                "Sep 2026".to_string(),
                vec!["Tidak ada data".to_string(), "Tidak ada data".to_string()]
            ),
            (
                "Okt 2026".to_string(),
                vec!["2,5 jam".to_string(), "30 jam".to_string()]
            ),
        ]
    );
    assert!(!html.contains(" j<"), "no bare \"j\" for hours: {html}");
    // Real tables: column headings and row headings with their scope; the bars are drawing.
    assert!(html.contains("<th scope=\"col\">Bulan</th>"), "{html}");
    assert_eq!(
        html.matches("<svg").count(),
        html.matches("<svg class=\"bar\" aria-hidden=\"true\"")
            .count(),
        "every bar hidden from screen readers: {html}"
    );
    assert!(
        !html.contains("<text"),
        "no text inside the drawing: {html}"
    );

    let en = report_html(report, Lang::En);
    assert!(en.contains("Kabupaten Klungkung · October 2026"), "{en}");
    let rows: Vec<_> = table_rows(&en, "Response time over 12 months (median, hours)");
    assert_eq!(
        rows[0].1,
        vec!["No data".to_string(), "No data".to_string()]
    );
    assert_eq!(rows[1].0, "Oct 2026");
    assert_eq!(rows[1].1, vec!["2.5 h".to_string(), "30 h".to_string()]);
}

#[tokio::test]
async fn the_engine_fetches_the_report_and_renews_the_personal_feed() {
    let server = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Arc::new(common::staff(dir.path(), "protokol", &server.base, "protokol").await);
    let month = Utc::now().format("%Y-%m").to_string();
    let report = engine.monthly_report(&month).await.unwrap();
    assert_eq!(report.month, month);
    assert_eq!(report.response_times.len(), 12);
    assert!(
        report.requests.total > 0,
        "demo requests were submitted this month"
    );
    let info = engine.calendar_feed().await.unwrap();
    assert!(!info.active);
    let made = engine.renew_calendar_feed().await.unwrap();
    assert!(made.url.contains("/ics/staff/spc_"));
    let feed = reqwest::get(&made.url).await.unwrap();
    assert_eq!(feed.status(), 200);
    assert!(feed.text().await.unwrap().starts_with("BEGIN:VCALENDAR"));
    assert!(engine.calendar_feed().await.unwrap().active);

    let ajudan = common::staff(dir.path(), "ajudan", &server.base, "ajudan.bupati").await;
    match ajudan.monthly_report(&month).await {
        Err(sepiion::sync::SyncError::Server { status: 403, .. }) => {}
        other => panic!("an ajudan may not read reports: {other:?}"),
    }
}

/// The `for` and the visible text of every `<label>` in `html`, in document order, tags
/// stripped and spaces collapsed (the portal's `<abbr>*</abbr>` and the app's `<span> *</span>`
/// both read " *").
fn labels(html: &str) -> Vec<(String, String)> {
    html.split("<label")
        .skip(1)
        .filter_map(|rest| {
            let (tag, after) = rest.split_once('>')?;
            let target = tag.split("for=\"").nth(1)?.split('"').next()?.to_string();
            let inner = after.split("</label>").next()?;
            let mut text = String::new();
            let mut in_tag = false;
            for c in inner.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            // maud and dioxus escape differently (`'` vs `&#39;`): compare the text people see.
            let text = text
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            Some((target, text))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_and_the_app_label_the_request_form_alike_in_cores_order() {
    use sepiion_core::draft::{FIELDS, is_required};
    let server = common::start().await;
    let form: Vec<&str> = FIELDS.iter().copied().chain(["attachment"]).collect();
    for (lang, code) in [(Lang::Id, "id"), (Lang::En, "en")] {
        let page = reqwest::get(format!("{}/ajukan?lang={code}", server.base));
        let portal = page.await.unwrap().text().await.unwrap();
        let (_d, store) = store_with(Variant::Public, vec![]);
        store.set_language(lang).unwrap();
        let app = render(&store, Variant::Public, Route::Submit);
        let of_form = |all: Vec<(String, String)>| -> Vec<(String, String)> {
            all.into_iter()
                .filter(|(f, _)| form.contains(&f.as_str()))
                .collect()
        };
        let (portal, app) = (of_form(labels(&portal)), of_form(labels(&app)));
        let order = |l: &[(String, String)]| l.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>();
        assert_eq!(order(&portal), form, "the portal's fields in core's order");
        assert_eq!(order(&app), form, "the app's fields in core's order");
        assert_eq!(portal, app, "the same labels and marks in both ({code})");
        let words = lang.words();
        for (field, text) in &app {
            assert!(
                text.starts_with(words.field(field).unwrap()),
                "{field}: {text}"
            );
            let marked = text.ends_with(" *");
            let optional = text.ends_with(words.optional);
            assert!(
                marked == is_required(field) && optional != marked,
                "{field}: {text}"
            );
        }
        let start = &app.iter().find(|(f, _)| f == "start_time").unwrap().1;
        assert!(start.contains("(WITA)"), "{start}");
    }
}

/// Issue 23: a new staff device shows the server's phone and e-mail on Sinkronisasi, and a
/// "Simpan" before they are on screen sends nothing instead of blanking them on the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_device_shows_and_keeps_the_servers_notification_settings() {
    let server = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let old = common::staff(dir.path(), "old", &server.base, "protokol").await;
    let input = sepiion_core::api::NotificationSettingsInput {
        phone: Some("081234567890".into()),
        email: Some("protokol@klungkungkab.go.id".into()),
        channels: vec![],
    };
    old.save_notification_settings(&input).await.unwrap();
    let new = Arc::new(common::staff(dir.path(), "new", &server.base, "protokol").await);
    assert_eq!(new.store().notification_settings().unwrap(), None);

    #[component]
    fn Root() -> Element {
        let launch = use_context::<Launch>();
        ui::use_app(launch);
        rsx! { sepiion::ui::internal::notify_settings::NotificationSettingsCard {} }
    }
    dioxus_html::set_event_converter(Box::new(dioxus_html::SerializedHtmlEventConverter));
    let launch = Launch {
        variant: Variant::Internal,
        store: new.store().clone(),
        engine: Some(new.clone()),
        tz: Makassar,
        initial_route: Some(Route::Sync),
    };
    let mut dom = VirtualDom::new(Root).with_root_context(launch);
    let targets = click_targets(&dom.rebuild_to_vec().edits);
    let save = *targets.last().expect("a save button");
    // "Simpan" at once, before anything from the server is on screen.
    let data =
        dioxus_html::PlatformEventData::new(Box::<dioxus_html::SerializedMouseData>::default());
    let event = dioxus_core::Event::new(
        std::rc::Rc::new(data) as std::rc::Rc<dyn std::any::Any>,
        true,
    );
    dom.runtime().handle_event("click", event, save);
    let mut html = String::new();
    for _ in 0..300 {
        let _ =
            tokio::time::timeout(std::time::Duration::from_millis(100), dom.wait_for_work()).await;
        dom.render_immediate(&mut dioxus_core::NoOpMutations);
        html = dioxus_ssr::render(&dom);
        if html.contains("value=\"081234567890\"") {
            break;
        }
    }
    // The server's values, loaded when the card opened, and kept for offline display.
    assert!(html.contains("value=\"081234567890\""), "{html}");
    assert!(
        html.contains("value=\"protokol@klungkungkab.go.id\""),
        "{html}"
    );
    assert!(
        html.contains("Pengaturan belum dimuat dari server"),
        "{html}"
    );
    let kept = new.store().notification_settings().unwrap().unwrap();
    assert_eq!(kept.phone.as_deref(), Some("081234567890"));
    // Nothing was blanked on the server.
    let on_server = old.notification_settings().await.unwrap();
    assert_eq!(on_server.phone.as_deref(), Some("081234567890"));
    assert_eq!(
        on_server.email.as_deref(),
        Some("protokol@klungkungkab.go.id")
    );
}
