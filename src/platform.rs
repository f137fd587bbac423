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
        .call_method(&context, "getFilesDir", "()Ljava/io/File;", &[])?
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

/// Plain HTTP is for development only. The Android manifest's network security configuration
/// permits cleartext to the device itself (127.0.0.1, localhost) and nowhere else, but that
/// configuration binds only Java's and the web view's networking, not our Rust HTTP client; so
/// release builds for Android apply the same rule here. Development builds (and the desktop app,
/// used against the local demo server) may use any `http://` address.
pub const CLEARTEXT_ONLY_TO_LOOPBACK: bool =
    cfg!(all(target_os = "android", not(debug_assertions)));

/// Whether the app may send requests to the server at `url` (see
/// [`CLEARTEXT_ONLY_TO_LOOPBACK`]).
pub fn server_url_allowed(url: &str) -> bool {
    !CLEARTEXT_ONLY_TO_LOOPBACK || plain_http_host(url).is_none_or(is_loopback)
}

/// The host of an `http://` URL (`None` for any other scheme).
fn plain_http_host(url: &str) -> Option<&str> {
    let url = url.trim();
    let scheme = url.get(..7)?;
    if !scheme.eq_ignore_ascii_case("http://") {
        return None;
    }
    let authority = url[7..].split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    Some(match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    })
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod cleartext_tests {
    use super::*;

    #[test]
    fn plain_http_hosts_are_found_and_loopback_is_recognised() {
        assert_eq!(
            plain_http_host("http://127.0.0.1:8080/api"),
            Some("127.0.0.1")
        );
        assert_eq!(plain_http_host("HTTP://LocalHost"), Some("LocalHost"));
        assert_eq!(plain_http_host("http://[::1]:8080"), Some("::1"));
        assert_eq!(plain_http_host("http://u@10.0.2.2:80/x"), Some("10.0.2.2"));
        assert_eq!(plain_http_host("https://sepiion.klungkungkab.go.id"), None);
        assert!(is_loopback("127.0.0.1") && is_loopback("localhost") && is_loopback("::1"));
        assert!(!is_loopback("10.0.2.2") && !is_loopback("sepiion.klungkungkab.go.id"));
        // Host builds are development builds: every address is allowed.
        const { assert!(!CLEARTEXT_ONLY_TO_LOOPBACK) };
        assert!(server_url_allowed("http://192.168.1.10:8080"));
    }
}

#[cfg(all(test, not(target_os = "android")))]
mod tests {
    use super::*;

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
