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
