//! The `jiraql` binary as a script runner: inputs, formats, exit codes and error lines.

use assert_cmd::Command;
use predicates::prelude::*;

fn jiraql() -> Command {
    let mut cmd = Command::cargo_bin("jiraql").expect("binary");
    cmd.env_remove("JIRAQL_CONNECTION")
        .env_remove("JIRA_API_TOKEN");
    cmd
}

fn demo() -> Command {
    let mut cmd = jiraql();
    cmd.args(["--demo", "--demo-issues", "300"]);
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    outputs_of(cmd).0
}

/// Runs `cmd`, which must succeed: its stdout and stderr.
fn outputs_of(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "failed: {stderr}");
    (String::from_utf8(out.stdout).expect("utf-8"), stderr)
}

#[test]
fn demo_worklogs_of_one_issue_as_csv() {
    let out = stdout_of(demo().args([
        "--format",
        "csv",
        "-c",
        "SELECT IssueKey, Started, TimeSpentSeconds FROM Worklogs WHERE IssueKey = 'DEMO-7'",
    ]));
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("IssueKey,Started,TimeSpentSeconds"));
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() > 20, "{out}");
    assert!(rows.iter().all(|r| r.starts_with("DEMO-7,2026-")), "{out}");
}

#[test]
fn statements_from_stdin_several_per_input() {
    let out = stdout_of(demo().args(["--format", "ndjson"]).write_stdin(
        "SELECT count(*) AS n FROM Issues WHERE ProjectKey = 'DEMO';\nSELECT 1 + 1 AS two;",
    ));
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["n"].as_i64().unwrap() > 0);
    assert_eq!(lines[1]["two"], 2);
}

#[test]
fn json_and_table_formats() {
    let out = stdout_of(demo().args([
        "--format",
        "json",
        "-c",
        "SELECT Key FROM Issues WHERE Key = 'DEMO-1'",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v, serde_json::json!([{"Key": "DEMO-1"}]));
    let out = stdout_of(demo().args([
        "--format",
        "json",
        "-c",
        "SELECT Key FROM Issues WHERE Key = 'DEMO-99999'",
    ]));
    assert_eq!(out.trim(), "[]");
    let out = stdout_of(demo().args(["-c", "SELECT Key FROM Issues WHERE Key = 'DEMO-1'"]));
    assert!(
        out.contains("| Key    |") && out.contains("| DEMO-1 |") && out.contains("(1 row)"),
        "{out}"
    );
}

#[test]
fn stats_line_on_stderr() {
    demo()
        .args([
            "--stats",
            "-c",
            "SELECT Key FROM Issues WHERE ProjectKey = 'DEMO' LIMIT 5",
        ])
        .assert()
        .success()
        .stderr(
            predicate::str::is_match(
                r"^requests=2 rows=5 bytes=\d+ elapsed_ms=\d+ sharepoint_requests=0\n$",
            )
            .unwrap(),
        );
}

#[test]
fn bad_sql_is_one_line_and_exit_code_1() {
    demo()
        .args(["-c", "SELECT Key FROM Issues; SELEC nonsense"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Key"))
        .stderr(
            predicate::str::starts_with("error: -c #1, line 1: ")
                .and(predicate::str::contains("SELEC"))
                .and(predicate::str::contains("panicked").not())
                .and(predicate::function(|s: &str| s.lines().count() == 1)),
        );
}

#[test]
fn a_failing_statement_in_a_file_is_named() {
    let dir = std::env::temp_dir().join(format!("jiraql-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.sql");
    std::fs::write(
        &file,
        "SELECT 1 AS ok;\nSELECT NoSuchColumn FROM Issues;\nSELECT 2;",
    )
    .unwrap();
    demo()
        .arg("-f")
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ok").and(predicate::str::contains("| 2 ").not()))
        .stderr(
            predicate::str::contains("report.sql, line 2: ")
                .and(predicate::str::contains("NoSuchColumn")),
        );
}

#[test]
fn example_scripts_run_against_the_demo() {
    for entry in std::fs::read_dir("sql").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sql") {
            let out = stdout_of(demo().args(["--format", "csv", "-f"]).arg(&path));
            assert!(
                out.lines().count() > 1,
                "{} printed no rows:\n{out}",
                path.display()
            );
        }
    }
}

#[test]
fn connection_problems_are_explained() {
    jiraql()
        .args(["-c", "SELECT 1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--demo"));
    jiraql()
        .args([
            "--connection",
            "URL=https://acme.atlassian.net;Colour=blue",
            "-c",
            "SELECT 1",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Colour"));
    jiraql()
        .args([
            "--connection",
            "URL=http://acme.atlassian.net;User=a@b.c",
            "-c",
            "SELECT 1",
        ])
        .env("JIRA_API_TOKEN", "sentinel-secret-1234")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("https")
                .and(predicate::str::contains("sentinel-secret-1234").not()),
        );
}

#[test]
fn a_wrong_token_is_refused_without_echoing_it() {
    // A real server (the emulator, run standalone) with a wrong token.
    let sentinel = "sentinel-secret-5678";
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("jiraql"))
        .args(["emulator", "--issues", "50"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        use std::io::BufRead;
        let stdout = child.stdout.as_mut().unwrap();
        std::io::BufReader::new(stdout)
            .read_line(&mut first)
            .unwrap();
    }
    let url = first.trim().rsplit(' ').next().unwrap().to_string();
    let result = jiraql()
        .args([
            "--connection",
            &format!("URL={url};User=demo@jiraql.example"),
            "-c",
            "SELECT Key FROM Issues LIMIT 1",
        ])
        .env("JIRA_API_TOKEN", sentinel)
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1));
    assert!(stderr.contains("401"), "{stderr}");
    assert!(
        !stderr.contains(sentinel) && !String::from_utf8_lossy(&result.stdout).contains(sentinel)
    );
}

#[test]
fn every_format_for_rows_and_for_no_rows() {
    let one = "SELECT Key, ProjectKey FROM Issues WHERE Key = 'DEMO-1'";
    let none = "SELECT Key, ProjectKey FROM Issues WHERE Key = 'DEMO-99999'";
    let cases: [(&str, &str, &str); 5] = [
        (
            "table",
            "+--------+------------+\n\
             | Key    | ProjectKey |\n\
             +=====================+\n\
             | DEMO-1 | DEMO       |\n\
             +--------+------------+\n\
             (1 row)\n",
            "+-----+------------+\n\
             | Key | ProjectKey |\n\
             +==================+\n\
             +-----+------------+\n\
             (0 rows)\n",
        ),
        ("csv", "Key,ProjectKey\nDEMO-1,DEMO\n", "Key,ProjectKey\n"),
        (
            "json",
            "[{\"Key\":\"DEMO-1\",\"ProjectKey\":\"DEMO\"}]\n",
            "[]\n",
        ),
        (
            "ndjson",
            "{\"Key\":\"DEMO-1\",\"ProjectKey\":\"DEMO\"}\n",
            "",
        ),
        (
            "markdown",
            "| Key    | ProjectKey |\n\
             |--------|------------|\n\
             | DEMO-1 | DEMO       |\n",
            "| Key | ProjectKey |\n\
             |-----|------------|\n",
        ),
    ];
    for (format, rows, no_rows) in cases {
        let out = stdout_of(demo().args(["--format", format, "-c", one]));
        assert_eq!(out, rows, "--format {format}");
        let out = stdout_of(demo().args(["--format", format, "-c", none]));
        assert_eq!(out, no_rows, "--format {format} without rows");
    }
}

#[test]
fn continue_on_error_runs_everything_and_still_fails() {
    demo()
        .args([
            "--continue-on-error",
            "--format",
            "csv",
            "-c",
            "SELECT 1 AS a;\nSELEC 2;\nSELECT NoSuchColumn FROM Issues;\nSELECT 3 AS c",
        ])
        .assert()
        .code(1)
        .stdout("a\n1\nc\n3\n")
        .stderr(
            predicate::str::contains("-c #1, line 2: ")
                .and(predicate::str::contains("-c #1, line 3: "))
                .and(predicate::function(|s: &str| s.lines().count() == 2)),
        );
}

#[test]
fn output_goes_to_a_file() {
    let dir = std::env::temp_dir().join(format!("jiraql-cli-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("keys.csv");
    demo()
        .args([
            "--format",
            "csv",
            "-c",
            "SELECT Key FROM Issues WHERE Key = 'DEMO-2'",
        ])
        .arg("--output")
        .arg(&file)
        .assert()
        .success()
        .stdout("");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "Key\nDEMO-2\n");
    demo()
        .args(["-c", "SELECT 1"])
        .arg("--output")
        .arg(dir.join("no/such/dir/out.txt"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write to"));
}

#[test]
fn copy_exports_csv_json_and_parquet_and_explains_the_rest() {
    let dir = std::env::temp_dir().join(format!("jiraql-cli-copy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("issues.csv");
    let json = dir.join("issues.json");
    let copy = |target: &std::path::Path| {
        format!(
            "COPY (SELECT Key, StatusName FROM Issues WHERE ProjectKey = 'DEMO' ORDER BY Key LIMIT 3) TO '{}'",
            target.display()
        )
    };
    stdout_of(demo().args(["-c", &copy(&csv), "-c", &copy(&json)]));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("Key,StatusName\nDEMO-"), "{text}");
    assert_eq!(text.lines().count(), 4, "{text}");
    let text = std::fs::read_to_string(&json).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(rows.len(), 3);
    // Parquet, read back by DataFusion as any other tool would read it.
    let parquet = dir.join("issues.parquet");
    stdout_of(demo().args(["-c", &copy(&parquet)]));
    let rows = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            let ctx = datafusion::prelude::SessionContext::new();
            let df = ctx
                .read_parquet(
                    parquet.to_string_lossy().as_ref(),
                    datafusion::prelude::ParquetReadOptions::default(),
                )
                .await
                .expect("a Parquet file");
            let names: Vec<String> = df
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            assert_eq!(names, ["Key", "StatusName"]);
            df.count().await.expect("rows")
        });
    assert_eq!(rows, 3);
    demo()
        .args(["-c", &copy(&dir.join("issues.avro"))])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("cannot write avro files")
                .and(predicate::str::contains("parquet")),
        );
}

#[test]
fn sharepoint_sync_job_reruns_write_nothing() {
    let merge = "MERGE INTO sharepoint.TimeLog t USING (SELECT Id, IssueKey FROM Worklogs WHERE IssueKey = 'DEMO-7') s \
                 ON t.WorklogId = s.Id WHEN MATCHED THEN UPDATE SET IssueKey = s.IssueKey \
                 WHEN NOT MATCHED THEN INSERT (WorklogId, IssueKey) VALUES (s.Id, s.IssueKey)";
    let out = stdout_of(demo().args(["--format", "csv", "-c", &format!("{merge}; {merge}")]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "list,inserted,updated,unchanged,deleted,failed");
    let first: Vec<&str> = lines[1].split(',').collect();
    let inserted: u64 = first[1].parse().expect("a count");
    assert!(inserted > 20, "{out}");
    assert_eq!(lines[3], format!("TimeLog,0,0,{inserted},0,0"), "{out}");
}

#[test]
fn sharepoint_rows_refused_are_listed_and_exit_1() {
    let insert = "INSERT INTO sharepoint.TimeLog SELECT Id AS WorklogId FROM Worklogs WHERE IssueKey = 'DEMO-7' LIMIT 3";
    demo()
        .args(["-c", &format!("{insert}; {insert}")])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("3 rows could not be written to the list TimeLog")
                .and(predicate::str::contains("0 other changes went through"))
                .and(predicate::str::contains("row 1 (WorklogId")),
        );
}

#[test]
fn sharepoint_dry_run_writes_nothing() {
    let insert = "INSERT INTO sharepoint.TimeLog SELECT Id AS WorklogId FROM Worklogs WHERE IssueKey = 'DEMO-7' LIMIT 3";
    let count = "SELECT count(*) AS n FROM sharepoint.TimeLog";
    let out = demo()
        .args([
            "--dry-run",
            "--format",
            "csv",
            "-c",
            &format!("{insert}; {count}"),
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("TimeLog,3,0,0,0,0"), "{stdout}");
    assert!(stdout.trim_end().ends_with("n\n0"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("dry run: nothing was written"));
}

#[test]
fn the_standalone_emulators_serve_the_printed_connections() {
    use std::io::{BufRead, BufReader};
    let mut server = std::process::Command::new(assert_cmd::cargo::cargo_bin("jiraql"))
        .args(["emulator", "--issues", "50"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("emulator starts");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("a line");
        let done = line.contains("Ctrl-C");
        printed.push(line);
        if done {
            break;
        }
    }
    let quoted = |flag: &str| {
        printed
            .iter()
            .find_map(|l| l.split(&format!("{flag} \"")).nth(1))
            .and_then(|rest| rest.split('"').next())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{flag} in {printed:?}"))
    };
    let secret = |name: &str| {
        printed
            .iter()
            .find_map(|l| l.split(&format!("{name}=")).nth(1))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{name} in {printed:?}"))
    };
    let out = jiraql()
        .args(["--connection", &quoted("--connection"), "--sharepoint", &quoted("--sharepoint")])
        .env("JIRA_API_TOKEN", secret("JIRA_API_TOKEN"))
        .env("SHAREPOINT_CLIENT_SECRET", secret("SHAREPOINT_CLIENT_SECRET"))
        .args([
            "--format",
            "csv",
            "-c",
            "INSERT INTO sharepoint.Issues (IssueKey, Title) SELECT Key, Summary FROM Issues WHERE Key = 'DEMO-1'; \
             SELECT IssueKey FROM sharepoint.Issues",
        ])
        .output()
        .expect("runs");
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Issues,1,0,0,0,0"), "{stdout}");
    assert!(stdout.trim_end().ends_with("IssueKey\nDEMO-1"), "{stdout}");
}

#[test]
fn jira_deletes_dry_run_and_the_where_guard() {
    demo()
        .args([
            "--dry-run",
            "--format",
            "csv",
            "-c",
            "DELETE FROM Issues WHERE Key = 'DEMO-7'",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "table,inserted,updated,unchanged,deleted,failed",
        ))
        .stdout(predicate::str::contains("Issues,0,0,0,1,0"))
        .stderr(predicate::str::contains(
            "dry run: nothing was written to the table Issues",
        ))
        .stderr(predicate::str::contains(
            "would send DELETE /rest/api/3/issue/DEMO-7?deleteSubtasks=false",
        ));
    demo()
        .args(["-c", "DELETE FROM Issues"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--allow-all-rows"));
    demo()
        .args([
            "--allow-all-rows",
            "--dry-run",
            "--format",
            "csv",
            "-c",
            "DELETE FROM Issues",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Issues,0,0,0,300,0"));
}

/// psql runs backslash commands in `-c`, `-f` and stdin; so does jiraql (issue 16).
#[test]
fn meta_commands_run_in_scripts() {
    demo()
        .args(["-c", "\\d Issues"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Summary"));
    demo()
        .write_stdin("\\format csv\nSELECT 1 AS one;\n\\q\nSELECT 2 AS two;\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("one\n1"))
        .stdout(predicate::str::contains("two").not());
    let dir = std::env::temp_dir().join(format!("jiraql-meta-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script = dir.join("bad.sql");
    std::fs::write(&script, "SELECT 1;\n\\nosuch\nSELECT 2;\n").expect("script");
    demo()
        .arg("-f")
        .arg(&script)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "bad.sql, line 2: unknown command \\nosuch",
        ));
}

#[test]
fn the_demo_sync_job_runs_and_a_bad_job_says_what_to_fix() {
    let out = stdout_of(demo().args(["sync", "sql/sync/issues_two_way.toml"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "direction\tinserted\tupdated\tunchanged\tdeleted\tconflicts\tfailed"
    );
    let to_list: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(to_list[0], "jira-to-sharepoint");
    assert!(to_list[1].parse::<u64>().expect("a count") > 50, "{out}");

    demo()
        .args([
            "sync",
            "sql/sync/issues_two_way.toml",
            "--direction",
            "sideways",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--direction = \"sideways\""));
    // Listing conflicts writes nothing: a first run has none to list.
    let listed = stdout_of(demo().args(["sync", "--conflicts", "sql/sync/issues_two_way.toml"]));
    assert_eq!(listed, "key\tcolumn\tjira\tsharepoint\n");

    let dir = std::env::temp_dir().join(format!("jiraql-bad-job-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[jira]\ntable = \"Issues\"\nkey = \"Key\"\n[sharepoint]\nlist = \"Issues\"\nkey = \"IssueKey\"\n[columns]\nSummary = \"Title\"\n[sync]\nconflict = \"loudest\"\n",
    )
    .expect("write");
    demo()
        .args(["sync", bad.to_str().expect("path")])
        .assert()
        .failure()
        .stderr(predicate::str::contains("sync.conflict = \"loudest\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mirror_then_query_the_copy_and_refuse_writes_to_it() {
    let dir = std::env::temp_dir().join(format!("jiraql-cli-mirror-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_text = dir.to_string_lossy().into_owned();
    let out = stdout_of(demo().args(["mirror", &dir_text, "--tables", "Issues,Worklogs"]));
    assert!(
        out.starts_with("table\tread\trows\tadded\treplaced\tremoved\n"),
        "{out}"
    );
    assert!(out.contains("Issues\twhole\t300\t300\t0\t0"), "{out}");
    // A refresh with nothing changed reads changes only, and --stats says what it cost.
    let (stdout, stderr) =
        outputs_of(demo().args(["--stats", "mirror", &dir_text, "--tables", "Issues"]));
    // Nothing added or removed; the issues of the watermark's last minute are read again.
    assert!(stdout.contains("Issues\tchanges\t300\t0\t"), "{stdout}");
    assert!(stdout.ends_with("\t0\n"), "{stdout}");
    let requests: usize = stderr
        .split_whitespace()
        .find_map(|w| w.strip_prefix("requests="))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a stats line: {stderr}"));
    assert!(
        requests <= 4,
        "custom fields, changed issues, the census: {stderr}"
    );
    assert!(stderr.contains("rows=300 "), "{stderr}");
    let (stdout, stderr) = outputs_of(demo().args([
        "--mirror",
        &dir_text,
        "--format",
        "csv",
        "-c",
        "SELECT count(*) AS n FROM Issues",
    ]));
    assert_eq!(stdout, "n\n300\n");
    assert!(stderr.contains("mirror: Issues as of"), "{stderr}");
    // The rows come from the files (Jira hears only the connection's field list), and
    // EXPLAIN and \verify say which copy and how old.
    let out = stdout_of(demo().args([
        "--mirror",
        &dir_text,
        "--stats",
        "-c",
        "EXPLAIN SELECT count(*) FROM Issues WHERE StatusName = 'Done'",
        "-c",
        "\\verify",
    ]));
    assert!(out.contains("MirrorScan: Issues as of"), "{out}");
    assert!(!out.contains("JiraScan"), "{out}");
    assert!(out.contains("mirror      Issues as of"), "{out}");
    demo()
        .args([
            "--mirror",
            &dir_text,
            "--stats",
            "-c",
            "SELECT count(*) FROM Issues",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("requests=1 "));
    demo()
        .args([
            "--mirror",
            &dir_text,
            "-c",
            "DELETE FROM Issues WHERE Key = 'DEMO-7'",
        ])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("reads the mirror")
                .and(predicate::str::contains("without --mirror")),
        );
    // --where narrows the rows (another condition reads whole); --full reads whole again.
    let out = stdout_of(demo().args([
        "mirror",
        &dir_text,
        "--tables",
        "Issues",
        "--where",
        "ProjectKey = 'DEMO'",
    ]));
    let rows: usize = out
        .lines()
        .find_map(|l| l.strip_prefix("Issues\twhole\t"))
        .and_then(|rest| rest.split('\t').next()?.parse().ok())
        .unwrap_or_else(|| panic!("a whole read of some issues: {out}"));
    assert!(rows > 0 && rows < 300, "{out}");
    let out = stdout_of(demo().args(["mirror", &dir_text, "--tables", "Issues", "--full"]));
    assert!(out.contains("Issues\twhole\t300\t"), "{out}");
    let missing = dir.join("nothing-here");
    demo()
        .args(["--mirror", &missing.to_string_lossy(), "-c", "SELECT 1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("holds no mirror"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_repeats_a_script_or_a_sync_job_and_logs_each_run() {
    let (stdout, log) = outputs_of(demo().args([
        "--format",
        "csv",
        "-c",
        "SELECT count(*) AS n FROM Issues",
        "--every",
        "200ms",
        "--runs",
        "2",
    ]));
    assert_eq!(stdout, "n\n300\nn\n300\n");
    let runs: Vec<&str> = log.lines().filter(|l| l.starts_with("every: ")).collect();
    assert_eq!(runs.len(), 2, "{log}");
    assert!(
        runs[1].starts_with("every: run 2 ok in ") && runs[1].ends_with(": 1 rows"),
        "{log}"
    );
    let (_, log) = outputs_of(demo().args([
        "sync",
        "sql/sync/issues_two_way.toml",
        "--every",
        "200ms",
        "--runs",
        "2",
    ]));
    assert_eq!(
        log.lines().filter(|l| l.starts_with("every: run ")).count(),
        2,
        "{log}"
    );
    demo()
        .args(["-c", "SELECT 1", "--every", "soon"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not an interval"));
}

#[test]
fn lists_are_made_from_sql_and_dropped_only_when_allowed() {
    let made = demo()
        .args([
            "-c",
            "CREATE TABLE sharepoint.Scratch AS SELECT Key, Summary FROM Issues LIMIT 3; \
             SELECT count(*) AS n FROM sharepoint.Scratch; DROP TABLE sharepoint.Scratch",
        ])
        .assert()
        .failure();
    let out = made.get_output();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(stdout.contains("| 3 "), "{stdout}");
    assert!(
        stderr.contains("made the list Scratch: Key (text(255), indexed)"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-drop"), "{stderr}");
    demo()
        .args([
            "--allow-drop",
            "-c",
            "CREATE TABLE sharepoint.Scratch (Name VARCHAR(40)); DROP TABLE sharepoint.Scratch",
        ])
        .assert()
        .success()
        .stderr(predicates::str::contains("deleted the list Scratch"));
}
