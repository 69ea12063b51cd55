//! `jiraql mirror DIR`: a local copy of Jira tables as Parquet files that other tools read
//! directly (DuckDB, Spark, pandas), refreshed with what changed since the last run.
//!
//! The first run reads each table whole. Later runs of `Issues` and `Worklogs` read only the
//! rows updated since the manifest's watermark (less a minute: JQL compares times to the
//! minute; worklogs come from `worklog/updated`), and find the rows gone since: an id-only
//! census of every issue (5000 a page) when Jira's issue count says some are gone, the
//! `worklog/deleted` feed. Changed rows replace
//! theirs by `Id`, new ones are added, gone ones removed; a column Jira has gained since (a new
//! custom field) is added, empty in the rows not changed. Other tables are read whole. Every
//! table is written beside the current one and swapped in (see [`store`]), so a killed run
//! leaves the last complete mirror readable.

pub mod store;
pub mod table;

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Int64Type, SchemaRef};
use datafusion::common::{ScalarValue, TableReference};
use datafusion::dataframe::DataFrame;
use datafusion::datasource::MemTable;
use datafusion::functions_aggregate::count::count_all;
use datafusion::functions_aggregate::expr_fn::max;
use datafusion::logical_expr::{cast, ident, lit};
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::engine::writes::quoted;
use crate::engine::{Engine, TableCopy};
use crate::jira::{count, jql};
use store::TableEntry;
use table::MirrorTable;

/// What a refresh read again, to be sure of changes made in the watermark's minute.
const CHANGE_MARGIN_MS: i64 = 60_000;

/// How a table's rows that are gone are found on a refresh by change.
enum Gone {
    /// Every live id (a query): what the mirror has beyond them is gone.
    Census(&'static str),
    /// The ids deleted since `{since}` (a query).
    Deleted(&'static str),
}

/// The tables refreshed by change (keyed by `Id`, changed rows found by their `Updated`), and
/// how their gone rows are found.
fn gone(table: &str) -> Option<Gone> {
    match table {
        "Issues" => Some(Gone::Census(r#"SELECT "Id" FROM jira."Issues""#)),
        "Worklogs" => Some(Gone::Deleted(
            r#"SELECT "WorklogId" AS "Id" FROM jira."WorklogDeleted" WHERE "DeletedTime" >= '{since}'"#,
        )),
        _ => None,
    }
}

/// What one table's refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReport {
    pub table: String,
    pub rows: usize,
    pub added: usize,
    pub replaced: usize,
    pub removed: usize,
    /// Read by change (true) or whole.
    pub incremental: bool,
    /// Columns Jira has gained since the last run (new custom fields), added without reading
    /// the table whole.
    pub gained: Vec<String>,
}

/// What a run mirrors besides which tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Read every table whole instead of by change.
    pub full: bool,
    /// Only the rows this SQL condition holds for (`--where`); every table must have the
    /// columns it names.
    pub filter: Option<String>,
}

/// Refreshes `tables` (names as the engine knows them) in `dir`.
pub async fn run(
    engine: &Engine,
    dir: &Path,
    tables: &[String],
    options: &Options,
) -> Result<Vec<TableReport>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let mut manifest = store::load(dir)?;
    let started = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    // Every name and the condition checked (planned, not run) before anything is read.
    let mut defs = Vec::new();
    for name in tables {
        let def = engine.table_def(name).ok_or_else(|| {
            format!("mirror: there is no table {name}; SELECT TableName FROM sys_tables lists them")
        })?;
        if let Some(filter) = &options.filter {
            let sql = format!("SELECT * FROM jira.{} WHERE ({filter})", quoted(def.name));
            engine.context().sql(&sql).await.map_err(|e| {
                format!("mirror --where {filter}: {e} (the condition must name columns of {name})")
            })?;
        }
        defs.push(def);
    }
    let mut reports = Vec::new();
    for def in defs {
        store::recover(dir, def.name)?;
        let previous = manifest.tables.get(def.name).cloned();
        let scope = Scope {
            engine,
            table: def.name,
            options,
        };
        let (report, entry) = refresh(&scope, dir, previous, &started).await?;
        store::swap_in(dir, def.name)?;
        manifest.tables.insert(def.name.to_string(), entry);
        store::save(dir, &manifest)?;
        reports.push(report);
    }
    Ok(reports)
}

/// Makes `engine` read the tables mirrored in `dir` from their Parquet files, under the same
/// names, and refuse writes (a copy is not Jira); each table with where and since when.
pub async fn attach(engine: &mut Engine, dir: &Path) -> Result<Vec<TableCopy>, String> {
    let manifest = store::load(dir)?;
    if manifest.tables.is_empty() {
        return Err(format!(
            "{} holds no mirror; make one with jiraql mirror {}",
            dir.display(),
            dir.display()
        ));
    }
    let ctx = engine.context().clone();
    let mut attached = Vec::new();
    for (table, entry) in &manifest.tables {
        let files = store::read(&ctx, dir, table, entry).await?.into_view();
        let copy = TableCopy {
            table: table.clone(),
            refreshed_at: entry.refreshed_at.clone(),
            dir: dir.display().to_string(),
        };
        // A bare reference: a plain string would be parsed, and lose its case.
        let name = TableReference::bare(table.as_str());
        ctx.deregister_table(name.clone())
            .map_err(|e| e.to_string())?;
        ctx.register_table(name, Arc::new(MirrorTable::new(files, copy.clone())))
            .map_err(|e| e.to_string())?;
        attached.push(copy);
    }
    engine.set_read_only(format!(
        "this session reads the mirror in {}; writes need Jira itself (run without --mirror)",
        dir.display()
    ));
    engine.set_copies(attached.clone());
    Ok(attached)
}

/// One table's refresh: where from, and which rows.
struct Scope<'a> {
    engine: &'a Engine,
    table: &'a str,
    options: &'a Options,
}

impl Scope<'_> {
    /// `select` restricted to the mirrored rows and to `condition`, if any.
    fn rows(&self, select: &str, condition: Option<&str>) -> String {
        let parts: Vec<String> = [condition, self.options.filter.as_deref()]
            .into_iter()
            .flatten()
            .map(|c| format!("({c})"))
            .collect();
        match parts.is_empty() {
            true => select.to_string(),
            false => format!("{select} WHERE {}", parts.join(" AND ")),
        }
    }

    /// Every mirrored row of the table.
    fn all(&self, condition: Option<&str>) -> String {
        self.rows(
            &format!("SELECT * FROM jira.{}", quoted(self.table)),
            condition,
        )
    }
}

/// Writes the staged copy of one table and says what changed.
async fn refresh(
    scope: &Scope<'_>,
    dir: &Path,
    previous: Option<TableEntry>,
    started: &str,
) -> Result<(TableReport, TableEntry), String> {
    let (engine, table, options) = (scope.engine, scope.table, scope.options);
    // By change only when the stored rows were chosen as these are.
    let by_change = previous
        .as_ref()
        .filter(|p| !options.full && p.filter == options.filter)
        .filter(|_| store::table_dir(dir, table).exists())
        .and_then(|p| Some((p.watermark_ms?, p)))
        .zip(gone(table));
    // Stored columns read back with the types they were written with (not as string views),
    // so they line up with the live table's.
    let ctx = SessionContext::new_with_config(SessionConfig::new().set_bool(
        "datafusion.execution.parquet.schema_force_view_types",
        false,
    ));
    let changed = match by_change {
        Some(((watermark, stored), gone)) => {
            let stored = store::read(&ctx, dir, table, stored).await?;
            changes_since(scope, &ctx, stored, watermark, gone).await?
        }
        None => None,
    };
    let (changes, sql, gained) = match changed {
        Some(c) => (Some(c.counts), c.sql, c.gained),
        None => {
            // Streamed: rows go from Jira to the files a batch at a time.
            let rows = engine.context().sql(&scope.all(None)).await;
            let rows = rows.map_err(|e| e.to_string())?.into_view();
            ctx.register_table("fresh", rows)
                .map_err(|e| e.to_string())?;
            (None, "SELECT * FROM fresh".to_string(), Vec::new())
        }
    };
    let df = ctx.sql(&sql).await.map_err(|e| e.to_string())?;
    let columns: Vec<String> = df
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let written = store::write(&ctx, df, dir, table).await?;
    let (rows, watermark) = summary(written.staged, &columns).await?;
    let partition = written.partition;
    let [added, replaced, removed] = changes.unwrap_or([rows, 0, 0]);
    let report = TableReport {
        table: table.to_string(),
        rows,
        added,
        replaced,
        removed,
        incremental: changes.is_some(),
        gained,
    };
    let entry = TableEntry {
        rows,
        refreshed_at: started.to_string(),
        watermark_ms: watermark.or(previous.and_then(|p| p.watermark_ms)),
        columns,
        partition,
        filter: options.filter.clone(),
    };
    Ok((report, entry))
}

/// What a refresh by change found.
struct Changes {
    /// Rows added, replaced and removed.
    counts: [usize; 3],
    /// The query of the table's rows after the refresh.
    sql: String,
    /// Columns Jira has gained since the last run.
    gained: Vec<String>,
}

/// Reads into `ctx` the rows changed since `watermark` and the ids gone since, beside the
/// stored rows. `None` when the table must be read whole (a column changed its type).
async fn changes_since(
    scope: &Scope<'_>,
    ctx: &SessionContext,
    stored: DataFrame,
    watermark: i64,
    gone: Gone,
) -> Result<Option<Changes>, String> {
    let engine = scope.engine;
    let from = chrono::DateTime::from_timestamp_millis(watermark - CHANGE_MARGIN_MS)
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let changed = scope.all(Some(&format!("\"Updated\" >= '{from}'")));
    register(ctx, "changed", engine, &changed).await?;
    let Some(gained) = align(ctx, stored).await? else {
        return Ok(None);
    };
    let count = |sql: &str| count(ctx, sql.to_string());
    let added =
        count("SELECT count(*) FROM changed WHERE \"Id\" NOT IN (SELECT \"Id\" FROM old)").await?;
    // `lost`: the mirror's ids that are gone from Jira.
    let lost = match gone {
        Gone::Census(sql) => {
            let stored = count("SELECT count(*) FROM old").await?;
            // Jira's count is of every issue: it says nothing of some of them.
            let whole = scope.options.filter.is_none();
            if whole && !may_have_lost(engine, stored + added).await {
                "FALSE"
            } else {
                register(ctx, "alive", engine, &scope.rows(sql, None)).await?;
                "\"Id\" NOT IN (SELECT \"Id\" FROM alive)"
            }
        }
        Gone::Deleted(sql) => {
            register(ctx, "deleted", engine, &sql.replace("{since}", &from)).await?;
            "\"Id\" IN (SELECT \"Id\" FROM deleted)"
        }
    };
    let counts = [
        added,
        count("SELECT count(*) FROM changed WHERE \"Id\" IN (SELECT \"Id\" FROM old)").await?,
        count(&format!(
            "SELECT count(*) FROM old WHERE {lost} AND \"Id\" NOT IN (SELECT \"Id\" FROM changed)"
        ))
        .await?,
    ];
    let kept = format!(
        "SELECT * FROM old WHERE \"Id\" NOT IN (SELECT \"Id\" FROM changed) AND NOT ({lost})"
    );
    Ok(Some(Changes {
        counts,
        sql: format!("SELECT * FROM changed UNION ALL {kept}"),
        gained,
    }))
}

/// Whether issues may be gone since the last run, when the mirror would hold `expected`
/// issues with nothing deleted: Jira's count of every issue, one request, says so unless
/// it differs (or cannot be had), and only then is every id read (5000 a page). Cloud's
/// count may lag the last moments' changes: a deletion it does not show yet is found by a
/// later run's census.
async fn may_have_lost(engine: &Engine, expected: usize) -> bool {
    match count::issue_count(engine.client(), jql::ALL_ISSUES).await {
        Ok(live) => live != expected as u64,
        Err(e) => {
            tracing::info!("mirror: issues not counted ({e}); every id is read instead");
            true
        }
    }
}

/// Registers `old`: the `stored` rows with `changed`'s columns. A column Jira has gained (a new
/// custom field) is empty in them: setting it on an issue would have changed the issue, so
/// it is in `changed`. A column Jira has lost is left out. The columns gained; `None` when
/// a column changed its type.
async fn align(ctx: &SessionContext, stored: DataFrame) -> Result<Option<Vec<String>>, String> {
    let wanted = ctx
        .table("changed")
        .await
        .map_err(|e| e.to_string())?
        .schema()
        .as_arrow()
        .clone();
    let have = stored.schema().as_arrow().clone();
    let mut columns = Vec::new();
    let mut gained = Vec::new();
    for field in wanted.fields() {
        match have.field_with_name(field.name()) {
            Ok(old) if old.data_type() == field.data_type() => columns.push(ident(field.name())),
            Ok(_) => return Ok(None),
            Err(_) => {
                let empty = ScalarValue::try_from(field.data_type()).map_err(|e| e.to_string())?;
                columns.push(lit(empty).alias(field.name()));
                gained.push(field.name().clone());
            }
        }
    }
    let aligned = stored.select(columns).map_err(|e| e.to_string())?;
    ctx.register_table("old", aligned.into_view())
        .map_err(|e| e.to_string())?;
    Ok(Some(gained))
}

/// Runs `sql` on the engine and registers its rows in `ctx` as `name`.
async fn register(
    ctx: &SessionContext,
    name: &str,
    engine: &Engine,
    sql: &str,
) -> Result<(), String> {
    let df = engine.context().sql(sql).await.map_err(|e| e.to_string())?;
    let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
    let batches = df.collect().await.map_err(|e| e.to_string())?;
    let table = MemTable::try_new(schema, vec![batches]).map_err(|e| e.to_string())?;
    ctx.register_table(name, Arc::new(table))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn count(ctx: &SessionContext, sql: String) -> Result<usize, String> {
    let batches = ctx
        .sql(&sql)
        .await
        .map_err(|e| e.to_string())?
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    Ok(batches
        .first()
        .filter(|b| b.num_rows() > 0)
        .and_then(|b| {
            b.column(0)
                .as_primitive_opt::<Int64Type>()
                .map(|a| a.value(0))
        })
        .map_or(0, |n| usize::try_from(n).unwrap_or(0)))
}

/// The rows of the written copy and, for tables that have it, the newest `Updated` among
/// them (epoch ms), read back from the files.
async fn summary(written: DataFrame, columns: &[String]) -> Result<(usize, Option<i64>), String> {
    let has_updated = columns.iter().any(|c| c == UPDATED);
    let mut aggregates = vec![count_all()];
    if has_updated {
        aggregates.push(max(cast(ident(UPDATED), DataType::Int64)));
    }
    let batches = written
        .aggregate(vec![], aggregates)
        .map_err(|e| e.to_string())?
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    let value = |i: usize| {
        batches
            .first()
            .filter(|b| b.num_rows() > 0 && b.num_columns() > i)
            .and_then(|b| b.column(i).as_primitive_opt::<Int64Type>())
            .filter(|a| a.is_valid(0))
            .map(|a| a.value(0))
    };
    let rows = value(0).map_or(0, |n| usize::try_from(n).unwrap_or(0));
    Ok((rows, has_updated.then(|| value(1)).flatten()))
}

/// The column a table's rows are refreshed by.
const UPDATED: &str = "Updated";
