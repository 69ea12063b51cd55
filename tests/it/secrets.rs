//! Secrets never leak: every command path of the `jiraql` binary (success, failure, bad
//! connection strings, refused credentials, EXPLAIN, `--stats`, every `-v` level, `--output`,
//! `--sharepoint` with a right and a wrong client secret) and the library's Debug and error
//! texts run with sentinel secrets, and no output may contain them.
//!
//! The emulators run in this process with the sentinels as their real credentials, so the
//! success paths really authenticate with them.

use std::process::Output;

use assert_cmd::Command;
use jiraql::engine::Engine;
use jiraql::jira::client::JiraClient;
use jiraql::jira::connection::ConnectionSettings;
use jiraql::sharepoint::{GraphClient, SharePointSettings};
use jiraql_emulator::sharepoint::{SharePointEmulator, SharePointEmulatorConfig};
use jiraql_emulator::{JiraEmulator, JiraEmulatorConfig};

/// The Jira API token the emulator accepts.
const JIRA_TOKEN: &str = "SENTINEL-jira-7f3a9c";
/// The client secret the Graph emulator accepts.
const SP_SECRET: &str = "SENTINEL-graph-4b1e";
/// Wrong credentials, also sentinels: a refused secret must not be printed either.
const WRONG_TOKEN: &str = "SENTINEL-wrong-jira-0d2";
const WRONG_SECRET: &str = "SENTINEL-wrong-graph-9c8";

/// Every sentinel contains this; no output may.
const MARK: &str = "SENTINEL";

struct Sites {
    jira: JiraEmulator,
    sp: SharePointEmulator,
}

async fn sites() -> Sites {
    let jira = JiraEmulator::start(JiraEmulatorConfig {
        issues: 40,
        api_token: JIRA_TOKEN.into(),
        ..JiraEmulatorConfig::default()
    })
    .await
    .expect("jira emulator");
    let sp = SharePointEmulator::start(SharePointEmulatorConfig {
        client_secret: SP_SECRET.into(),
        ..SharePointEmulatorConfig::default()
    })
    .await
    .expect("graph emulator");
    Sites { jira, sp }
}

impl Sites {
    /// A Jira connection string without a token, retries kept short.
    fn jira_conn(&self, extra: &str) -> String {
        format!(
            "URL={};User={};RetryBaseDelayMs=1;MaxRetryDelayMs=5;{extra}",
            self.jira.base_url(),
            self.jira.config().email
        )
    }

    /// A SharePoint connection string on the TimeLog list, without a secret.
    fn sp_conn(&self, extra: &str) -> String {
        let c = self.sp.config();
        format!(
            "URL=https://{}{}/Lists/TimeLog/AllItems.aspx;TenantId={};ClientId={};GraphURL={};\
             LoginURL={};RetryBaseDelayMs=1;MaxRetryDelayMs=5;{extra}",
            c.hostname,
            c.site_path,
            c.tenant_id,
            c.client_id,
            self.sp.graph_url(),
            self.sp.login_url()
        )
    }
}

fn jiraql() -> Command {
    let mut cmd = Command::cargo_bin("jiraql").expect("binary");
    for var in [
        "JIRAQL_CONNECTION",
        "JIRAQL_SHAREPOINT",
        "JIRA_API_TOKEN",
        "JIRA_OAUTH_TOKEN",
        "SHAREPOINT_CLIENT_SECRET",
        "JIRAQL_LOG",
        "JIRAQL_CONFIG",
    ] {
        cmd.env_remove(var);
    }
    // No config file of the machine's user.
    cmd.env("XDG_CONFIG_HOME", "/nonexistent/jiraql-test");
    cmd
}

/// Runs `cmd`, checks its exit status, and asserts no sentinel is in stdout or stderr.
/// Returns stdout and stderr for further checks.
fn run_clean(what: &str, cmd: &mut Command, success: bool) -> (String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("runs");
    let out = String::from_utf8_lossy(&stdout).into_owned();
    let err = String::from_utf8_lossy(&stderr).into_owned();
    assert_eq!(
        status.success(),
        success,
        "{what}: exit {status}\nstdout: {out}\nstderr: {err}"
    );
    for (name, text) in [("stdout", &out), ("stderr", &err)] {
        assert!(
            !text.contains(MARK),
            "{what}: a secret leaked on {name}:\n{text}"
        );
    }
    (out, err)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jira_paths_never_print_the_token() {
    let s = sites().await;
    let conn = s.jira_conn("");
    let query = "SELECT Key, Summary FROM Issues WHERE Key = 'DEMO-3'";

    // Success, token from the environment, every verbosity, --stats.
    for verbosity in [None, Some("-v"), Some("-vv"), Some("-vvv")] {
        let mut cmd = jiraql();
        cmd.env("JIRA_API_TOKEN", JIRA_TOKEN)
            .args(["--connection", &conn, "--stats", "-c", query]);
        if let Some(v) = verbosity {
            cmd.arg(v);
        }
        let (out, err) = run_clean(&format!("success {verbosity:?}"), &mut cmd, true);
        assert!(out.contains("DEMO-3"), "{out}");
        assert!(err.contains("requests="), "{err}");
        if verbosity == Some("-vvv") {
            assert!(err.contains("DEBUG"), "-vvv logs at debug: {err}");
        }
    }

    // The token inside the connection string, from the environment's connection variable,
    // JIRAQL_LOG=trace, EXPLAIN, every output format and --output.
    let inline = s.jira_conn(&format!("APIToken={JIRA_TOKEN}"));
    let dir = std::env::temp_dir().join(format!("jiraql-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("out.json");
    for format in ["table", "csv", "json", "ndjson", "markdown"] {
        let (out, _) = run_clean(
            &format!("inline token, {format}"),
            jiraql()
                .env("JIRAQL_CONNECTION", &inline)
                .env("JIRAQL_LOG", "trace")
                .args(["--format", format, "-c", &format!("EXPLAIN {query}")])
                .args(["-c", query]),
            true,
        );
        assert!(out.contains("DEMO-3"), "{out}");
    }
    run_clean(
        "--output",
        jiraql()
            .env("JIRAQL_CONNECTION", &inline)
            .args(["--format", "json", "-o"])
            .arg(&file)
            .args(["-c", query]),
        true,
    );
    let written = std::fs::read_to_string(&file).expect("output file");
    assert!(written.contains("DEMO-3") && !written.contains(MARK));
    let _ = std::fs::remove_dir_all(&dir);

    // A failing statement, and one that keeps going.
    run_clean(
        "SQL error",
        jiraql().env("JIRA_API_TOKEN", JIRA_TOKEN).args([
            "--connection",
            &conn,
            "--continue-on-error",
            "-c",
            "SELECT nope FROM Issues; SELECT * FROM NoSuchTable; SELECT 1",
        ]),
        false,
    );

    // Jira refuses the token: 401, at every verbosity.
    for v in ["-v", "-vvv"] {
        let (_, err) = run_clean(
            "wrong token",
            jiraql().env("JIRA_API_TOKEN", WRONG_TOKEN).args([
                "--connection",
                &conn,
                v,
                "-c",
                query,
            ]),
            false,
        );
        assert!(err.contains("401"), "{err}");
    }

    // Connection strings that are wrong in ways that put the token where it does not belong
    // (values of non-secret properties are echoed by design, so those are not tried).
    let url = s.jira.base_url();
    let bad = [
        format!("URL={url};User=a@b.c;APIToken={JIRA_TOKEN} with spaces"),
        format!("URL={url};User=a@b.c;{JIRA_TOKEN}"),
        format!("URL={url};User=a@b.c;{JIRA_TOKEN}=x"),
        format!("URL={url};User=a@b.c;{JIRA_TOKEN}=="),
        format!("URL={url};User=a@b.c;APIToken='{JIRA_TOKEN}"),
        format!("URL={url};User=a@b.c;APIToken='{JIRA_TOKEN}'x"),
        format!("URL={url};User=a@b.c;APIToken={JIRA_TOKEN};APIToken={JIRA_TOKEN}"),
        format!("URL={url};AuthScheme=OAuth;CloudId=x;APIToken={JIRA_TOKEN}"),
        format!("URL={url};AuthScheme=OAuth;OAuthAccessToken={JIRA_TOKEN}"),
        format!("URL={url};User=a@b.c;Other='Password={JIRA_TOKEN};Timeout=x'"),
        format!("URL={url};User=a@b.c;Other='ApiKey={JIRA_TOKEN}'"),
        format!("URL=http://me:{JIRA_TOKEN}@example.com;User=a@b.c"),
        format!("URL=http://me:{JIRA_TOKEN}@127.0.0.1:1;User=a@b.c"),
        format!("URL=https://acme.atlassian.net;User=a@b.c;PAT={JIRA_TOKEN};AuthScheme=PAT"),
        format!("URL={url};User=a@b.c:{JIRA_TOKEN}"),
        format!("URL=ht!tp://me:{JIRA_TOKEN}@example.com"),
    ];
    for text in &bad {
        run_clean(
            &format!(
                "bad connection string #{}",
                bad.iter().position(|b| b == text).unwrap_or(0)
            ),
            jiraql().args(["--connection", text, "-vvv", "-c", "SELECT 1"]),
            false,
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sharepoint_paths_never_print_the_client_secret() {
    let s = sites().await;
    let jira = s.jira_conn(&format!("APIToken={JIRA_TOKEN}"));
    let busy = {
        let data = s.jira.data();
        data.issues
            .iter()
            .max_by_key(|i| data.worklogs.iter().filter(|w| w.issue_id == i.id).count())
            .map(|i| i.key.clone())
            .unwrap_or_default()
    };
    let merge = format!(
        "MERGE INTO sharepoint.TimeLog AS t \
         USING (SELECT Id, IssueKey, TimeSpentSeconds FROM Worklogs WHERE IssueKey = '{busy}') AS s \
         ON t.WorklogId = s.Id \
         WHEN MATCHED THEN UPDATE SET IssueKey = s.IssueKey, Seconds = s.TimeSpentSeconds \
         WHEN NOT MATCHED THEN INSERT (WorklogId, IssueKey, Seconds) VALUES (s.Id, s.IssueKey, s.TimeSpentSeconds)"
    );

    // Right secret: in the string, from the environment; a write, a read, EXPLAIN, a dry run.
    let inline = s.sp_conn(&format!("ClientSecret={SP_SECRET}"));
    for (how, sp, env) in [
        ("inline", inline.as_str(), None),
        ("env", &*s.sp_conn(""), Some(SP_SECRET)),
    ] {
        for extra in [&["-vvv"][..], &["--dry-run", "-vv"][..]] {
            let mut cmd = jiraql();
            cmd.args(["--connection", &jira, "--sharepoint", sp, "--stats"])
                .args(extra)
                .args(["-c", &merge, "-c", "SELECT * FROM sharepoint.TimeLog"])
                .args(["-c", &format!("EXPLAIN {merge}")]);
            if let Some(secret) = env {
                cmd.env("SHAREPOINT_CLIENT_SECRET", secret);
            }
            run_clean(&format!("sharepoint {how} {extra:?}"), &mut cmd, true);
        }
    }
    assert!(
        !s.sp.items("TimeLog").is_empty(),
        "the MERGE with the right secret wrote items"
    );

    // Wrong secret, at every verbosity; Entra's refusal is reported, the secret is not.
    for v in ["-v", "-vvv"] {
        let (_, err) = run_clean(
            "wrong secret",
            jiraql()
                .env("SHAREPOINT_CLIENT_SECRET", WRONG_SECRET)
                .args(["--connection", &jira, "--sharepoint", &s.sp_conn(""), v])
                .args(["-c", "SELECT * FROM sharepoint.TimeLog"]),
            false,
        );
        assert!(err.contains("invalid_client"), "{err}");
    }

    // SharePoint connection strings that put the secret where it does not belong.
    let base = s.sp_conn("");
    let bad = [
        format!("{base}ClientSecret='{SP_SECRET}"),
        format!("{base}{SP_SECRET}"),
        format!("{base}{SP_SECRET}=="),
        format!("{base}{SP_SECRET}=x"),
        format!("{base}Other='{SP_SECRET}=1'"),
        format!("URL=https://{SP_SECRET}@contoso.sharepoint.com/sites/x;TenantId=t;ClientId=c"),
        format!("URL=https://me:{SP_SECRET}@contoso.sharepoint.com/sites/x;TenantId=t;ClientId=c"),
        format!("URL=h!ttps://me:{SP_SECRET}@contoso;TenantId=t;ClientId=c"),
        format!("{base}GraphURL=http://me:{SP_SECRET}@graph.example.com"),
    ];
    for (i, text) in bad.iter().enumerate() {
        run_clean(
            &format!("bad sharepoint string #{i}"),
            jiraql()
                .env("SHAREPOINT_CLIENT_SECRET", SP_SECRET)
                .args(["--connection", &jira, "--sharepoint", text, "-vvv"])
                .args(["-c", "SELECT 1"]),
            false,
        );
    }
}

/// Debug of settings and clients, and the errors the library returns, for right and wrong
/// credentials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_debug_and_errors_never_show_secrets() {
    let s = sites().await;
    let texts = |label: &str, debug: String, display: String| {
        for t in [&debug, &display] {
            assert!(!t.contains(MARK), "{label} leaked: {t}");
        }
    };

    for token in [JIRA_TOKEN, WRONG_TOKEN] {
        let mut settings: ConnectionSettings = s.jira_conn("").parse().expect("parses");
        settings
            .resolve_token(|_| Some(token.to_string()), None)
            .expect("token");
        texts("settings", format!("{settings:?}"), settings.redacted());
        let client = JiraClient::new(settings.clone()).expect("client");
        texts(
            "client",
            format!("{client:?}"),
            format!("{:?}", client.stats()),
        );
        let engine = Engine::connect(client).await.expect("engine");
        let mut spset: SharePointSettings = s
            .sp_conn(&format!(
                "ClientSecret={}",
                if token == JIRA_TOKEN {
                    SP_SECRET
                } else {
                    WRONG_SECRET
                }
            ))
            .parse()
            .expect("sp parses");
        spset.resolve_secret(|_| None, None).expect("secret");
        texts("sp settings", format!("{spset:?}"), spset.site_label());
        let graph = GraphClient::new(spset).expect("graph client");
        texts("graph client", format!("{graph:?}"), String::new());
        match engine.with_sharepoint(graph) {
            Ok(engine) => {
                let out = engine
                    .query("SELECT Key FROM Issues WHERE Key = 'DEMO-1'")
                    .await;
                match out {
                    Ok(b) => assert_eq!(token, JIRA_TOKEN, "{} batches", b.len()),
                    Err(e) => texts("query error", format!("{e:?}"), e.to_string()),
                }
            }
            Err(e) => {
                assert_eq!(token, WRONG_TOKEN, "the right secret signs in: {e}");
                texts("sign-in error", format!("{e:?}"), e.to_string());
            }
        }
    }

    // Parse errors of both connection strings, Display and Debug.
    for text in [
        format!("URL=x;{JIRA_TOKEN}"),
        format!("URL=x;{JIRA_TOKEN}=1"),
        format!("URL=https://a.b;APIToken='{JIRA_TOKEN} x'"),
        format!("URL=https://a.b;User=u;Other='Secret={JIRA_TOKEN};Bad'"),
    ] {
        if let Err(e) = text.parse::<ConnectionSettings>() {
            texts("jira parse error", format!("{e:?}"), e.to_string());
        }
        if let Err(e) = text.parse::<SharePointSettings>() {
            texts("sharepoint parse error", format!("{e:?}"), e.to_string());
        }
    }
    let ok: ConnectionSettings = format!(
        "URL=https://a.b;User=u;APIToken={JIRA_TOKEN};Other='Password={JIRA_TOKEN};Mode=x'"
    )
    .parse()
    .expect("parses");
    texts("settings with Other", format!("{ok:?}"), ok.redacted());
}
