//! A loopback TCP proxy between app and server that can cut a connection at a chosen point:
//! before the request reaches the server, in the middle of the request, after the server has
//! answered (so it has committed) but before the answer reaches the app, or in the middle of the
//! answer. Each connection carries one request (the test clients do not reuse connections).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::Rng;

/// What happens to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// Closed before anything reaches the server.
    CutBeforeRequest,
    /// Part of the request (headers or body) reaches the server, then the connection drops.
    CutMidRequest,
    /// The whole request reaches the server and it starts answering; the app gets nothing.
    CutAfterCommit,
    /// Part of the answer reaches the app.
    CutMidResponse,
    /// Like `CutAfterCommit`, but the app's connection is kept open and silent, and the test is
    /// told (to kill the app process at that moment).
    HoldAfterCommit,
}

#[derive(Debug)]
pub enum Mode {
    /// Everything passes.
    Healthy,
    /// No network: every connection is closed at once.
    Down,
    /// Each connection fails with `percent` % probability, in a random way.
    Random { rng: Rng, percent: u64 },
    /// Every connection is held after the server answered.
    Hold,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub connections: u64,
    pub faults: u64,
    /// Bytes from the app to the server and back, as on the wire.
    pub bytes_up: u64,
    pub bytes_down: u64,
}

struct Shared {
    mode: Mode,
    counts: Counts,
}

pub struct FaultProxy {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
    held: mpsc::UnboundedReceiver<()>,
}

impl FaultProxy {
    pub async fn start(upstream: SocketAddr, mode: Mode) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let shared = Arc::new(Mutex::new(Shared {
            mode,
            counts: Counts::default(),
        }));
        let (held_tx, held) = mpsc::unbounded_channel();
        let s = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let fault = s.lock().unwrap().next_fault();
                let (s, held_tx) = (s.clone(), held_tx.clone());
                tokio::spawn(async move {
                    let _ = serve(client, upstream, fault, s, held_tx).await;
                });
            }
        });
        FaultProxy {
            addr,
            shared,
            task,
            held,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.shared.lock().unwrap().mode = mode;
    }

    pub fn counts(&self) -> Counts {
        self.shared.lock().unwrap().counts
    }

    pub fn reset_counts(&self) {
        self.shared.lock().unwrap().counts = Counts::default();
    }

    /// Waits until a connection is held after the server answered.
    pub async fn wait_held(&mut self) {
        self.held.recv().await.expect("proxy alive");
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Shared {
    fn next_fault(&mut self) -> (Fault, u64) {
        self.counts.connections += 1;
        let (fault, seed) = match &mut self.mode {
            Mode::Healthy => (Fault::Pass, 0),
            Mode::Down => (Fault::CutBeforeRequest, 0),
            Mode::Hold => (Fault::HoldAfterCommit, 0),
            Mode::Random { rng, percent } => {
                let fault = if rng.chance(*percent) {
                    *rng.pick(&[
                        Fault::CutBeforeRequest,
                        Fault::CutMidRequest,
                        Fault::CutAfterCommit,
                        Fault::CutMidResponse,
                    ])
                } else {
                    Fault::Pass
                };
                (fault, rng.next_u64())
            }
        };
        if fault != Fault::Pass {
            self.counts.faults += 1;
        }
        (fault, seed)
    }
}

/// Reads one HTTP request (headers and a `Content-Length` body) from the app.
async fn read_request(client: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return Ok(buf);
            }
        }
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    (fault, seed): (Fault, u64),
    shared: Arc<Mutex<Shared>>,
    held: mpsc::UnboundedSender<()>,
) -> std::io::Result<()> {
    let mut rng = Rng(seed);
    if fault == Fault::CutBeforeRequest {
        return Ok(()); // dropping the socket closes it
    }
    if fault == Fault::Pass {
        let server = TcpStream::connect(upstream).await?;
        let (cr, cw) = client.into_split();
        let (sr, sw) = server.into_split();
        let up = tokio::spawn(pump(cr, sw, shared.clone(), true));
        pump(sr, cw, shared, false).await;
        up.abort();
        return Ok(());
    }
    let request = read_request(&mut client).await?;
    let mut server = TcpStream::connect(upstream).await?;
    if fault == Fault::CutMidRequest {
        let cut = 1 + rng.below(request.len().saturating_sub(1) as u64) as usize;
        server.write_all(&request[..cut]).await?;
        return Ok(());
    }
    server.write_all(&request).await?;
    shared.lock().unwrap().counts.bytes_up += request.len() as u64;
    let mut chunk = vec![0u8; 64 * 1024];
    match fault {
        Fault::CutAfterCommit | Fault::HoldAfterCommit => {
            // The first byte of the answer means the server is done with the request.
            let _ = server.read(&mut chunk).await?;
            if fault == Fault::HoldAfterCommit {
                let _ = held.send(());
                // Silent until the app goes away.
                let _ = client.read(&mut chunk).await;
            }
            Ok(())
        }
        Fault::CutMidResponse => {
            let n = server.read(&mut chunk).await?;
            let cut = rng.below(n as u64) as usize;
            client.write_all(&chunk[..cut]).await?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Copies one direction, counting bytes as they pass.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    shared: Arc<Mutex<Shared>>,
    up: bool,
) {
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        {
            let mut s = shared.lock().unwrap();
            if up {
                s.counts.bytes_up += n as u64;
            } else {
                s.counts.bytes_down += n as u64;
            }
        }
        if to.write_all(&chunk[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
