//! Soak benchmark (run by `bench/soak`): the release server as its own process (demo data,
//! WhatsApp notifications to an HTTP sink on loopback that refuses one message in twenty, so
//! retries happen) under a steady mixed load for `SOAK_MINUTES` (default 10): public agenda
//! reads, submissions (each a notification), staff sync pulls, Agenda Harian sheets (PDF) and the
//! public calendar feed. Every minute it prints the p99 latency and count of each kind, the
//! server's resident memory (VmRSS, split into anonymous and file-backed) and open file
//! descriptors (/proc), what the server holds by its own account (`/metrics`: SQLite's memory,
//! cached answers, throttle keys, the database's size) and the 5xx answers so far; the last lines
//! are key=value figures, including the highest RSS of the first and of the second half of the
//! run (README.md, "Performance").
//!
//! Env: SOAK_SERVER_BIN (the server binary, required), SOAK_MINUTES.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const KINDS: [&str; 5] = ["public_read", "submit", "sync_pull", "sheet", "feed"];

/// Latencies (µs) per (minute, kind), and the 5xx answers.
#[derive(Default)]
struct Tally {
    latencies: Mutex<BTreeMap<(u64, &'static str), Vec<u64>>>,
    server_errors: AtomicU64,
    other_errors: AtomicU64,
}

impl Tally {
    fn record(&self, started: Instant, minute: u64, kind: &'static str, status: Option<u16>) {
        let us = started.elapsed().as_micros() as u64;
        match status {
            Some(s) if s >= 500 => {
                self.server_errors.fetch_add(1, Ordering::Relaxed);
            }
            Some(s) if s >= 400 => {
                self.other_errors.fetch_add(1, Ordering::Relaxed);
            }
            Some(_) => {}
            None => {
                self.server_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latencies
            .lock()
            .unwrap()
            .entry((minute, kind))
            .or_default()
            .push(us);
    }
}

fn p99(v: &mut [u64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable();
    let i = ((v.len() as f64 * 0.99).ceil() as usize).clamp(1, v.len()) - 1;
    v[i] as f64 / 1000.0
}

/// What /proc says about a process: resident memory (KiB) in all, anonymous (heap, stacks) and
/// file-backed (the binary, the database's mapped `-shm`), and open descriptors.
#[derive(Clone, Copy, Default)]
struct ProcFigures {
    rss: u64,
    anon: u64,
    file: u64,
    fds: usize,
}

fn proc_figures(pid: u32) -> ProcFigures {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0);
    ProcFigures {
        rss: kib("VmRSS:"),
        anon: kib("RssAnon:"),
        file: kib("RssFile:"),
        fds,
    }
}

/// The server's own view of its memory, from `/metrics`: SQLite's memory, answers held by the
/// response caches, keys held by the rate limits, and the database file's size.
async fn server_gauges(http: &reqwest::Client, base: &str) -> String {
    let text = match http.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let gauge = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(-1.0)
    };
    format!(
        "sqlite_kib={:.0} cached_answers={} throttle_keys={} db_kib={:.0}",
        gauge("sepiion_sqlite_memory_bytes") / 1024.0,
        gauge("sepiion_cached_answers"),
        gauge("sepiion_throttle_keys"),
        gauge("sepiion_database_bytes") / 1024.0,
    )
}

fn request_body(n: u64) -> Value {
    let start = (chrono::Utc::now() + chrono::Duration::days(20 + (n % 60) as i64)).date_naive();
    let at = |h: u32| {
        start
            .and_hms_opt(h, 0, 0)
            .unwrap()
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    json!({
        "kind": "undangan", "leader_id": if n.is_multiple_of(2) { "bupati" } else { "wakil_bupati" },
        "title": format!("Acara uji ketahanan {n}"),
        "description": "Permohonan dari uji ketahanan server.",
        "starts_at": at(2), "ends_at": at(4), "location": "Balai Desa",
        "organizer": "Desa Uji", "requester_name": "Pemohon Uji",
        "requester_phone": format!("0812{:08}", n), "expected_attendees": 50,
        "leader_role": "membuka acara", "notify_channels": ["whatsapp"]
    })
}

async fn sink(
    axum::extract::State(count): axum::extract::State<Arc<AtomicU64>>,
) -> (axum::http::StatusCode, &'static str) {
    let n = count.fetch_add(1, Ordering::Relaxed);
    if n % 20 == 19 {
        (axum::http::StatusCode::SERVICE_UNAVAILABLE, "coba lagi")
    } else {
        (axum::http::StatusCode::OK, "ok")
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let bin = std::env::var("SOAK_SERVER_BIN")
        .map_err(|_| anyhow::anyhow!("SOAK_SERVER_BIN: the sepiion-server binary"))?;
    let minutes: u64 = std::env::var("SOAK_MINUTES")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(10);

    let received = Arc::new(AtomicU64::new(0));
    let sink_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sink_addr = sink_listener.local_addr()?;
    let app = axum::Router::new()
        .fallback(sink)
        .with_state(received.clone());
    tokio::spawn(async move { axum::serve(sink_listener, app).await });

    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let config = dir.path().join("soak.toml");
    std::fs::write(
        &config,
        format!(
            r#"addr = "127.0.0.1:{port}"
db = "{db}"
demo = true
metrics_allow = ["127.0.0.1/32"]
[limits]
registrations_per_hour = 1000000
submissions_per_hour = 1000000
sheets_per_client = 1000000
[notify]
poll_ms = 200
backoff_base_ms = 1000
[notify.whatsapp]
url = "http://{sink_addr}/send"
method = "POST"
body = '{{"target":"{{phone}}","message":"{{message}}"}}'
encoding = "json"
rate_per_second = 1000
"#,
            db = dir.path().join("soak.db").display()
        ),
    )?;
    let mut server = tokio::process::Command::new(&bin)
        .args(["serve", "--config"])
        .arg(&config)
        .env("RUST_LOG", "warn")
        .env_remove("SEPIION_LOG_FORMAT")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let pid = server.id().expect("server pid");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut up = false;
    for _ in 0..300 {
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(up, "the server did not start");

    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "protokol", "password": "sepiion-demo"}))
        .send()
        .await?
        .json()
        .await?;
    let staff = login["token"].as_str().expect("token").to_string();
    let device: Value = http
        .post(format!("{base}/api/v1/public/devices"))
        .json(&json!({}))
        .send()
        .await?
        .json()
        .await?;
    let device = device["token"].as_str().expect("token").to_string();

    let tally = Arc::new(Tally::default());
    let begin = Instant::now();
    let end = begin + Duration::from_secs(minutes * 60);
    let submitted = Arc::new(AtomicU64::new(0));
    let start = proc_figures(pid);
    println!(
        "start: rss_kib={} anon_kib={} file_kib={} fds={} {}",
        start.rss,
        start.anon,
        start.file,
        start.fds,
        server_gauges(&http, &base).await
    );

    let mut tasks = Vec::new();
    // (kind, workers, pause between two requests of one worker)
    let plan: [(&'static str, usize, u64); 5] = [
        ("public_read", 4, 20),
        ("submit", 1, 200),
        ("sync_pull", 2, 500),
        ("sheet", 1, 2000),
        ("feed", 1, 500),
    ];
    for (kind, workers, pause_ms) in plan {
        for w in 0..workers {
            let (http, base, tally) = (http.clone(), base.clone(), tally.clone());
            let (staff, device, submitted) = (staff.clone(), device.clone(), submitted.clone());
            tasks.push(tokio::spawn(async move {
                let mut cursor: Option<String> = None;
                let mut n = w as u64;
                while Instant::now() < end {
                    let minute = begin.elapsed().as_secs() / 60;
                    let today = chrono::Utc::now().date_naive();
                    let req = match kind {
                        "public_read" => {
                            let from = today + chrono::Duration::days((n % 7) as i64);
                            let to = from + chrono::Duration::days(6);
                            http.get(format!("{base}/api/v1/public/agenda?from={from}&to={to}"))
                        }
                        "submit" => http
                            .post(format!("{base}/api/v1/public/requests"))
                            .bearer_auth(&device)
                            .json(&request_body(submitted.fetch_add(1, Ordering::Relaxed))),
                        "sync_pull" => {
                            let url = match &cursor {
                                Some(c) => format!("{base}/api/v1/sync/pull?limit=500&cursor={c}"),
                                None => format!("{base}/api/v1/sync/pull?limit=500"),
                            };
                            http.get(url).bearer_auth(&staff)
                        }
                        "sheet" => {
                            let date = today + chrono::Duration::days((n % 7) as i64);
                            http.get(format!("{base}/api/v1/public/agenda/sheet?date={date}"))
                        }
                        _ => http.get(format!("{base}/ics/public.ics")),
                    };
                    let started = Instant::now();
                    let res = req.send().await;
                    let status = match res {
                        Ok(r) => {
                            let s = r.status().as_u16();
                            if kind == "sync_pull" {
                                if let Ok(v) = r.json::<Value>().await {
                                    // Follow the pages; start over once caught up, as a
                                    // device's periodic sync does.
                                    cursor = if v["has_more"].as_bool() == Some(true) {
                                        v["cursor"].as_str().map(String::from)
                                    } else {
                                        v["cursor"]
                                            .as_str()
                                            .map(String::from)
                                            .filter(|_| !n.is_multiple_of(20))
                                    };
                                }
                            } else {
                                let _ = r.bytes().await;
                            }
                            Some(s)
                        }
                        Err(_) => None,
                    };
                    tally.record(started, minute, kind, status);
                    n += 1;
                    tokio::time::sleep(Duration::from_millis(pause_ms)).await;
                }
            }));
        }
    }

    // Per-minute report.
    let mut figures = Vec::new();
    for minute in 0..minutes {
        let at = begin + Duration::from_secs((minute + 1) * 60);
        tokio::time::sleep_until(at.into()).await;
        let now = proc_figures(pid);
        let mut line = format!("minute {:>2}:", minute + 1);
        {
            let mut lat = tally.latencies.lock().unwrap();
            for kind in KINDS {
                let v = lat.entry((minute, kind)).or_default();
                line += &format!(" {kind} n={} p99={:.1}ms;", v.len(), p99(v));
            }
        }
        line += &format!(
            " rss_kib={} anon_kib={} file_kib={} fds={} {} 5xx={} sink_messages={}",
            now.rss,
            now.anon,
            now.file,
            now.fds,
            server_gauges(&http, &base).await,
            tally.server_errors.load(Ordering::Relaxed),
            received.load(Ordering::Relaxed)
        );
        println!("{line}");
        figures.push(now);
    }
    for t in tasks {
        t.await?;
    }
    // Let the dispatcher finish what is due (retries back off for a few seconds).
    tokio::time::sleep(Duration::from_secs(15)).await;
    let end_figures = proc_figures(pid);
    server.start_kill()?;
    let _ = server.wait().await;

    let total: usize = tally.latencies.lock().unwrap().values().map(Vec::len).sum();
    let first = figures.first().copied().unwrap_or(start);
    // Memory after warm-up: the first half of the run against the second.
    let half = figures.len() / 2;
    let rss_max = |f: &[ProcFigures]| f.iter().map(|f| f.rss).max().unwrap_or(0);
    println!("minutes={minutes}");
    println!("requests={total}");
    println!("submissions={}", submitted.load(Ordering::Relaxed));
    println!("sink_messages={}", received.load(Ordering::Relaxed));
    println!(
        "server_errors_5xx={}",
        tally.server_errors.load(Ordering::Relaxed)
    );
    println!(
        "client_errors_4xx={}",
        tally.other_errors.load(Ordering::Relaxed)
    );
    println!("rss_kib_start={}", start.rss);
    println!("rss_kib_minute1={}", first.rss);
    println!("rss_kib_end={}", end_figures.rss);
    println!("rss_kib_max={}", rss_max(&figures));
    println!("rss_kib_max_first_half={}", rss_max(&figures[..half]));
    println!("rss_kib_max_second_half={}", rss_max(&figures[half..]));
    println!("fds_start={}", start.fds);
    println!("fds_minute1={}", first.fds);
    println!("fds_end={}", end_figures.fds);
    println!(
        "fds_max={}",
        figures.iter().map(|f| f.fds).max().unwrap_or(0)
    );
    Ok(())
}
