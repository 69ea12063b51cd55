//! Decode throughput on one thread: search pages of a 6-column projection, from the bytes
//! Jira sends to Arrow, split into JSON parsing and Arrow building (`RowDecoder`). Parsing is
//! timed both ways: the whole page into `serde_json::Value` (what scans did before) and only
//! the paths the columns read ([`crate::jira::prune`], what issue searches do now).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::engine::decode::{NoParent, RowDecoder, table_schema};
use crate::jira::client::JiraClient;
use crate::jira::jql::ALL_ISSUES;
use crate::jira::tables::ISSUES;

/// The projection measured.
const COLUMNS: [&str; 6] = [
    "Key",
    "Summary",
    "StatusName",
    "AssigneeDisplayName",
    "Created",
    "TimeSpentSeconds",
];

/// Rows per second of each step.
pub struct DecodeFigures {
    pub rows: usize,
    pub parse_all: f64,
    pub parse_kept: f64,
    pub build_arrow: f64,
}

impl DecodeFigures {
    /// Parse and build, rows per second, parsing everything or only the kept paths.
    pub fn both(&self, kept: bool) -> f64 {
        let parse = if kept {
            self.parse_kept
        } else {
            self.parse_all
        };
        1.0 / (1.0 / parse + 1.0 / self.build_arrow)
    }
}

fn rate(rows: usize, d: Duration) -> f64 {
    rows as f64 / d.as_secs_f64().max(1e-9)
}

/// Reads `pages` search pages of the projection, then times each step over them `rounds`
/// times on the calling thread.
pub async fn measure(
    client: &JiraClient,
    pages: usize,
    rounds: usize,
) -> Result<DecodeFigures, String> {
    let projection: Vec<usize> = COLUMNS
        .iter()
        .map(|c| {
            ISSUES
                .column_index(c)
                .ok_or_else(|| format!("Issues has no column {c}"))
        })
        .collect::<Result<_, _>>()?;
    let fields: BTreeSet<&str> = projection
        .iter()
        .flat_map(|&i| ISSUES.columns[i].fields.iter().copied())
        .collect();
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..pages {
        let mut body = json!({ "jql": ALL_ISSUES, "fields": fields, "maxResults": 100 });
        if let Some(t) = &token {
            body["nextPageToken"] = json!(t);
        }
        let page = client
            .post_platform("search/jql", &[], &body)
            .await
            .map_err(|e| e.to_string())?;
        bodies.push(serde_json::to_vec(&page).map_err(|e| e.to_string())?);
        token = page
            .get("nextPageToken")
            .and_then(Value::as_str)
            .map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let schema = Arc::new(
        table_schema(&ISSUES)
            .project(&projection)
            .map_err(|e| e.to_string())?,
    );
    let decoder = RowDecoder::new(&ISSUES, &projection, schema);
    let keep = decoder
        .keep()
        .under("issues")
        .with("nextPageToken")
        .with("isLast");
    let (mut all, mut kept, mut build, mut rows) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO, 0);
    for _ in 0..rounds.max(1) {
        for bytes in &bodies {
            let started = Instant::now();
            let page: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
            all += started.elapsed();
            drop(std::hint::black_box(page));
            let started = Instant::now();
            let page = keep.parse(bytes).map_err(|e| e.to_string())?;
            kept += started.elapsed();
            let issues = page
                .get("issues")
                .and_then(Value::as_array)
                .ok_or("a search page without issues")?;
            let started = Instant::now();
            let batch = decoder
                .decode(issues, &NoParent)
                .map_err(|e| e.to_string())?;
            build += started.elapsed();
            rows += batch.num_rows();
        }
    }
    Ok(DecodeFigures {
        rows,
        parse_all: rate(rows, all),
        parse_kept: rate(rows, kept),
        build_arrow: rate(rows, build),
    })
}
