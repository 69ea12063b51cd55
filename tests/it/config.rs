//! The config file through the binary: used when flags and environment are silent, overridden
//! by them, found in the default place, and refused when others can read it.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use jiraql_emulator::{JiraEmulator, JiraEmulatorConfig};

const TOKEN: &str = "SENTINEL-config-token";

async fn jira() -> JiraEmulator {
    JiraEmulator::start(JiraEmulatorConfig {
        issues: 10,
        api_token: TOKEN.into(),
        ..JiraEmulatorConfig::default()
    })
    .await
    .expect("jira emulator")
}

/// A connection string with the token, for `jira`.
fn conn(jira: &JiraEmulator) -> String {
    format!(
        "URL={};User={};APIToken={TOKEN};RetryBaseDelayMs=1;MaxRetryDelayMs=5",
        jira.base_url(),
        jira.config().email
    )
}

/// A fresh directory holding `jiraql/config` with `text` and `mode`; returns (dir, file).
fn config_dir(name: &str, text: &str, mode: u32) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("jiraql-cfg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("jiraql")).expect("dir");
    let file = dir.join("jiraql").join("config");
    std::fs::write(&file, text).expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).expect("chmod");
    (dir, file)
}

fn jiraql(xdg: &Path) -> Command {
    let mut cmd = Command::cargo_bin("jiraql").expect("binary");
    for var in [
        "JIRAQL_CONNECTION",
        "JIRAQL_SHAREPOINT",
        "JIRA_API_TOKEN",
        "JIRAQL_CONFIG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("XDG_CONFIG_HOME", xdg);
    cmd
}

/// (success, stdout, stderr); the token never shows.
fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("runs");
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(!o.contains(TOKEN) && !e.contains(TOKEN), "{o}\n{e}");
    (out.status.success(), o, e)
}

const QUERY: &str = "SELECT Key FROM Issues WHERE Key = 'DEMO-4'";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_and_explicit_files_and_precedence() {
    let jira = jira().await;
    let (dir, file) = config_dir(
        "ok",
        &format!("# test\nconnection = {}\n", conn(&jira)),
        0o600,
    );
    // The default place ($XDG_CONFIG_HOME/jiraql/config), then --config and JIRAQL_CONFIG.
    let (ok, out, err) = run(jiraql(&dir).args(["-c", QUERY]));
    assert!(ok && out.contains("DEMO-4"), "{out}{err}");
    let elsewhere = Path::new("/nonexistent/jiraql-test");
    let (ok, out, _) = run(jiraql(elsewhere)
        .arg("--config")
        .arg(&file)
        .args(["-c", QUERY]));
    assert!(ok && out.contains("DEMO-4"));
    let (ok, out, _) = run(jiraql(elsewhere)
        .env("JIRAQL_CONFIG", &file)
        .args(["-c", QUERY]));
    assert!(ok && out.contains("DEMO-4"));
    let before = jira.requests().len();

    // A dead site in the config: the environment and the flag win over it.
    let (dead_dir, _) = config_dir(
        "dead",
        "connection = URL=http://127.0.0.1:1;User=a@b.c;APIToken=x;MaxRetries=0\n",
        0o600,
    );
    let (ok, _, err) = run(jiraql(&dead_dir).args(["-c", QUERY]));
    assert!(
        !ok && err.contains("127.0.0.1:1"),
        "the config is read: {err}"
    );
    let (ok, out, err) = run(jiraql(&dead_dir)
        .env("JIRAQL_CONNECTION", conn(&jira))
        .args(["-c", QUERY]));
    assert!(
        ok && out.contains("DEMO-4"),
        "environment over config: {err}"
    );
    let (ok, out, err) = run(jiraql(&dead_dir)
        .env(
            "JIRAQL_CONNECTION",
            "URL=http://127.0.0.1:1;User=a@b.c;APIToken=x",
        )
        .args(["--connection", &conn(&jira), "-c", QUERY]));
    assert!(ok && out.contains("DEMO-4"), "flag over environment: {err}");
    assert!(jira.requests().len() > before, "the emulator answered");

    // A missing --config file is an error; a missing default one is not.
    let (ok, _, err) =
        run(jiraql(elsewhere).args(["--config", "/nonexistent/jiraql-test/config", "-c", QUERY]));
    assert!(!ok && err.contains("cannot read the config file"), "{err}");
    let (ok, _, err) = run(jiraql(elsewhere).args(["-c", QUERY]));
    assert!(!ok && err.contains("no Jira connection"), "{err}");
    for d in [dir, dead_dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_others_can_read_is_refused_and_nothing_is_sent() {
    let jira = jira().await;
    let (dir, file) = config_dir("open", &format!("connection = {}\n", conn(&jira)), 0o644);
    let (ok, _, err) = run(jiraql(&dir).args(["-c", QUERY]));
    assert!(!ok, "{err}");
    assert!(
        err.contains(&format!("run `chmod 600 {}`", file.display())) && err.contains("644"),
        "{err}"
    );
    assert!(jira.requests().is_empty(), "nothing was sent to Jira");
    // A bad line is named, its value is not shown.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::fs::write(&file, format!("connection = x\n{TOKEN}\n")).expect("write");
    let (ok, _, err) = run(jiraql(&dir).args(["-c", QUERY]));
    assert!(!ok && err.contains("line 2"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
