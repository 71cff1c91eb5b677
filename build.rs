//! Build facts for `mfa -vV`: the commit, the target and the compiler. Without `.git`,
//! the commit comes from the `.cargo_vcs_info.json` that `cargo package` writes (a build
//! from crates.io), else it is `unknown` and the build goes on all the same;
//! `MFA_BUILD_COMMIT` and `MFA_BUILD_DATE` name them for a build from elsewhere.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=MFA_BUILD_COMMIT");
    println!("cargo:rerun-if-env-changed=MFA_BUILD_DATE");
    // Only paths that exist: a missing one would make every build run this again.
    for watched in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"] {
        if Path::new(watched).exists() {
            println!("cargo:rerun-if-changed={watched}");
        }
    }
    let git = |format: &str| {
        if !Path::new(".git").exists() {
            return None;
        }
        let out = Command::new("git")
            .args(["log", "-1", &format!("--format={format}")])
            .output()
            .ok()?;
        let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (out.status.success() && !text.is_empty()).then_some(text)
    };
    let commit = std::env::var("MFA_BUILD_COMMIT")
        .ok()
        .or_else(|| git("%H"))
        .or_else(packaged_commit)
        .unwrap_or_else(|| "unknown".into());
    let date = std::env::var("MFA_BUILD_DATE")
        .ok()
        .or_else(|| git("%cs"))
        .unwrap_or_else(|| "unknown".into());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc = Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|text| text.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let mut features: Vec<String> = std::env::vars()
        .filter_map(|(name, _)| name.strip_prefix("CARGO_FEATURE_").map(str::to_owned))
        .map(|name| name.to_lowercase().replace('_', "-"))
        .collect();
    features.sort();
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=MFA_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=MFA_BUILD_DATE={date}");
    println!("cargo:rustc-env=MFA_BUILD_TARGET={target}");
    println!("cargo:rustc-env=MFA_BUILD_RUSTC={rustc}");
    println!("cargo:rustc-env=MFA_BUILD_FEATURES={}", features.join(","));
}

/// The commit `cargo package` noted in `.cargo_vcs_info.json` (`"sha1": "..."`): read
/// by hand, as a build script has no JSON parser of its own.
fn packaged_commit() -> Option<String> {
    let info = std::fs::read_to_string(".cargo_vcs_info.json").ok()?;
    let after = info.split("\"sha1\"").nth(1)?;
    let sha: String = after
        .trim_start_matches([' ', ':', '"'])
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (sha.len() == 40).then_some(sha)
}
