//! A setting that names something to run or to trust (`password_command`, `ca_file`)
//! is taken only from a config file no other user can change, as ssh takes its own: a
//! file others can write, or one in a folder they can fill, or one another user owns, is
//! refused with exit 3, naming the file and the fix; the command never runs.

use std::os::unix::fs::PermissionsExt;

use crate::servers::{TestCa, file_with};
use crate::support::*;

/// A profile whose password comes from a command that leaves `marker` behind if it
/// runs, against `server`.
fn with_command(server: &mockito::ServerGuard, marker: &std::path::Path) -> String {
    format!(
        "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nusername = \"{USERNAME}\"\n\
         password_command = \"touch {} && echo {PASSWORD}\"\nbase_url = \"{}/api/v1\"\n",
        marker.display(),
        server.url()
    )
}

#[test]
fn a_password_command_in_a_file_others_can_write_is_never_run() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let folder = tempfile::tempdir().unwrap();
    let marker = folder.path().join("ran");
    for mode in [0o666, 0o620, 0o602] {
        let mfa = Mfa::voice_request().config_with_mode(&with_command(&server, &marker), mode);
        let path = mfa.default_config_path();
        mfa.run().assert(
            3,
            "",
            &format!(
                "mfa: error: key `password_command` of profile `default` in {path} was not run: \
                 other users can write the file (mode {mode:o}), so another user could choose \
                 what runs as you; fix it with `chmod go-w {path}`; nothing was sent\n",
                path = path.display()
            ),
        );
        assert!(
            !marker.exists(),
            "the command ran from a file of mode {mode:o}"
        );
    }
    nothing.assert();
}

#[test]
fn a_password_command_in_a_folder_others_can_fill_is_never_run_unless_it_is_sticky() {
    let mut server = mockito::Server::new();
    let folder = tempfile::tempdir().unwrap();
    let marker = folder.path().join("ran");
    let mfa = Mfa::voice_request().config(&with_command(&server, &marker));
    let dir = mfa.default_config_path().parent().unwrap().to_owned();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let nothing = nothing_sent(&mut server);
    let outcome = mfa.run();
    outcome.assert_error(3, "key `password_command` of profile `default` in ");
    assert!(
        outcome.stderr.ends_with(&format!(
            "was not run: other users can add and replace files in its folder {} (mode 777), \
             so another user could choose what runs as you; fix it with `chmod go-w {}`; \
             nothing was sent\n",
            dir.display(),
            dir.display()
        )),
        "{}",
        outcome.stderr
    );
    assert!(!marker.exists());
    nothing.assert();
    // With the sticky bit, as /tmp has, others cannot replace a file they do not own.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let call = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    mfa.run().assert(0, "c-1\n", "");
    assert!(marker.exists());
    call.assert();
}

#[test]
fn a_password_command_in_a_file_another_user_owns_is_never_run() {
    use std::os::unix::fs::MetadataExt;
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let folder = tempfile::tempdir().unwrap();
    let marker = folder.path().join("ran");
    let mfa = Mfa::voice_request().config(&with_command(&server, &marker));
    if std::fs::metadata(mfa.home()).unwrap().uid() != 0 {
        eprintln!("skipped: only root can give a file to another user");
        return;
    }
    let path = mfa.default_config_path();
    std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    let outcome = mfa.run();
    outcome.assert_error(3, "key `password_command` of profile `default` in ");
    assert!(
        outcome
            .stderr
            .contains("was not run: the file belongs to another user (uid 65534)"),
        "{}",
        outcome.stderr
    );
    assert!(!marker.exists());
    nothing.assert();
}

#[test]
fn a_ca_file_from_a_file_others_can_write_is_not_trusted() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let ca = TestCa::new();
    let (_ca_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    let mfa = Mfa::voice(&format!("{}/api/v1", server.url())).config_with_mode(
        &format!("[profiles.default]\nca_file = \"{}\"\n", ca_file.display()),
        0o664,
    );
    let path = mfa.default_config_path();
    mfa.run().assert(
        3,
        "",
        &format!(
            "mfa: error: key `ca_file` of profile `default` in {path} was not used: other \
             users can write the file (mode 664), so another user could choose which servers \
             you trust; fix it with `chmod go-w {path}`; nothing was sent\n",
            path = path.display()
        ),
    );
    nothing.assert();
}

#[test]
fn a_password_in_such_a_file_is_still_used_with_the_warning_it_always_had() {
    // Only what names something to run or trust is refused; a password is data.
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
            0o666,
        );
    let outcome = mfa.run();
    outcome.assert_exit_and_stdout(0, "c-1\n");
    assert!(
        outcome.stderr.contains("can be read by"),
        "{}",
        outcome.stderr
    );
    call.assert();
}
