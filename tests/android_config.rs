//! The Android delivery configuration of the two app variants (Dioxus.toml, android/): the public
//! app and the staff app must be able to sit side by side on one phone, so their application ids,
//! launcher names and icons differ; everything else (SDK levels, permissions, network security)
//! is the same. Also: each build has exactly one variant feature.
//!
//! Reads files only; android/check type-checks the Android builds and android/build makes APKs.

use std::path::{Path, PathBuf};

use toml::Value;

const VARIANTS: [Variant; 2] = [
    Variant {
        dir: "public",
        id: "id.go.klungkungkab.sepiion",
        name: "Sepiion",
    },
    Variant {
        dir: "internal",
        id: "id.go.klungkungkab.sepiion.staf",
        name: "Sepiion Staf",
    },
];

/// Launcher icon densities: (directory suffix, pixels per dp).
const DENSITIES: [(&str, u32); 5] = [
    ("mdpi", 2),
    ("hdpi", 3),
    ("xhdpi", 4),
    ("xxhdpi", 6),
    ("xxxhdpi", 8),
];

struct Variant {
    dir: &'static str,
    id: &'static str,
    name: &'static str,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: impl AsRef<Path>) -> String {
    let path = root().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config(variant: &Variant) -> Value {
    read(format!("android/{}/Dioxus.toml", variant.dir))
        .parse()
        .expect("Dioxus.toml parses")
}

fn get<'a>(value: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .try_fold(value, |v, key| v.get(key))
        .unwrap_or_else(|| panic!("Dioxus.toml has no `{path}`"))
}

fn string<'a>(value: &'a Value, path: &str) -> &'a str {
    get(value, path)
        .as_str()
        .unwrap_or_else(|| panic!("`{path}` is not a string"))
}

fn int(value: &Value, path: &str) -> i64 {
    get(value, path)
        .as_integer()
        .unwrap_or_else(|| panic!("`{path}` is not an integer"))
}

#[test]
fn variants_have_their_own_application_id_and_name() {
    for v in &VARIANTS {
        let c = config(v);
        // dx 0.7 takes `android.identifier`, else `bundle.identifier`: both say the same.
        assert_eq!(string(&c, "android.identifier"), v.id, "{}", v.dir);
        assert_eq!(string(&c, "bundle.identifier"), v.id, "{}", v.dir);
        assert_eq!(string(&c, "application.name"), v.name, "{}", v.dir);
        assert_eq!(
            string(&c, "application.android_manifest"),
            format!("android/{}/AndroidManifest.xml", v.dir)
        );
    }
    let [public, internal] = VARIANTS.map(|v| config(&v));
    for key in [
        "android.identifier",
        "application.name",
        "application.android_manifest",
    ] {
        assert_ne!(
            get(&public, key),
            get(&internal, key),
            "`{key}` must differ"
        );
    }
}

#[test]
fn both_variants_set_the_same_explicit_sdk_levels() {
    let [public, internal] = VARIANTS.map(|v| config(&v));
    for key in [
        "android.min_sdk",
        "android.target_sdk",
        "android.compile_sdk",
        "application.android_min_sdk_version",
    ] {
        assert_eq!(get(&public, key), get(&internal, key), "`{key}` must match");
    }
    assert_eq!(
        int(&public, "android.min_sdk"),
        int(&public, "application.android_min_sdk_version"),
        "the NDK API level of the Rust code is the app's minimum SDK"
    );
    assert!(
        int(&public, "android.target_sdk") >= 35,
        "the Play Store needs API 35+"
    );
    assert!(int(&public, "android.min_sdk") >= 24);
}

#[test]
fn no_signing_secrets_are_committed() {
    for v in &VARIANTS {
        let text = read(format!("android/{}/Dioxus.toml", v.dir));
        let c = config(v);
        assert!(c.get("bundle").and_then(|b| b.get("android")).is_none());
        assert!(c.get("android").and_then(|a| a.get("signing")).is_none());
        for word in ["jks_password", "key_password", "storePassword"] {
            assert!(
                !text.contains(word),
                "{}: `{word}` in a committed file",
                v.dir
            );
        }
    }
    let gitignore = read(".gitignore");
    assert!(gitignore.lines().any(|l| l.trim() == "target/"));
}

/// dx reads only the root Dioxus.toml; it is the public app's, and android/build swaps in the
/// variant's for a build.
#[test]
fn root_dioxus_toml_is_the_public_apps() {
    assert_eq!(read("Dioxus.toml"), read("android/public/Dioxus.toml"));
}

#[test]
fn manifests_name_and_permit_what_each_variant_needs() {
    for v in &VARIANTS {
        let m = read(format!("android/{}/AndroidManifest.xml", v.dir));
        let label = format!("android:label=\"{}\"", v.name);
        assert_eq!(
            m.matches(&label).count(),
            2,
            "{}: application and activity labels",
            v.dir
        );
        for needed in [
            "android.permission.INTERNET",
            "android.permission.ACCESS_NETWORK_STATE",
            // Operating-system notifications on Android 13+ (src/os_notify).
            "android.permission.POST_NOTIFICATIONS",
            "android:icon=\"@mipmap/ic_sepiion\"",
            "android:usesCleartextTraffic=\"false\"",
            "android:networkSecurityConfig=\"@xml/sepiion_network_security\"",
            // What dx's own template has and the app needs to start.
            "android:name=\"dev.dioxus.main.MainActivity\"",
            "android:name=\"android.app.lib_name\" android:value=\"main\"",
            "android.intent.category.LAUNCHER",
        ] {
            assert!(m.contains(needed), "{}: manifest lacks {needed}", v.dir);
        }
        assert!(
            !m.contains("package=\""),
            "the id comes from Gradle, not the manifest"
        );
    }
    let [public, internal] =
        VARIANTS.map(|v| read(format!("android/{}/AndroidManifest.xml", v.dir)));
    assert_ne!(public, internal);
}

/// Opening an attachment (src/platform.rs, `open_file`) asks for a content:// address from the
/// provider with authority `<package>.files` for a file under the cache's `letters/`: each
/// manifest declares that provider, not exported, granting per-intent read access, and the paths
/// file shares that folder and nothing else.
#[test]
fn attachments_open_through_a_private_file_provider() {
    for v in &VARIANTS {
        let m = read(format!("android/{}/AndroidManifest.xml", v.dir));
        let provider = m
            .split("<provider")
            .nth(1)
            .and_then(|p| p.split("</provider>").next())
            .unwrap_or_else(|| panic!("{}: no provider", v.dir));
        for needed in [
            "android:name=\"androidx.core.content.FileProvider\"",
            "android:authorities=\"${applicationId}.files\"",
            "android:exported=\"false\"",
            "android:grantUriPermissions=\"true\"",
            "android:resource=\"@xml/sepiion_file_paths\"",
        ] {
            assert!(
                provider.contains(needed),
                "{}: provider lacks {needed}",
                v.dir
            );
        }
    }
    let paths = read("android/common/res/xml/sepiion_file_paths.xml");
    let shared: Vec<&str> = paths
        .split("<paths>")
        .nth(1)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('<') && !l.starts_with("</"))
        .collect();
    assert_eq!(
        shared,
        ["<cache-path name=\"letters\" path=\"letters/\" />"]
    );
    let platform = read("src/platform.rs");
    assert!(platform.contains("format!(\"{package}.files\")"));
    assert!(platform.contains("base.join(\"letters\")"));
}

#[test]
fn cleartext_is_allowed_only_to_the_phone_itself() {
    let nsc = read("android/common/res/xml/sepiion_network_security.xml");
    assert!(nsc.contains("<base-config cleartextTrafficPermitted=\"false\""));
    let domains: Vec<&str> = nsc
        .split("<domain ")
        .skip(1)
        .map(|d| d.split('>').nth(1).unwrap().split('<').next().unwrap())
        .collect();
    assert_eq!(domains, ["127.0.0.1", "localhost"]);
}

fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn launcher_icons_exist_at_every_density_and_differ_between_variants() {
    for (density, half_px_per_dp) in DENSITIES {
        for (name, dp) in [("ic_sepiion", 48), ("ic_sepiion_foreground", 108)] {
            let px = dp * half_px_per_dp / 2;
            let [public, internal] = VARIANTS
                .map(|v| root().join(format!("android/{}/res/mipmap-{density}/{name}.png", v.dir)));
            assert_eq!(png_size(&public), (px, px), "{}", public.display());
            assert_eq!(png_size(&internal), (px, px), "{}", internal.display());
            assert_ne!(
                std::fs::read(&public).unwrap(),
                std::fs::read(&internal).unwrap(),
                "{density}/{name}: the staff icon must look different"
            );
        }
    }
    for v in &VARIANTS {
        let adaptive = read(format!(
            "android/{}/res/mipmap-anydpi-v26/ic_sepiion.xml",
            v.dir
        ));
        assert!(adaptive.contains("@mipmap/ic_sepiion_foreground"));
        assert!(adaptive.contains("@color/sepiion_icon_background"));
    }
    assert!(
        read("android/common/res/values/sepiion_colors.xml").contains("sepiion_icon_background")
    );
}

/// android/build knows each variant's id and name (it checks them in the APK) and installs the
/// icons; it must agree with the configuration.
#[test]
fn the_build_script_agrees_with_the_configuration() {
    let script = read("android/build");
    for v in &VARIANTS {
        let case = format!("{}) APP_ID={} APP_NAME=\"{}\"", v.dir, v.id, v.name);
        assert!(script.contains(&case), "android/build lacks `{case}`");
    }
    for needed in [
        "cp -R android/common/res/.",
        "cp -R \"android/$VARIANT/res/.\"",
        "cat \"android/$VARIANT/Dioxus.toml\"",
        "--package-types apk",
        "--target \"$TRIPLE\"",
        "--ks-pass env:SEPIION_ANDROID_KEYSTORE_PASSWORD",
    ] {
        assert!(script.contains(needed), "android/build lacks `{needed}`");
    }
}

/// Each build of the app has exactly one variant: `cargo test` (no feature) has none, a build with
/// `--features public` or `--features internal` exactly that one.
#[test]
fn exactly_one_variant_feature_per_build() {
    let enabled = sepiion::platform::ENABLED_VARIANT_FEATURES;
    if cfg!(feature = "variant") {
        assert_eq!(enabled.len(), 1, "variant features enabled: {enabled:?}");
    } else {
        assert!(enabled.is_empty());
    }
    assert_eq!(cfg!(feature = "public"), enabled.contains(&"public"));
    assert_eq!(cfg!(feature = "internal"), enabled.contains(&"internal"));
}

/// A build with both variants (or none, or no platform) does not compile: src/main.rs says so.
#[test]
fn the_app_binary_rejects_both_variants_at_once() {
    let main = read("src/main.rs");
    let both = main
        .find("#[cfg(all(feature = \"public\", feature = \"internal\"))]")
        .expect("src/main.rs rejects a build with both variants");
    assert!(
        main[both..]
            .trim_start_matches(|c| c != '\n')
            .trim_start()
            .starts_with("compile_error!(")
    );
    assert!(main.contains("#[cfg(not(any(feature = \"public\", feature = \"internal\")))]"));
    let cargo: Value = read("Cargo.toml").parse().unwrap();
    let bin = get(&cargo, "bin")
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b.get("name").and_then(Value::as_str) == Some("sepiion"))
        .expect("the sepiion binary");
    assert_eq!(
        get(bin, "required-features").as_array().unwrap(),
        &[Value::from("variant")]
    );
    for variant in ["public", "internal"] {
        assert_eq!(
            get(&cargo, &format!("features.{variant}"))
                .as_array()
                .unwrap(),
            &[Value::from("variant")]
        );
    }
}

/// Runs android/version-code for `version` with an optional override; `None` when it refuses.
fn version_code(version: &str, code_env: Option<&str>) -> Option<u64> {
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(root().join("android/version-code")).arg(version);
    match code_env {
        Some(c) => cmd.env("SEPIION_ANDROID_VERSION_CODE", c),
        None => cmd.env_remove("SEPIION_ANDROID_VERSION_CODE"),
    };
    let out = cmd.output().expect("bash runs");
    out.status.success().then(|| {
        String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    })
}

#[test]
fn version_codes_grow_with_the_version_and_can_be_set_explicitly() {
    assert_eq!(version_code("0.1.0", None), Some(100));
    assert_eq!(version_code("1.2.3", None), Some(10203));
    let ascending = [
        "0.1.0", "0.1.1", "0.1.99", "0.2.0", "0.99.99", "1.0.0", "1.0.1", "2.5.0",
    ];
    let codes: Vec<u64> = ascending
        .iter()
        .map(|v| version_code(v, None).unwrap())
        .collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "{codes:?}");
    // Outside the rule it refuses rather than produce a code that could go backwards.
    for bad in ["1.100.0", "1.0.100", "0.0.0", "1.0", "1.0.0-beta"] {
        assert_eq!(version_code(bad, None), None, "{bad}");
    }
    assert_eq!(version_code("1.100.0", Some("4200")), Some(4200));
    for bad in ["0", "-3", "x", "2100000001"] {
        assert_eq!(version_code("0.1.0", Some(bad)), None, "{bad}");
    }
    // The crate's own version has a code, and the build script uses it and makes a bundle.
    let crate_version: Value = read("Cargo.toml").parse().unwrap();
    let v = get(&crate_version, "package.version").as_str().unwrap();
    assert!(version_code(v, None).is_some());
    let build = read("android/build");
    assert!(build.contains("VERSION_CODE=$(android/version-code)"));
    assert!(build.contains("bundleRelease"));
    assert!(build.contains("versionCode='$VERSION_CODE' versionName='$VERSION'"));
}

#[test]
fn play_listings_exist_and_fit_plays_limits() {
    for v in &VARIANTS {
        let dir = format!("android/{}/store/id-ID", v.dir);
        for (file, max) in [
            ("title.txt", 30),
            ("short_description.txt", 80),
            ("full_description.txt", 4000),
        ] {
            let text = read(format!("{dir}/{file}"));
            let text = text.trim_end();
            let chars = text.chars().count();
            assert!(
                chars > 0 && chars <= max,
                "{dir}/{file}: {chars} characters (Play allows {max})"
            );
        }
        let icon = root().join(format!("{dir}/images/icon.png"));
        assert_eq!(png_size(&icon), (512, 512), "{}", icon.display());
        let shots_dir = root().join(format!("{dir}/images/phoneScreenshots"));
        let shots: Vec<PathBuf> = std::fs::read_dir(&shots_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "png"))
            .collect();
        assert!(
            (2..=8).contains(&shots.len()),
            "{}: Play needs 2 to 8 phone screenshots",
            shots_dir.display()
        );
        for shot in shots {
            let (w, h) = png_size(&shot);
            let (short, long) = (w.min(h), w.max(h));
            assert!(
                (320..=3840).contains(&short) && long <= 3840 && long <= 2 * short,
                "{}: {w}x{h} is outside Play's screenshot rules",
                shot.display()
            );
        }
    }
    // Both listings point at the privacy policy that the server serves at /privasi.
    let policy = read("docs/privasi.txt");
    assert!(policy.contains("Sepiion Staf") && policy.contains("/privasi"));
    assert!(read("android/public/store/id-ID/full_description.txt").contains("/privasi"));
    let safety = read("android/common/store/data-safety.md");
    for answer in [
        "Device or other IDs",
        "Location",
        "Advertising ID",
        "Files and docs",
    ] {
        assert!(safety.contains(answer), "data safety answers name {answer}");
    }
}
