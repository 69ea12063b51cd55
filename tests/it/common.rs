//! Shared set-up for the integration tests: an emulated Jira site and an engine connected to it.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use jiraql::engine::Engine;
use jiraql::jira::client::JiraClient;
use jiraql::jira::connection::ConnectionSettings;
use jiraql_emulator::{JiraEmulator, JiraEmulatorConfig};

pub struct Site {
    pub jira: JiraEmulator,
    pub engine: Engine,
}

/// A site of `issues` generated issues (seed 42) and an engine on it.
pub async fn site(issues: usize) -> Site {
    site_with(issues, "").await
}

/// Like [`site`], with extra connection-string properties.
pub async fn site_with(issues: usize, extra: &str) -> Site {
    let jira = JiraEmulator::start(JiraEmulatorConfig {
        issues,
        ..JiraEmulatorConfig::default()
    })
    .await
    .expect("emulator starts");
    let settings = connection(&jira, &jira.config().api_token.clone(), extra);
    let engine = Engine::connect(JiraClient::new(settings).expect("client"))
        .await
        .expect("engine");
    // Tests count the requests of what they run, not those of connecting.
    jira.reset_requests();
    Site { jira, engine }
}

/// Basic-auth settings for `jira` with `token`; retries kept short for tests.
pub fn connection(jira: &JiraEmulator, token: &str, extra: &str) -> ConnectionSettings {
    let text = format!(
        "URL={};User={};APIToken={token};RetryBaseDelayMs=5;MaxRetryDelayMs=50;{extra}",
        jira.base_url(),
        jira.config().email
    );
    let mut settings: ConnectionSettings = text.parse().expect("connection string");
    settings
        .resolve_token(|_| None, None)
        .expect("token present");
    settings
}

impl Site {
    /// Runs one statement; rows as display strings ("NULL" for nulls).
    pub async fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        let batches = self
            .engine
            .query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        strings(&batches)
    }

    /// Runs one statement and returns its error text.
    pub async fn error(&self, sql: &str) -> String {
        match self.engine.query(sql).await {
            Ok(b) => panic!("{sql} succeeded with {} batches", b.len()),
            Err(e) => e.to_string(),
        }
    }

    /// Requests served since the last reset, as `endpoint` strings.
    pub fn endpoints(&self) -> Vec<String> {
        self.jira
            .requests()
            .into_iter()
            .map(|r| r.endpoint)
            .collect()
    }

    /// The EXPLAIN text of `sql`.
    pub async fn explain(&self, sql: &str) -> String {
        self.rows(&format!("EXPLAIN {sql}"))
            .await
            .into_iter()
            .map(|r| r.join(" | "))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A write's report row: table, inserted, updated, unchanged, deleted, failed.
pub fn report(rows: &[Vec<String>]) -> Vec<&str> {
    rows[0].iter().map(String::as_str).collect()
}

pub fn strings(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let options = FormatOptions::default().with_null("NULL");
    let mut out = Vec::new();
    for b in batches {
        let formatters: Vec<_> = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).expect("formatter"))
            .collect();
        for row in 0..b.num_rows() {
            out.push(
                formatters
                    .iter()
                    .map(|f| f.value(row).to_string())
                    .collect(),
            );
        }
    }
    out
}

pub fn ms(t: &chrono::DateTime<chrono::FixedOffset>) -> String {
    t.timestamp_millis().to_string()
}
