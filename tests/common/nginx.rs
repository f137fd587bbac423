//! Debian's nginx in front of a test server, configured with the real `deploy/nginx/sepiion.conf`
//! (ports, certificate and log paths rendered for the test) and a certificate from a CA made
//! for the test with the openssl command line. nginx runs as a child process with its own
//! prefix, configuration, pid and logs under a temporary directory, and is killed on drop.
//!
//! It listens on 127.0.0.1 only and does not restrict client addresses, so tests may connect
//! from other loopback addresses (127.0.0.2, …) to act as different clients.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The deployment's site configuration, as committed.
pub const SITE_CONF: &str = include_str!("../../deploy/nginx/sepiion.conf");

pub struct Nginx {
    child: Child,
    pub dir: tempfile::TempDir,
    /// `https://127.0.0.1:PORT` (the certificate names 127.0.0.1 and localhost).
    pub https_url: String,
    /// `http://127.0.0.1:PORT`: the redirecting plain-HTTP server of the site configuration.
    pub http_url: String,
    /// The test CA's certificate (PEM), to trust in clients.
    pub ca_pem: PathBuf,
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("the command runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate for 127.0.0.1 and localhost signed by it (EC P-256, two days).
fn make_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = dir.join("ca.key");
    let ca_pem = dir.join("ca.pem");
    let key = dir.join("server.key");
    let csr = dir.join("server.csr");
    let cert = dir.join("server.pem");
    let ext = dir.join("server.ext");
    run(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=Sepiion Test CA"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        .arg("-keyout")
        .arg(&ca_key)
        .arg("-out")
        .arg(&ca_pem));
    run(Command::new("openssl")
        .args([
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-subj", "/CN=localhost"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&csr));
    std::fs::write(
        &ext,
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "2", "-set_serial", "2"])
        .arg("-in")
        .arg(&csr)
        .arg("-CA")
        .arg(&ca_pem)
        .arg("-CAkey")
        .arg(&ca_key)
        .arg("-extfile")
        .arg(&ext)
        .arg("-out")
        .arg(&cert));
    (ca_pem, cert, key)
}

/// Replaces each line of the deployment file that names a port, a name or a path of the
/// production machine; a replacement that no longer matches as often as expected fails, so the test keeps
/// following the committed file.
pub fn render_site(
    upstream: SocketAddr,
    http_port: u16,
    https_port: u16,
    cert: &Path,
    key: &Path,
    dir: &Path,
) -> String {
    let d = dir.display();
    // (line, replacement, how often the committed file has that line)
    let replacements = [
        (
            "    listen 80 default_server;\n",
            format!("    listen 127.0.0.1:{http_port} default_server;\n"),
            1,
        ),
        ("    listen [::]:80 default_server;\n", String::new(), 1),
        (
            "    listen 443 ssl http2 default_server;\n",
            format!("    listen 127.0.0.1:{https_port} ssl http2 default_server;\n"),
            1,
        ),
        (
            "    listen [::]:443 ssl http2 default_server;\n",
            String::new(),
            1,
        ),
        (
            "    listen 80;\n",
            format!("    listen 127.0.0.1:{http_port};\n"),
            1,
        ),
        ("    listen [::]:80;\n", String::new(), 1),
        (
            "    listen 443 ssl http2;\n",
            format!("    listen 127.0.0.1:{https_port} ssl http2;\n"),
            1,
        ),
        ("    listen [::]:443 ssl http2;\n", String::new(), 1),
        // The test reaches the site as 127.0.0.1 or localhost; any other name is unknown.
        (
            "    server_name sepiion.example.go.id;\n",
            "    server_name 127.0.0.1 localhost;\n".to_string(),
            2,
        ),
        (
            "    server 127.0.0.1:8080;\n",
            format!("    server {upstream};\n"),
            1,
        ),
        (
            "    ssl_certificate /etc/letsencrypt/live/sepiion.example.go.id/fullchain.pem;\n",
            format!("    ssl_certificate {};\n", cert.display()),
            2,
        ),
        (
            "    ssl_certificate_key /etc/letsencrypt/live/sepiion.example.go.id/privkey.pem;\n",
            format!("    ssl_certificate_key {};\n", key.display()),
            2,
        ),
        (
            "        root /var/www/letsencrypt;\n",
            format!("        root {d}/acme;\n"),
            1,
        ),
        (
            "    access_log /var/log/nginx/sepiion.access.log sepiion_private;\n",
            format!("    access_log {d}/sepiion.access.log sepiion_private;\n"),
            1,
        ),
        (
            "    error_log /var/log/nginx/sepiion.error.log warn;\n",
            format!("    error_log {d}/sepiion.error.log warn;\n"),
            1,
        ),
    ];
    let mut site = SITE_CONF.to_string();
    for (from, to, times) in replacements {
        assert_eq!(
            site.matches(from).count(),
            times,
            "deploy/nginx/sepiion.conf no longer has the line {from:?} {times} time(s): update \
             tests/common/nginx.rs"
        );
        site = site.replace(from, &to);
    }
    site
}

impl Nginx {
    /// Starts nginx for `upstream` (the Sepiion server's address) and waits until it accepts.
    pub fn start(upstream: SocketAddr) -> Nginx {
        let dir = tempfile::tempdir().expect("temp dir");
        // nginx's workers (user nobody when the tests run as root) must reach the temp files.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let (ca_pem, cert, key) = make_certificates(dir.path());
        let (http_port, https_port) = (super::free_port(), super::free_port());
        let site = render_site(upstream, http_port, https_port, &cert, &key, dir.path());
        std::fs::write(dir.path().join("sepiion.conf"), site).unwrap();
        std::fs::create_dir_all(dir.path().join("acme")).unwrap();
        let d = dir.path().display();
        let main = format!(
            "worker_processes 1;\n\
             pid {d}/nginx.pid;\n\
             error_log {d}/error.log warn;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n\
             \x20   include /etc/nginx/mime.types;\n\
             \x20   default_type application/octet-stream;\n\
             \x20   access_log {d}/access.log;\n\
             \x20   client_body_temp_path {d}/body;\n\
             \x20   proxy_temp_path {d}/proxy;\n\
             \x20   fastcgi_temp_path {d}/fastcgi;\n\
             \x20   uwsgi_temp_path {d}/uwsgi;\n\
             \x20   scgi_temp_path {d}/scgi;\n\
             \x20   include {d}/sepiion.conf;\n\
             }}\n"
        );
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, main).unwrap();
        let nginx = ["/usr/sbin/nginx", "nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists() || *p == "nginx")
            .unwrap();
        let mut child = Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("nginx runs (apt-get install nginx)");
        let deadline = Instant::now() + Duration::from_secs(15);
        let addr: SocketAddr = ([127, 0, 0, 1], https_port).into();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
                panic!("nginx exited ({status}): {err}\n{log}");
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not listen within 15 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Nginx {
            child,
            https_url: format!("https://127.0.0.1:{https_port}"),
            http_url: format!("http://127.0.0.1:{http_port}"),
            ca_pem,
            dir,
        }
    }

    /// nginx's access log of the site so far.
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sepiion.access.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its workers, then exits; SIGKILL if it lingers.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
