//! Many runs at once, as a CI job fans them out: each sends exactly once and prints
//! its own id, never another run's.

use crate::support::*;

const RUNS: usize = 40;

#[test]
fn forty_runs_at_once_each_send_once_and_print_their_own_id() {
    let mut server = mockito::Server::new();
    let base_url = format!("{}/api/v1", server.url());
    let numbers: Vec<String> = (0..RUNS).map(|n| format!("+1555300{n:04}")).collect();
    let mocks: Vec<mockito::Mock> = numbers
        .iter()
        .enumerate()
        .map(|(n, to)| {
            api_mock(&mut server, VOICE_PATH, &voice_body_to(to))
                .with_body(format!(r#"{{"callId":"c-run-{n}"}}"#))
                .expect(1)
                .create()
        })
        .collect();
    // Each run keeps its own HOME alive until it has finished.
    let runs: Vec<(Mfa, Running)> = numbers
        .iter()
        .map(|to| {
            let mfa = Mfa::new()
                .args(&["voice", "--to", to, "--from", FROM, "--application-id", APP])
                .args(&["--account-id", ACCOUNT, "--username", USERNAME])
                .args(&["--base-url", &base_url, "--retries", "2"])
                .env("BW_PASSWORD", PASSWORD);
            let child = mfa.start();
            (mfa, child)
        })
        .collect();
    for (n, (_home, run)) in runs.into_iter().enumerate() {
        let outcome = Outcome::of(run.wait_with_output().unwrap());
        outcome.assert(0, &format!("c-run-{n}\n"), "");
    }
    for mock in mocks {
        mock.assert();
    }
}
