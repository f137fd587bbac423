//! `sepiion-server`: serve, load demo data, create users, back up, restore.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use sepiion_core::api::NewUser;
use sepiion_core::model::Role;
use sepiion_server::config::Config;
use sepiion_server::domain::context::Ctx;
use sepiion_server::domain::{demo, users};
use sepiion_server::{RunningServer, storage};

#[derive(Parser)]
#[command(
    name = "sepiion-server",
    version,
    about = "Sepiion: penjadwalan kegiatan pimpinan"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API.
    Serve {
        /// Address to listen on [default: the config file's `addr`, else 127.0.0.1:8080].
        #[arg(long, env = "SEPIION_ADDR")]
        addr: Option<String>,
        /// SQLite database file, created if missing [default: the config file's `db`, else
        /// sepiion.db].
        #[arg(long, env = "SEPIION_DB")]
        db: Option<PathBuf>,
        /// TOML configuration file.
        #[arg(long, env = "SEPIION_CONFIG")]
        config: Option<PathBuf>,
        /// Fill an empty database with demo data first.
        #[arg(long, env = "SEPIION_DEMO")]
        demo: bool,
    },
    /// Create a fresh database with demo data (Klungkung) and print the demo accounts.
    Demo {
        #[arg(long, env = "SEPIION_DB")]
        db: PathBuf,
        #[arg(long, env = "SEPIION_CONFIG")]
        config: Option<PathBuf>,
        /// Replace an existing database file.
        #[arg(long)]
        force: bool,
    },
    /// Create a staff account. The password is read from the terminal (or from stdin when it is
    /// not a terminal), never from the command line.
    CreateUser {
        #[arg(long, env = "SEPIION_DB")]
        db: PathBuf,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// admin, protocol, adc, sespri, agenda_staff or leader.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The leader of an adc, sespri or leader account.
        #[arg(long)]
        leader: Option<String>,
        #[arg(long, env = "SEPIION_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Copy the database with SQLite's online backup (safe while the server runs).
    Backup {
        #[arg(long, env = "SEPIION_DB")]
        db: PathBuf,
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the database with a backup: checks the backup's integrity and schema first,
    /// refuses while a server uses the database, keeps the replaced file next to it. Devices
    /// resync from scratch afterwards, keeping their unsent changes.
    Restore {
        /// The backup file (made by `backup`).
        #[arg(long)]
        from: PathBuf,
        #[arg(long, env = "SEPIION_DB")]
        db: PathBuf,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        "expected one of: admin, protocol, adc, sespri, agenda_staff, leader".to_string()
    })
}

fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password("Kata sandi / password: ")?;
        let again = rpassword::prompt_password("Ulangi / repeat: ")?;
        if p != again {
            bail!("the passwords differ");
        }
        p
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    Ok(password)
}

fn remove_db(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
        }
    }
    Ok(())
}

fn print_demo_accounts() {
    println!(
        "Akun demo (kata sandi semua akun: {}):",
        demo::DEMO_PASSWORD
    );
    for (username, display, role, leader) in demo::DEMO_USERS {
        let leader = leader.map(|l| format!(" [{l}]")).unwrap_or_default();
        println!("  {username:<15} {:<14} {display}{leader}", role.as_str());
    }
}

/// Ctrl-C, or SIGTERM (what systemd sends to stop a service).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// The blocking pool runs the database work (one writer, a few readers): a few dozen threads
/// are plenty, and tokio's default of 512 lets a burst of requests start hundreds of threads,
/// each keeping its stack for a while afterwards (and, without [`tune_malloc`], each its own
/// malloc arena; `bench/security`).
const MAX_BLOCKING_THREADS: usize = 32;

/// Whether logs are one JSON object per line (`SEPIION_LOG_FORMAT=json`, set in the systemd unit).
fn json_logs() -> bool {
    std::env::var("SEPIION_LOG_FORMAT").is_ok_and(|f| f == "json")
}

fn init_logging() {
    // Structured logs: human-readable by default, one JSON object per line with
    // SEPIION_LOG_FORMAT=json (for log collectors). Colours only on a terminal.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,tower_http=info".into())
        // rusqlite_migration logs its own "Database migrated to version N" (through the `log`
        // bridge), numbered differently from ours: the storage layer logs the schema itself.
        .add_directive(
            "rusqlite_migration=off"
                .parse()
                .expect("a valid filter directive"),
        );
    if json_logs() {
        tracing_subscriber::fmt()
            .json()
            .with_ansi(false)
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_ansi(std::io::stdout().is_terminal())
            .with_env_filter(filter)
            .init();
    }
}

/// glibc's malloc, tuned for a server that runs for months (`bench/soak`, README "Soak"): by
/// default every thread that allocates while the others hold their arenas gets an arena of its
/// own (up to eight per core), and the threshold above which a block is mapped on its own rises
/// with every large block freed (a PDF sheet, a pull page), so large blocks end up inside the
/// arenas too. Memory freed there is rarely given back: the resident size kept climbing
/// (+3 MiB a minute over an 8-minute soak) although every map of the server stays bounded.
/// Two arenas, and blocks of 128 KiB or more mapped on their own and unmapped when freed, keep
/// it flat. Set before any other thread starts; `MALLOC_ARENA_MAX` and the other
/// `MALLOC_*_` variables of the environment are read by glibc earlier and lose to these.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_malloc() {
    const ARENAS: libc::c_int = 2;
    const LARGE: libc::c_int = 128 * 1024;
    // SAFETY: mallopt only changes malloc's parameters; it is called first thing in main,
    // before any other thread exists, as glibc requires for M_ARENA_MAX to take full effect.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE);
        libc::mallopt(libc::M_TRIM_THRESHOLD, LARGE);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}

fn main() -> std::process::ExitCode {
    tune_malloc();
    init_logging();
    let cli = Cli::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(run(cli)));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The whole chain on one line ("cannot open the database /var/lib/…: attempt to
            // write a readonly database"): a JSON record in JSON mode, plain text otherwise.
            let error = format!("{e:#}");
            if json_logs() {
                tracing::error!(error = %error, "fatal: {error}");
            } else {
                eprintln!("Error: {error}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            addr,
            db,
            config,
            demo,
        } => {
            let mut c = Config::load(config.as_deref())?;
            // Command line and environment override the file; the file overrides the defaults.
            if let Some(addr) = addr {
                c.addr = addr;
            }
            if let Some(db) = db {
                c.db = db;
            }
            c.demo = c.demo || demo;
            let seeded_before = c.db.exists();
            let server = RunningServer::start(c.clone()).await?;
            if c.demo && !seeded_before {
                if json_logs() {
                    let users: Vec<&str> = demo::DEMO_USERS.iter().map(|u| u.0).collect();
                    tracing::info!(
                        users = %users.join(","),
                        password = demo::DEMO_PASSWORD,
                        "demo accounts"
                    );
                } else {
                    print_demo_accounts();
                }
            }
            tracing::info!(addr = %server.addr, db = %c.db.display(), "Sepiion server listening");
            // The banner for a person at a terminal; in JSON mode every line is a log record
            // and the one above says the same.
            if !json_logs() {
                println!(
                    "Sepiion server: {}  (API: {}/api/v1, OpenAPI: {}/openapi.json)",
                    server.url(),
                    server.url(),
                    server.url()
                );
            }
            let url = server.url();
            tokio::select! {
                r = server.wait() => r.context("server stopped")?,
                _ = shutdown_signal() => tracing::info!(%url, "shutting down"),
            }
        }
        Command::Demo {
            db: path,
            config,
            force,
        } => {
            if path.exists() {
                if !force {
                    bail!(
                        "{} already exists; use --force to replace it with demo data",
                        path.display()
                    );
                }
                remove_db(&path)?;
            }
            let mut c = Config::load(config.as_deref())?;
            c.db = path.clone();
            let ctx = Ctx::from_config(&c)?;
            let mut conn = storage::open(&path)?;
            demo::seed(&mut conn, &ctx)?;
            sepiion_server::apply_config_data(&mut conn, &c)?;
            println!("Basis data demo dibuat: {}", path.display());
            print_demo_accounts();
        }
        Command::CreateUser {
            db: path,
            username,
            display_name,
            role,
            leader,
            config,
        } => {
            let mut c = Config::load(config.as_deref())?;
            c.db = path.clone();
            let mut conn = storage::open(&path)?;
            sepiion_server::apply_config_data(&mut conn, &c)?;
            let password = read_password()?;
            let hash = sepiion_server::domain::caller::hash_password(&password);
            let tx = conn.transaction()?;
            let user = users::create(
                &tx,
                &NewUser {
                    username,
                    display_name,
                    role,
                    leader_id: leader,
                    password,
                },
                &hash,
            );
            match user {
                Ok(u) => {
                    sepiion_server::storage::audit::audit(
                        &tx,
                        "system",
                        "user.create",
                        "user",
                        &u.id.to_string(),
                        u.role.as_str(),
                    )?;
                    tx.commit()?;
                    if json_logs() {
                        tracing::info!(
                            username = %u.username,
                            role = u.role.as_str(),
                            "user created"
                        );
                    } else {
                        println!("Akun dibuat: {} ({})", u.username, u.role.as_str());
                    }
                }
                Err(e) => {
                    let fields: Vec<String> = e
                        .fields
                        .0
                        .iter()
                        .map(|(k, v)| format!("{k}: {}", v.en))
                        .collect();
                    bail!("{} {}", e.message.en, fields.join("; "));
                }
            }
        }
        Command::Backup { db: path, to } => {
            sepiion_server::storage::backup::backup(&path, &to)?;
            println!("Cadangan tersimpan: {}", to.display());
        }
        Command::Restore { from, db: path } => {
            let r = sepiion_server::storage::backup::restore(&from, &path)?;
            println!(
                "Dipulihkan dari {} ke {} (skema {}).",
                from.display(),
                path.display(),
                r.schema_version
            );
            if let Some(old) = r.replaced {
                println!("Basis data lama disimpan sebagai {}", old.display());
            }
            for old in r.pruned {
                println!("Basis data pengganti lama dihapus: {}", old.display());
            }
            println!(
                "Perangkat akan menyinkronkan ulang dari awal (lantai sinkronisasi {}).",
                r.sync_floor
            );
        }
    }
    Ok(())
}
