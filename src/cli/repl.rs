//! The interactive REPL, started when no statements are given and stdin is a terminal: a
//! psql-like prompt with multi-line statements ending in `;`, backslash commands
//! ([`super::commands`]), tab completion ([`super::completion`]) and a history file in the
//! user's data directory that never receives a statement holding a password or token.
//!
//! Ctrl-C while typing clears the input; while a statement runs it cancels the statement (see
//! [`super::runner`]). Ctrl-D, `\q`, `quit` and `exit` leave.

use std::path::PathBuf;
use std::process::ExitCode;

use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};
use rustyline::config::Configurer;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};

use super::catalog::Catalog;
use super::commands::{self, Flow};
use super::completion::SqlHelper;
use super::runner::Runner;
use crate::engine::writes;

const PROMPT: &str = "jiraql=> ";
/// The prompt while a statement continues over lines.
const CONTINUATION: &str = "jiraql-> ";
/// Entries kept in the history file.
const HISTORY_SIZE: usize = 2000;
/// Overrides the history file's path; empty turns the history file off.
const HISTORY_ENV: &str = "JIRAQL_HISTORY";

/// Runs the REPL until the user leaves. `site` names where the session is connected.
pub async fn run(runner: &mut Runner, site: &str) -> Result<ExitCode, String> {
    let mut catalog = Catalog::load(runner.engine()).await;
    // --allow-all-rows and --allow-drop for the whole session; otherwise each sweeping or
    // dropping statement is asked about.
    let allowed = Allowed {
        all_rows: runner.engine().allow_all_rows(),
        drop: runner.engine().allow_drop(),
    };
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .history_ignore_space(true)
        .build();
    let mut editor: Editor<SqlHelper, FileHistory> =
        Editor::with_config(config).map_err(|e| format!("cannot use the terminal: {e}"))?;
    editor
        .set_max_history_size(HISTORY_SIZE)
        .map_err(|e| format!("cannot set up the history: {e}"))?;
    editor.set_helper(Some(SqlHelper::new(catalog.clone())));
    let history = History::open(&mut editor);

    println!(
        "jiraql {} — SQL over Jira, connected to {site}.",
        env!("CARGO_PKG_VERSION")
    );
    println!("End statements with ;  \\dt lists tables, \\? shows help, \\q quits.");

    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() {
            PROMPT
        } else {
            CONTINUATION
        };
        if let Some(helper) = editor.helper_mut() {
            helper.set_pending(&buffer);
        }
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                buffer.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(format!("cannot read from the terminal: {e}")),
        };
        let trimmed = line.trim();
        if trimmed.starts_with('\\') {
            // Like psql, a command line runs at once, even inside a statement being typed.
            history.add(&mut editor, trimmed);
            if commands::run(trimmed, runner, &catalog).await == Flow::Quit {
                break;
            }
            continue;
        }
        if buffer.is_empty() && is_quit(trimmed) {
            break;
        }
        if !buffer.is_empty() {
            buffer.push('\n');
        }
        buffer.push_str(&line);
        match input_state(&buffer) {
            Input::Nothing => buffer.clear(),
            Input::Incomplete => {}
            Input::Complete => {
                let sql = std::mem::take(&mut buffer);
                history.add(&mut editor, sql.trim());
                let Some(now) = confirm(&mut editor, runner, &sql, allowed) else {
                    println!("Not run.");
                    continue;
                };
                now.set(runner);
                runner.run_script(None, &sql).await;
                allowed.set(runner);
                if may_change_catalog(&sql) {
                    catalog = Catalog::load(runner.engine()).await;
                    if let Some(helper) = editor.helper_mut() {
                        helper.set_catalog(catalog.clone());
                    }
                }
            }
        }
    }
    runner.flush_output()?;
    Ok(ExitCode::SUCCESS)
}

/// What the session lets statements do without asking.
#[derive(Debug, Clone, Copy)]
struct Allowed {
    /// UPDATE and DELETE without WHERE.
    all_rows: bool,
    /// DROP TABLE of a SharePoint list.
    drop: bool,
}

impl Allowed {
    fn set(self, runner: &mut Runner) {
        let engine = runner.engine_mut();
        engine.set_allow_all_rows(self.all_rows);
        engine.set_allow_drop(self.drop);
    }
}

/// An UPDATE or DELETE without WHERE changes every row, and a DROP TABLE deletes a list with
/// its items: at the prompt they run only when the user types `yes` (or the session allows
/// them). None when the input must not run; otherwise what it may do.
fn confirm(
    editor: &mut Editor<SqlHelper, FileHistory>,
    runner: &Runner,
    sql: &str,
    allowed: Allowed,
) -> Option<Allowed> {
    let statements = runner.engine().parse(sql).unwrap_or_default();
    let mut questions = Vec::new();
    if !allowed.all_rows {
        let sweeps: Vec<String> = statements
            .iter()
            .filter_map(writes::sweeps_all_rows)
            .collect();
        if !sweeps.is_empty() {
            questions.push(format!(
                "This changes every row of {} (no WHERE).",
                sweeps.join(", ")
            ));
        }
    }
    if !allowed.drop {
        let drops: Vec<String> = statements.iter().filter_map(writes::drops_lists).collect();
        if !drops.is_empty() {
            questions.push(format!(
                "This deletes the SharePoint list {} with every item in it.",
                drops.join(", ")
            ));
        }
    }
    if questions.is_empty() {
        return Some(allowed);
    }
    let question = format!("{} Type yes to run it: ", questions.join(" "));
    match editor.readline(&question) {
        Ok(answer) if answer.trim().eq_ignore_ascii_case("yes") => Some(Allowed {
            all_rows: true,
            drop: true,
        }),
        _ => None,
    }
}

fn is_quit(line: &str) -> bool {
    let word = line.trim_end_matches(';').trim();
    word.eq_ignore_ascii_case("quit") || word.eq_ignore_ascii_case("exit")
}

/// What the text typed so far amounts to.
#[derive(Debug, PartialEq, Eq)]
enum Input {
    /// Only blanks and comments.
    Nothing,
    /// A statement goes on: no final `;` yet, or an open string or comment.
    Incomplete,
    /// Ends with a top-level `;`: run it.
    Complete,
}

fn input_state(sql: &str) -> Input {
    match Tokenizer::new(&GenericDialect {}, sql).tokenize() {
        Ok(tokens) => match tokens
            .iter()
            .rev()
            .find(|t| !matches!(t, Token::Whitespace(_)))
        {
            None => Input::Nothing,
            Some(Token::SemiColon) => Input::Complete,
            Some(_) => Input::Incomplete,
        },
        // An unterminated string, quoted name or comment goes on over the next line; any other
        // error is the statement's, reported when it runs.
        Err(e) if e.message.contains("Unterminated") || e.message.contains("EOF") => {
            Input::Incomplete
        }
        Err(_) if sql.trim_end().ends_with(';') => Input::Complete,
        Err(_) => Input::Incomplete,
    }
}

/// Whether `sql` may create or drop tables or views, so completion must look again.
fn may_change_catalog(sql: &str) -> bool {
    sql.split(|c: char| !c.is_ascii_alphabetic()).any(|w| {
        ["create", "drop", "alter"]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k))
    })
}

/// Whether `text` holds a secret: a password, token or secret given with `=` (connection
/// string properties, options). Such text never goes into the history.
pub fn holds_secret(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["token", "password", "passwd", "secret"]
        .iter()
        .any(|needle| {
            lower
                .match_indices(needle)
                .any(|(at, _)| lower[at + needle.len()..].trim_start().starts_with('='))
        })
}

/// The history file, where there is one.
struct History {
    path: Option<PathBuf>,
}

impl History {
    /// `$JIRAQL_HISTORY`, or `history` in jiraql's folder of the user's data directory.
    fn path() -> Option<PathBuf> {
        match std::env::var_os(HISTORY_ENV) {
            Some(p) if p.is_empty() => None,
            Some(p) => Some(PathBuf::from(p)),
            None => dirs::data_dir().map(|d| d.join("jiraql").join("history")),
        }
    }

    /// Loads the history file into `editor`. A missing file is created with the first entry;
    /// an unreadable one is reported and the session goes on without it.
    fn open(editor: &mut Editor<SqlHelper, FileHistory>) -> History {
        let Some(path) = Self::path() else {
            return History { path: None };
        };
        if let Some(dir) = path.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            eprintln!("warning: no history: cannot create {}: {e}", dir.display());
            return History { path: None };
        }
        match editor.load_history(&path) {
            Ok(()) => {}
            Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                eprintln!("warning: no history: cannot read {}: {e}", path.display());
                return History { path: None };
            }
        }
        History { path: Some(path) }
    }

    /// Remembers `entry` (unless it holds a secret) and appends it to the file.
    fn add(&self, editor: &mut Editor<SqlHelper, FileHistory>, entry: &str) {
        if entry.is_empty() || holds_secret(entry) {
            return;
        }
        if !matches!(editor.add_history_entry(entry), Ok(true)) {
            return;
        }
        if let Some(path) = &self.path
            && let Err(e) = editor.append_history(path)
        {
            eprintln!(
                "warning: cannot write the history to {}: {e}",
                path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_end_with_a_top_level_semicolon() {
        assert_eq!(input_state("SELECT 1;"), Input::Complete);
        assert_eq!(input_state("SELECT 1;  -- done\n"), Input::Complete);
        assert_eq!(input_state("SELECT 1"), Input::Incomplete);
        assert_eq!(input_state("SELECT 'a;"), Input::Incomplete);
        assert_eq!(input_state("SELECT 1 /* ; "), Input::Incomplete);
        assert_eq!(input_state("SELECT 1; SELECT 2"), Input::Incomplete);
        assert_eq!(input_state("SELECT 'it''s';"), Input::Complete);
        assert_eq!(input_state("  -- just a comment"), Input::Nothing);
    }

    #[test]
    fn secrets_are_recognised() {
        assert!(holds_secret("\\connect URL=x;APIToken=abc"));
        assert!(holds_secret("CREATE ... OPTIONS (password = 'x')"));
        assert!(holds_secret("client_secret='s'"));
        assert!(!holds_secret(
            "SELECT Key FROM Issues WHERE Summary LIKE '%token%'"
        ));
        assert!(!holds_secret("SELECT 1"));
    }

    #[test]
    fn quitting_words() {
        assert!(is_quit("quit") && is_quit("EXIT;") && !is_quit("quitter"));
    }
}
