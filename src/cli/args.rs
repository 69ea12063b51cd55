//! Command-line arguments.
//!
//! The doc comments are `--help` text, shown verbatim: URLs in examples stay bare.
#![allow(rustdoc::bare_urls)]

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// SQL over Jira.
#[derive(Debug, Parser)]
#[command(name = "jiraql", version, about, long_about = None)]
pub struct Args {
    /// Run SQL (several statements separated by `;`); may be repeated.
    #[arg(short = 'c', long = "command", value_name = "SQL")]
    pub commands: Vec<String>,

    /// Run the SQL in FILE; may be repeated.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write results to FILE instead of stdout (errors and --stats still go to stderr).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Keep going after a failing statement (each failure is reported; the exit code is still 1).
    #[arg(long)]
    pub continue_on_error: bool,

    /// Connect to a built-in emulated Jira with generated data: try jiraql without an account.
    #[arg(long, conflicts_with = "connection")]
    pub demo: bool,

    /// Issues in the demo's generated site.
    #[arg(long, default_value_t = 2000, value_name = "N", requires = "demo")]
    pub demo_issues: usize,

    /// Delay the demo adds to every Jira response (for trying progress and Ctrl-C; tests).
    #[arg(
        long,
        default_value_t = 0,
        value_name = "MS",
        requires = "demo",
        hide = true
    )]
    pub demo_latency_ms: u64,

    /// Connection string, e.g. "URL=https://acme.atlassian.net;User=me@acme.com;"
    /// (the API token from JIRA_API_TOKEN or a prompt).
    #[arg(long, env = "JIRAQL_CONNECTION", hide_env_values = true)]
    pub connection: Option<String>,

    /// SharePoint connection string for `sharepoint.<list>` tables, e.g.
    /// "URL=https://contoso.sharepoint.com/sites/pmo;TenantId=...;ClientId=..." (the client
    /// secret from SHAREPOINT_CLIENT_SECRET or a prompt). With --demo, an emulated site.
    #[arg(long, env = "JIRAQL_SHAREPOINT", hide_env_values = true)]
    pub sharepoint: Option<String>,

    /// Read connection strings from FILE (`connection = ...`, `sharepoint = ...` lines; chmod
    /// 600). Default: jiraql/config in your config directory, if present. Flags and
    /// environment variables win over it; --demo ignores it.
    #[arg(long, env = "JIRAQL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Plan writes (to SharePoint lists and Jira) and print what they would do, without
    /// writing anything.
    #[arg(long)]
    pub dry_run: bool,

    /// Let UPDATE and DELETE without WHERE change every row of their table or list.
    #[arg(long)]
    pub allow_all_rows: bool,

    /// Let DROP TABLE sharepoint.LIST delete a list with its items (the REPL asks instead).
    #[arg(long)]
    pub allow_drop: bool,

    /// Read the mirrored tables from this `jiraql mirror` directory instead of Jira (writes
    /// are refused while reading a copy).
    #[arg(long, value_name = "DIR")]
    pub mirror: Option<PathBuf>,

    /// Run the script (or `sync` job) again and again, one run an interval: 500ms, 30s, 15m,
    /// 1h, 1d. A failed run is retried with backoff; Ctrl-C or SIGTERM ends it.
    #[arg(long, value_name = "INTERVAL", global = true)]
    pub every: Option<String>,

    /// With --every: stop after this many runs.
    #[arg(long, value_name = "N", requires = "every", global = true)]
    pub runs: Option<u64>,

    /// With --mirror: refresh the mirror from Jira first.
    #[arg(long, requires = "mirror")]
    pub refresh: bool,

    /// Print `requests=N rows=M bytes=B elapsed_ms=T` on stderr at the end.
    #[arg(long)]
    pub stats: bool,

    /// More logging on stderr (-v, -vv, -vvv); JIRAQL_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Jira and SharePoint emulators standalone and print their URLs and credentials.
    Emulator(EmulatorArgs),
    /// Run the benchmark suite against an emulated site (see README, Benchmarks).
    Bench(BenchArgs),
    /// Run a sync job between a Jira table and a SharePoint list (see README, Two-way sync).
    Sync(SyncArgs),
    /// Copy Jira tables into a directory as Parquet files, or refresh the copy with what
    /// changed (see README, Mirror).
    Mirror(MirrorArgs),
}

/// Options of `jiraql mirror`.
#[derive(Debug, Clone, clap::Args)]
pub struct MirrorArgs {
    /// The mirror's directory (made when missing).
    pub dir: PathBuf,
    /// The tables to mirror, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "Issues")]
    pub tables: Vec<String>,
    /// Read every table whole instead of by change (e.g. after a field became visible to the
    /// account, whose values older rows then lack).
    #[arg(long)]
    pub full: bool,
    /// Mirror only the rows this SQL condition holds for, in every table named (e.g.
    /// "ProjectKey IN ('DEMO', 'WEB')"); a run with another condition reads them whole.
    #[arg(long = "where", value_name = "CONDITION")]
    pub filter: Option<String>,
}

/// Options of `jiraql sync`.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// The job file (TOML).
    pub job: PathBuf,
    /// List the conflicts the job meets now (key, column, both values) and write nothing.
    #[arg(long)]
    pub conflicts: bool,
    /// Run this once in another direction than the job's: two-way, jira-to-sharepoint or
    /// sharepoint-to-jira (e.g. a one-way catch-up before switching a job to two-way).
    #[arg(long, value_name = "DIRECTION")]
    pub direction: Option<String>,
}

/// Options of `jiraql bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Issues in the emulated site.
    #[arg(long, default_value_t = 20_000)]
    pub issues: usize,
    /// Delay the emulators add to every response, in milliseconds.
    #[arg(long, default_value_t = 100)]
    pub latency_ms: u64,
    /// Items in the emulated SharePoint list `TimeLog` the list statements read (0: none).
    #[arg(long, default_value_t = 100_000)]
    pub list_items: usize,
    /// The `MaxConcurrency` connection property (requests in flight per scan).
    #[arg(long)]
    pub max_concurrency: Option<usize>,
    /// Run only the queries whose name contains this text (ignoring case), `decode` for the
    /// decode measurement; may be repeated.
    #[arg(long, value_name = "TEXT")]
    pub only: Vec<String>,
    /// `table` for people, `markdown` for the README.
    #[arg(long, value_enum, default_value_t = BenchFormat::Table)]
    pub format: BenchFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchFormat {
    Table,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Issues to generate.
    #[arg(long, default_value_t = 2000)]
    pub issues: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people, fitted to the terminal's width.
    Table,
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A GitHub-flavoured Markdown table, for pasting into tickets and wikis.
    Markdown,
}

impl Format {
    /// The name used on the command line and by `\format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Markdown => "markdown",
        }
    }
}
