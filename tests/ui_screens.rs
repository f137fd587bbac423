//! Component tests: each screen rendered (server-side, no window) from a real local store with
//! given data; what appears, in Indonesian and English, and which actions each role is offered.
//! Texts are looked for in the screen's own content (`<main>`) or its title (`<h1>`), not in the
//! whole page: the tab bar and the top bar repeat many labels and would hide a missing one.

mod common;

use common::ui::{render, sign_in, store_with, today_at};

use chrono::{Duration, Utc};
use chrono_tz::Asia::Makassar;
use sepiion::platform::Variant;
use sepiion::ui;
use sepiion::ui::shell::Route;
use sepiion_core::model::*;
use sepiion_core::sync::{Change, EntityKind, PullPage, Record};
use sepiion_core::validation::Lang;

fn item(
    id: &str,
    title: &str,
    start_hour: i64,
    visibility: Visibility,
    internal: bool,
) -> AgendaItem {
    AgendaItem {
        id: id.into(),
        leader_id: "bupati".into(),
        title: title.into(),
        starts_at: today_at(start_hour),
        ends_at: today_at(start_hour + 2),
        location: "Gedung Mahudara Mandala Giri".into(),
        category: "Rapat".into(),
        visibility,
        status: AgendaStatus::Confirmed,
        attendance: Attendance::InPerson,
        representative: None,
        dress_code: "Pakaian dinas harian".into(),
        internal: internal.then(|| AgendaInternal {
            assigned_staff: vec![StaffAssignment {
                name: "Komang".into(),
                duty: "Ajudan".into(),
            }],
            running_order: String::new(),
            internal_notes: String::new(),
            source_request_id: None,
        }),
        ical_sequence: 0,
        updated_at: Utc::now(),
        version: 1,
    }
}

fn request(id: &str, state: RequestState, leader: Option<&str>) -> Request {
    let start = today_at(24 * 7 + 10);
    Request {
        id: id.into(),
        tracking_code: "K7QM-3XRD".into(),
        kind: RequestKind::Undangan,
        leader_id: leader.map(str::to_string),
        assigned_leader_id: (state == RequestState::AwaitingLeader).then(|| "bupati".to_string()),
        title: "Pembukaan Festival Semarapura".into(),
        description: "Mohon Bapak Bupati membuka festival.".into(),
        starts_at: start,
        ends_at: start + Duration::hours(2),
        location: "Lapangan Puputan Klungkung".into(),
        organizer: "Dinas Pariwisata".into(),
        requester_name: "Ni Made Sari".into(),
        requester_phone: "081234567890".into(),
        requester_email: None,
        expected_attendees: 500,
        leader_role: "membuka acara".into(),
        dress_code: "Pakaian adat madya".into(),
        letter_number: None,
        state,
        state_reason: None,
        representative: None,
        proposed_starts_at: (state == RequestState::TimeProposed)
            .then(|| start + Duration::days(1)),
        proposed_ends_at: (state == RequestState::TimeProposed)
            .then(|| start + Duration::days(1) + Duration::hours(2)),
        supplied_info: None,
        agenda_item_id: None,
        attachments: vec![],
        timeline: vec![TimelineEntry {
            at: Utc::now(),
            from: None,
            to: RequestState::Submitted,
            actor: ActorKind::Requester,
            actor_role: None,
            actor_name: None,
            reason: None,
        }],
        created_at: Utc::now(),
        updated_at: Utc::now(),
        version: 1,
    }
}

/// The screen's own content: what is inside `<main>`.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main> element");
    let end = html.find("</main>").expect("the end of <main>");
    &html[start..end]
}

/// The screen's title: the text of the top bar's `<h1>`.
fn title_of(html: &str) -> &str {
    let start = html.find("<h1>").expect("an <h1>") + "<h1>".len();
    let end = start + html[start..].find("</h1>").expect("the end of <h1>");
    &html[start..end]
}

/// The bottom tab bar.
fn tabs_of(html: &str) -> &str {
    let start = html.find("<nav class=\"tabs\"").expect("the tab bar");
    let end = start
        + html[start..]
            .find("</nav>")
            .expect("the end of the tab bar");
    &html[start..end]
}

#[test]
fn the_public_schedule_shows_todays_public_items_in_wita() {
    let (_d, store) = store_with(
        Variant::Public,
        vec![Record::AgendaItem(Box::new(item(
            "a1",
            "Pembukaan Pasar Seni",
            9,
            Visibility::Public,
            false,
        )))],
    );
    let html = render(&store, Variant::Public, Route::Schedule);
    assert_eq!(title_of(&html), "Jadwal Pimpinan");
    let main = main_of(&html);
    assert!(main.contains("Pembukaan Pasar Seni"), "{main}");
    assert!(main.contains("09.00–11.00 WITA"));
    assert!(main.contains("Bupati Klungkung"));
    let today = sepiion_core::time::date(
        Utc::now().with_timezone(&Makassar).date_naive(),
        sepiion_core::validation::Lang::Id,
    );
    assert!(main.contains(&today), "Indonesian day heading {today}");
    for tab in ["Jadwal", "Ajukan", "Permohonan Saya", "Lacak", "Pengaturan"] {
        assert!(tabs_of(&html).contains(&format!(">{tab}<")), "tab {tab}");
    }
    // No staff-only parts in the public app.
    assert!(!html.contains("Kotak Masuk"));
}

#[test]
fn the_request_form_labels_every_input_and_restores_the_draft() {
    let (_d, store) = store_with(Variant::Public, vec![]);
    store
        .set_pref(
            ui::prefs::REQUEST_DRAFT,
            Some(r#"{"title":"Karya di Pura Desa","requester_phone":"0812"}"#),
        )
        .unwrap();
    let html = render(&store, Variant::Public, Route::Submit);
    assert_eq!(title_of(&html), "Ajukan Permohonan");
    let html = main_of(&html);
    assert!(
        html.contains("value=\"Karya di Pura Desa\""),
        "draft restored"
    );
    assert!(
        !html.contains("error-summary"),
        "no error summary before a submit"
    );
    for (id, label) in [
        ("title", "Nama kegiatan"),
        ("description", "Maksud dan uraian kegiatan"),
        ("start_date", "Tanggal mulai"),
        ("location", "Lokasi"),
        ("organizer", "Penyelenggara"),
        ("requester_name", "Nama pemohon"),
        ("requester_phone", "Nomor telepon/WhatsApp"),
        ("expected_attendees", "Perkiraan jumlah peserta"),
        ("leader_role", "Peran pimpinan"),
    ] {
        assert!(html.contains(&format!("for=\"{id}\"")), "label for {id}");
        assert!(html.contains(&format!("id=\"{id}\"")), "input {id}");
        assert!(html.contains(label), "label text {label}");
    }
    assert!(html.contains("Kirim permohonan"));
    assert!(html.contains("Bupati atau Wakil Bupati"));
}

#[test]
fn my_requests_show_state_and_unsent_submissions() {
    let (_d, store) = store_with(
        Variant::Public,
        vec![Record::Request(Box::new(request(
            "r1",
            RequestState::Approved,
            Some("bupati"),
        )))],
    );
    let mut new = sepiion_core::api::NewRequest {
        id: None,
        kind: RequestKind::Audiensi,
        leader_id: None,
        title: "Audiensi koperasi nelayan".into(),
        description: "Kami mohon waktu untuk audiensi.".into(),
        starts_at: today_at(24 * 10 + 9),
        ends_at: today_at(24 * 10 + 10),
        location: "Kantor Bupati Klungkung".into(),
        organizer: "Koperasi Mina Segara".into(),
        requester_name: "I Ketut Budiasa".into(),
        requester_phone: "081298765432".into(),
        requester_email: None,
        expected_attendees: 10,
        leader_role: "menerima audiensi".into(),
        dress_code: String::new(),
        letter_number: None,
        notify_channels: None,
    };
    new.id = Some(uuid::Uuid::new_v4().to_string());
    store.submit_request(new).unwrap();
    let html = render(&store, Variant::Public, Route::MyRequests);
    let html = main_of(&html);
    assert!(html.contains("Disetujui"));
    assert!(html.contains("Audiensi koperasi nelayan"));
    assert!(
        html.contains("Menunggu dikirim"),
        "offline submission marked as not sent"
    );
}

#[test]
fn a_time_proposal_offers_accept_and_decline_with_code_to_share() {
    let (_d, store) = store_with(
        Variant::Public,
        vec![Record::Request(Box::new(request(
            "r1",
            RequestState::TimeProposed,
            Some("bupati"),
        )))],
    );
    let html = render(&store, Variant::Public, Route::MyRequest("r1".into()));
    let html = main_of(&html);
    assert!(html.contains("Usul waktu lain"));
    assert!(html.contains("Terima usulan waktu"));
    assert!(html.contains("Tolak usulan waktu"));
    assert!(html.contains("K7QM-3XRD"));
    assert!(html.contains("https://wa.me/?text="));
    assert!(html.contains("Batalkan permohonan"));
}

#[test]
fn the_staff_app_starts_at_login_with_labelled_fields() {
    let (_d, store) = store_with(Variant::Internal, vec![]);
    let html = render(&store, Variant::Internal, Route::Login);
    assert_eq!(title_of(&html), "Masuk Staf");
    assert!(!html.contains("<nav"), "no tabs before signing in");
    let html = main_of(&html);
    assert!(html.contains("for=\"username\"") && html.contains("Nama pengguna"));
    assert!(html.contains("for=\"password\"") && html.contains("Kata sandi"));
    assert!(
        html.contains("for=\"language\"") && html.contains("English"),
        "the language can be chosen before signing in"
    );
}

#[test]
fn the_inbox_puts_what_needs_this_role_first() {
    let records = vec![
        Record::Request(Box::new(request(
            "r1",
            RequestState::Submitted,
            Some("bupati"),
        ))),
        Record::Request(Box::new(request(
            "r2",
            RequestState::AwaitingLeader,
            Some("bupati"),
        ))),
    ];
    let (_d, store) = store_with(Variant::Internal, records.clone());
    sign_in(&store, "protokol", Role::Protocol, None);
    let html = render(&store, Variant::Internal, Route::Inbox);
    assert_eq!(title_of(&html), "Kotak Masuk");
    let html = main_of(&html);
    // Protocol staff review the submitted one and may still propose a time or decline the
    // one awaiting the leader.
    assert!(html.contains("Perlu tindakan Anda (2)"), "{html}");
    assert!(html.contains("Diajukan (1)") && html.contains("Menunggu keputusan pimpinan (1)"));

    let (_d2, store) = store_with(Variant::Internal, records);
    sign_in(&store, "ajudan.wabup", Role::Adc, Some("wakil_bupati"));
    let html = render(&store, Variant::Internal, Route::Inbox);
    let html = main_of(&html);
    assert!(
        !html.contains("Perlu tindakan Anda ("),
        "the other leader's ajudan has nothing to do"
    );
    assert!(
        html.contains("Pembukaan Festival Semarapura"),
        "but sees the requests"
    );
}

/// Thirty requests in every state, for either leader or both, some already over, starting on
/// different days (some on the same day, to test the order by id).
fn many_requests(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| {
            let state = RequestState::ALL[i % RequestState::ALL.len()];
            let leader = [Some("bupati"), Some("wakil_bupati"), None][i % 3];
            let mut r = request(&format!("r{i:03}"), state, leader);
            r.title = format!("Permohonan nomor {i:03}");
            // Days from -20 to +20, two requests a day; every fourth one over already.
            r.starts_at = today_at(24 * ((i as i64 / 2) % 41 - 20) + 9);
            if i % 4 == 0 {
                r.starts_at = today_at(-24 * 3 + 9);
            }
            r.ends_at = r.starts_at + Duration::hours(2);
            Record::Request(Box::new(r))
        })
        .collect()
}

#[test]
fn inbox_pages_follow_the_waiting_rule_and_the_filters() {
    use sepiion::store::InboxFilter;
    use sepiion_core::time::local_date;
    use sepiion_core::workflow;
    let (_d, store) = store_with(Variant::Internal, many_requests(30));
    for (user, role, own) in [
        ("protokol", Role::Protocol, None),
        ("ajudan.bupati", Role::Adc, Some("bupati")),
        ("sespri.wabup", Role::Sespri, Some("wakil_bupati")),
        ("admin", Role::Admin, None),
    ] {
        sign_in(&store, user, role, own);
        let now = Utc::now();
        let filters = [
            InboxFilter::all(Makassar),
            InboxFilter {
                state: Some(RequestState::Submitted),
                ..InboxFilter::all(Makassar)
            },
            InboxFilter {
                leader: Some("bupati".into()),
                from: Some(local_date(today_at(-24 * 5), Makassar)),
                to: Some(local_date(today_at(24 * 5), Makassar)),
                ..InboxFilter::all(Makassar)
            },
        ];
        for filter in filters {
            // What the rule says, over every request the filter lets through.
            let mut expected: Vec<(String, bool)> = store
                .inbox(filter.state, filter.leader.as_deref())
                .unwrap()
                .into_iter()
                .map(|e| e.request)
                .filter(|r| {
                    let d = local_date(r.starts_at, Makassar);
                    filter.from.is_none_or(|f| d >= f) && filter.to.is_none_or(|t| d <= t)
                })
                .map(|r| (r.id.clone(), workflow::waits_on(role, own, &r, now)))
                .collect();
            expected.sort_by_key(|(_, waits)| !waits);
            assert!(expected.len() >= 3, "{user}: the filter leaves some");
            let waiting = expected.iter().filter(|(_, w)| *w).count() as i64;
            for limit in [1, 7, expected.len(), expected.len() + 5] {
                let page = store.inbox_page(&filter, limit).unwrap();
                let got: Vec<(String, bool)> = page
                    .entries
                    .iter()
                    .map(|(e, w)| (e.request.id.clone(), *w))
                    .collect();
                let want = &expected[..limit.min(expected.len())];
                assert_eq!(got, want, "{user}, {filter:?}, limit {limit}");
                assert_eq!(page.more, limit < expected.len());
                assert_eq!(page.total, expected.len() as i64);
                assert_eq!(page.waiting, waiting, "{user}, {filter:?}");
            }
        }
    }
}

#[test]
fn a_long_inbox_shows_one_page_and_offers_more() {
    let (_d, store) = store_with(Variant::Internal, many_requests(120));
    sign_in(&store, "protokol", Role::Protocol, None);
    let html = render(&store, Variant::Internal, Route::Inbox);
    let html = main_of(&html);
    assert_eq!(
        html.matches("<article").count(),
        sepiion::ui::internal::inbox::PAGE
    );
    assert!(
        html.contains("50 dari 120 permohonan ditampilkan"),
        "{html}"
    );
    assert!(html.contains(">Tampilkan lebih banyak</button>"), "{html}");
    assert!(
        html.contains("Semua status (120)"),
        "the counts are of every request"
    );

    let (_d, store) = store_with(Variant::Internal, many_requests(12));
    sign_in(&store, "protokol", Role::Protocol, None);
    let html = render(&store, Variant::Internal, Route::Inbox);
    let html = main_of(&html);
    assert_eq!(html.matches("<article").count(), 12);
    assert!(!html.contains("Tampilkan lebih banyak"));
}

#[test]
fn request_detail_offers_each_role_its_own_actions_and_warns_of_clashes() {
    let mut r = request("r2", RequestState::AwaitingLeader, Some("bupati"));
    let clash = AgendaItem {
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        ..item("a9", "Rapat evaluasi APBD", 0, Visibility::Internal, true)
    };
    r.supplied_info = Some("Surat terlampir.".into());
    let records = vec![
        Record::Request(Box::new(r)),
        Record::AgendaItem(Box::new(clash)),
    ];
    let (_d, store) = store_with(Variant::Internal, records.clone());
    sign_in(&store, "ajudan.bupati", Role::Adc, Some("bupati"));
    let html = render(&store, Variant::Internal, Route::Request("r2".into()));
    let html = main_of(&html);
    for action in [
        "Setujui (hadir sendiri)",
        "Diwakilkan",
        "Tolak",
        "Usulkan waktu lain",
    ] {
        assert!(html.contains(action), "ajudan may {action}");
    }
    assert!(!html.contains("Mulai tinjau"));
    assert!(html.contains("Rapat evaluasi APBD"), "the clash is named");
    assert!(html.contains("Bentrok jadwal"));
    assert!(html.contains("081234567890"), "staff see contact data");
    // A wa.me link to the requester (08… → 628…) with their status message pre-filled.
    assert!(
        html.contains("href=\"https://wa.me/6281234567890?text=Permohonan%20K7QM-3XRD"),
        "{html}"
    );
    assert!(html.contains("Kirim kabar lewat WhatsApp"));
    assert!(html.contains("Disposisi"));

    let (_d2, store) = store_with(Variant::Internal, records);
    sign_in(&store, "agenda", Role::AgendaStaff, None);
    let html = render(&store, Variant::Internal, Route::Request("r2".into()));
    let html = main_of(&html);
    assert!(html.contains("Tidak ada tindakan untuk peran Anda saat ini."));
    assert!(!html.contains("Setujui (hadir sendiri)"));
}

#[test]
fn the_staff_agenda_marks_confidential_items_and_clashes() {
    let records = vec![
        Record::AgendaItem(Box::new(item(
            "a1",
            "Rapat koordinasi OPD",
            9,
            Visibility::Internal,
            true,
        ))),
        Record::AgendaItem(Box::new(item(
            "a2",
            "Pertemuan tertutup",
            10,
            Visibility::Confidential,
            true,
        ))),
    ];
    let (_d, store) = store_with(Variant::Internal, records);
    sign_in(&store, "sespri.bupati", Role::Sespri, Some("bupati"));
    let page = render(&store, Variant::Internal, Route::Agenda);
    assert!(
        page.contains("Luring"),
        "sync bar shows offline before any sync"
    );
    let html = main_of(&page);
    assert!(html.contains("Rapat koordinasi OPD") && html.contains("Pertemuan tertutup"));
    assert!(html.contains("Rahasia"));
    assert!(
        html.contains("card conflict"),
        "overlapping items highlighted"
    );
    assert!(
        !html.contains("role=\"alert\""),
        "a list of clashes is not read out as alerts on opening the screen"
    );
    assert!(html.contains("Agenda baru"));
}

#[test]
fn the_english_texts_are_selectable() {
    let (_d, store) = store_with(Variant::Public, vec![]);
    store.set_language(Lang::En).unwrap();
    let html = render(&store, Variant::Public, Route::Schedule);
    assert!(
        matches!(
            title_of(&html),
            "The leaders' schedule" | "The leaders&#39; schedule"
        ),
        "{html}"
    );
    assert!(tabs_of(&html).contains(">My requests<"));
    assert!(html.contains("lang=\"en\""), "the page says it is English");
    let _ = EntityKind::Leader;
}

#[test]
fn the_staff_app_speaks_english_when_chosen() {
    let mut r = request("r2", RequestState::AwaitingLeader, Some("bupati"));
    r.timeline.push(TimelineEntry {
        at: Utc::now(),
        from: Some(RequestState::Submitted),
        to: RequestState::InReview,
        actor: ActorKind::Staff,
        actor_role: Some(Role::Protocol),
        actor_name: Some("Kadek".into()),
        reason: None,
    });
    let (_d, store) = store_with(Variant::Internal, vec![Record::Request(Box::new(r))]);
    sign_in(&store, "ajudan.bupati", Role::Adc, Some("bupati"));
    store.set_language(Lang::En).unwrap();

    let html = render(&store, Variant::Internal, Route::Inbox);
    assert_eq!(title_of(&html), "Inbox");
    let main = main_of(&html);
    assert!(
        main.contains("Awaiting the leader&#39;s decision (1)")
            || main.contains("Awaiting the leader's decision (1)"),
        "{main}"
    );
    assert!(!main.contains("Menunggu keputusan pimpinan"));

    let html = render(&store, Variant::Internal, Route::Request("r2".into()));
    let main = main_of(&html);
    for english in [
        "Approve (attends in person)",
        "Send a representative",
        "Propose another time",
        "Protocol staff",
        "In review",
    ] {
        assert!(main.contains(english), "{english} in {main}");
    }
    for indonesian in [
        "Setujui (hadir sendiri)",
        "Diwakilkan",
        "Staf protokol",
        "Ditinjau",
    ] {
        assert!(!main.contains(indonesian), "no {indonesian} in English");
    }

    let html = render(&store, Variant::Internal, Route::Sync);
    let main = main_of(&html);
    assert!(main.contains("(Adjutant)"), "the role in English: {main}");
    assert!(
        main.contains("for=\"language\""),
        "the language can be changed here"
    );
}

#[test]
fn the_detail_labels_wrap_above_their_values_on_phones() {
    // The stylesheet's definition list stacks label over value below 560 px: a long label such
    // as "Penyelenggara (instansi/organisasi)" has the whole width and never runs over its value.
    let css = ui::STYLESHEET;
    let phone_rules = &css[css.find("dl {").expect("a rule for dl")..];
    let phone_dl = &phone_rules[..phone_rules.find('}').unwrap()];
    assert!(
        !phone_dl.contains("grid"),
        "no side column on phones: {phone_dl}"
    );
    assert!(css.contains("dl dd { margin: 0; overflow-wrap: anywhere; }"));
}

#[test]
fn tracking_and_settings_screens_render_in_indonesian() {
    let (_d, store) = store_with(Variant::Public, vec![]);
    let html = render(&store, Variant::Public, Route::Track);
    assert_eq!(title_of(&html), "Lacak Permohonan");
    let html = main_of(&html);
    assert!(html.contains("for=\"track-code\"") && html.contains("Kode pelacakan"));
    let html = render(&store, Variant::Public, Route::Settings);
    assert_eq!(title_of(&html), "Pengaturan");
    let html = main_of(&html);
    assert!(html.contains("for=\"language\"") && html.contains("Bahasa Indonesia"));
    assert!(html.contains("for=\"server-url\""));
    assert!(
        html.contains(ui::DEFAULT_SERVER_URL),
        "the configured default is shown"
    );
}

#[test]
fn the_agenda_form_offers_every_field_of_an_item() {
    let (_d, store) = store_with(Variant::Internal, vec![]);
    sign_in(&store, "agenda", Role::AgendaStaff, None);
    let html = render(&store, Variant::Internal, Route::AgendaEdit(None));
    assert_eq!(title_of(&html), "Agenda baru");
    let html = main_of(&html);
    for label in [
        "Nama kegiatan",
        "Lokasi",
        "Keterlihatan",
        "Kehadiran",
        "Petugas",
        "Susunan acara",
        "Catatan internal",
        "Bupati Klungkung",
    ] {
        assert!(html.contains(label), "{label}");
    }
}

#[test]
fn the_sync_screen_lists_conflicts_with_both_ways_out() {
    let (_d, store) = store_with(
        Variant::Internal,
        vec![Record::AgendaItem(Box::new(item(
            "a1",
            "Rapat koordinasi OPD",
            9,
            Visibility::Internal,
            true,
        )))],
    );
    sign_in(&store, "agenda", Role::AgendaStaff, None);
    // A local edit, then the server answers it with a conflict (someone else changed the item).
    let mut input = sepiion_core::api::AgendaItemInput::from_item(&item(
        "a1",
        "Rapat koordinasi OPD",
        9,
        Visibility::Internal,
        true,
    ));
    input.title = "Rapat koordinasi OPD (diubah)".into();
    store.update_agenda_item("a1", input).unwrap();
    let mutation = store.next_push_batch(10).unwrap().remove(0);
    let mut theirs = item(
        "a1",
        "Rapat koordinasi (versi server)",
        9,
        Visibility::Internal,
        true,
    );
    theirs.version = 2;
    store
        .apply_push_results(&[sepiion_core::sync::MutationResult {
            id: mutation.id,
            status: sepiion_core::sync::MutationStatus::Conflict,
            record: Some(Record::AgendaItem(Box::new(theirs))),
            error: None,
            conflicts: vec![],
            unknown_mentions: vec![],
        }])
        .unwrap();
    let html = render(&store, Variant::Internal, Route::Sync);
    let html = main_of(&html);
    assert!(html.contains("Konflik perubahan"));
    assert!(
        html.contains("Rapat koordinasi OPD (diubah)"),
        "my change is named"
    );
    assert!(
        html.contains("Rapat koordinasi (versi server)"),
        "the server's version is named"
    );
    assert!(html.contains("Pakai versi saya") && html.contains("Pakai versi server"));
    assert!(html.contains("Keluar"));
}

fn notification(id: &str, title: &str, minutes_ago: i64, read: bool) -> Record {
    use sepiion_core::notify::{AppNotification, Link, NoticeKind, Priority};
    use sepiion_core::validation::Msg;
    let at = Utc::now() - Duration::minutes(minutes_ago);
    Record::Notification(Box::new(AppNotification {
        id: id.into(),
        kind: NoticeKind::RequestUpdate,
        priority: Priority::Normal,
        link: Link::Request("r1".into()),
        title: Msg::new(title, format!("EN {title}")),
        body: Msg::new(format!("Isi {title}"), format!("Body {title}")),
        created_at: at,
        read_at: read.then_some(at),
        version: 1,
    }))
}

#[test]
fn new_notifications_after_a_sync_show_in_the_list_and_the_badge() {
    let (_d, store) = store_with(
        Variant::Public,
        vec![
            notification("n1", "Permohonan diterima: K7QM-3XRD", 30, true),
            notification("n2", "Permohonan K7QM-3XRD — Disetujui", 5, false),
        ],
    );
    let html = render(&store, Variant::Public, Route::Notifications);
    // Newest first, the unread one marked, and the tab bar's badge counts it.
    let approved = html
        .find("Permohonan K7QM-3XRD — Disetujui")
        .expect("approval listed");
    let receipt = html
        .find("Permohonan diterima: K7QM-3XRD")
        .expect("receipt listed");
    assert!(approved < receipt, "newest first");
    assert!(html.contains("notification unread"));
    assert!(
        html.contains(r#"aria-label="1 belum dibaca""#),
        "badge: {html}"
    );
    assert_eq!(store.unread_notifications().unwrap(), 1);

    // Another sync brings one more; marking one read on the device lowers the count.
    store
        .apply_pull_page(&PullPage {
            changes: vec![Change {
                entity: EntityKind::Notification,
                id: "n3".into(),
                record: Some(notification(
                    "n3",
                    "Permohonan K7QM-3XRD — Usul waktu lain",
                    1,
                    false,
                )),
            }],
            cursor: "c1-2".into(),
            has_more: false,
            remaining: 0,
        })
        .unwrap();
    assert_eq!(store.unread_notifications().unwrap(), 2);
    let html = render(&store, Variant::Public, Route::Schedule);
    assert!(
        html.contains(r#"aria-label="2 belum dibaca""#),
        "badge on every screen"
    );
    store.mark_notification_read("n2").unwrap();
    assert_eq!(store.unread_notifications().unwrap(), 1);
    let list = store.notifications().unwrap();
    assert_eq!(list.len(), 3);
    assert!(
        list.iter()
            .find(|e| e.notification.id == "n2")
            .unwrap()
            .read
    );

    // The staff app has the tab too, and an empty list says so.
    let (_d2, staff) = store_with(Variant::Internal, vec![]);
    sign_in(&staff, "protokol", Role::Protocol, None);
    let html = render(&staff, Variant::Internal, Route::Notifications);
    assert!(html.contains("Belum ada notifikasi."));
    assert!(html.contains(">Notifikasi<") || html.contains("Notifikasi"));
    assert!(
        !html.contains("belum dibaca"),
        "no badge without unread ones"
    );
}

#[test]
fn a_notification_opens_its_request_or_agenda_item() {
    use sepiion::ui::notifications::route_for;
    use sepiion_core::notify::Link;
    assert_eq!(
        route_for(Variant::Public, &Link::Request("r1".into())),
        Route::MyRequest("r1".into())
    );
    assert_eq!(
        route_for(Variant::Internal, &Link::Request("r1".into())),
        Route::Request("r1".into())
    );
    assert_eq!(
        route_for(Variant::Internal, &Link::AgendaItem("a1".into())),
        Route::AgendaItem("a1".into())
    );
    assert_eq!(
        route_for(Variant::Internal, &Link::AgendaDay("2026-12-01".into())),
        Route::Agenda
    );
}

#[test]
fn requests_sooner_than_the_lead_time_are_flagged_mendesak_in_inbox_and_detail() {
    let soon = Request {
        id: "r-soon".into(),
        title: "Upacara Piodalan Besok".into(),
        starts_at: today_at(24 + 10),
        ends_at: today_at(24 + 12),
        ..request("r-soon", RequestState::Submitted, Some("bupati"))
    };
    let later = request("r-later", RequestState::Submitted, Some("bupati"));
    let decided = Request {
        id: "r-done".into(),
        title: "Sudah disetujui".into(),
        starts_at: today_at(24 + 10),
        ends_at: today_at(24 + 12),
        ..request("r-done", RequestState::Approved, Some("bupati"))
    };
    let records = vec![
        Record::Request(Box::new(soon)),
        Record::Request(Box::new(later)),
        Record::Request(Box::new(decided)),
    ];
    let (_d, store) = store_with(Variant::Internal, records);
    // The server's lead time, as a sync stores it: 3 days (the later one is 6–8 days away).
    store.set_lead_time_days(3).unwrap();
    sign_in(&store, "protokol", Role::Protocol, None);
    let html = render(&store, Variant::Internal, Route::Inbox);
    let html = main_of(&html);
    assert_eq!(
        html.matches("chip urgent").count(),
        1,
        "only the open request starting tomorrow is urgent: {html}"
    );
    let card = html
        .split("<article")
        .find(|c| c.contains("chip urgent"))
        .unwrap();
    assert!(card.contains("Upacara Piodalan Besok") && card.contains(">Mendesak<"));

    let detail = render(&store, Variant::Internal, Route::Request("r-soon".into()));
    assert!(main_of(&detail).contains(">Mendesak<"));
    let detail = render(&store, Variant::Internal, Route::Request("r-later".into()));
    assert!(!main_of(&detail).contains("chip urgent"));

    store.set_language(Lang::En).unwrap();
    let detail = render(&store, Variant::Internal, Route::Request("r-soon".into()));
    assert!(main_of(&detail).contains(">Urgent<"));
}

#[test]
fn the_request_form_warns_before_sending_an_event_sooner_than_the_lead_time() {
    let (_d, store) = store_with(Variant::Public, vec![]);
    store.set_lead_time_days(7).unwrap();
    let day = |days: i64| {
        (Utc::now().with_timezone(&Makassar) + Duration::days(days))
            .format("%Y-%m-%d")
            .to_string()
    };
    let draft = |date: String| format!(r#"{{"start_date":"{date}","start_time":"10:00"}}"#);

    store
        .set_pref(ui::prefs::REQUEST_DRAFT, Some(&draft(day(2))))
        .unwrap();
    let html = render(&store, Variant::Public, Route::Submit);
    let html = main_of(&html);
    assert!(
        html.contains("kurang dari 7 hari") && html.contains("tetap diterima"),
        "{html}"
    );
    assert!(html.contains("Kirim permohonan"), "sending stays possible");

    store
        .set_pref(ui::prefs::REQUEST_DRAFT, Some(&draft(day(20))))
        .unwrap();
    let html = render(&store, Variant::Public, Route::Submit);
    assert!(!main_of(&html).contains("urgent-warning"));

    store
        .set_pref(ui::prefs::REQUEST_DRAFT, Some(&draft(day(2))))
        .unwrap();
    store.set_language(Lang::En).unwrap();
    let html = render(&store, Variant::Public, Route::Submit);
    assert!(main_of(&html).contains("less than 7 days"));
}

#[test]
fn the_staff_notification_settings_show_channels_and_the_ntfy_topic_link() {
    let (_d, store) = store_with(Variant::Internal, vec![]);
    sign_in(&store, "protokol", Role::Protocol, None);
    store
        .set_notification_settings(&sepiion_core::api::NotificationSettings {
            phone: Some("081234567890".into()),
            email: None,
            channels: vec![sepiion_core::notify::Channel::Ntfy],
            ntfy_url: Some("https://ntfy.example.test/sps-rahasia".into()),
            available: vec![
                sepiion_core::notify::Channel::Ntfy,
                sepiion_core::notify::Channel::Whatsapp,
            ],
        })
        .unwrap();
    let html = render(&store, Variant::Internal, Route::Sync);
    let html = main_of(&html);
    assert!(html.contains("Pengaturan notifikasi"), "{html}");
    assert!(html.contains("value=\"081234567890\""));
    assert!(html.contains("href=\"https://ntfy.example.test/sps-rahasia\""));
    // The link's text is the address itself; next to it the same address as a QR code, one
    // image with a name for screen readers.
    assert!(
        html.contains(">https://ntfy.example.test/sps-rahasia</a>"),
        "{html}"
    );
    let qr = &html[html.find("class=\"ntfy-qr\"").expect("a QR code")..];
    let qr = &qr[..qr.find("</div>").unwrap()];
    assert!(qr.contains("role=\"img\""), "{qr}");
    assert!(
        qr.contains(
            "aria-label=\"Kode QR alamat topik ntfy, untuk dipindai dengan aplikasi ntfy\""
        ),
        "{qr}"
    );
    assert_eq!(
        qr.matches("<svg ").count(),
        1,
        "inline SVG of sepiion::ui::internal::notify_settings::qr_svg: {qr}"
    );
    assert!(
        qr.contains(
            &sepiion::ui::internal::notify_settings::qr_svg(
                "https://ntfy.example.test/sps-rahasia"
            )
            .unwrap()
        )
    );
    assert!(
        html.contains(" whatsapp") && !html.contains(" email<"),
        "only what the server offers"
    );
}

/// The element whose `id` attribute is `html_id` (a dynamic attribute, so it is in the edits).
fn element_with_id(edits: &[dioxus_core::Mutation], html_id: &str) -> dioxus_core::ElementId {
    edits
        .iter()
        .find_map(|m| match m {
            dioxus_core::Mutation::SetAttribute {
                name: "id",
                value: dioxus_core::AttributeValue::Text(v),
                id,
                ..
            } if v == html_id => Some(*id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no element #{html_id}"))
}

/// Issue 23: "Simpan" tapped twice on a new agenda item makes one item, and the screen goes to
/// that item.
#[test]
fn a_double_tap_on_simpan_makes_one_agenda_item_and_opens_it() {
    use dioxus_html::{PlatformEventData, SerializedFormData};
    // The Bupati is busy from 09.00, when the form's new item starts by default.
    let (_d, store) = store_with(
        Variant::Internal,
        vec![Record::AgendaItem(Box::new(item(
            "a1",
            "Rapat koordinasi OPD",
            9,
            Visibility::Internal,
            true,
        )))],
    );
    sign_in(&store, "protokol", Role::Protocol, None);
    dioxus_html::set_event_converter(Box::new(dioxus_html::SerializedHtmlEventConverter));
    let mut dom = common::ui::app_dom(&store, Variant::Internal, Route::AgendaEdit(None));
    let edits = dom.rebuild_to_vec().edits;
    let form_event = |value: &str| {
        let data =
            PlatformEventData::new(Box::new(SerializedFormData::new(value.to_string(), vec![])));
        dioxus_core::Event::new(
            std::rc::Rc::new(data) as std::rc::Rc<dyn std::any::Any>,
            true,
        )
    };
    for (field, value) in [
        ("item-title", "Peresmian pasar Galiran"),
        ("item-location", "Pasar Galiran"),
    ] {
        let target = element_with_id(&edits, field);
        dom.runtime()
            .handle_event("input", form_event(value), target);
        dom.render_immediate(&mut dioxus_core::NoOpMutations);
    }
    let submit = edits
        .iter()
        .find_map(|m| match m {
            dioxus_core::Mutation::NewEventListener { name, id } if name == "submit" => Some(*id),
            _ => None,
        })
        .expect("the form");
    // Two taps before the screen has redrawn.
    dom.runtime().handle_event("submit", form_event(""), submit);
    dom.runtime().handle_event("submit", form_event(""), submit);
    dom.render_immediate(&mut dioxus_core::NoOpMutations);
    let day = sepiion_core::time::local_date(Utc::now(), Makassar);
    let items: Vec<_> = store
        .agenda(None, day, day, Makassar)
        .unwrap()
        .into_iter()
        .filter(|e| e.item.title == "Peresmian pasar Galiran")
        .collect();
    assert_eq!(items.len(), 1, "one item");
    assert_eq!(store.pending_count().unwrap(), 1, "one change to send");
    // The screen is now the saved item's own.
    let html = dioxus_ssr::render(&dom);
    let main = main_of(&html);
    assert!(main.contains("Peresmian pasar Galiran"), "{main}");
    assert!(
        !main.contains("id=\"item-title\""),
        "the form is gone: {main}"
    );
    // With its clash, where the person is looking.
    assert!(main.contains("card conflict"), "{main}");
    assert!(main.contains("Rapat koordinasi OPD"), "{main}");
}

// --- Issue 23: destructive actions ask once; each action says what it did -----------------

/// The one `role="alertdialog"` on screen, or none.
fn dialog_of(html: &str) -> Option<&str> {
    let start = html.find("role=\"alertdialog\"")?;
    let rest = &html[start..];
    let end = rest
        .find("</button></div></div>")
        .map_or(rest.len(), |i| i + "</button></div></div>".len());
    Some(&rest[..end])
}

/// The live region's message (`role="status"` around the action's outcome), or none.
fn status_message<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[start..];
    let text = &rest[rest.find('>')? + 1..];
    Some(&text[..text.find("</p>")?])
}

fn stored_request(store: &sepiion::store::Store, id: &str) -> Request {
    store.request_detail(id).unwrap().unwrap().request.request
}

#[test]
fn declining_asks_once_naming_the_request_and_then_says_who_is_told() {
    use common::ui::Driver;
    let (_d, store) = store_with(
        Variant::Internal,
        vec![Record::Request(Box::new(request(
            "r1",
            RequestState::AwaitingLeader,
            Some("bupati"),
        )))],
    );
    sign_in(&store, "ajudan.bupati", Role::Adc, Some("bupati"));
    let mut app = Driver::new(&store, Variant::Internal, Route::Request("r1".into()));
    // "Tolak" opens the question; nothing is declined yet.
    app.tap("action-decline", 1);
    let html = app.html();
    let dialog = dialog_of(&html).expect("a confirmation");
    assert!(
        dialog.contains(
            "Permohonan &#34;Pembukaan Festival Semarapura&#34; akan ditolak. Pemohon diberi tahu"
        ),
        "{dialog}"
    );
    assert!(
        dialog.contains("aria-labelledby=\"confirm-action-question\""),
        "{dialog}"
    );
    assert!(dialog.contains(">Kembali</button>"), "{dialog}");
    assert_eq!(
        stored_request(&store, "r1").state,
        RequestState::AwaitingLeader
    );
    // "Kembali" closes it, and Esc does too: still nothing declined.
    app.tap("confirm-action-no", 1);
    assert!(dialog_of(&app.html()).is_none());
    app.tap("action-decline", 1);
    app.escape("confirm-action");
    assert!(dialog_of(&app.html()).is_none());
    assert_eq!(store.pending_count().unwrap(), 0);
    // Asked again, with a reason, and tapped twice: declined once.
    app.tap("action-decline", 1);
    app.type_into_newest("Bupati bertugas ke Jakarta");
    app.tap("confirm-action-yes", 2);
    let r = stored_request(&store, "r1");
    assert_eq!(r.state, RequestState::Declined);
    assert_eq!(store.pending_count().unwrap(), 1, "one change to send");
    let html = app.html();
    assert!(dialog_of(&html).is_none(), "{html}");
    assert!(
        !main_of(&html).contains("notice error"),
        "no second try refused: {html}"
    );
    // Said where the buttons were, in a live region: core's rule (the requester, protocol and
    // the Bupati's team) without the ajudan who acted.
    assert!(
        html.contains("role=\"status\" aria-live=\"polite\""),
        "{html}"
    );
    assert_eq!(
        status_message(&html, "action-done"),
        Some(
            "Permohonan ditolak. Pemohon, staf protokol, sekretaris pribadi Bupati Klungkung \
             dan Bupati Klungkung diberi tahu setelah perubahan terkirim."
        ),
        "{html}"
    );
}

#[test]
fn start_review_and_forward_say_what_happened_in_both_languages() {
    use common::ui::Driver;
    let (_d, store) = store_with(
        Variant::Internal,
        vec![Record::Request(Box::new(request(
            "r1",
            RequestState::Submitted,
            Some("bupati"),
        )))],
    );
    sign_in(&store, "protokol", Role::Protocol, None);
    let mut app = Driver::new(&store, Variant::Internal, Route::Request("r1".into()));
    app.tap("action-start_review", 2);
    app.tap("act-start_review", 2);
    assert_eq!(stored_request(&store, "r1").state, RequestState::InReview);
    assert_eq!(store.pending_count().unwrap(), 1);
    assert_eq!(
        status_message(&app.html(), "action-done"),
        Some("Peninjauan dimulai. Pemohon diberi tahu setelah perubahan terkirim.")
    );
    app.tap("action-forward_to_leader", 1);
    app.tap("act-forward_to_leader", 2);
    assert_eq!(
        stored_request(&store, "r1").state,
        RequestState::AwaitingLeader
    );
    assert_eq!(store.pending_count().unwrap(), 2, "one change per action");
    assert_eq!(
        status_message(&app.html(), "action-done"),
        Some(
            "Diteruskan ke Bupati Klungkung. Ajudan dan sekretaris pribadi Bupati Klungkung \
             dan Bupati Klungkung diberi tahu setelah perubahan terkirim."
        )
    );

    // The same in English.
    let (_d2, store) = store_with(
        Variant::Internal,
        vec![Record::Request(Box::new(request(
            "r2",
            RequestState::Submitted,
            Some("bupati"),
        )))],
    );
    sign_in(&store, "protokol", Role::Protocol, None);
    store.set_language(Lang::En).unwrap();
    let mut app = Driver::new(&store, Variant::Internal, Route::Request("r2".into()));
    app.tap("action-start_review", 1);
    app.tap("act-start_review", 1);
    assert_eq!(
        status_message(&app.html(), "action-done"),
        Some("Review started. Notified once the change is sent: the requester.")
    );
}

#[test]
fn cancelling_an_agenda_item_asks_once_naming_it() {
    use common::ui::Driver;
    let (_d, store) = store_with(
        Variant::Internal,
        vec![Record::AgendaItem(Box::new(item(
            "a1",
            "Rapat koordinasi OPD",
            24 + 9,
            Visibility::Internal,
            true,
        )))],
    );
    sign_in(&store, "protokol", Role::Protocol, None);
    let status =
        |store: &sepiion::store::Store| store.agenda_item("a1").unwrap().unwrap().item.status;
    let mut app = Driver::new(&store, Variant::Internal, Route::AgendaItem("a1".into()));
    app.tap(sepiion::ui::internal::agenda::CANCEL_ITEM, 1);
    let html = app.html();
    let dialog = dialog_of(&html).expect("a confirmation");
    let tomorrow = sepiion_core::time::local_date(today_at(24 + 9), Makassar);
    assert!(
        dialog.contains(&format!(
            "Agenda &#34;Rapat koordinasi OPD&#34; ({}, 09.00–11.00 WITA) akan dibatalkan",
            sepiion_core::time::date(tomorrow, Lang::Id)
        )),
        "{dialog}"
    );
    app.escape("confirm-cancel-item");
    assert!(dialog_of(&app.html()).is_none());
    assert_eq!(status(&store), AgendaStatus::Confirmed);
    // Without a reason it is refused, the question stays open and says why.
    app.tap(sepiion::ui::internal::agenda::CANCEL_ITEM, 1);
    app.tap("confirm-cancel-item-yes", 1);
    let html = app.html();
    assert!(
        dialog_of(&html).is_some_and(|d| d.contains("Alasan pembatalan wajib diisi.")),
        "{html}"
    );
    assert_eq!(status(&store), AgendaStatus::Confirmed);
    app.type_into_newest("Bupati sakit");
    app.tap("confirm-cancel-item-yes", 2);
    assert_eq!(status(&store), AgendaStatus::Cancelled);
    assert_eq!(store.pending_count().unwrap(), 1, "cancelled once");
    assert_eq!(
        status_message(&app.html(), "item-cancelled"),
        Some("Agenda dibatalkan.")
    );
}

#[test]
fn signing_out_names_the_unsent_changes_that_would_be_lost() {
    use common::ui::Driver;
    use sepiion::ui::internal::sync_status::LOGOUT;
    let (_d, store) = store_with(
        Variant::Internal,
        vec![Record::Request(Box::new(request(
            "r1",
            RequestState::Submitted,
            Some("bupati"),
        )))],
    );
    sign_in(&store, "protokol", Role::Protocol, None);
    let mut app = Driver::new(&store, Variant::Internal, Route::Sync);
    app.tap(LOGOUT, 1);
    let html = app.html();
    let dialog = dialog_of(&html).expect("a confirmation");
    assert!(
        dialog.contains("Semua perubahan Anda sudah terkirim ke server; tidak ada yang hilang."),
        "{dialog}"
    );
    app.tap("confirm-logout-no", 1);
    assert!(dialog_of(&app.html()).is_none());

    // Two changes wait to be sent: the question says so.
    store
        .transition(
            "r1",
            sepiion_core::workflow::TransitionInput::new(
                sepiion_core::workflow::Action::StartReview,
            ),
        )
        .unwrap();
    store
        .add_note(
            "r1",
            sepiion_core::api::NoteInput {
                id: None,
                instruction: String::new(),
                text: "Koordinasi dengan Satpol PP".into(),
            },
        )
        .unwrap();
    let mut app = Driver::new(&store, Variant::Internal, Route::Sync);
    app.tap(LOGOUT, 1);
    let html = app.html();
    let dialog = dialog_of(&html).expect("a confirmation");
    assert!(
        dialog.contains("2 perubahan belum terkirim akan hilang bila Anda keluar sekarang."),
        "{dialog}"
    );
    app.escape("confirm-logout");
    assert!(dialog_of(&app.html()).is_none());
    assert!(
        matches!(
            store.identity().unwrap(),
            sepiion::store::Identity::Staff { .. }
        ),
        "still signed in"
    );
    assert_eq!(store.pending_count().unwrap(), 2, "nothing lost");
}

#[test]
fn cancelling_my_request_asks_once_with_the_existing_confirmation() {
    use common::ui::Driver;
    use sepiion::ui::public::my_requests::CANCEL_REQUEST;
    let (_d, store) = store_with(
        Variant::Public,
        vec![Record::Request(Box::new(request(
            "r1",
            RequestState::Submitted,
            Some("bupati"),
        )))],
    );
    let mut app = Driver::new(&store, Variant::Public, Route::MyRequest("r1".into()));
    app.tap(CANCEL_REQUEST, 1);
    let html = app.html();
    let dialog = dialog_of(&html).expect("a confirmation");
    assert!(
        dialog.contains(
            "Permohonan &#34;Pembukaan Festival Semarapura&#34; akan dibatalkan dan tidak diproses lagi"
        ),
        "{dialog}"
    );
    app.tap("confirm-cancel-request-no", 1);
    assert!(dialog_of(&app.html()).is_none());
    assert_eq!(stored_request(&store, "r1").state, RequestState::Submitted);
    app.tap(CANCEL_REQUEST, 1);
    app.type_into_newest("Acara diundur");
    app.tap("confirm-cancel-request-yes", 2);
    assert_eq!(stored_request(&store, "r1").state, RequestState::Cancelled);
    assert_eq!(store.pending_count().unwrap(), 1, "cancelled once");
}

// --- Issue 23 point 10: the agenda item, the week, the request's phone ---------------------

#[test]
fn the_item_screen_shows_its_date_and_each_clash_once_without_an_empty_card() {
    let mut other = item(
        "a2",
        "Sidang paripurna DPRD",
        24 + 10,
        Visibility::Internal,
        false,
    );
    other.location = "Gedung DPRD".into();
    let (_d, store) = store_with(
        Variant::Internal,
        vec![
            Record::AgendaItem(Box::new(item(
                "a1",
                "Rapat koordinasi OPD",
                24 + 9,
                Visibility::Internal,
                false,
            ))),
            Record::AgendaItem(Box::new(other)),
        ],
    );
    sign_in(&store, "protokol", Role::Protocol, None);
    let html = render(&store, Variant::Internal, Route::AgendaItem("a1".into()));
    let main = main_of(&html);
    let tomorrow = sepiion_core::time::local_date(today_at(24 + 9), Makassar);
    assert!(
        main.contains(&format!(
            "{}, 09.00–11.00 WITA",
            sepiion_core::time::date(tomorrow, Lang::Id)
        )),
        "the date with the hours: {main}"
    );
    assert_eq!(main.matches("Bentrok dengan").count(), 1, "{main}");
    assert_eq!(main.matches("Sidang paripurna DPRD").count(), 1, "{main}");
    assert!(
        !main.contains("class=\"card small\""),
        "no empty card: {main}"
    );
}

#[test]
fn finished_items_are_not_drawn_as_clashes() {
    let mut done_a = item("a1", "Upacara bendera", 1, Visibility::Public, true);
    done_a.status = AgendaStatus::Done;
    let mut done_b = item("a2", "Apel pagi", 2, Visibility::Public, true);
    done_b.status = AgendaStatus::Done;
    let ahead_a = item("a3", "Rapat anggaran", 24 + 9, Visibility::Internal, true);
    let ahead_b = item(
        "a4",
        "Audiensi nelayan",
        24 + 10,
        Visibility::Internal,
        true,
    );
    let (_d, store) = store_with(
        Variant::Internal,
        [done_a, done_b, ahead_a, ahead_b]
            .into_iter()
            .map(|i| Record::AgendaItem(Box::new(i)))
            .collect(),
    );
    sign_in(&store, "protokol", Role::Protocol, None);
    let html = render(&store, Variant::Internal, Route::Agenda);
    let main = main_of(&html);
    assert!(
        main.contains("Upacara bendera") && main.contains("Apel pagi"),
        "{main}"
    );
    assert!(
        !main.contains("card conflict"),
        "finished items overlap quietly: {main}"
    );
    let html = render(&store, Variant::Internal, Route::AgendaItem("a3".into()));
    assert!(
        main_of(&html).contains("card conflict"),
        "items ahead still clash"
    );
}

#[test]
fn the_requesters_phone_is_a_tel_link_beside_whatsapp() {
    let (_d, store) = store_with(
        Variant::Internal,
        vec![Record::Request(Box::new(request(
            "r1",
            RequestState::InReview,
            Some("bupati"),
        )))],
    );
    sign_in(&store, "protokol", Role::Protocol, None);
    let html = render(&store, Variant::Internal, Route::Request("r1".into()));
    let main = main_of(&html);
    assert!(
        main.contains("<a href=\"tel:+6281234567890\">081234567890</a>"),
        "{main}"
    );
    assert!(
        main.contains("href=\"https://wa.me/6281234567890?text="),
        "{main}"
    );
}

#[test]
fn the_ajudans_clash_warning_names_each_clash_once_while_approving() {
    use common::ui::Driver;
    let (_d, store) = store_with(
        Variant::Internal,
        vec![
            Record::Request(Box::new(request(
                "r1",
                RequestState::AwaitingLeader,
                Some("bupati"),
            ))),
            Record::AgendaItem(Box::new(item(
                "a1",
                "Rapat paripurna DPRD",
                24 * 7 + 11,
                Visibility::Internal,
                true,
            ))),
        ],
    );
    sign_in(&store, "ajudan.bupati", Role::Adc, Some("bupati"));
    let mut app = Driver::new(&store, Variant::Internal, Route::Request("r1".into()));
    let html = app.html();
    assert_eq!(
        main_of(&html).matches("Bentrok dengan").count(),
        1,
        "{html}"
    );
    app.tap("action-approve", 1);
    let html = app.html();
    let main = main_of(&html);
    assert_eq!(main.matches("Bentrok dengan").count(), 1, "once: {main}");
    assert_eq!(
        main.matches("Perhatian: jadwal bentrok").count(),
        1,
        "{main}"
    );
    assert!(
        !main.contains("Bentrok jadwal"),
        "one heading, not two: {main}"
    );
}

/// Issue 23: after sending, a "sent" screen with the tracking code big, kept whole per group
/// (a line breaks only after a dash), copy, WhatsApp share and "Lihat status".
#[test]
fn the_sent_screen_shows_the_code_in_whole_groups_with_copy_share_and_status() {
    let (_d, store) = store_with(
        Variant::Public,
        vec![Record::Request(Box::new(request(
            "r1",
            RequestState::Submitted,
            Some("bupati"),
        )))],
    );
    let html = render(&store, Variant::Public, Route::Submitted("r1".into()));
    assert_eq!(title_of(&html), "Ajukan Permohonan");
    let main = main_of(&html);
    assert!(main.contains("id=\"sent-heading\""), "{main}");
    assert!(main.contains("Permohonan terkirim"), "{main}");
    // K7QM-3XRD: two groups, each unbreakable, a break opportunity after the dash.
    assert!(
        main.contains("<span style=\"white-space: nowrap\">K7QM-</span><wbr")
            && main.contains("<span style=\"white-space: nowrap\">3XRD</span>"),
        "{main}"
    );
    assert!(main.contains("Salin kode") && main.contains("Lihat status"));
    assert!(main.contains("https://wa.me/?text=") && main.contains("K7QM-3XRD"));
    // No form on this screen: its draft notice and file input are gone.
    assert!(!main.contains("id=\"attachment\"") && !main.contains("Draf tersimpan"));
}

/// Offline, the sent screen says the request waits and shows no code yet.
#[test]
fn the_sent_screen_of_an_unsent_request_says_it_waits() {
    let (_d, store) = store_with(Variant::Public, vec![]);
    let r = store
        .submit_request(common::new_request("Ngaben massal Desa Kusamba", 20))
        .unwrap();
    let html = render(&store, Variant::Public, Route::Submitted(r.id));
    let main = main_of(&html);
    assert!(
        main.contains("Permohonan tersimpan di perangkat ini"),
        "{main}"
    );
    assert!(main.contains("Menunggu dikirim"), "{main}");
    assert!(!main.contains("tracking-code"), "{main}");
}

/// Issue 23: two taps on "Kirim permohonan" before the screen redraws make one request, and
/// the screen becomes the "sent" screen (the form and its draft gone).
#[test]
fn a_double_tap_on_kirim_makes_one_request_and_shows_the_sent_screen() {
    use dioxus_html::{PlatformEventData, SerializedFormData};
    let (_d, store) = store_with(Variant::Public, vec![]);
    let day = (Utc::now().with_timezone(&Makassar).date_naive() + Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    let draft = serde_json::json!({
        "kind": "undangan", "leader_id": "bupati", "title": "Pujawali Pura Goa Lawah",
        "description": "Mohon Bapak Bupati berkenan hadir pada pujawali.",
        "start_date": day, "start_time": "09:00", "end_date": day, "end_time": "11:00",
        "location": "Pura Goa Lawah, Pesinggahan", "organizer": "Desa Adat Pesinggahan",
        "requester_name": "I Made Artawan", "requester_phone": "0812 3456 7890",
        "expected_attendees": "300", "leader_role": "menghadiri"
    });
    store
        .set_pref(ui::prefs::REQUEST_DRAFT, Some(&draft.to_string()))
        .unwrap();
    dioxus_html::set_event_converter(Box::new(dioxus_html::SerializedHtmlEventConverter));
    let mut dom = common::ui::app_dom(&store, Variant::Public, Route::Submit);
    let edits = dom.rebuild_to_vec().edits;
    let submit = edits
        .iter()
        .find_map(|m| match m {
            dioxus_core::Mutation::NewEventListener { name, id } if name == "submit" => Some(*id),
            _ => None,
        })
        .expect("the form");
    let event = || {
        let data = PlatformEventData::new(Box::new(SerializedFormData::new(String::new(), vec![])));
        dioxus_core::Event::new(
            std::rc::Rc::new(data) as std::rc::Rc<dyn std::any::Any>,
            true,
        )
    };
    dom.runtime().handle_event("submit", event(), submit);
    dom.runtime().handle_event("submit", event(), submit);
    dom.render_immediate(&mut dioxus_core::NoOpMutations);
    let mine = store.own_requests().unwrap();
    assert_eq!(mine.len(), 1, "one request");
    assert_eq!(store.pending_count().unwrap(), 1, "one change to send");
    assert!(
        store.pref(ui::prefs::REQUEST_DRAFT).unwrap().is_none(),
        "draft cleared"
    );
    let html = dioxus_ssr::render(&dom);
    let main = main_of(&html);
    assert!(main.contains("id=\"sent-heading\""), "{main}");
    assert!(!main.contains("id=\"title\""), "the form is gone: {main}");
}

/// Issue 23: the letter is a control that opens it, with its size written right ("45 B", not
/// "0 KB"), in the staff app's request detail and in the public app's own request.
#[test]
fn attachments_are_buttons_with_their_real_size() {
    let mut r = request("r1", RequestState::Submitted, Some("bupati"));
    r.attachments = vec![
        AttachmentMeta {
            id: "a1".into(),
            filename: "surat-undangan.pdf".into(),
            content_type: "application/pdf".into(),
            size: 45,
        },
        AttachmentMeta {
            id: "a2".into(),
            filename: "denah-lokasi.png".into(),
            content_type: "image/png".into(),
            size: 1_258_291,
        },
    ];
    for variant in [Variant::Internal, Variant::Public] {
        let (_d, store) = store_with(variant, vec![Record::Request(Box::new(r.clone()))]);
        let route = if variant == Variant::Internal {
            sign_in(&store, "protokol", Role::Protocol, None);
            Route::Request("r1".into())
        } else {
            Route::MyRequest("r1".into())
        };
        let html = render(&store, variant, route);
        let main = main_of(&html);
        let letter = main
            .split("<button")
            .find(|b| b.contains("surat-undangan.pdf"))
            .unwrap_or_else(|| panic!("{variant:?}: the letter is a button: {main}"));
        assert!(letter.contains("(45 B)"), "{letter}");
        assert!(
            main.contains("denah-lokasi.png") && main.contains("(1,2 MB)"),
            "{main}"
        );
        assert!(!main.contains("0 KB"), "{main}");
    }
}

/// Issue 23: Pengaturan shows the server address the sync engine uses (here the one the app
/// was started with), not the built-in default.
#[tokio::test]
async fn settings_show_the_server_address_in_use() {
    use dioxus::prelude::*;
    use sepiion::sync::{ServerClient, SyncEngine};
    #[component]
    fn Root() -> Element {
        let launch = use_context::<ui::Launch>();
        ui::use_app(launch);
        rsx! { ui::shell::Frame {} }
    }
    let (_d, store) = store_with(Variant::Public, vec![]);
    let in_use = "http://127.0.0.1:9";
    let engine = SyncEngine::new(store.clone(), ServerClient::new(in_use).unwrap());
    let launch = ui::Launch {
        variant: Variant::Public,
        store: store.clone(),
        engine: Some(std::sync::Arc::new(engine)),
        tz: Makassar,
        initial_route: Some(Route::Settings),
    };
    let mut dom = VirtualDom::new(Root).with_root_context(launch);
    dom.rebuild_in_place();
    let html = dioxus_ssr::render(&dom);
    let main = main_of(&html);
    assert!(main.contains(&format!("value=\"{in_use}\"")), "{main}");
    assert!(
        main.contains(&format!("Dipakai sekarang: {in_use}")),
        "{main}"
    );
    assert!(
        main.contains(ui::DEFAULT_SERVER_URL),
        "the default is still named"
    );
}

/// Issue 24: a note's `@names` are checked as the person types, against the names the server
/// gave at the last sync — before anything is sent, also offline. An e-mail address and a role
/// are not flagged; with no list on the device yet nothing is guessed.
#[test]
fn a_mistyped_mention_is_named_before_the_note_is_sent() {
    use common::ui::Driver;
    let (_d, store) = store_with(
        Variant::Internal,
        vec![Record::Request(Box::new(request(
            "r1",
            RequestState::InReview,
            Some("bupati"),
        )))],
    );
    sign_in(&store, "protokol", Role::Protocol, None);
    let typed =
        "Mohon @komang dan @ajudan.bupatii hadir bersama @ajudan.bupati; kabari panitia@contoh.id.";

    // No list yet: no warning (the server's answer will name them after sending).
    let mut app = Driver::new(&store, Variant::Internal, Route::Request("r1".into()));
    app.type_into_newest(typed); // the note text, the form's last field
    assert!(!app.html().contains("note-mentions"), "{}", app.html());

    store
        .set_mention_names(&["ajudan.bupati".into(), "protokol".into()])
        .unwrap();
    let mut app = Driver::new(&store, Variant::Internal, Route::Request("r1".into()));
    app.type_into_newest(typed); // the note text, the form's last field
    let html = app.html();
    assert!(
        html.contains(
            "Tidak ada akun staf bernama @komang dan @ajudan.bupatii; sebutan itu tidak akan memberi tahu siapa pun."
        ),
        "{html}"
    );
    assert!(
        html.contains("aria-describedby=\"note-mentions\""),
        "the warning is tied to the field: {html}"
    );
    assert_eq!(store.pending_count().unwrap(), 0, "nothing sent by typing");
    // Corrected, the warning goes.
    app.type_into_newest("Mohon @ajudan.bupati hadir; kabari panitia@contoh.id.");
    assert!(!app.html().contains("note-mentions"), "{}", app.html());
}

/// Issue 23: the staff week opens at today — days already past are folded away under one line
/// (still one tap to open) — and finished items on past days are not drawn as clash boxes.
#[test]
fn the_staff_week_folds_past_days_and_draws_no_clashes_on_them() {
    use common::ui::Driver;
    use sepiion::ui::public::schedule::{PREVIOUS, VIEW_WEEK};
    let week_ago = |id: &str, title: &str, hour: i64| {
        let mut i = item(id, title, hour, Visibility::Internal, true);
        i.starts_at -= Duration::days(7);
        i.ends_at -= Duration::days(7);
        Record::AgendaItem(Box::new(i))
    };
    let (_d, store) = store_with(
        Variant::Internal,
        vec![
            week_ago("w1", "Rapat evaluasi pekan lalu", 9),
            week_ago("w2", "Audiensi pekan lalu", 10),
            Record::AgendaItem(Box::new(item(
                "t1",
                "Rapat koordinasi hari ini",
                9,
                Visibility::Internal,
                true,
            ))),
        ],
    );
    sign_in(&store, "protokol", Role::Protocol, None);
    let mut app = Driver::new(&store, Variant::Internal, Route::Agenda);
    app.tap(VIEW_WEEK, 1);
    let page = app.html();
    let week = main_of(&page);
    assert!(week.contains("Rapat koordinasi hari ini"), "{week}");
    assert!(week.contains("class=\"today\""), "today is marked: {week}");
    assert!(!week.contains("Rapat evaluasi pekan lalu"), "{week}");
    assert!(
        !week.contains("sudah lewat"),
        "nothing past in this week: {week}"
    );

    // The week before: every day is past, so all of it is folded, closed, and its overlapping
    // items are not clash boxes.
    app.tap(PREVIOUS, 1);
    let page = app.html();
    let before = main_of(&page);
    assert!(
        before.contains(
            "<details class=\"past-days\"><summary>2 kegiatan pada hari yang sudah lewat</summary>"
        ),
        "{before}"
    );
    let folded = &before[before.find("<details").unwrap()..before.find("</details>").unwrap()];
    assert!(
        folded.contains("Rapat evaluasi pekan lalu") && folded.contains("Audiensi pekan lalu"),
        "{folded}"
    );
    assert!(!before.contains("card conflict"), "{before}");
}
