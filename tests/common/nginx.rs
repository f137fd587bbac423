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
/// The port-80 site for the first certificate (README, "TLS and nginx"), as committed.
pub const ACME_SITE_CONF: &str = include_str!("../../deploy/nginx/sepiion-acme.conf");
/// The certbot deploy hook the guide installs, as committed.
pub const RELOAD_HOOK: &str = "deploy/certbot/sepiion-reload-nginx";

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

/// Applies `(line, replacement, how often the committed file has that line)` to `file`; a line
/// that no longer occurs as often as expected fails, so the tests keep following the committed
/// file.
fn replace_lines(file: &str, name: &str, replacements: Vec<(&str, String, usize)>) -> String {
    let mut site = file.to_string();
    for (from, to, times) in replacements {
        assert_eq!(
            site.matches(from).count(),
            times,
            "{name} no longer has the line {from:?} {times} time(s): update tests/common/nginx.rs"
        );
        site = site.replace(from, &to);
    }
    site
}

/// The ACME site with its port and webroot (`{dir}/acme`) rendered for the test.
pub fn render_acme_site(http_port: u16, dir: &Path) -> String {
    let replacements = vec![
        (
            "    listen 80;\n",
            format!("    listen 127.0.0.1:{http_port};\n"),
            1,
        ),
        ("    listen [::]:80;\n", String::new(), 1),
        (
            "    server_name sepiion.example.go.id;\n",
            "    server_name 127.0.0.1 localhost;\n".to_string(),
            1,
        ),
        (
            "        root /var/www/letsencrypt;\n",
            format!("        root {}/acme;\n", dir.display()),
            1,
        ),
    ];
    replace_lines(
        ACME_SITE_CONF,
        "deploy/nginx/sepiion-acme.conf",
        replacements,
    )
}

/// nginx's main configuration for a site file `{dir}/sepiion.conf`, everything under `dir`.
fn main_conf(dir: &Path) -> String {
    let d = dir.display();
    format!(
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
    )
}

fn nginx_binary() -> &'static str {
    ["/usr/sbin/nginx", "nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists() || *p == "nginx")
        .unwrap()
}

/// A directory nginx's workers can read (they run as nobody when the tests run as root).
fn nginx_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

/// `nginx -t` on `site` (as `{dir}/sepiion.conf` inside the test's main configuration):
/// whether it passed, and what it printed.
pub fn test_site(dir: &Path, site: &str) -> (bool, String) {
    std::fs::write(dir.join("sepiion.conf"), site).unwrap();
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, main_conf(dir)).unwrap();
    let out = Command::new(nginx_binary())
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&conf)
        .arg("-t")
        .output()
        .expect("nginx runs (apt-get install nginx)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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
    replace_lines(SITE_CONF, "deploy/nginx/sepiion.conf", replacements.into())
}

impl Nginx {
    /// Starts nginx for `upstream` (the Sepiion server's address) and waits until it accepts.
    pub fn start(upstream: SocketAddr) -> Nginx {
        let dir = nginx_dir();
        let (ca_pem, cert, key) = make_certificates(dir.path());
        let (http_port, https_port) = (super::free_port(), super::free_port());
        let site = render_site(upstream, http_port, https_port, &cert, &key, dir.path());
        let child = Self::spawn(dir.path(), &site, https_port);
        Nginx {
            child,
            https_url: format!("https://127.0.0.1:{https_port}"),
            http_url: format!("http://127.0.0.1:{http_port}"),
            ca_pem,
            dir,
        }
    }

    /// Starts nginx with the ACME site alone, as the guide enables it before the first
    /// certificate: no certificate exists, so `https_url` and `ca_pem` are empty. Its webroot is
    /// `{dir}/acme`.
    pub fn start_acme() -> Nginx {
        let dir = nginx_dir();
        let http_port = super::free_port();
        let site = render_acme_site(http_port, dir.path());
        let child = Self::spawn(dir.path(), &site, http_port);
        Nginx {
            child,
            https_url: String::new(),
            http_url: format!("http://127.0.0.1:{http_port}"),
            ca_pem: PathBuf::new(),
            dir,
        }
    }

    /// Runs nginx on `site` under `dir` (webroot `{dir}/acme`) until it accepts on `port`.
    fn spawn(dir: &Path, site: &str, port: u16) -> Child {
        std::fs::write(dir.join("sepiion.conf"), site).unwrap();
        std::fs::create_dir_all(dir.join("acme")).unwrap();
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, main_conf(dir)).unwrap();
        let mut child = Command::new(nginx_binary())
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("nginx runs (apt-get install nginx)");
        let deadline = Instant::now() + Duration::from_secs(15);
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
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
        child
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
