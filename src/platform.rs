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
