//! The interactive REPL driven through a pseudo-terminal, as a person would use it: completion,
//! multi-line statements, backslash commands, Ctrl-C cancelling a slow query, history.
//!
//! Every wait is for text the REPL prints (a prompt, a result), with a generous timeout; no
//! test sleeps and hopes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rexpect::session::{Options, PtySession, spawn_with_options};

/// Per expectation: generous, since the machine may be busy building.
const TIMEOUT_MS: u64 = 60_000;
const PROMPT: &str = "jiraql=> ";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jiraql-repl-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `jiraql --demo --demo-issues 200 <extra>` on a pseudo-terminal, at its first prompt.
fn repl(history: &Path, extra: &[&str]) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jiraql"));
    cmd.args(["--demo", "--demo-issues", "200"])
        .args(extra)
        .env_remove("JIRAQL_CONNECTION")
        .env_remove("JIRA_API_TOKEN")
        .env("JIRAQL_HISTORY", history)
        .env("TERM", "xterm")
        // A pseudo-terminal reports no size; tables use this width instead.
        .env("COLUMNS", "120");
    let mut p = spawn_with_options(
        cmd,
        Options::default()
            .timeout_ms(Some(TIMEOUT_MS))
            .strip_ansi_escape_codes(true),
    )
    .expect("jiraql starts on a pseudo-terminal");
    p.exp_string("connected to the demo site").unwrap();
    p.exp_string(PROMPT).unwrap();
    p
}

#[test]
fn completion_multi_line_statements_and_meta_commands() {
    let dir = temp_dir("session");
    let mut p = repl(&dir.join("history"), &[]);

    // A column completes once its table is named; the statement continues on a second line.
    p.send("SELECT Key, StatusName FROM Issues WHERE ProjectKey = 'DEMO' AND StatusC")
        .unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    p.exp_string("StatusCategory").unwrap();
    p.send_line(" <> 'Done'").unwrap();
    p.exp_string("jiraql-> ").unwrap();
    p.send_line("ORDER BY Key LIMIT 3;").unwrap();
    p.exp_string("| Key").unwrap();
    p.exp_string("(3 rows)").unwrap();
    p.exp_string(PROMPT).unwrap();

    // A table name completes too.
    p.send("SELECT count(*) AS n FROM Resol").unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    p.exp_string("Resolutions").unwrap();
    p.send_line(";").unwrap();
    p.exp_string("(1 row)").unwrap();

    // Meta commands.
    p.send_line("\\dt").unwrap();
    p.exp_string("Worklogs").unwrap();
    // The demo SharePoint site's lists, known before any statement named them.
    p.exp_string("sharepoint.TimeLog").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("\\d Issues").unwrap();
    p.exp_string("Pushed down to Jira").unwrap();
    p.exp_string("= IN: prefilter").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("\\format csv").unwrap();
    p.exp_string("Output format is csv.").unwrap();
    p.send_line("SELECT Key FROM Issues WHERE Key = 'DEMO-1';")
        .unwrap();
    p.exp_string("Key\r\nDEMO-1").unwrap();
    p.send_line("\\verify").unwrap();
    p.exp_string("the credentials work").unwrap();
    p.exp_string("account id").unwrap();
    p.send_line("\\preview Issues 2").unwrap();
    p.exp_regex("DEMO-[0-9]+,").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("\\stats").unwrap();
    p.exp_string("Last statement: 2 rows, 1 requests").unwrap();

    // A failing statement is reported and the session goes on.
    p.send_line("SELECT NoSuchColumn FROM Issues;").unwrap();
    p.exp_string("error: ").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("SELECT 40 + 2 AS answer;").unwrap();
    p.exp_string("42").unwrap();

    p.send_line("\\q").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn ctrl_c_cancels_a_slow_query_and_the_prompt_comes_back() {
    let dir = temp_dir("cancel");
    // Every Jira answer takes 20 s: the query below would take at least that long.
    let mut p = repl(&dir.join("history"), &["--demo-latency-ms", "20000"]);
    let started = Instant::now();
    p.send_line("SELECT count(*) FROM Issues;").unwrap();
    // The progress line shows once the query has run a moment: it is running now.
    p.exp_string("Ctrl-C cancels").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("cancelled").unwrap();
    p.exp_string(PROMPT).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the query ran to its end instead of being cancelled"
    );
    p.send_line("\\stats").unwrap();
    p.exp_string("Last statement (cancelled): 0 rows, 1 requests")
        .unwrap();
    p.exp_string(PROMPT).unwrap();
    // Ctrl-C at the prompt clears the input, Ctrl-D leaves.
    p.send("SELECT half a statement").unwrap();
    p.send_control('c').unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn history_persists_is_searchable_and_keeps_no_secrets() {
    let dir = temp_dir("history");
    let history = dir.join("history");
    let _ = std::fs::remove_file(&history);

    let mut p = repl(&history, &[]);
    p.send_line("SELECT 'remember me' AS note;").unwrap();
    p.exp_string("(1 row)").unwrap();
    p.send_line("SELECT 'password = hunter2' AS secret_note;")
        .unwrap();
    p.exp_string("(1 row)").unwrap();
    p.send_line("\\q").unwrap();
    p.exp_eof().unwrap();

    let saved = std::fs::read_to_string(&history).expect("a history file");
    assert!(saved.contains("remember me"), "{saved}");
    assert!(
        !saved.contains("hunter2"),
        "a secret reached the history: {saved}"
    );

    // A new session finds the statement with Ctrl-R.
    let mut p = repl(&history, &[]);
    p.send_control('r').unwrap();
    p.send("remember").unwrap();
    p.flush().unwrap();
    p.exp_string("AS note").unwrap();
    p.send_line("").unwrap();
    p.exp_string("| remember me |").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("\\q").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn dropping_a_list_runs_only_when_confirmed() {
    let dir = temp_dir("drop");
    let mut p = repl(&dir.join("history"), &[]);
    p.send_line("CREATE TABLE sharepoint.Scratch AS SELECT 'a' AS Name;")
        .unwrap();
    p.exp_string("made the list Scratch").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("DROP TABLE sharepoint.Scratch;").unwrap();
    p.exp_string(
        "This deletes the SharePoint list Scratch with every item in it. Type yes to run it: ",
    )
    .unwrap();
    p.send_line("no").unwrap();
    p.exp_string("Not run.").unwrap();
    p.send_line("SELECT Name FROM sharepoint.Scratch;").unwrap();
    p.exp_string("| a").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("DROP TABLE sharepoint.Scratch;").unwrap();
    p.exp_string("Type yes to run it: ").unwrap();
    p.send_line("yes").unwrap();
    p.exp_string("deleted the list Scratch").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("SELECT Name FROM sharepoint.Scratch;").unwrap();
    p.exp_string("no list named `Scratch`").unwrap();
    p.send_line("\\q").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn a_statement_changing_every_row_runs_only_when_confirmed() {
    let dir = temp_dir("sweep");
    let mut p = repl(&dir.join("history"), &["--dry-run"]);
    p.send_line("DELETE FROM Issues;").unwrap();
    p.exp_string("This changes every row of Issues (no WHERE). Type yes to run it: ")
        .unwrap();
    p.send_line("no").unwrap();
    p.exp_string("Not run.").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("DELETE FROM Issues;").unwrap();
    p.exp_string("Type yes to run it: ").unwrap();
    p.send_line("yes").unwrap();
    p.exp_string("| Issues").unwrap();
    p.exp_string("would send DELETE /rest/api/3/issue/")
        .unwrap();
    p.exp_string(PROMPT).unwrap();
    // The answer covered that statement only.
    p.send_line("UPDATE Issues SET Summary = 'x';").unwrap();
    p.exp_string("Type yes to run it: ").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Not run.").unwrap();
    p.send_line("\\q").unwrap();
    p.exp_eof().unwrap();
}
