//! Runs the Python readers of `tests/py/` with the test venv's python (made by
//! `scripts/pyenv`, named by `SEPIION_TEST_PYTHON`).
#![allow(dead_code)]

use serde_json::Value;

/// The python of the test venv.
pub fn python() -> String {
    std::env::var("SEPIION_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "SEPIION_TEST_PYTHON is not set: run `export SEPIION_TEST_PYTHON=$(scripts/pyenv)` \
             (scripts/test does this) so that the server's files can be read with Python's \
             icalendar and openpyxl"
        )
    })
}

/// Writes `data` to a file named `file_name` and runs `tests/py/<script>` on it; returns the
/// JSON it prints.
pub fn read_with(script: &str, file_name: &str, data: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file_name);
    std::fs::write(&path, data).unwrap();
    let script = format!("{}/tests/py/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(python())
        .arg(&script)
        .arg(&path)
        .output()
        .expect("the test python runs");
    assert!(
        out.status.success(),
        "{script} could not read {file_name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
