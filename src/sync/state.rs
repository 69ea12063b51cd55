//! The state a sync job keeps between runs: for each key, the values both sides agreed on when
//! the last run ended (the base of the next three-way merge), and the change cursors.
//!
//! The file is JSON, replaced atomically (written beside it, flushed, then renamed over it),
//! so a run killed at any point leaves the previous state or the new one, never a mix. It
//! names the job it belongs to: a state written for other columns or another list is refused
//! rather than merged against.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::merge::Values;

/// The file format's version.
const VERSION: u32 = 1;

/// What one job knows of the last run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// The job it belongs to: its table, list, keys and column pairs.
    pub job: String,
    /// The latest Jira `updated` (epoch ms) the last run read, for the next run's JQL.
    pub jira_watermark: Option<i64>,
    /// Graph's delta link for the list, for the next run's changes.
    pub delta_link: Option<String>,
    /// The base of each key.
    pub rows: BTreeMap<String, Values>,
    /// Each key's list item: its id and the eTag last seen.
    #[serde(default)]
    pub list_items: BTreeMap<String, (String, Option<String>)>,
    /// Keys in conflict under `manual`: the rows each side held, so that a run reading only
    /// changes still sees the conflict until a side changes again. `(Jira, SharePoint)`.
    #[serde(default)]
    pub conflicts: BTreeMap<String, (Values, Values)>,
}

impl State {
    /// A fresh state for the job fingerprinted `job`.
    pub fn new(job: &str) -> State {
        State {
            version: VERSION,
            job: job.to_string(),
            ..State::default()
        }
    }
}

/// The state at `path` for job `job`; `None` when there is none yet (a first run).
pub fn load(path: &Path, job: &str) -> Result<Option<State>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot read the sync state {}: {e}",
                path.display()
            ));
        }
    };
    let state: State = serde_json::from_str(&text).map_err(|e| {
        format!(
            "the sync state {} is damaged ({e}); move it away to start over with a first run",
            path.display()
        )
    })?;
    if state.version != VERSION {
        return Err(format!(
            "the sync state {} has version {}; this jiraql reads version {VERSION}",
            path.display(),
            state.version
        ));
    }
    if state.job != job {
        return Err(format!(
            "the sync state {} belongs to another job ({}); this job is {job}. Give this job \
             its own state file (sync.state) or move the old one away",
            path.display(),
            state.job
        ));
    }
    Ok(Some(state))
}

/// Replaces the state at `path` with `state`, atomically.
pub fn save(path: &Path, state: &State) -> Result<(), String> {
    let fail = |what: &str, e: std::io::Error| {
        format!("cannot {what} the sync state {}: {e}", path.display())
    };
    let text = serde_json::to_vec_pretty(state)
        .map_err(|e| format!("cannot write the sync state {}: {e}", path.display()))?;
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = Path::new(&temp);
    let mut file = std::fs::File::create(temp).map_err(|e| fail("write", e))?;
    file.write_all(&text).map_err(|e| fail("write", e))?;
    file.sync_all().map_err(|e| fail("flush", e))?;
    drop(file);
    std::fs::rename(temp, path).map_err(|e| fail("replace", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn states_round_trip_and_refuse_other_jobs() {
        let dir = std::env::temp_dir().join(format!("jiraql-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("job.state");
        assert_eq!(load(&path, "job").expect("readable"), None, "a first run");
        let mut state = State::new("job");
        state.jira_watermark = Some(42);
        state.rows.insert(
            "A-1".into(),
            Values::from([("Summary".to_string(), json!("it's \"quoted\"\n"))]),
        );
        save(&path, &state).expect("saved");
        assert_eq!(load(&path, "job").expect("read"), Some(state.clone()));
        let e = load(&path, "other").expect_err("another job");
        assert!(e.contains("belongs to another job"), "{e}");
        std::fs::write(&path, "{").expect("damage");
        let e = load(&path, "job").expect_err("damaged");
        assert!(e.contains("damaged"), "{e}");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
