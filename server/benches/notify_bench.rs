//! Notification benchmark (run by `bench/notify`): 1,000 requests submitted over loopback, each
//! causing a WhatsApp message to its requester through the real dispatcher to an HTTP sink. The
//! latency of one is from just before its submission (whose transaction commits the event) to
//! the message's arrival at the sink. Prints key=value figures.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use sepiion_server::RunningServer;
use sepiion_server::config::{BodyEncoding, Config, WhatsappConfig};
use serde_json::{Value, json};

const EVENTS: usize = 1_000;
const CONCURRENCY: usize = 8;

type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

async fn arrive(State(arrivals): State<Arrivals>, body: String) -> &'static str {
    let at = Instant::now();
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let message = v["message"].as_str().unwrap_or("");
    // The receipt names the tracking code: "… Kode pelacakan Anda: K7QM-3XRD-9PTA. …" (read up
    // to its end rather than by length: codes grew from 8 to 12 characters).
    if let Some(code) = message.split("Kode pelacakan Anda: ").nth(1).map(|rest| {
        rest.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
    }) {
        arrivals.lock().unwrap().entry(code).or_insert(at);
    }
    "ok"
}

fn body(n: usize) -> Value {
    let start = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
    let at = |h: u32| {
        start
            .and_hms_opt(h, 0, 0)
            .unwrap()
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    json!({
        "kind": "undangan", "leader_id": "bupati", "title": format!("Acara uji {n}"),
        "description": "Permohonan untuk mengukur pemberitahuan.",
        "starts_at": at(2), "ends_at": at(4), "location": "Balai Desa",
        "organizer": "Desa Uji", "requester_name": "Pemohon Uji",
        "requester_phone": format!("0812{:08}", n), "expected_attendees": 50,
        "leader_role": "membuka acara", "notify_channels": ["whatsapp"]
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let arrivals: Arrivals = Arc::default();
    let sink = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sink_addr = sink.local_addr()?;
    let app = axum::Router::new()
        .fallback(arrive)
        .with_state(arrivals.clone());
    tokio::spawn(async move { axum::serve(sink, app).await });

    let dir = tempfile::tempdir()?;
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        db: dir.path().join("bench.db"),
        ..Config::default()
    };
    config.limits.submissions_per_hour = 1_000_000;
    config.notify.schedule_every_s = 0;
    config.notify.poll_ms = 50;
    config.notify.whatsapp = Some(WhatsappConfig {
        url: format!("http://{sink_addr}/send"),
        method: "POST".into(),
        headers: Default::default(),
        body: r#"{"phone":"{phone}","message":"{message}"}"#.into(),
        encoding: BodyEncoding::Json,
        rate_per_second: 10_000,
    });
    let server = RunningServer::start(config).await?;
    let base = server.url();
    let http = reqwest::Client::new();
    let device: Value = http
        .post(format!("{base}/api/v1/public/devices"))
        .json(&json!({}))
        .send()
        .await?
        .json()
        .await?;
    let token = device["token"].as_str().unwrap_or_default().to_string();

    let started = Instant::now();
    let sent: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let (http, base, token, sent) = (http.clone(), base.clone(), token.clone(), sent.clone());
        tasks.push(tokio::spawn(async move {
            for n in (worker..EVENTS).step_by(CONCURRENCY) {
                let t0 = Instant::now();
                let r: Value = http
                    .post(format!("{base}/api/v1/public/requests"))
                    .bearer_auth(&token)
                    .json(&body(n))
                    .send()
                    .await
                    .expect("submission")
                    .json()
                    .await
                    .expect("answer");
                let code = r["tracking_code"]
                    .as_str()
                    .expect("tracking code")
                    .to_string();
                sent.lock().unwrap().push((code, t0));
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    // Bounded wait for the last messages.
    for _ in 0..600 {
        if arrivals.lock().unwrap().len() >= EVENTS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = started.elapsed();
    let arrivals = arrivals.lock().unwrap().clone();
    let mut latencies: Vec<f64> = sent
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(code, t0)| arrivals.get(code).map(|at| (*at - *t0).as_secs_f64() * 1e3))
        .collect();
    latencies.sort_by(|a, b| a.total_cmp(b));
    anyhow::ensure!(
        latencies.len() == EVENTS,
        "only {} of {EVENTS} messages arrived",
        latencies.len()
    );
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    println!("notify_events={EVENTS}");
    println!("notify_p50_ms={:.1}", pct(0.50));
    println!("notify_p99_ms={:.1}", pct(0.99));
    println!("notify_per_s={:.0}", EVENTS as f64 / elapsed.as_secs_f64());
    server.stop().await;
    Ok(())
}
