//! Tab completion in the REPL: meta commands and their arguments (tables, formats, files), and
//! in SQL the keywords, functions, table names, and the columns of the tables the statement
//! names (anywhere in it, also on earlier lines of a multi-line statement).

use std::borrow::Cow;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use super::catalog::Catalog;
use super::commands::{self, Arg};

/// Keywords offered in SQL. Completed in the case the word was started in.
const KEYWORDS: &[&str] = &[
    "ALL",
    "ANALYZE",
    "AND",
    "AS",
    "ASC",
    "BETWEEN",
    "BY",
    "CASE",
    "CAST",
    "COPY",
    "CREATE",
    "CROSS",
    "CURRENT_DATE",
    "CURRENT_TIMESTAMP",
    "DATE",
    "DESC",
    "DESCRIBE",
    "DISTINCT",
    "DROP",
    "ELSE",
    "END",
    "EXCEPT",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FIRST",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "ILIKE",
    "IN",
    "INNER",
    "INTERSECT",
    "INTERVAL",
    "IS",
    "JOIN",
    "LAST",
    "LEFT",
    "LIKE",
    "LIMIT",
    "NOT",
    "NULL",
    "NULLS",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PARTITION",
    "RIGHT",
    "SELECT",
    "SHOW",
    "STORED",
    "TABLE",
    "TABLES",
    "THEN",
    "TIMESTAMP",
    "TO",
    "TRUE",
    "UNION",
    "VALUES",
    "VERBOSE",
    "VIEW",
    "WHEN",
    "WHERE",
    "WITH",
];

/// The REPL's rustyline helper: completion only (no hints, highlighting or validation; the
/// REPL itself decides when a statement is complete).
pub struct SqlHelper {
    catalog: Catalog,
    /// Earlier lines of the statement being typed.
    pending: String,
    files: FilenameCompleter,
}

impl SqlHelper {
    pub fn new(catalog: Catalog) -> Self {
        SqlHelper {
            catalog,
            pending: String::new(),
            files: FilenameCompleter::new(),
        }
    }

    pub fn set_catalog(&mut self, catalog: Catalog) {
        self.catalog = catalog;
    }

    /// The earlier lines of a multi-line statement, whose table names count for columns.
    pub fn set_pending(&mut self, pending: &str) {
        pending.clone_into(&mut self.pending);
    }

    /// Candidates for the input `line` with the cursor at byte `pos`: the byte where the
    /// replaced word starts, and the candidates.
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let before = &line[..pos];
        if self.pending.trim().is_empty() && before.trim_start().starts_with('\\') {
            return self.meta_candidates(line, pos);
        }
        let start = word_start(before);
        let word = &before[start..];
        let qualified = before[..start].ends_with('.');
        let statement = format!("{}\n{line}", self.pending);
        let mut out = Vec::new();
        let push = |out: &mut Vec<Pair>, candidate: &str| {
            if starts_with_ignoring_case(candidate, word)
                && !out.iter().any(|p: &Pair| p.display == candidate)
            {
                out.push(pair(candidate));
            }
        };
        for table in self.named_tables(&statement) {
            for field in table.columns.fields() {
                push(&mut out, field.name());
            }
        }
        // A column named with spaces or symbols (a custom field such as "Story Points") is
        // inserted quoted, so the statement stays valid.
        for p in &mut out {
            if !is_plain_identifier(&p.replacement) {
                p.replacement = format!("\"{}\"", p.replacement.replace('"', "\"\""));
            }
        }
        if !qualified {
            for table in &self.catalog.tables {
                push(&mut out, &table.qualified_name());
            }
        }
        // Keywords and functions only once a word is started: an empty prefix would list
        // hundreds of them.
        if !word.is_empty() && !qualified {
            let lower = word.chars().all(|c| !c.is_ascii_uppercase());
            for keyword in KEYWORDS {
                if lower {
                    push(&mut out, &keyword.to_lowercase());
                } else {
                    push(&mut out, keyword);
                }
            }
            for function in &self.catalog.functions {
                push(&mut out, function);
            }
        }
        (start, out)
    }

    /// The tables `statement` names: every identifier (or `schema.name`) that is a table name.
    fn named_tables<'a>(
        &'a self,
        statement: &'a str,
    ) -> impl Iterator<Item = &'a super::catalog::TableInfo> {
        let words: Vec<&str> = statement
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .filter(|w| !w.is_empty())
            .collect();
        self.catalog
            .tables
            .iter()
            .filter(move |t| words.iter().any(|w| t.is_named(w.trim_matches('.'))))
    }

    fn meta_candidates(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let before = &line[..pos];
        let offset = before.len() - before.trim_start().len();
        let command_end = before[offset..]
            .find(char::is_whitespace)
            .map(|i| offset + i);
        let Some(command_end) = command_end else {
            // Still in the command's name.
            let typed = &before[offset..];
            let names = commands::COMMANDS
                .iter()
                .map(|c| c.name)
                .filter(|n| n.starts_with(typed))
                .map(pair)
                .collect();
            return (offset, names);
        };
        let start = word_start(before).max(command_end);
        let word = &before[start..];
        let choices: Vec<String> = match commands::find(&before[offset..command_end]).map(|c| c.arg)
        {
            Some(Arg::Table) => self
                .catalog
                .tables
                .iter()
                .map(|t| t.qualified_name())
                .collect(),
            Some(Arg::File) => {
                return self
                    .files
                    .complete_path(line, pos)
                    .unwrap_or((pos, Vec::new()));
            }
            Some(arg) => commands::choices(arg),
            None => Vec::new(),
        };
        let pairs = choices
            .iter()
            .filter(|c| starts_with_ignoring_case(c, word))
            .map(|c| pair(c))
            .collect();
        (start, pairs)
    }
}

fn pair(text: &str) -> Pair {
    Pair {
        display: text.to_string(),
        replacement: text.to_string(),
    }
}

/// Whether `name` can be written in SQL without quotes.
fn is_plain_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Where the identifier-like word ending at the end of `before` starts.
fn word_start(before: &str) -> usize {
    before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map_or(before.len(), |(i, _)| i)
}

fn starts_with_ignoring_case(candidate: &str, prefix: &str) -> bool {
    candidate.len() >= prefix.len()
        && candidate.is_char_boundary(prefix.len())
        && candidate[..prefix.len()].eq_ignore_ascii_case(prefix)
}

impl Completer for SqlHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        Ok(self.candidates(line, pos))
    }
}

impl Hinter for SqlHelper {
    type Hint = String;
}

impl Highlighter for SqlHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Borrowed(line)
    }
}

impl Validator for SqlHelper {}

impl Helper for SqlHelper {}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::logical_expr::TableType;

    use super::super::catalog::TableInfo;
    use super::*;

    fn helper() -> SqlHelper {
        let table = |name: &str, columns: &[&str]| TableInfo {
            schema: "jira".into(),
            name: name.into(),
            kind: TableType::Base,
            columns: Arc::new(Schema::new(
                columns
                    .iter()
                    .map(|c| Field::new(*c, DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            )),
            def: None,
            described: None,
            definition: None,
        };
        SqlHelper::new(Catalog {
            tables: vec![
                table("Issues", &["Key", "StatusName", "StatusCategory"]),
                table("Worklogs", &["IssueKey", "Started"]),
            ],
            functions: vec!["count".into(), "coalesce".into()],
        })
    }

    fn complete(h: &SqlHelper, line: &str) -> Vec<String> {
        let (start, pairs) = h.candidates(line, line.len());
        pairs
            .into_iter()
            .map(|p| format!("{}{}", &line[..start], p.replacement))
            .collect()
    }

    #[test]
    fn tables_keywords_and_functions() {
        let h = helper();
        assert_eq!(complete(&h, "SELECT * FROM iss"), ["SELECT * FROM Issues"]);
        assert_eq!(complete(&h, "sel"), ["select"]);
        assert_eq!(complete(&h, "SEL"), ["SELECT"]);
        assert_eq!(complete(&h, "SELECT coa"), ["SELECT coalesce"]);
    }

    #[test]
    fn columns_only_of_the_tables_named() {
        let h = helper();
        assert_eq!(
            complete(&h, "SELECT Key FROM Issues WHERE statusc"),
            ["SELECT Key FROM Issues WHERE StatusCategory"]
        );
        assert!(complete(&h, "SELECT Star").is_empty());
        assert_eq!(
            complete(&h, "SELECT w.Star"),
            Vec::<String>::new(),
            "no table named yet"
        );
        let mut h = h;
        h.set_pending("SELECT w.Started\nFROM Worklogs w");
        assert_eq!(complete(&h, "WHERE w.Sta"), ["WHERE w.Started"]);
    }

    #[test]
    fn meta_commands_and_their_arguments() {
        let h = helper();
        assert!(complete(&h, "\\d").contains(&"\\dt".to_string()));
        assert_eq!(complete(&h, "\\d wor"), ["\\d Worklogs"]);
        assert_eq!(complete(&h, "\\format mark"), ["\\format markdown"]);
        assert_eq!(complete(&h, "\\tim"), ["\\timing"]);
    }
}
