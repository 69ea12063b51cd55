//! The REPL's backslash commands (`\?`, `\dt`, `\d`, `\preview`, `\verify`, ...): their table
//! (for help and completion) and what each does.

use std::path::PathBuf;

use clap::ValueEnum;
use serde_json::Value;

use super::args::Format;
use super::catalog::Catalog;
use super::runner::{Failure, Runner, cancellable};

/// What a command takes after its name, for completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    None,
    Table,
    File,
    Format,
    Toggle,
}

/// One backslash command.
#[derive(Debug)]
pub struct MetaCommand {
    pub name: &'static str,
    pub usage: &'static str,
    pub help: &'static str,
    pub arg: Arg,
}

const fn command(
    name: &'static str,
    usage: &'static str,
    help: &'static str,
    arg: Arg,
) -> MetaCommand {
    MetaCommand {
        name,
        usage,
        help,
        arg,
    }
}

/// Every command, in the order `\?` lists them.
pub const COMMANDS: &[MetaCommand] = &[
    command("\\?", "", "this help", Arg::None),
    command("\\q", "", "quit (so does Ctrl-D)", Arg::None),
    command("\\dt", "", "list tables and views", Arg::None),
    command(
        "\\d",
        "[TABLE]",
        "describe a table: columns, types, what is pushed down to Jira",
        Arg::Table,
    ),
    command(
        "\\preview",
        "TABLE [ROWS]",
        "show a table's first rows (10 unless ROWS)",
        Arg::Table,
    ),
    command(
        "\\verify",
        "",
        "check the connection and credentials: who you are, on which site",
        Arg::None,
    ),
    command(
        "\\format",
        "[FORMAT]",
        "result format: table, csv, json, ndjson or markdown",
        Arg::Format,
    ),
    command(
        "\\x",
        "[on|off]",
        "expanded display: one block per record",
        Arg::Toggle,
    ),
    command(
        "\\timing",
        "[on|off]",
        "print each statement's time",
        Arg::Toggle,
    ),
    command(
        "\\stats",
        "",
        "requests, rows and bytes of the last statement",
        Arg::None,
    ),
    command("\\i", "FILE", "run the statements in FILE", Arg::File),
    command(
        "\\o",
        "[FILE]",
        "send results to FILE; alone, back to the terminal",
        Arg::File,
    ),
];

/// The command named `name` (with its backslash).
pub fn find(name: &str) -> Option<&'static MetaCommand> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// Choices offered after a command taking `arg`.
pub fn choices(arg: Arg) -> Vec<String> {
    match arg {
        Arg::Format => Format::value_variants()
            .iter()
            .map(|f| f.name().to_string())
            .collect(),
        Arg::Toggle => vec!["on".into(), "off".into()],
        Arg::None | Arg::Table | Arg::File => Vec::new(),
    }
}

/// What the REPL does after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// Runs the command `line` (starting with `\`) at the prompt: problems are printed on stderr.
pub async fn run(line: &str, runner: &mut Runner, catalog: &Catalog) -> Flow {
    execute(line, runner, catalog)
        .await
        .unwrap_or_else(|message| {
            eprintln!("error: {message}");
            Flow::Continue
        })
}

/// Runs the command `line` (starting with `\`); a problem comes back as its message.
pub async fn execute(line: &str, runner: &mut Runner, catalog: &Catalog) -> Result<Flow, String> {
    let line = line.trim();
    let (name, rest) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(n, r)| (n, r.trim()));
    let result = match name {
        "\\q" => return Ok(Flow::Quit),
        "\\?" => {
            print_help();
            Ok(())
        }
        "\\dt" => print_tables(runner, catalog),
        "\\d" if rest.is_empty() => print_tables(runner, catalog),
        "\\d" => describe(runner, catalog, rest),
        "\\preview" => preview(runner, catalog, rest).await,
        "\\verify" => verify(runner).await,
        "\\format" => set_format(runner, rest),
        "\\x" => toggle(&mut runner.expanded, rest, "Expanded display"),
        "\\timing" => toggle(&mut runner.timing, rest, "Timing"),
        "\\stats" => {
            print_stats(runner);
            Ok(())
        }
        "\\i" => include(runner, rest).await,
        "\\o" => redirect(runner, rest),
        other => Err(format!("unknown command {other}; \\? lists the commands")),
    };
    result.map(|()| Flow::Continue)
}

fn print_help() {
    println!("Type SQL ending with ; (it may span lines), or one of:");
    let width = COMMANDS
        .iter()
        .map(|c| c.name.len() + 1 + c.usage.len())
        .max()
        .unwrap_or(0);
    for c in COMMANDS {
        let head = format!("{} {}", c.name, c.usage);
        println!("  {head:<width$}  {}", c.help);
    }
    println!(
        "Tab completes keywords, tables, columns and commands; Ctrl-R searches history; \
         Ctrl-C cancels a running statement (or clears the input); Ctrl-D quits."
    );
}

fn print_tables(runner: &mut Runner, catalog: &Catalog) -> Result<(), String> {
    let (schema, batch) = catalog.tables_listing();
    runner.print(&schema, &[batch])
}

fn table<'c>(catalog: &'c Catalog, name: &str) -> Result<&'c super::catalog::TableInfo, String> {
    let name = name.trim_matches('"');
    catalog
        .find(name)
        .ok_or_else(|| format!("no table named {name}; \\dt lists the tables"))
}

fn describe(runner: &mut Runner, catalog: &Catalog, name: &str) -> Result<(), String> {
    let info = table(catalog, name)?;
    let (schema, batch) = Catalog::columns_listing(info);
    runner.print(&schema, &[batch])
}

/// Default rows of `\preview`.
const PREVIEW_ROWS: usize = 10;

async fn preview(runner: &mut Runner, catalog: &Catalog, rest: &str) -> Result<(), String> {
    let mut words = rest.split_whitespace();
    let name = words
        .next()
        .ok_or("\\preview needs a table, e.g. \\preview Issues")?;
    let rows = match words.next() {
        None => PREVIEW_ROWS,
        Some(n) => n
            .parse::<usize>()
            .map_err(|_| format!("\\preview: '{n}' is not a number of rows"))?,
    };
    let info = table(catalog, name)?;
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let sql = format!(
        "SELECT * FROM {}.{} LIMIT {rows}",
        quote(&info.schema),
        quote(&info.name)
    );
    // Failures are reported by the runner.
    runner.run_script(None, &sql).await;
    Ok(())
}

async fn verify(runner: &mut Runner) -> Result<(), String> {
    let client = runner.engine().client().clone();
    let site = client.site_label();
    let checked = cancellable(runner.is_interactive(), async {
        let me = client.get_platform("myself", &[]).await?;
        let server = client.get_platform("serverInfo", &[]).await?;
        Ok::<_, crate::jira::client::JiraError>((me, server))
    })
    .await;
    let (me, server) = match checked {
        Ok(Ok(answers)) => answers,
        Ok(Err(e)) => return Err(format!("the connection to {site} does not work: {e}")),
        Err(Failure::Cancelled) => return Err("cancelled".into()),
        Err(Failure::Error(e)) => return Err(e),
    };
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let name = text(&me, "displayName").unwrap_or_else(|| "(no display name)".into());
    let who = match text(&me, "emailAddress") {
        Some(email) => format!("{name} <{email}>"),
        None => name,
    };
    println!("Connected to {site} as {who}: the credentials work.");
    let mut rows = vec![
        ("account id", text(&me, "accountId")),
        ("time zone", text(&me, "timeZone")),
    ];
    let server_line = match (
        text(&server, "deploymentType"),
        text(&server, "version"),
        text(&server, "baseUrl"),
    ) {
        (Some(kind), Some(version), Some(url)) => Some(format!("Jira {kind} {version} at {url}")),
        (kind, version, url) => {
            let parts: Vec<String> = [kind, version, url].into_iter().flatten().collect();
            (!parts.is_empty()).then(|| format!("Jira {}", parts.join(" ")))
        }
    };
    rows.push(("server", server_line));
    rows.push(("connection", Some(client.settings().redacted())));
    for (label, value) in rows {
        if let Some(value) = value {
            println!("  {label:<11} {value}");
        }
    }
    for copy in runner.engine().copies() {
        println!("  {:<11} {}", "mirror", copy.describe());
    }
    Ok(())
}

fn set_format(runner: &mut Runner, rest: &str) -> Result<(), String> {
    if rest.is_empty() {
        println!("Output format is {}.", runner.format.name());
        return Ok(());
    }
    runner.format = Format::from_str(rest, true).map_err(|_| {
        format!(
            "unknown format {rest}; choose one of {}",
            choices(Arg::Format).join(", ")
        )
    })?;
    println!("Output format is {}.", runner.format.name());
    Ok(())
}

fn toggle(setting: &mut bool, rest: &str, what: &str) -> Result<(), String> {
    *setting = match rest.to_ascii_lowercase().as_str() {
        "" => !*setting,
        "on" => true,
        "off" => false,
        other => return Err(format!("{other}: say on or off")),
    };
    println!("{what} is {}.", if *setting { "on" } else { "off" });
    Ok(())
}

fn print_stats(runner: &Runner) {
    let Some(last) = runner.last() else {
        println!("No statement has run yet.");
        return;
    };
    let c = &last.counters;
    println!(
        "Last statement{}: {} rows, {} requests, {} bytes, {} retries, {} rate-limit waits \
         ({:.1}s waited), {:.3}s",
        if last.cancelled { " (cancelled)" } else { "" },
        last.rows,
        c.requests,
        c.bytes,
        c.retries,
        c.rate_limit_waits,
        c.waited.as_secs_f64(),
        last.elapsed.as_secs_f64()
    );
}

async fn include(runner: &mut Runner, rest: &str) -> Result<(), String> {
    let path = path_argument(rest).ok_or("\\i needs a file, e.g. \\i sql/report.sql")?;
    let sql = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    // Failures are reported by the runner, with the file and line; the command fails with them.
    let shown = path.display().to_string();
    let outcome = runner.run_script(Some(&shown), &sql).await;
    match outcome.failed {
        0 => Ok(()),
        n => Err(format!(
            "{n} statement{} of {shown} failed",
            if n == 1 { "" } else { "s" }
        )),
    }
}

fn redirect(runner: &mut Runner, rest: &str) -> Result<(), String> {
    let path = path_argument(rest);
    runner.set_output(path.as_deref())?;
    match path {
        Some(path) => println!("Results now go to {}.", path.display()),
        None => println!("Results now go to the terminal."),
    }
    Ok(())
}

/// A file argument: the rest of the line, unquoted, with `~/` meaning the home directory.
fn path_argument(rest: &str) -> Option<PathBuf> {
    let rest = rest.trim();
    let unquoted = rest
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .or_else(|| rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')))
        .unwrap_or(rest);
    if unquoted.is_empty() {
        return None;
    }
    match (unquoted.strip_prefix("~/"), dirs::home_dir()) {
        (Some(under_home), Some(home)) => Some(home.join(under_home)),
        _ => Some(PathBuf::from(unquoted)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_found_by_name() {
        for c in COMMANDS {
            assert!(find(c.name).is_some_and(|f| f.name == c.name));
        }
        assert!(find("\\nope").is_none());
    }

    #[test]
    fn path_arguments_lose_quotes() {
        assert_eq!(
            path_argument("'my report.sql'"),
            Some(PathBuf::from("my report.sql"))
        );
        assert_eq!(path_argument(" out.csv "), Some(PathBuf::from("out.csv")));
        assert_eq!(path_argument(""), None);
    }

    #[test]
    fn format_choices_parse_back() {
        for name in choices(Arg::Format) {
            assert!(Format::from_str(&name, true).is_ok(), "{name}");
        }
    }
}
