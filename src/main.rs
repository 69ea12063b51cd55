//! The `jiraql` command. All the work is in the library; see `jiraql::cli`.

/// Counts nothing unless `jiraql bench` turns it on (one relaxed load per allocation).
#[cfg(feature = "demo")]
#[global_allocator]
static ALLOC: jiraql::bench::alloc::CountingAlloc = jiraql::bench::alloc::CountingAlloc;

fn main() -> std::process::ExitCode {
    jiraql::cli::main()
}
