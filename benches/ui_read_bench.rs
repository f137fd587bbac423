//! Screen reads during a sync (run through `bench/ui-reads`): new staff devices, one after the
//! other, pull the loaded server's 4,000+ records while another thread, standing in for the UI,
//! reads what the agenda and inbox screens read from the syncing device, every 4 ms; the reads
//! of all the syncs are pooled (`sync_ms` is the median sync). A frame at 60 Hz is 16 ms; the figures say how long a
//! screen's read takes while the sync writes. The last lines are `key=value`. Wall-clock figures
//! include time the reader thread waited for a core (other work on the machine); the `_cpu_`
//! figures are the reader thread's own CPU time per read, which other load does not inflate.

#[path = "../testkit/fixtures.rs"]
mod fixtures;
#[path = "common/load.rs"]
mod load;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use chrono_tz::Asia::Makassar;
use sepiion::platform::Variant;
use sepiion::store::{InboxFilter, Store};
use sepiion::sync::{ServerClient, SyncEngine};
use sepiion::ui::internal::inbox::PAGE;
use sepiion_core::time::local_date;

/// Most reads measured per sync (bounds the loop whatever the sync does).
const MAX_READS: usize = 20_000;

/// New devices synced one after the other, each with the reader beside it: one sync lasts a few
/// hundred milliseconds, too few reads for a p99 of their own.
const SYNCS: usize = 10;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// This thread's CPU time in milliseconds.
fn thread_cpu_ms() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to write into.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "the thread CPU clock is readable");
    t.tv_sec as f64 * 1000.0 + t.tv_nsec as f64 / 1e6
}

/// Wall and CPU milliseconds of each read.
#[derive(Default)]
struct Reads {
    wall: Vec<f64>,
    cpu: Vec<f64>,
}

impl Reads {
    fn time(&mut self, read: impl FnOnce()) {
        let (wall, cpu) = (Instant::now(), thread_cpu_ms());
        read();
        self.cpu.push(thread_cpu_ms() - cpu);
        self.wall.push(wall.elapsed().as_secs_f64() * 1000.0);
    }

    fn extend(&mut self, other: Reads) {
        self.wall.extend(other.wall);
        self.cpu.extend(other.cpu);
    }

    fn report(self, name: &str) {
        println!("{name}_reads={}", self.wall.len());
        for (kind, mut ms) in [("", self.wall), ("cpu_", self.cpu)] {
            ms.sort_by(f64::total_cmp);
            println!("{name}_{kind}p50_ms={:.2}", percentile(&ms, 0.50));
            println!("{name}_{kind}p99_ms={:.2}", percentile(&ms, 0.99));
            println!(
                "{name}_{kind}max_ms={:.2}",
                ms.last().copied().unwrap_or(0.0)
            );
        }
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let server = load::loaded_server(dir.path()).await;
    let (mut agenda, mut inbox) = (Reads::default(), Reads::default());
    let mut sync_ms = Vec::new();
    let mut records = 0;
    for run in 0..SYNCS {
        let store = Store::open(
            &dir.path().join(format!("staff-{run}.db")),
            Variant::Internal,
        )
        .unwrap();
        let engine = SyncEngine::new(store.clone(), ServerClient::new(&server.url()).unwrap());
        engine.login("admin", "sepiion-demo").await.expect("login");

        let syncing = Arc::new(AtomicBool::new(true));
        let ui = {
            let (store, syncing) = (store.clone(), syncing.clone());
            std::thread::spawn(move || {
                let today = local_date(Utc::now(), Makassar);
                let week_end = today + chrono::Duration::days(6);
                let (mut agenda, mut inbox) = (Reads::default(), Reads::default());
                while syncing.load(Ordering::Relaxed) && agenda.wall.len() < MAX_READS {
                    agenda.time(|| {
                        store
                            .agenda(Some("bupati"), today, week_end, Makassar)
                            .expect("agenda read");
                    });
                    inbox.time(|| {
                        store
                            .inbox_page(&InboxFilter::all(Makassar), PAGE)
                            .expect("inbox read");
                        store.inbox_counts().expect("counts read");
                    });
                    std::thread::sleep(Duration::from_millis(4));
                }
                (agenda, inbox)
            })
        };
        let started = Instant::now();
        let full = engine.sync_once().await.expect("full sync");
        sync_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        syncing.store(false, Ordering::Relaxed);
        let (a, i) = ui.join().expect("reader thread");
        agenda.extend(a);
        inbox.extend(i);
        records = full.pulled;
    }
    sync_ms.sort_by(f64::total_cmp);

    println!("syncs={SYNCS}");
    println!("sync_records={records}");
    println!("sync_ms={:.0}", percentile(&sync_ms, 0.5));
    agenda.report("agenda_week");
    inbox.report("inbox");
    server.stop().await;
}
