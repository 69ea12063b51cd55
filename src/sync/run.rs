//! One run of a sync job: read both sides through the engine (the Jira side's WHERE pushed
//! down like any query's), put every paired value in the list column's canonical form (the
//! one the MERGE sink compares with), plan with [`merge::plan`], write, and record the new
//! base for the keys whose writes were made.
//!
//! Writes go through the paths SQL statements take, with their guarantees: to SharePoint
//! through the sink's batches (eTags, no duplicate creates), to Jira as one UPDATE for every
//! row to change (each row re-checked against its `updated`, only changed fields sent, up to
//! `MaxConcurrency` at a time), an INSERT for new rows and a DELETE for propagated deletes.
//! A row whose write failed keeps its old base, so the next run tries it again.

use std::collections::{BTreeMap, BTreeSet};

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::common::ScalarValue;
use serde_json::Value;

use super::delta;
use super::job::Job;
use super::merge::{self, Direction, Row, Rules, Side, Values, Write};
use super::state::{self, State};
use crate::engine::Engine;
use crate::engine::session::JIRA_SCHEMA;
use crate::engine::sharepoint::table::{ETAG, ListTable};
use crate::jira::tables::{ColumnType, TableDef};
use crate::sharepoint::list::Column;
use crate::sharepoint::sync::{Change, apply};
use crate::sharepoint::{RowFailure, WriteReport, values};

/// How far before the last run's latest Jira change the next run reads from: JQL compares
/// `updated` to the minute, and clocks differ.
const CHANGE_MARGIN_MS: i64 = 2 * 60 * 1000;

/// What a run did, per direction.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub to_jira: WriteReport,
    pub to_sharepoint: WriteReport,
    pub conflicts: Vec<merge::Conflict>,
}

/// The list side: each paired column, the key column, and each key's item id and eTag.
struct ListSide {
    table: ListTable,
    key: Column,
    columns: Vec<Column>,
    items: BTreeMap<String, (String, Option<String>)>,
}

/// Runs `job` once on `engine` (which needs a SharePoint connection).
pub async fn run(engine: &Engine, job: &Job) -> Result<Outcome, String> {
    let Some(schema) = engine.sharepoint_schema() else {
        return Err(
            "a sync job needs a SharePoint connection: pass --sharepoint, or --demo".into(),
        );
    };
    let def = engine.table_def(&job.jira_table).ok_or_else(|| {
        format!(
            "jira.table = {:?}: there is no such Jira table",
            job.jira_table
        )
    })?;
    let table = schema.require(&job.list).await.map_err(|e| e.to_string())?;
    let list = table.list().clone();
    let column = |name: &str, setting: &str| {
        list.column(name)
            .map_err(|e| format!("{setting} = {name:?}: {e}"))?
            .cloned()
            .ok_or_else(|| {
                format!(
                    "{setting} = {name:?}: the list {} has no such column",
                    list.display_name
                )
            })
    };
    let key = column(&job.list_key, "sharepoint.key")?;
    for (j, _) in &job.columns {
        let known = def.columns.iter().any(|c| c.name.eq_ignore_ascii_case(j));
        if !known && job.direction != Direction::From(Side::Jira) {
            return Err(format!(
                "columns.{j:?}: the Jira table {} has no such column (sys_tablecolumns lists \
                 them)",
                def.name
            ));
        }
    }
    let columns = job
        .columns
        .iter()
        .map(|(j, s)| column(s, &format!("columns.{j}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut side = ListSide {
        table,
        key,
        columns,
        items: BTreeMap::new(),
    };
    let fingerprint = fingerprint(job);
    let saved = state::load(&job.state, &fingerprint)?;
    let first_run = saved.is_none();
    let mut state = saved.unwrap_or_else(|| State::new(&fingerprint));
    let mut unreadable = Vec::new();
    // Only what changed since the last run, when it left cursors; otherwise everything.
    let since = if first_run {
        None
    } else {
        state.jira_watermark
    };
    let read = read_jira(engine, def, job, &side, since, &mut unreadable).await?;
    let watermark = read.values().filter_map(|r| r.changed_at).max();
    let mut jira = read;
    if since.is_some() {
        let gone = if job.deletes.jira_to_sharepoint {
            jira_census(engine, def, job, &state).await?
        } else {
            BTreeSet::new()
        };
        let held = |k: &str| state.conflicts.get(k).map(|(j, _)| j);
        jira = complete(jira, &state.rows, &gone, held);
    }
    let link = if first_run {
        None
    } else {
        state.delta_link.clone()
    };
    let (mut sharepoint, next_link) =
        read_list_changes(engine, job, &mut side, &state, link, &mut unreadable).await?;
    // A row one side cannot read stays out of this run: missing from a side it would look
    // deleted there. It keeps its state until it can be read.
    let skipped: BTreeSet<String> = unreadable.iter().map(|f| f.row.clone()).collect();
    jira.retain(|k, _| !skipped.contains(k));
    sharepoint.retain(|k, _| !skipped.contains(k));
    let base: BTreeMap<String, Values> = state
        .rows
        .iter()
        .filter(|(k, _)| !skipped.contains(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let rules = Rules {
        direction: job.direction,
        policy: job.policy,
        deletes: job.deletes,
        first_run,
    };
    let plan = merge::plan(&jira, &sharepoint, &base, rules);
    let in_conflict: BTreeSet<&String> = plan.conflicts.iter().map(|c| &c.key).collect();
    let mut conflicts: BTreeMap<String, (Values, Values)> = in_conflict
        .iter()
        .filter_map(|k| {
            let (j, s) = (jira.get(*k)?, sharepoint.get(*k)?);
            Some(((*k).clone(), (j.values.clone(), s.values.clone())))
        })
        .collect();
    conflicts.extend(
        state
            .conflicts
            .iter()
            .filter(|(k, _)| skipped.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    let mut out = Outcome {
        conflicts: plan.conflicts.clone(),
        ..Outcome::default()
    };
    for report in [&mut out.to_jira, &mut out.to_sharepoint] {
        report.kind = "table";
        report.dry_run = engine.dry_run();
    }
    out.to_jira.list = format!("{} (Jira)", def.name);
    out.to_sharepoint.list = format!("{} (SharePoint)", list.display_name);
    out.to_jira.unchanged = plan.unchanged_jira;
    out.to_sharepoint.unchanged = plan.unchanged_sharepoint;
    out.to_sharepoint.failed.extend(unreadable);
    let items_unknown = write_list(&side, job, &plan.to_sharepoint, &mut out.to_sharepoint).await?;
    write_jira(engine, def, job, &plan.to_jira, &mut out.to_jira).await?;
    if engine.dry_run() {
        return Ok(out);
    }
    let failed: BTreeSet<&str> = out
        .to_jira
        .failed
        .iter()
        .chain(&out.to_sharepoint.failed)
        .map(|f| f.row.as_str())
        .collect();
    for (key, base) in plan.base {
        if failed.contains(key.as_str()) {
            continue;
        }
        match base {
            Some(values) => state.rows.insert(key, values),
            None => state.rows.remove(&key),
        };
    }
    if let Some(w) = watermark {
        state.jira_watermark = Some(state.jira_watermark.map_or(w, |old| old.max(w)));
    }
    // Items the state did not know are found by reading the whole list next time.
    state.delta_link = (!items_unknown).then_some(next_link);
    state.conflicts = conflicts;
    state.list_items = side.items.clone();
    state::save(&job.state, &state)?;
    Ok(out)
}

/// What the state is for: a state of another job is refused.
fn fingerprint(job: &Job) -> String {
    let pairs: Vec<String> = job
        .columns
        .iter()
        .map(|(j, s)| format!("{j}={s}"))
        .collect();
    format!(
        "{}.{} <-> {}.{} [{}]",
        job.jira_table,
        job.jira_key,
        job.list,
        job.list_key,
        pairs.join(", ")
    )
}

fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The Jira rows, keyed, their values in the list columns' canonical form.
async fn read_jira(
    engine: &Engine,
    def: &TableDef,
    job: &Job,
    side: &ListSide,
    since: Option<i64>,
    unreadable: &mut Vec<RowFailure>,
) -> Result<BTreeMap<String, Row>, String> {
    let updated_column = def
        .columns
        .iter()
        .find(|c| c.name == "Updated" && c.data_type == ColumnType::Timestamp);
    let updated = updated_column.map_or("NULL".to_string(), |c| ident(c.name));
    let mut select = vec![ident(&job.jira_key), updated];
    // A column by its declared name; anything else is an expression (one way only).
    select.extend(job.columns.iter().map(|(j, _)| {
        def.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(j))
            .map_or_else(|| format!("({j})"), |c| ident(c.name))
    }));
    let mut conditions: Vec<String> = job.jira_where.iter().map(|w| format!("({w})")).collect();
    // JQL compares `updated` to the minute: a margin keeps a change made in the last minute.
    if let (Some(since), Some(c)) = (since, updated_column) {
        let from = chrono::DateTime::from_timestamp_millis(since - CHANGE_MARGIN_MS)
            .unwrap_or_default()
            .format("%Y-%m-%d %H:%M:%S");
        conditions.push(format!("{} >= '{from}'", ident(c.name)));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT {} FROM {JIRA_SCHEMA}.{}{filter}",
        select.join(", "),
        ident(def.name)
    );
    let batches = engine.sql_batches(&sql).await.map_err(|e| e.to_string())?;
    rows_of(&batches, 2, job, side, unreadable)
}

/// The list's items, keyed; each key's item id and eTag kept for writes.
async fn read_list(
    engine: &Engine,
    job: &Job,
    side: &mut ListSide,
    unreadable: &mut Vec<RowFailure>,
) -> Result<BTreeMap<String, Row>, String> {
    let id = side.table.schema_field_name(0);
    let modified = side
        .table
        .list()
        .column("Modified")
        .ok()
        .flatten()
        .map_or("NULL".to_string(), |c| ident(&side.table.sql_name(c)));
    let mut select = vec![
        ident(&side.table.sql_name(&side.key)),
        modified,
        ident(&id),
        ident(ETAG),
    ];
    select.extend(side.columns.iter().map(|c| ident(&side.table.sql_name(c))));
    let sql = format!(
        "SELECT {} FROM sharepoint.{}",
        select.join(", "),
        ident(&job.list)
    );
    let batches = engine.sql_batches(&sql).await.map_err(|e| e.to_string())?;
    let rows = rows_of(&batches, 4, job, side, unreadable)?;
    for batch in &batches {
        for r in 0..batch.num_rows() {
            let key = key_text(&side.key, batch.column(0).as_ref(), r);
            let item = ScalarValue::try_from_array(batch.column(2), r).map(|v| v.to_string());
            let etag = ScalarValue::try_from_array(batch.column(3), r)
                .ok()
                .filter(|v| !v.is_null())
                .map(|v| v.to_string());
            if let (Some(key), Ok(item)) = (key, item) {
                side.items.insert(key, (item, etag));
            }
        }
    }
    Ok(rows)
}

/// Keys of the base no longer among the Jira table's rows (a key-only read: Jira's id-only
/// pages hold 5000 issues).
async fn jira_census(
    engine: &Engine,
    def: &TableDef,
    job: &Job,
    state: &State,
) -> Result<BTreeSet<String>, String> {
    let filter = job
        .jira_where
        .as_ref()
        .map_or_else(String::new, |w| format!(" WHERE {w}"));
    let sql = format!(
        "SELECT {} FROM {JIRA_SCHEMA}.{}{filter}",
        ident(&job.jira_key),
        ident(def.name)
    );
    let batches = engine.sql_batches(&sql).await.map_err(|e| e.to_string())?;
    let mut present = BTreeSet::new();
    for batch in &batches {
        for r in 0..batch.num_rows() {
            if let Ok(v) = ScalarValue::try_from_array(batch.column(0), r) {
                present.insert(v.to_string());
            }
        }
    }
    Ok(state
        .rows
        .keys()
        .filter(|k| !present.contains(*k))
        .cloned()
        .collect())
}

/// A side read in part: the rows read, and for the other keys of the base the base itself
/// (unchanged since the last run), less those known to be gone.
fn complete<'s>(
    read: BTreeMap<String, Row>,
    base: &'s BTreeMap<String, Values>,
    gone: &BTreeSet<String>,
    held: impl Fn(&str) -> Option<&'s Values>,
) -> BTreeMap<String, Row> {
    let mut all: BTreeMap<String, Row> = base
        .iter()
        .filter(|(k, _)| !gone.contains(*k))
        .map(|(k, v)| {
            // A key in conflict stays as the side last held it, not as the base.
            let row = Row {
                values: held(k).unwrap_or(v).clone(),
                changed_at: None,
            };
            (k.clone(), row)
        })
        .collect();
    all.extend(read);
    all
}

/// The list's rows: its changes since `link` over the base, or (without a link, or when
/// Graph asks for a full read) every item, a new link taken first. Returns the link of the
/// next round.
async fn read_list_changes(
    engine: &Engine,
    job: &Job,
    side: &mut ListSide,
    state: &State,
    link: Option<String>,
    unreadable: &mut Vec<RowFailure>,
) -> Result<(BTreeMap<String, Row>, String), String> {
    let directory = side.table.directory().clone();
    let list = side.table.list().clone();
    let found = match &link {
        Some(link) => delta::changes(&directory, &list, link)
            .await
            .map_err(|e| e.to_string())?,
        None => None,
    };
    let Some(found) = found else {
        let next = delta::latest(&directory, &list)
            .await
            .map_err(|e| e.to_string())?;
        let rows = read_list(engine, job, side, unreadable).await?;
        return Ok((rows, next));
    };
    side.items = state.list_items.clone();
    let by_id: BTreeMap<String, String> = side
        .items
        .iter()
        .map(|(key, (id, _))| (id.clone(), key.clone()))
        .collect();
    let mut gone: BTreeSet<String> = found
        .deleted
        .iter()
        .filter_map(|id| by_id.get(id).cloned())
        .collect();
    let mut rows = BTreeMap::new();
    'item: for item in &found.items {
        let fields = &item["fields"];
        let key = match values::from_field(&side.key, fields.get(side.key.field_key())) {
            Value::String(s) if !s.trim().is_empty() => s,
            Value::Null | Value::String(_) => continue,
            other => other.to_string(),
        };
        let Some(id) = item["id"].as_str() else {
            continue;
        };
        // A key moved to another item: the old item's key is gone from it.
        if let Some(old) = by_id.get(id).filter(|old| **old != key) {
            gone.insert(old.clone());
        }
        let mut values = Values::new();
        for (column, (name, _)) in side.columns.iter().zip(&job.columns) {
            let v = values::from_field(column, fields.get(column.field_key()));
            values.insert(name.clone(), v);
        }
        if rows.contains_key(&key) {
            unreadable.push(RowFailure {
                row: key.clone(),
                reason: "two list items hold this key".into(),
            });
            continue 'item;
        }
        let etag = item["eTag"].as_str().map(str::to_string);
        side.items.insert(key.clone(), (id.to_string(), etag));
        let changed_at = item["lastModifiedDateTime"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_millis());
        rows.insert(key, Row { values, changed_at });
    }
    for key in &gone {
        side.items.remove(key);
    }
    let held = |k: &str| state.conflicts.get(k).map(|(_, s)| s);
    Ok((complete(rows, &state.rows, &gone, held), found.link))
}

/// The key of row `r` as text; None when it is empty (such rows cannot pair).
fn key_text(key: &Column, array: &dyn Array, r: usize) -> Option<String> {
    match values::to_field(key, array, r).ok()? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// Keyed rows from batches whose first column is the key, second the change time (epoch ms
/// or NULL), and from `first` on the paired columns. A row a list column cannot hold is
/// reported, not merged; a key seen twice is an error (the pairing would be a guess).
fn rows_of(
    batches: &[RecordBatch],
    first: usize,
    job: &Job,
    side: &ListSide,
    unreadable: &mut Vec<RowFailure>,
) -> Result<BTreeMap<String, Row>, String> {
    let (key, columns) = (&side.key, &side.columns);
    let mut rows = BTreeMap::new();
    for batch in batches {
        'row: for r in 0..batch.num_rows() {
            let Some(k) = key_text(key, batch.column(0).as_ref(), r) else {
                continue;
            };
            let mut values = Values::new();
            for (i, (column, (name, _))) in columns.iter().zip(&job.columns).enumerate() {
                match values::to_field(column, batch.column(first + i).as_ref(), r) {
                    Ok(v) => {
                        values.insert(name.clone(), v);
                    }
                    Err(why) => {
                        unreadable.push(RowFailure {
                            row: k.clone(),
                            reason: format!("{name}: {why}"),
                        });
                        continue 'row;
                    }
                }
            }
            let changed_at = match ScalarValue::try_from_array(batch.column(1), r) {
                Ok(ScalarValue::TimestampMillisecond(ms, _)) => ms,
                _ => None,
            };
            let row = Row { values, changed_at };
            if rows.insert(k.clone(), row).is_some() {
                return Err(format!(
                    "the key {k:?} appears twice on one side; a sync pairs rows by a key each \
                     side holds once"
                ));
            }
        }
    }
    Ok(rows)
}

/// Sends the list's writes through the sink. A change to an item the state does not know is
/// a failed row, never skipped silently; returns whether there was one.
async fn write_list(
    side: &ListSide,
    job: &Job,
    writes: &[Write],
    report: &mut WriteReport,
) -> Result<bool, String> {
    let column_of = |name: &str| {
        job.columns
            .iter()
            .position(|(j, _)| j == name)
            .map(|i| side.columns[i].clone())
    };
    let fields = |values: &Values| -> Vec<(Column, Value)> {
        values
            .iter()
            .filter_map(|(name, v)| Some((column_of(name)?, v.clone())))
            .collect()
    };
    let mut unknown = Vec::new();
    let changes: Vec<Change> = writes
        .iter()
        .filter_map(|w| {
            let item = side.items.get(w.key()).cloned();
            if item.is_none() && !matches!(w, Write::Insert { .. }) {
                // Failed, so the key keeps its state and is tried again.
                unknown.push(RowFailure {
                    row: w.key().to_string(),
                    reason: "its list item is not known to this job's state; the next run \
                             reads the list again"
                        .into(),
                });
            }
            Some(match w {
                Write::Insert { key, values } => {
                    let mut all = fields(values);
                    all.push((side.key.clone(), Value::String(key.clone())));
                    Change::Create {
                        label: key.clone(),
                        key: Some(Value::String(key.clone())),
                        fields: all,
                    }
                }
                Write::Update { key, values } => {
                    let (item, etag) = item?;
                    Change::Update {
                        label: key.clone(),
                        item,
                        etag,
                        fields: fields(values),
                    }
                }
                Write::Delete { key } => {
                    let (item, etag) = item?;
                    Change::Delete {
                        label: key.clone(),
                        item,
                        etag,
                    }
                }
            })
        })
        .collect();
    let items_unknown = !unknown.is_empty();
    report.failed.extend(unknown);
    if changes.is_empty() {
        return Ok(items_unknown);
    }
    let directory = side.table.directory();
    apply(
        directory,
        side.table.list(),
        Some(&side.key),
        changes,
        report,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(items_unknown)
}

/// Sends Jira's writes as statements: one UPDATE for every row to change, an INSERT for new
/// rows, a DELETE for propagated deletes.
async fn write_jira(
    engine: &Engine,
    def: &TableDef,
    job: &Job,
    writes: &[Write],
    report: &mut WriteReport,
) -> Result<(), String> {
    let table = format!("{JIRA_SCHEMA}.{}", ident(def.name));
    let key = ident(&job.jira_key);
    let literal = |column: &str, v: &Value| jira_literal(def, column, v);
    let updates: Vec<(&str, &Values)> = writes
        .iter()
        .filter_map(|w| match w {
            Write::Update { key, values } => Some((key.as_str(), values)),
            _ => None,
        })
        .collect();
    // Each statement with the keys it writes, so a failure keeps exactly those keys' base.
    let mut statements: Vec<(String, Vec<String>)> = Vec::new();
    if !updates.is_empty() {
        let columns: BTreeSet<&String> = updates.iter().flat_map(|(_, v)| v.keys()).collect();
        let sets: Vec<String> = columns
            .iter()
            .map(|c| {
                let cases: String = updates
                    .iter()
                    .filter_map(|(k, v)| {
                        let value = v.get(*c)?;
                        Some(format!(" WHEN {} THEN {}", quote(k), literal(c, value)))
                    })
                    .collect();
                format!("{} = CASE {key}{cases} ELSE {} END", ident(c), ident(c))
            })
            .collect();
        let keys: Vec<String> = updates.iter().map(|(k, _)| quote(k)).collect();
        statements.push((
            format!(
                "UPDATE {table} SET {} WHERE {key} IN ({})",
                sets.join(", "),
                keys.join(", ")
            ),
            updates.iter().map(|(k, _)| k.to_string()).collect(),
        ));
    }
    for w in writes {
        match w {
            Write::Insert { key: k, values } => {
                let mut names = vec![key.clone()];
                let mut literals = vec![quote(k)];
                for (c, v) in values {
                    names.push(ident(c));
                    literals.push(literal(c, v));
                }
                let sql = format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    names.join(", "),
                    literals.join(", ")
                );
                statements.push((sql, vec![k.clone()]));
            }
            Write::Delete { key: k } => {
                let sql = format!("DELETE FROM {table} WHERE {key} = {}", quote(k));
                statements.push((sql, vec![k.clone()]));
            }
            Write::Update { .. } => {}
        }
    }
    for (sql, keys) in statements {
        let done = engine.query(&sql).await;
        let (part, error) = match done {
            Ok(_) => (engine.take_write_report(), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let mut failed: Vec<RowFailure> = part.as_ref().map_or_else(Vec::new, |r| r.failed.clone());
        if let Some(reason) = error {
            failed.push(RowFailure {
                row: String::new(),
                reason,
            });
        }
        // A failure that names no key of the statement holds for all of them.
        let unnamed: Vec<String> = failed
            .iter()
            .filter(|f| !keys.contains(&f.row))
            .map(|f| f.reason.clone())
            .collect();
        failed.retain(|f| keys.contains(&f.row));
        if !unnamed.is_empty() {
            let reason = unnamed.join("; ");
            let named: Vec<String> = failed.iter().map(|f| f.row.clone()).collect();
            for k in keys.iter().filter(|k| !named.contains(k)) {
                failed.push(RowFailure {
                    row: k.clone(),
                    reason: reason.clone(),
                });
            }
        }
        if let Some(mut r) = part {
            r.failed = Vec::new();
            add(report, r);
        }
        report.failed.extend(failed);
    }
    Ok(())
}

fn add(total: &mut WriteReport, part: WriteReport) {
    total.inserted += part.inserted;
    total.updated += part.updated;
    total.deleted += part.deleted;
    total.failed.extend(part.failed);
    total.planned.extend(part.planned);
}

/// A SQL text literal.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The SQL literal for a canonical list value written to Jira column `column`: a date-only
/// instant becomes the day a Jira date column takes.
fn jira_literal(def: &TableDef, column: &str, v: &Value) -> String {
    let date = def
        .column(column)
        .is_some_and(|c| c.data_type == ColumnType::Date);
    match v {
        Value::Null => "NULL".into(),
        Value::Bool(b) => b.to_string().to_uppercase(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if date && s.len() >= 10 => quote(&s[..10]),
        Value::String(s) => quote(s),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|i| jira_literal(def, "", i)).collect();
            format!("make_array({})", parts.join(", "))
        }
        Value::Object(_) => quote(&v.to_string()),
    }
}
