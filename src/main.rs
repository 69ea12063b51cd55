//! The `jiraql` command. All the work is in the library; see `jiraql::cli`.

fn main() -> std::process::ExitCode {
    jiraql::cli::main()
}
