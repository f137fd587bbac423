//! Where the app keeps its database: the Android app's files directory on Android, the user's
//! data directory on desktop. Tests pass a temporary directory to [`crate::store::Store::open`]
//! directly and never come here.

use std::path::PathBuf;

/// Which app this is: both install side by side, so each keeps its own data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// The app for citizens, groups and OPDs: submit and follow requests.
    Public,
    /// The app for staff: inbox, workflow, agenda.
    Internal,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Public => "public",
            Variant::Internal => "internal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Variant::Public, Variant::Internal]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The variant features this build was compiled with. An app build has exactly one (src/main.rs
/// refuses to compile otherwise); library builds without a variant (workspace tests) have none.
/// tests/android_config.rs checks this in every build it is compiled in.
pub const ENABLED_VARIANT_FEATURES: &[&str] = &[
    #[cfg(feature = "public")]
    "public",
    #[cfg(feature = "internal")]
    "internal",
];

/// Why no data directory could be found.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("the platform has no data directory for the app")]
    NoDataDir,
    #[error("cannot create the data directory {0}: {1}")]
    Create(PathBuf, std::io::Error),
    #[cfg(target_os = "android")]
    #[error("cannot ask Android for the files directory: {0}")]
    Jni(#[from] jni::errors::Error),
}

/// The directory for the app's files, created if missing.
pub fn data_dir(variant: Variant) -> Result<PathBuf, PlatformError> {
    let dir = platform_dir(variant)?;
    std::fs::create_dir_all(&dir).map_err(|e| PlatformError::Create(dir.clone(), e))?;
    Ok(dir)
}

/// The path of the cache database.
pub fn database_path(variant: Variant) -> Result<PathBuf, PlatformError> {
    Ok(data_dir(variant)?.join("sepiion-cache.db"))
}

#[cfg(not(target_os = "android"))]
fn platform_dir(variant: Variant) -> Result<PathBuf, PlatformError> {
    let base = dirs::data_dir().ok_or(PlatformError::NoDataDir)?;
    Ok(base.join(format!("sepiion-{}", variant.as_str())))
}

/// On Android each application id has its own sandboxed files directory, so the variant needs
/// no sub-directory. `dirs` knows nothing of it: ask `Context.getFilesDir()` through JNI.
#[cfg(target_os = "android")]
fn platform_dir(_variant: Variant) -> Result<PathBuf, PlatformError> {
    android_dir("getFilesDir")
}

/// One of the Context's directories (`getFilesDir`, `getCacheDir`), through JNI.
#[cfg(target_os = "android")]
fn android_dir(method: &str) -> Result<PathBuf, PlatformError> {
    use jni::JavaVM;
    use jni::objects::{JObject, JString};

    let ctx = ndk_context::android_context();
    if ctx.vm().is_null() || ctx.context().is_null() {
        return Err(PlatformError::NoDataDir);
    }
    // SAFETY: ndk-context hands out the process's JavaVM and the application Context, both valid
    // for the life of the process.
    let vm = unsafe { JavaVM::from_raw(ctx.vm().cast()) }?;
    let mut env = vm.attach_current_thread()?;
    // SAFETY: a global reference to the Context, owned by the activity glue, never freed here.
    let context = unsafe { JObject::from_raw(ctx.context().cast()) };
    let dir = env
        .call_method(&context, method, "()Ljava/io/File;", &[])?
        .l()?;
    if dir.is_null() {
        return Err(PlatformError::NoDataDir);
    }
    let path = env
        .call_method(&dir, "getAbsolutePath", "()Ljava/lang/String;", &[])?
        .l()?;
    let path: String = env.get_string(&JString::from(path))?.into();
    Ok(PathBuf::from(path))
}

/// Where files the user saves (the Agenda Harian sheet) go: the Downloads folder on desktop
/// (else the home directory). On Android the app's own files directory: Android keeps the
/// shared Downloads folder behind MediaStore, which the app does not reach yet.
pub fn downloads_dir(variant: Variant) -> Result<PathBuf, PlatformError> {
    #[cfg(not(target_os = "android"))]
    if let Some(dir) = dirs::download_dir().or_else(dirs::home_dir) {
        return Ok(dir);
    }
    data_dir(variant)
}

/// Why a file could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Platform(#[from] PlatformError),
    #[error("cannot write {0}: {1}")]
    Write(PathBuf, std::io::Error),
    #[error("no program to open {0}: {1}")]
    Viewer(PathBuf, std::io::Error),
    #[cfg(target_os = "android")]
    #[error("Android has no app to show this file: {0}")]
    Intent(String),
}

/// Where a file to show is written: `letters/<attachment id>/<name>` under the app's cache
/// directory (the system may clear it; the bytes stay in the app's store). The name keeps only
/// its last path component, so a file name can never lead out of that folder.
fn file_to_show(base: PathBuf, id: &str, filename: &str) -> PathBuf {
    let safe = |s: &str| -> String {
        std::path::Path::new(s)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty() && n != "." && n != "..")
            .unwrap_or_else(|| "berkas".to_string())
    };
    base.join("letters").join(safe(id)).join(safe(filename))
}

/// Writes `data` to the app's cache directory and asks the system to show it: `xdg-open` on
/// Linux (the desktop's default viewer for the type), `open` on macOS, `start` on Windows; on
/// Android a view intent through the app's FileProvider (see android/common/res/xml).
pub fn open_file(
    variant: Variant,
    id: &str,
    filename: &str,
    content_type: &str,
    data: &[u8],
) -> Result<(), OpenError> {
    let path = write_to_show(cache_dir(variant)?, id, filename, data)?;
    show_with_system(&path, content_type)
}

/// Writes the bytes where the viewer will read them (under `base`, see [`file_to_show`]).
fn write_to_show(
    base: PathBuf,
    id: &str,
    filename: &str,
    data: &[u8],
) -> Result<PathBuf, OpenError> {
    let path = file_to_show(base, id, filename);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| OpenError::Write(dir.to_path_buf(), e))?;
    }
    std::fs::write(&path, data).map_err(|e| OpenError::Write(path.clone(), e))?;
    Ok(path)
}

#[cfg(not(target_os = "android"))]
fn cache_dir(variant: Variant) -> Result<PathBuf, PlatformError> {
    match dirs::cache_dir() {
        Some(base) => Ok(base.join(format!("sepiion-{}", variant.as_str()))),
        None => data_dir(variant),
    }
}

/// The system's own program for opening a file by its type. (A hand-made switch of three lines
/// rather than a crate: the desktop build is for development, Linux first.)
#[cfg(not(target_os = "android"))]
fn show_with_system(path: &std::path::Path, _content_type: &str) -> Result<(), OpenError> {
    spawn_viewer(system_viewer(), path)
}

#[cfg(not(target_os = "android"))]
fn system_viewer() -> std::process::Command {
    if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    }
}

/// Starts `viewer` on `path` without waiting for it.
#[cfg(not(target_os = "android"))]
fn spawn_viewer(mut cmd: std::process::Command, path: &std::path::Path) -> Result<(), OpenError> {
    let mut child = cmd
        .arg(path)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|e| OpenError::Viewer(path.to_path_buf(), e))?;
    // Reaped in the background: the viewer may stay open long after.
    std::thread::spawn(move || child.wait());
    Ok(())
}

#[cfg(target_os = "android")]
fn cache_dir(_variant: Variant) -> Result<PathBuf, PlatformError> {
    android_dir("getCacheDir")
}

/// An `ACTION_VIEW` intent for a `content://` address from the app's FileProvider (authority
/// `<application id>.files`, declared in the variant's AndroidManifest.xml, serving
/// `cache/letters/` per android/common/res/xml/sepiion_file_paths.xml), with read permission
/// granted to the viewer. The FileProvider class is the app's (androidx), so it is loaded
/// through the Context's class loader: a thread attached from Rust sees only the system's.
#[cfg(target_os = "android")]
fn show_with_system(path: &std::path::Path, content_type: &str) -> Result<(), OpenError> {
    use jni::JavaVM;
    use jni::objects::{JClass, JObject, JValue};

    let intent_error = |e: jni::errors::Error| OpenError::Intent(e.to_string());
    let ctx = ndk_context::android_context();
    if ctx.vm().is_null() || ctx.context().is_null() {
        return Err(OpenError::Platform(PlatformError::NoDataDir));
    }
    // SAFETY: as in `platform_dir`: the process's JavaVM and the application Context.
    let vm = unsafe { JavaVM::from_raw(ctx.vm().cast()) }.map_err(intent_error)?;
    let mut env = vm.attach_current_thread().map_err(intent_error)?;
    let context = unsafe { JObject::from_raw(ctx.context().cast()) };
    let result = (|| -> jni::errors::Result<()> {
        let package = env
            .call_method(&context, "getPackageName", "()Ljava/lang/String;", &[])?
            .l()?;
        let package: String = env.get_string(&package.into())?.into();
        let authority = env.new_string(format!("{package}.files"))?;
        let file_path = env.new_string(path.to_string_lossy())?;
        let file = env.new_object(
            "java/io/File",
            "(Ljava/lang/String;)V",
            &[JValue::Object(&file_path)],
        )?;
        let loader = env
            .call_method(&context, "getClassLoader", "()Ljava/lang/ClassLoader;", &[])?
            .l()?;
        let name = env.new_string("androidx.core.content.FileProvider")?;
        let provider: JClass = env
            .call_method(
                &loader,
                "loadClass",
                "(Ljava/lang/String;)Ljava/lang/Class;",
                &[JValue::Object(&name)],
            )?
            .l()?
            .into();
        let uri = env
            .call_static_method(
                provider,
                "getUriForFile",
                "(Landroid/content/Context;Ljava/lang/String;Ljava/io/File;)Landroid/net/Uri;",
                &[
                    JValue::Object(&context),
                    JValue::Object(&authority),
                    JValue::Object(&file),
                ],
            )?
            .l()?;
        let action = env.new_string("android.intent.action.VIEW")?;
        let intent = env.new_object(
            "android/content/Intent",
            "(Ljava/lang/String;)V",
            &[JValue::Object(&action)],
        )?;
        let mime = env.new_string(content_type)?;
        env.call_method(
            &intent,
            "setDataAndType",
            "(Landroid/net/Uri;Ljava/lang/String;)Landroid/content/Intent;",
            &[JValue::Object(&uri), JValue::Object(&mime)],
        )?;
        // FLAG_GRANT_READ_URI_PERMISSION | FLAG_ACTIVITY_NEW_TASK
        env.call_method(
            &intent,
            "addFlags",
            "(I)Landroid/content/Intent;",
            &[JValue::Int(0x0000_0001 | 0x1000_0000)],
        )?;
        env.call_method(
            &context,
            "startActivity",
            "(Landroid/content/Intent;)V",
            &[JValue::Object(&intent)],
        )?;
        Ok(())
    })();
    if result.is_err() && env.exception_check().unwrap_or(false) {
        // No viewer for the type (ActivityNotFoundException) or no provider: clear it, report it.
        let _ = env.exception_describe();
        let _ = env.exception_clear();
    }
    result.map_err(intent_error)
}

/// Plain HTTP is for development only. The Android manifest's network security configuration
/// permits cleartext to the device itself (127.0.0.1, localhost) and nowhere else, but that
/// configuration binds only Java's and the web view's networking, not our Rust HTTP client; so
/// release builds for Android apply the same rule here. Development builds (and the desktop app,
/// used against the local demo server) may use any `http://` address.
pub const CLEARTEXT_ONLY_TO_LOOPBACK: bool =
    cfg!(all(target_os = "android", not(debug_assertions)));

/// Why a server address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerUrlError {
    #[error("not a web address: {0}")]
    Invalid(String),
    #[error("only http:// and https:// addresses are allowed")]
    Scheme,
    /// `user:password@` in front of the host hides where a request really goes.
    #[error("a server address may not carry a user name or password")]
    Credentials,
    #[error("a server address has no query or fragment")]
    Extra,
    #[error("plain HTTP is allowed only to this device (127.0.0.1, ::1, localhost)")]
    Cleartext,
}

/// Parses the address of a Sepiion server (as the `url` crate does, the way the HTTP client
/// will read it — never by looking at the text) and checks it: http or https, no credentials,
/// and, when `cleartext_only_to_loopback`, plain HTTP only to the device itself. Returns the
/// base address without a trailing slash.
pub fn parse_server_url(
    text: &str,
    cleartext_only_to_loopback: bool,
) -> Result<String, ServerUrlError> {
    let url =
        reqwest::Url::parse(text.trim()).map_err(|e| ServerUrlError::Invalid(e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if cleartext_only_to_loopback && !loopback {
                return Err(ServerUrlError::Cleartext);
            }
        }
        _ => return Err(ServerUrlError::Scheme),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ServerUrlError::Credentials);
    }
    if url.host().is_none() {
        return Err(ServerUrlError::Invalid(text.to_string()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ServerUrlError::Extra);
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// [`parse_server_url`] with this build's rule ([`CLEARTEXT_ONLY_TO_LOOPBACK`]).
pub fn server_url(text: &str) -> Result<String, ServerUrlError> {
    parse_server_url(text, CLEARTEXT_ONLY_TO_LOOPBACK)
}

#[cfg(test)]
mod server_url_tests {
    use super::*;

    #[test]
    fn addresses_are_read_as_the_http_client_reads_them() {
        // The text contains "127.0.0.1" but the host is evil.example: refused as cleartext.
        for sneaky in [
            "http://evil.example\\@127.0.0.1/",
            "http://evil.example\\@127.0.0.1:8080",
            "http://127.0.0.1.evil.example/",
            "http://127.0.0.1@evil.example/",
            "http://10.0.2.2:8080",
        ] {
            assert!(parse_server_url(sneaky, true).is_err(), "{sneaky}");
        }
        assert_eq!(
            parse_server_url("http://user@127.0.0.1/", false),
            Err(ServerUrlError::Credentials)
        );
        for fine in [
            "http://127.0.0.1:8080",
            "HTTP://LocalHost",
            "http://[::1]:8080/",
        ] {
            assert!(parse_server_url(fine, true).is_ok(), "{fine}");
        }
        assert_eq!(
            parse_server_url(" https://sepiion.klungkungkab.go.id/ ", true).unwrap(),
            "https://sepiion.klungkungkab.go.id"
        );
        assert_eq!(
            parse_server_url("ftp://x", false),
            Err(ServerUrlError::Scheme)
        );
        assert_eq!(
            parse_server_url("https://x.example/?a=1", false),
            Err(ServerUrlError::Extra)
        );
        assert!(matches!(
            parse_server_url("sepiion", false),
            Err(ServerUrlError::Invalid(_))
        ));
        // Host builds are development builds: plain HTTP anywhere.
        const { assert!(!CLEARTEXT_ONLY_TO_LOOPBACK) };
        assert!(server_url("http://192.168.1.10:8080").is_ok());
    }
}

#[cfg(all(test, not(target_os = "android")))]
mod tests {
    use super::*;

    #[test]
    fn a_file_to_show_stays_in_its_own_folder_whatever_its_name() {
        let base = PathBuf::from("/cache/sepiion-internal");
        assert_eq!(
            file_to_show(base.clone(), "a1", "surat-undangan.pdf"),
            base.join("letters/a1/surat-undangan.pdf")
        );
        for (id, name) in [
            ("a1", "../../etc/passwd"),
            ("../x", "/tmp/y.pdf"),
            ("a1", ".."),
        ] {
            let p = file_to_show(base.clone(), id, name);
            assert!(p.starts_with(base.join("letters")), "{}", p.display());
            assert!(
                !p.components().any(|c| c == std::path::Component::ParentDir),
                "{}",
                p.display()
            );
            assert_eq!(p.components().count(), base.components().count() + 3);
        }
    }

    /// The desktop path of opening a letter: the bytes are written under the cache folder and
    /// the system's viewer (`xdg-open` on Linux) is started on that file. A stand-in viewer
    /// records what it was given.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_desktop_hands_the_letter_to_the_systems_viewer() {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(system_viewer().get_program(), "xdg-open");
        let dir = tempfile::tempdir().unwrap();
        let seen = dir.path().join("seen.pdf");
        let viewer = dir.path().join("viewer");
        std::fs::write(
            &viewer,
            format!(
                "#!/bin/sh\ncp \"$1\" '{}.part' && mv '{0}.part' '{0}'\n",
                seen.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&viewer, std::fs::Permissions::from_mode(0o755)).unwrap();
        let letter = b"%PDF-1.4 surat undangan";
        let base = dir.path().join("cache/sepiion-internal");
        let path = write_to_show(base.clone(), "att-1", "surat-undangan.pdf", letter).unwrap();
        assert_eq!(path, base.join("letters/att-1/surat-undangan.pdf"));
        spawn_viewer(std::process::Command::new(&viewer), &path).unwrap();
        let mut waited = 0;
        while !seen.exists() && waited < 200 {
            std::thread::sleep(std::time::Duration::from_millis(25));
            waited += 1;
        }
        assert_eq!(std::fs::read(&seen).unwrap(), letter);
        // A viewer that does not exist is an error the screen can show, not a panic.
        let missing = spawn_viewer(
            std::process::Command::new(dir.path().join("no-such-viewer")),
            &path,
        );
        assert!(matches!(missing, Err(OpenError::Viewer(..))));
    }

    #[test]
    fn desktop_variants_get_separate_directories() {
        let (Ok(a), Ok(b)) = (
            platform_dir(Variant::Public),
            platform_dir(Variant::Internal),
        ) else {
            return; // no home directory in this environment: nothing to compare
        };
        assert_ne!(a, b);
        assert!(a.ends_with("sepiion-public"));
        assert_eq!(Variant::parse("internal"), Some(Variant::Internal));
    }
}
