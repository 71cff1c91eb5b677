//! A config file that another user could change is not the user's config: every
//! setting in it could send the password to a server of theirs (`base_url`,
//! `token_url`), run a command of theirs (`password_command`), trust a CA of theirs
//! (`ca_file`) or write to the user's files (`log_file`). So, as ssh refuses its own,
//! a file that others can write, that another user owns, or that is reached through a
//! folder (or a link in a folder) another user can change is refused as a whole, exit 3,
//! naming the file and the fix; nothing in it is used. Each check is made on what is
//! opened, so swapping a link or a folder while `mfa` runs never makes it use another
//! user's file.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::servers::{TestCa, file_with};
use crate::support::*;

/// A profile whose password comes from a command that leaves `marker` behind if it
/// runs, against `server`.
fn with_command(server: &mockito::ServerGuard, marker: &Path) -> String {
    format!(
        "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nusername = \"{USERNAME}\"\n\
         password_command = \"touch {} && echo {PASSWORD}\"\nbase_url = \"{}/api/v1\"\n",
        marker.display(),
        server.url()
    )
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Whether this run may give files to another user (only root may).
fn is_root(home: &Path) -> bool {
    std::fs::metadata(home).unwrap().uid() == 0
}

/// What makes a config file another user could change, given the run's config path
/// and home: what `mfa` must say of it, and the fix.
type Case = (&'static str, fn(&Path, &Path) -> Option<(String, String)>);

fn the_file_others_can_write(mode: u32) -> impl Fn(&Path, &Path) -> Option<(String, String)> {
    move |path, _| {
        chmod(path, mode);
        Some((
            format!("other users can write the file (mode {mode:o})"),
            format!("chmod go-w {}", path.display()),
        ))
    }
}

fn its_folder_open_to(mode: u32) -> impl Fn(&Path, &Path) -> Option<(String, String)> {
    move |path, _| {
        let folder = path.parent().unwrap();
        chmod(folder, mode);
        Some((
            format!(
                "other users can add and replace files in its folder {} (mode {mode:o})",
                folder.display()
            ),
            format!("chmod go-w {}", folder.display()),
        ))
    }
}

const REFUSED: [Case; 8] = [
    ("the file is 666", |path, home| {
        the_file_others_can_write(0o666)(path, home)
    }),
    ("the file is 620", |path, home| {
        the_file_others_can_write(0o620)(path, home)
    }),
    ("the file is 602", |path, home| {
        the_file_others_can_write(0o602)(path, home)
    }),
    ("its folder is 777", |path, home| {
        its_folder_open_to(0o777)(path, home)
    }),
    ("its folder is 770", |path, home| {
        its_folder_open_to(0o770)(path, home)
    }),
    ("a folder above it is 757", |_, home| {
        let above = home.join(".config");
        chmod(&above, 0o757);
        Some((
            format!(
                "other users can add and replace files in its folder {} (mode 757)",
                above.display()
            ),
            format!("chmod go-w {}", above.display()),
        ))
    }),
    (
        "a link to a file in a folder others can fill",
        |path, home| {
            let shared = home.join("shared");
            std::fs::create_dir(&shared).unwrap();
            std::fs::rename(path, shared.join("config.toml")).unwrap();
            chmod(&shared, 0o777);
            std::os::unix::fs::symlink(shared.join("config.toml"), path).unwrap();
            Some((
                format!(
                    "other users can add and replace files in its folder {} (mode 777)",
                    shared.display()
                ),
                format!("chmod go-w {}", shared.display()),
            ))
        },
    ),
    ("the file belongs to another user", |path, home| {
        if !is_root(home) {
            return None;
        }
        std::os::unix::fs::chown(path, Some(65534), Some(65534)).unwrap();
        let shown = path.display();
        Some((
            "the file belongs to another user (uid 65534)".to_owned(),
            format!("cp {shown} {shown}.mine && mv {shown}.mine {shown}"),
        ))
    }),
];

#[test]
fn a_config_file_another_user_could_change_is_refused_whole_and_nothing_in_it_runs() {
    for (case, make) in REFUSED {
        let mut server = mockito::Server::new();
        let nothing = nothing_sent(&mut server);
        let folder = tempfile::tempdir().unwrap();
        let marker = folder.path().join("ran");
        let mfa = Mfa::voice_request().config(&with_command(&server, &marker));
        let path = mfa.default_config_path();
        let Some((why, fix)) = make(&path, mfa.home()) else {
            eprintln!("skipped: {case}: only root can give a file to another user");
            continue;
        };
        let said = format!(
            "mfa: error: config file {} is not used: {why}, so another user could choose its \
             settings (where your password is sent, what runs as you, which files are \
             written); fix it with `{fix}`; nothing was sent\n",
            path.display()
        );
        mfa.run().assert(3, "", &said);
        // Every command that reads the file refuses it the same way.
        for command in [&["config", "show"][..], &["doctor"][..]] {
            let home = mfa.home().to_str().unwrap();
            let outcome = Mfa::new().args(command).env("HOME", home).run();
            let shown = format!("{}{}", outcome.stdout, outcome.stderr);
            assert_eq!(outcome.code, 3, "{case}, {command:?}: {shown}");
            assert!(shown.contains(&why), "{case}, {command:?}: {shown}");
        }
        assert!(!marker.exists(), "{case}: the command ran");
        nothing.assert();
    }
}

#[test]
fn a_sticky_folder_a_private_link_and_a_file_others_may_only_read_are_the_users() {
    // (the case, what it does to the config path and home)
    type Make = fn(&Path, &Path);
    let allowed: [(&str, Make); 3] = [
        ("its folder is 1777, as /tmp", |path, _| {
            chmod(path.parent().unwrap(), 0o1777)
        }),
        (
            "a link from a private folder to a private file",
            |path, home| {
                let elsewhere = home.join("dotfiles");
                std::fs::create_dir(&elsewhere).unwrap();
                std::fs::rename(path, elsewhere.join("mfa.toml")).unwrap();
                std::os::unix::fs::symlink(elsewhere.join("mfa.toml"), path).unwrap();
            },
        ),
        ("the file is 644", |path, _| chmod(path, 0o644)),
    ];
    for (case, make) in allowed {
        let mut server = mockito::Server::new();
        let call = voice_mock(&mut server, &default_voice_body())
            .with_body(r#"{"callId":"c-1"}"#)
            .expect(1)
            .create();
        let folder = tempfile::tempdir().unwrap();
        let marker = folder.path().join("ran");
        let mfa = Mfa::voice_request().config(&with_command(&server, &marker));
        make(&mfa.default_config_path(), mfa.home());
        let outcome = mfa.run();
        outcome.assert_exit_and_stdout(0, "c-1\n");
        assert!(marker.exists(), "{case}: the command did not run");
        call.assert();
    }
}

#[test]
fn a_password_in_a_file_others_can_read_is_used_with_a_warning() {
    let mut server = mockito::Server::new();
    let call = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let mfa = Mfa::voice_request()
        .args(&["--base-url", &format!("{}/api/v1", server.url())])
        .config_with_mode(
            &format!(
                "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nusername = \"{USERNAME}\"\n\
                 password = \"{PASSWORD}\"\n"
            ),
            0o644,
        );
    let outcome = mfa.run();
    outcome.assert_exit_and_stdout(0, "c-1\n");
    assert!(
        outcome
            .stderr
            .contains("can be read by its group and others (mode 644)"),
        "{}",
        outcome.stderr
    );
    call.assert();
}

#[test]
fn a_ca_file_named_in_a_file_others_can_write_is_never_trusted() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let ca = TestCa::new();
    let (_ca_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    let mfa = Mfa::voice(&format!("{}/api/v1", server.url())).config_with_mode(
        &format!("[profiles.default]\nca_file = \"{}\"\n", ca_file.display()),
        0o664,
    );
    let outcome = mfa.run();
    outcome.assert_error(3, "config file ");
    assert!(
        outcome
            .stderr
            .contains("is not used: other users can write the file (mode 664)"),
        "{}",
        outcome.stderr
    );
    nothing.assert();
}

/// Swaps the link `link` between `good` and `bad` until `stop` is set.
fn swapping(
    link: PathBuf,
    good: PathBuf,
    bad: PathBuf,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let beside = link.with_extension("new");
        let mut swaps = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let target = if swaps % 2 == 0 { &bad } else { &good };
            let _ = std::fs::remove_file(&beside);
            std::os::unix::fs::symlink(target, &beside).unwrap();
            std::fs::rename(&beside, &link).unwrap();
            swaps += 1;
        }
        swaps
    })
}

#[test]
fn a_folder_swapped_while_mfa_runs_never_makes_it_use_another_users_file() {
    let mut server = mockito::Server::new();
    let calls = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect_at_least(0)
        .create();
    let base = tempfile::tempdir().unwrap();
    let marker = base.path().join("ran");
    // The user's folder and file, and a folder and file anyone could have written.
    let (good, bad) = (base.path().join("good"), base.path().join("bad"));
    std::fs::create_dir(&good).unwrap();
    std::fs::create_dir(&bad).unwrap();
    let quiet = marker.with_file_name("harmless");
    std::fs::write(good.join("config.toml"), with_command(&server, &quiet)).unwrap();
    chmod(&good.join("config.toml"), 0o600);
    std::fs::write(bad.join("config.toml"), with_command(&server, &marker)).unwrap();
    chmod(&bad.join("config.toml"), 0o666);
    chmod(&bad, 0o777);
    let link = base.path().join("current");
    std::os::unix::fs::symlink(&good, &link).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = swapping(link.clone(), good, bad, stop.clone());
    let config = link.join("config.toml");
    let mut outcomes = [0, 0];
    for run in 0..200 {
        let outcome = Mfa::voice_request()
            .env("MFA_CONFIG", config.to_str().unwrap())
            .run();
        match outcome.code {
            0 => outcomes[0] += 1,
            3 => outcomes[1] += 1,
            code => panic!("run {run}: exit {code}: {}", outcome.stderr),
        }
        assert!(!marker.exists(), "run {run}: another user's command ran");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    eprintln!(
        "{swaps} swaps; {} runs used the user's file, {} refused",
        outcomes[0], outcomes[1]
    );
    calls.assert();
}
