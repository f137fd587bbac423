//! The Agenda Harian sheet: typeset by the real Typst engine, read back with poppler's
//! `pdftotext` and `pdftoppm` (Debian poppler-utils, installed by `.ci/run`).

mod common;

use std::process::Command;

use common::*;
use serde_json::json;

async fn bytes(s: &TestServer, path: &str, token: Option<&str>) -> (String, Vec<u8>) {
    let mut req = s.http.get(s.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    (ct, res.bytes().await.unwrap().to_vec())
}

/// The PDF's text in content order, whitespace collapsed (wrapped lines join with a space).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sheet.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    (w, h)
}

const LONG: [&str; 3] = [
    "Pembukaan Musyawarah Perencanaan Pembangunan Kabupaten Tahun Anggaran Dua Ribu Dua Puluh \
     Tujuh bersama seluruh Perangkat Daerah, Camat, Perbekel dan Lurah se-Kabupaten",
    "Penyerahan Bantuan Sosial Bedah Rumah Tidak Layak Huni kepada Keluarga Penerima Manfaat \
     di Desa Kamasan, Desa Gelgel, Desa Tojan dan Desa Akah",
    "Rapat Koordinasi Kesiapsiagaan Bencana Menjelang Musim Hujan bersama Badan Penanggulangan \
     Bencana Daerah, TNI, Polri dan Relawan",
];

#[tokio::test]
async fn the_sheet_prints_every_item_wraps_long_titles_and_keeps_internal_things_internal() {
    let s = start().await;
    let admin = s.login("admin").await;
    let days = 6;
    let date = wita_at(days, 9)[..10].to_string();
    for (i, title) in LONG.iter().enumerate() {
        let h = 8 + 2 * i as i64;
        s.create_item(
            &admin,
            json!({"title": title, "starts_at": wita_at(days, h), "ends_at": wita_at(days, h + 1),
                "running_order": "SUSUNAN-ACARA-RAHASIA", "internal_notes": "CATATAN-DALAM",
                "assigned_staff": [{"name": "PETUGAS-AJUDAN", "duty": "Ajudan"}]}),
        )
        .await;
    }
    // User text is data, never markup: none of this may be evaluated by the template.
    let tricky = "Ramah tamah #panic(1) *tebal* _miring_ [kurung] $x$ <label> @ref";
    s.create_item(
        &admin,
        json!({"title": tricky, "starts_at": wita_at(days, 15), "ends_at": wita_at(days, 16),
            "attendance": "represented", "representative": "Sekretaris Daerah"}),
    )
    .await;
    s.create_item(
        &admin,
        json!({"title": "Pertemuan rahasia investor", "visibility": "confidential",
            "starts_at": wita_at(days, 17), "ends_at": wita_at(days, 18)}),
    )
    .await;
    s.create_item(
        &admin,
        json!({"title": "Rapat internal kepegawaian", "visibility": "internal",
            "starts_at": wita_at(days, 19), "ends_at": wita_at(days, 20)}),
    )
    .await;

    // The public PDF: every public item with its time, nothing confidential or internal.
    let (ct, pdf) = bytes(
        &s,
        &format!("/api/v1/public/agenda/sheet?date={date}"),
        None,
    )
    .await;
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    assert!(text.contains("AGENDA HARIAN PIMPINAN"), "{text}");
    for (i, title) in LONG.iter().enumerate() {
        let t = title.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(&t), "title {i} missing in: {text}");
        let h = 8 + 2 * i;
        assert!(
            text.contains(&format!("{h:02}.00–{:02}.00", h + 1)),
            "time of {i}: {text}"
        );
    }
    assert!(text.contains(tricky), "literal title: {text}");
    assert!(text.contains("15.00–16.00"));
    assert!(text.contains("Diwakili oleh Sekretaris Daerah"));
    assert!(text.contains("PDH Khaki"));
    for secret in [
        "Pertemuan rahasia",
        "Rapat internal",
        "SUSUNAN-ACARA",
        "CATATAN-DALAM",
        "PETUGAS-AJUDAN",
        "Peran pimpinan",
        "Internal",
    ] {
        assert!(!text.contains(secret), "public sheet shows {secret}");
    }
    // Long titles wrap: they are far wider than their column, yet every word is there
    // (checked above, across the line breaks).

    // The staff PDF adds assigned staff and running order; the admin sees every item.
    let (_, staff_pdf) = bytes(
        &s,
        &format!("/api/v1/staff/agenda/sheet?date={date}&leader=bupati"),
        Some(&admin),
    )
    .await;
    let staff_text = pdf_text(&staff_pdf);
    for want in [
        "PETUGAS-AJUDAN (Ajudan)",
        "SUSUNAN-ACARA-RAHASIA",
        "Rapat internal kepegawaian",
        "Peran pimpinan",
    ] {
        assert!(
            staff_text.contains(want),
            "staff sheet lacks {want}: {staff_text}"
        );
    }
    // Internal notes stay out of every sheet.
    assert!(!staff_text.contains("CATATAN-DALAM"));

    // pdftoppm renders the page.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.pdf"), &pdf).unwrap();
    let ok = Command::new("pdftoppm")
        .args(["-png", "-r", "40", "-f", "1", "-l", "1"])
        .arg(dir.path().join("s.pdf"))
        .arg(dir.path().join("page"))
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(ok.success());
    let page = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("page"))
        .expect("a rendered page");
    let (w, h) = png_size(&std::fs::read(page.path()).unwrap());
    // A4 at 40 dpi: 331 × 468 px, portrait.
    assert!(
        (320..=340).contains(&w) && (455..=480).contains(&h),
        "{w}x{h}"
    );

    // The PNG for WhatsApp: 1240 px wide, at least one A4 page tall.
    let (ct, png) = bytes(
        &s,
        &format!("/api/v1/public/agenda/sheet?date={date}&format=png"),
        None,
    )
    .await;
    assert_eq!(ct, "image/png");
    let (w, h) = png_size(&png);
    assert_eq!(w, 1240);
    assert!(h >= 1750, "height {h}");
    if let Ok(path) = std::env::var("SEPIION_SHEET_SAMPLE") {
        std::fs::write(path, &png).unwrap();
    }
}

#[tokio::test]
async fn an_empty_day_says_so_and_bad_input_is_a_clear_error() {
    let s = start().await;
    let date = wita_at(300, 9)[..10].to_string();
    let (_, pdf) = bytes(
        &s,
        &format!("/api/v1/public/agenda/sheet?date={date}"),
        None,
    )
    .await;
    let text = pdf_text(&pdf);
    assert!(text.contains("Tidak ada agenda pada hari ini."), "{text}");

    // Bad parameters are a 400 with a message naming the field, never a 500.
    for (query, field, says) in [
        ("date=2026-13-45", "date", "TTTT-BB-HH"),
        ("date=kemarin", "date", "TTTT-BB-HH"),
        ("leader=tidak-ada", "leader", "Pimpinan tidak dikenal"),
    ] {
        let bad = s
            .get(&format!("/api/v1/public/agenda/sheet?{query}"), None)
            .await
            .err(400);
        assert!(
            bad["fields"][field].as_str().unwrap().contains(says),
            "{query}: {bad}"
        );
    }
    let bad = s
        .get("/api/v1/public/agenda/sheet?format=gif", None)
        .await
        .err(400);
    assert!(bad["message"].as_str().unwrap().contains("format"), "{bad}");
    s.get("/api/v1/staff/agenda/sheet", None).await.err(401);
    let admin = s.login("admin").await;
    s.get("/api/v1/staff/agenda/sheet?date=2026-02-30", Some(&admin))
        .await
        .err(400);
}

#[tokio::test]
async fn a_staff_sheet_holds_exactly_what_that_account_sees_in_the_agenda_api() {
    let s = start().await;
    let admin = s.login("admin").await;
    let days = 9;
    let date = wita_at(days, 9)[..10].to_string();
    for (i, (leader, title, visibility)) in [
        ("bupati", "Rapat terbuka RAPATPUBLIK", "public"),
        ("bupati", "Pertemuan tertutup RAHASIABUPATI", "confidential"),
        ("wakil_bupati", "Rapat internal INTERNALWAKIL", "internal"),
        (
            "wakil_bupati",
            "Pertemuan tertutup RAHASIAWAKIL",
            "confidential",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let h = 8 + i as i64;
        s.create_item(
            &admin,
            json!({"leader_id": leader, "title": title, "visibility": visibility,
                "starts_at": wita_at(days, h), "ends_at": wita_at(days, h + 1)}),
        )
        .await;
    }
    let all = [
        "RAPATPUBLIK",
        "RAHASIABUPATI",
        "INTERNALWAKIL",
        "RAHASIAWAKIL",
    ];
    for who in ["admin", "protokol", "ajudan.bupati"] {
        let token = s.login(who).await;
        let api = s
            .get(
                &format!("/api/v1/staff/agenda?from={date}&to={date}"),
                Some(&token),
            )
            .await
            .ok();
        let titles: Vec<String> = api
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_string())
            .collect();
        let (_, pdf) = bytes(
            &s,
            &format!("/api/v1/staff/agenda/sheet?date={date}"),
            Some(&token),
        )
        .await;
        let text = pdf_text(&pdf);
        for marker in all {
            let in_api = titles.iter().any(|t| t.contains(marker));
            assert_eq!(
                text.contains(marker),
                in_api,
                "{who}: {marker} on the sheet iff in the agenda API ({titles:?})"
            );
        }
        // The rule itself: confidential items only for admin and the leader's own ajudan.
        assert_eq!(text.contains("RAHASIABUPATI"), who != "protokol", "{who}");
        assert_eq!(text.contains("RAHASIAWAKIL"), who == "admin", "{who}");
    }

    // The public sheet answers from its cache until data change: same tag, 304.
    let path = format!("/api/v1/public/agenda/sheet?date={date}");
    let first = s.http.get(s.url(&path)).send().await.unwrap();
    let tag = first.headers()["etag"].to_str().unwrap().to_string();
    let again = s
        .http
        .get(s.url(&path))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let text = pdf_text(&first.bytes().await.unwrap());
    assert!(text.contains("RAPATPUBLIK"));
    for hidden in ["RAHASIA", "INTERNALWAKIL"] {
        assert!(!text.contains(hidden), "public sheet shows {hidden}");
    }
    s.create_item(
        &admin,
        json!({"title": "Tambahan PUBLIKBARU", "starts_at": wita_at(days, 15),
            "ends_at": wita_at(days, 16)}),
    )
    .await;
    let (_, pdf) = bytes(&s, &path, None).await;
    assert!(
        pdf_text(&pdf).contains("PUBLIKBARU"),
        "a write retires the cached sheet"
    );
}

#[tokio::test]
async fn a_regency_template_from_the_configuration_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("agenda-harian.typ");
    // A regency's own layout: read at start, no recompiling. Data still come as JSON.
    std::fs::write(
        &template,
        "#let d = json(\"/data.json\")\n#set page(paper: \"a4\")\n\
         = LEMBAR KHUSUS DAERAH\n#d.date\n\
         #for s in d.sections { for r in s.rows [#r.time ~ #r.title #linebreak()] }\n",
    )
    .unwrap();
    let path = template.clone();
    let s = start_with(move |c| c.sheet.template = Some(path)).await;
    let admin = s.login("admin").await;
    s.create_item(
        &admin,
        json!({"title": "Upacara bendera", "starts_at": wita_at(4, 7), "ends_at": wita_at(4, 8)}),
    )
    .await;
    let date = wita_at(4, 9)[..10].to_string();
    let (_, pdf) = bytes(
        &s,
        &format!("/api/v1/public/agenda/sheet?date={date}"),
        None,
    )
    .await;
    let text = pdf_text(&pdf);
    assert!(text.contains("LEMBAR KHUSUS DAERAH"), "{text}");
    assert!(text.contains("07.00–08.00 Upacara bendera"), "{text}");
    assert!(!text.contains("AGENDA HARIAN PIMPINAN"), "{text}");
}

/// Saves a picture for docs/ when `SEPIION_SCREENSHOT_DIR` is set (a manual step, not CI's):
/// `SEPIION_SCREENSHOT_DIR=$PWD/docs/screenshots cargo test -p sepiion-server --test agenda_sheet`
/// retakes `docs/screenshots/sheet-rahasia.png` from the current sheet.
fn keep_screenshot(name: &str, png: &[u8]) {
    if let Ok(dir) = std::env::var("SEPIION_SCREENSHOT_DIR") {
        std::fs::write(std::path::Path::new(&dir).join(name), png).unwrap();
    }
}

#[tokio::test]
async fn confidential_rows_are_marked_rahasia_and_a_sheet_without_them_can_be_chosen() {
    let s = start().await;
    let ajudan = s.login("ajudan.bupati").await;
    let days = 8;
    let date = wita_at(days, 9)[..10].to_string();
    let rows = [
        (
            "Rapat Paripurna DPRD",
            8,
            10,
            "public",
            "confirmed",
            json!({}),
        ),
        // 09.00–10.00 overlaps 08.00–10.00: a clash on both sheets.
        (
            "Pembukaan Pasar Seni",
            9,
            11,
            "public",
            "tentative",
            json!({}),
        ),
        (
            "Pertemuan tertutup investor",
            12,
            13,
            "confidential",
            "confirmed",
            json!({}),
        ),
        (
            "Peresmian Balai Banjar",
            14,
            15,
            "public",
            "confirmed",
            json!({"attendance": "represented", "representative": "sekda"}),
        ),
    ];
    for (title, from, to, vis, status, extra) in rows {
        let mut body = json!({"title": title, "starts_at": wita_at(days, from),
            "ends_at": wita_at(days, to), "visibility": vis, "status": status,
            "running_order": "Susunan: sambutan, doa, penutup"});
        merge(&mut body, extra);
        s.create_item(&ajudan, body).await;
    }

    let (_, pdf) = bytes(
        &s,
        &format!("/api/v1/staff/agenda/sheet?date={date}"),
        Some(&ajudan),
    )
    .await;
    let text = pdf_text(&pdf);
    assert!(
        text.contains("RAHASIA — lembar ini memuat 1 agenda rahasia. Jangan dibagikan"),
        "the banner: {text}"
    );
    let row = text
        .find("Pertemuan tertutup investor")
        .expect("the confidential row");
    let mark = text[..row].rfind("RAHASIA").expect("a mark on the row");
    assert!(row - mark < 12, "RAHASIA right before the title: {text}");
    assert!(text.contains("SEMENTARA (belum pasti)"), "{text}");
    assert!(text.contains("Bentrok waktu dengan agenda lain"), "{text}");
    assert!(
        text.contains("Diwakili oleh I Wayan Sudarsana (Sekretaris Daerah)"),
        "the representative by name, not its id: {text}"
    );
    assert!(!text.contains("Diwakili oleh sekda"), "{text}");
    // Attendance in the catalogue's words (the picture in docs/ once said "Hadir langsung").
    assert!(text.contains("Hadir sendiri"), "{text}");
    assert!(!text.contains("Hadir langsung"), "{text}");
    let (_, png) = bytes(
        &s,
        &format!("/api/v1/staff/agenda/sheet?date={date}&format=png"),
        Some(&ajudan),
    )
    .await;
    assert!(png_size(&png).0 > 1000);
    keep_screenshot("sheet-rahasia.png", &png);

    // The sheet to share: nothing confidential, no banner, the rest as before.
    let (_, pdf) = bytes(
        &s,
        &format!("/api/v1/staff/agenda/sheet?date={date}&confidential=false"),
        Some(&ajudan),
    )
    .await;
    let shared = pdf_text(&pdf);
    assert!(!shared.contains("Pertemuan tertutup investor"), "{shared}");
    assert!(!shared.contains("RAHASIA"), "{shared}");
    assert!(shared.contains("Rapat Paripurna DPRD"), "{shared}");

    // The public sheet: tentative marked, the clash flagged, the representative by name.
    let (_, pdf) = bytes(
        &s,
        &format!("/api/v1/public/agenda/sheet?date={date}"),
        None,
    )
    .await;
    let public = pdf_text(&pdf);
    assert!(
        public.contains("Pembukaan Pasar Seni SEMENTARA (belum pasti)"),
        "{public}"
    );
    assert!(
        public.contains("Bentrok waktu dengan agenda lain"),
        "{public}"
    );
    assert!(
        public.contains("Diwakili oleh I Wayan Sudarsana (Sekretaris Daerah)"),
        "{public}"
    );
    assert!(
        !public.contains("RAHASIA") && !public.contains("investor"),
        "{public}"
    );
}

/// Pages of a PDF, as poppler's `pdfinfo` counts them.
fn pdf_pages(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sheet.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdfinfo")
        .arg(&file)
        .output()
        .expect("pdfinfo (poppler-utils) is installed");
    let info = String::from_utf8(out.stdout).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"))
}

/// A day with very many items: the PDF has every page, the PNG only the first three and a
/// strip saying the rest is in the PDF (a 1240-px-wide A4 page is 1754 px tall).
#[tokio::test]
async fn a_png_of_a_very_long_day_holds_three_pages_and_points_to_the_pdf() {
    let s = start().await;
    let admin = s.login("admin").await;
    let days = 9;
    for i in 0..60 {
        let h = 6 + (i % 14);
        s.create_item(
            &admin,
            json!({"title": format!("{} ({i})", LONG[i as usize % 3]),
                "starts_at": wita_at(days, h), "ends_at": wita_at(days, h + 1)}),
        )
        .await;
    }
    let date = wita_at(days, 9)[..10].to_string();
    let (_, pdf) = bytes(
        &s,
        &format!("/api/v1/public/agenda/sheet?date={date}"),
        None,
    )
    .await;
    let pages = pdf_pages(&pdf);
    assert!(pages > 4, "the day fills {pages} pages");
    for (path, token) in [
        ("/api/v1/public/agenda/sheet", None),
        ("/api/v1/staff/agenda/sheet", Some(admin.as_str())),
    ] {
        let (ct, png) = bytes(&s, &format!("{path}?date={date}&format=png"), token).await;
        assert_eq!(ct, "image/png");
        let (w, h) = png_size(&png);
        assert_eq!(w, 1240);
        // Three pages and the strip: taller than three pages, well short of four.
        assert!(h > 3 * 1754 && h < 3 * 1754 + 600, "{path}: height {h}");
        keep_screenshot("agenda-harian-long-day.png", &png);
    }
}
