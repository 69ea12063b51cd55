//! Writing statements on tables whose rows hang off an issue (worklogs, comments), as the
//! table's declaration ([`ItemWrites`]) says: which endpoint, which columns name the issue,
//! which fields a new row needs, which statement settings go along as query parameters.
//!
//! - `INSERT` adds one item per source row, each made at most once
//!   ([`JiraClient::add_item_once`](crate::jira::client::JiraClient)).
//! - `UPDATE` runs its WHERE and SET values as one pushed-down query. A row whose values
//!   already equal the new ones sends nothing; for the others the item is read again just
//!   before the change, and one changed since the query is reported, never overwritten.
//! - `DELETE` deletes what its WHERE selects; an item already gone counts as unchanged.
//!
//! Settings such as a worklog's `AdjustEstimate` are given like columns: in INSERT's column
//! list, in UPDATE's SET, or as `AdjustEstimate = 'leave'` in DELETE's WHERE; the connection's
//! `Other` property gives defaults (`Other='AdjustEstimate=leave'`). All three commit through
//! [`super::jira_commit`], up to `MaxConcurrency` rows at a time.

use datafusion::arrow::array::RecordBatch;
use datafusion::common::{Result, ScalarValue};
use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Delete, Expr, Insert, Update, Value as SqlValue,
};
use serde_json::{Map, Value};

use super::Engine;
use super::decode::parse_instant;
use super::jira_commit::{Outcome, Row, commit, planned, refused, unchanged_since};
use super::jira_dml::{
    assigned_column, from_tables, insert_source, key_column, missing_required, new_report,
    plan_error, plan_rows, select_target, set_path, value_problems,
};
use super::jira_values::field_value;
use super::writes::{new_value, require_where};
use crate::jira::item_write::{Deleted, ItemEndpoint};
use crate::jira::tables::{ColumnDef, ItemWrites, Shape, TableDef, WriteOption, WriteSpec};
use crate::sharepoint::WriteReport;

/// Query parameters of one request.
type Params = Vec<(&'static str, String)>;

/// A row to add: its issue, body and query parameters.
type NewItem = (String, Map<String, Value>, Params);

/// What a statement's column names.
#[derive(Clone, Copy)]
enum Target {
    /// The item's issue (a column written as [`Shape::IssuePath`]).
    Issue,
    Field(&'static ColumnDef, WriteSpec),
    Setting(&'static WriteOption),
}

/// The column or setting `name` of `def`.
fn resolve(def: &'static TableDef, w: &ItemWrites, name: &str) -> Result<Target, String> {
    if let Some(o) = w.options.iter().find(|o| o.name.eq_ignore_ascii_case(name)) {
        return Ok(Target::Setting(o));
    }
    let column = def
        .columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("{name}: {} has no such column", def.name))?;
    match column.write {
        Some(WriteSpec {
            shape: Shape::IssuePath,
            ..
        }) => Ok(Target::Issue),
        Some(write) => Ok(Target::Field(column, write)),
        None => Err(format!("{}: read-only, Jira sets it", column.name)),
    }
}

/// `INSERT INTO` an item table.
pub(super) async fn run_insert(
    engine: &Engine,
    def: &'static TableDef,
    w: &ItemWrites,
    insert: &Insert,
) -> Result<WriteReport> {
    let (names, batches) = insert_source(engine, def, insert).await?;
    let mut problems = Vec::new();
    let targets: Vec<Target> = names
        .iter()
        .filter_map(|n| resolve(def, w, n).map_err(|p| problems.push(p)).ok())
        .collect();
    if !targets.iter().any(|t| matches!(t, Target::Issue)) {
        problems.push(format!(
            "{}: required, the issue to add to, and not given",
            w.issue_column
        ));
    }
    let given: Vec<&str> = targets
        .iter()
        .filter_map(|t| match t {
            Target::Field(_, s) => Some(s.field),
            _ => None,
        })
        .collect();
    problems.extend(missing_required(def, w.required, &given));
    if !problems.is_empty() {
        return Err(plan_error(format!(
            "INSERT INTO {} cannot run; nothing was written:\n  {}",
            def.name,
            problems.join("\n  ")
        )));
    }
    let mut rows = new_items(&targets, &batches)?;
    let defaults = connection_defaults(engine, w);
    rows.iter_mut()
        .for_each(|(_, _, params)| complete(params, &defaults));
    let mut report = new_report(engine, def);
    if report.dry_run {
        let requests = rows.iter().map(|(issue, body, params)| {
            let body = Value::Object(body.clone());
            let query = query_text(params);
            format!("POST /rest/api/3/issue/{issue}/{}{query} {body}", w.segment)
        });
        planned(&mut report, Outcome::Inserted, requests);
        return Ok(report);
    }
    let op = format!("{:016x}", rand::random::<u64>());
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(n, item)| Row {
            name: format!("row {}", n + 1),
            item: (n, item),
        })
        .collect();
    commit(
        engine,
        &mut report,
        rows,
        "rows",
        |(n, (issue, body, params))| {
            let op = &op;
            async move {
                let at = endpoint(w, &issue);
                let body = Value::Object(body);
                match engine
                    .client()
                    .add_item_once(at, &params, &body, (op, n))
                    .await
                {
                    Ok(_) => Ok(Outcome::Inserted),
                    Err(e) if e.outcome_unknown() => Ok(Outcome::Failed(format!(
                        "whether it was added is unknown: {e}"
                    ))),
                    Err(e) => refused(e),
                }
            }
        },
    )
    .await?;
    Ok(report)
}

/// Each source row's issue, body and query parameters. NULL leaves a field out; values a
/// column cannot take are reported together.
fn new_items(targets: &[Target], batches: &[RecordBatch]) -> Result<Vec<NewItem>> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for batch in batches {
        for r in 0..batch.num_rows() {
            let n = rows.len() + 1;
            let mut issue = None;
            let mut body = Map::new();
            let mut params = Params::new();
            for (i, target) in targets.iter().enumerate() {
                let value = ScalarValue::try_from_array(batch.column(i), r)?;
                if value.is_null() {
                    continue;
                }
                match target {
                    Target::Issue => issue = Some(value.to_string()),
                    Target::Setting(o) => params.push((o.param, value.to_string())),
                    Target::Field(c, write) => match field_value(write.shape, &value) {
                        Ok(v) => set_path(&mut body, write.field, v),
                        Err(why) => problems.push(format!("row {n}, {}: {why}", c.name)),
                    },
                }
            }
            match issue {
                Some(issue) => rows.push((issue, body, params)),
                None => {
                    problems.push(format!("row {n}: the issue is NULL"));
                    rows.push((String::new(), body, params));
                }
            }
        }
    }
    if problems.is_empty() {
        return Ok(rows);
    }
    Err(value_problems(problems))
}

/// One row's planned change.
struct Change {
    issue: String,
    id: String,
    read_updated: Option<i64>,
    body: Map<String, Value>,
    params: Params,
}

/// `UPDATE` on an item table.
pub(super) async fn run_update(
    engine: &Engine,
    def: &'static TableDef,
    w: &ItemWrites,
    update: &Update,
) -> Result<WriteReport> {
    let targets = update_targets(def, w, update)?;
    let id_column = key_column(def)?;
    let sql = select_target(
        def,
        &update.table.relation,
        update.selection.as_ref(),
        |column| {
            let mut select = vec![
                column(w.issue_column),
                column(id_column),
                column(w.updated_column),
            ];
            for (n, (a, target)) in update.assignments.iter().zip(&targets).enumerate() {
                select.push(new_value(n, &a.value));
                if let Target::Field(c, _) = target {
                    select.push(column(c.name));
                }
            }
            select
        },
    );
    let batches = engine.sql_batches(&sql).await?;
    let (mut changes, unchanged) = plan_changes(&targets, &batches)?;
    let defaults = connection_defaults(engine, w);
    changes
        .iter_mut()
        .for_each(|c| complete(&mut c.params, &defaults));
    let mut report = new_report(engine, def);
    report.unchanged = unchanged;
    if report.dry_run {
        let requests = changes.iter().map(|c| {
            let body = Value::Object(c.body.clone());
            let query = query_text(&c.params);
            format!(
                "GET /rest/api/3/issue/{}/{}/{} (is it as read?), then PUT it{query} {body}",
                c.issue, w.segment, c.id
            )
        });
        planned(&mut report, Outcome::Updated, requests);
        return Ok(report);
    }
    let rows = changes
        .into_iter()
        .map(|c| Row {
            name: format!("{} {} {}", c.issue, w.segment, c.id),
            item: c,
        })
        .collect();
    commit(engine, &mut report, rows, "rows", |c| async move {
        let at = endpoint(w, &c.issue);
        let now = match engine.client().get_item(at, &c.id).await {
            Ok(item) => item["updated"].as_str().and_then(parse_instant),
            Err(e) if e.status() == Some(404) => {
                return Ok(Outcome::Failed("it was deleted in Jira".into()));
            }
            Err(e) => return Err(e),
        };
        if let Err(why) = unchanged_since(c.read_updated, now) {
            return Ok(Outcome::Failed(why));
        }
        let body = Value::Object(c.body);
        match engine.client().edit_item(at, &c.id, &c.params, &body).await {
            Ok(_) => Ok(Outcome::Updated),
            Err(e) => refused(e),
        }
    })
    .await?;
    Ok(report)
}

/// What each assignment sets. The issue cannot be changed, and fields Jira replaces as a
/// whole (`visibility`) are set together.
fn update_targets(def: &'static TableDef, w: &ItemWrites, update: &Update) -> Result<Vec<Target>> {
    let mut problems = Vec::new();
    let mut targets = Vec::new();
    for a in &update.assignments {
        let name = assigned_column(a);
        match resolve(def, w, &name) {
            Ok(Target::Issue) => problems.push(format!("{name}: set when a row is added only")),
            Ok(t) => targets.push(t),
            Err(p) => problems.push(p),
        }
    }
    for t in &targets {
        let Target::Field(c, write) = t else { continue };
        let Some((parent, _)) = write.field.split_once('.') else {
            continue;
        };
        for sibling in def.columns.iter().filter(|s| {
            s.write
                .is_some_and(|s| s.field.split_once('.').is_some_and(|(p, _)| p == parent))
        }) {
            let set = targets
                .iter()
                .any(|t| matches!(t, Target::Field(x, _) if x.name == sibling.name));
            if !set {
                problems.push(format!(
                    "{}: Jira sets {parent} as a whole; set {} in the same statement",
                    c.name, sibling.name
                ));
            }
        }
    }
    if problems.is_empty() {
        return Ok(targets);
    }
    Err(plan_error(format!(
        "UPDATE {} cannot run; nothing was written:\n  {}",
        def.name,
        problems.join("\n  ")
    )))
}

/// Each row's change, and how many rows change nothing.
fn plan_changes(targets: &[Target], batches: &[RecordBatch]) -> Result<(Vec<Change>, u64)> {
    plan_rows(batches, |batch, row, problems| {
        let value = |i: usize| ScalarValue::try_from_array(batch.column(i), row);
        let mut change = Change {
            issue: value(0)?.to_string(),
            id: value(1)?.to_string(),
            read_updated: match value(2)? {
                ScalarValue::TimestampMillisecond(ms, _) => ms,
                _ => None,
            },
            body: Map::new(),
            params: Params::new(),
        };
        let mut next = 3;
        let mut fields = Vec::new();
        for target in targets {
            let new = value(next)?;
            next += 1;
            match target {
                Target::Setting(o) if !new.is_null() => {
                    change.params.push((o.param, new.to_string()));
                }
                Target::Field(c, write) => {
                    let old = value(next)?;
                    next += 1;
                    match (
                        field_value(write.shape, &new),
                        field_value(write.shape, &old),
                    ) {
                        (Ok(n), Ok(o)) => fields.push((write.field, n != o, n)),
                        (Ok(n), Err(_)) => fields.push((write.field, true, n)),
                        (Err(why), _) => problems
                            .push(format!("{} {}, {}: {why}", change.issue, change.id, c.name)),
                    }
                }
                _ => {}
            }
        }
        // A field that changes goes with the others under the same parent.
        let changed: Vec<&str> = fields
            .iter()
            .filter(|(_, changed, _)| *changed)
            .map(|(f, _, _)| f.split_once('.').map_or(*f, |(p, _)| p))
            .collect();
        for (field, _, v) in fields {
            if changed.contains(&field.split_once('.').map_or(field, |(p, _)| p)) {
                set_path(&mut change.body, field, v);
            }
        }
        Ok((!change.body.is_empty()).then_some(change))
    })
}

/// `DELETE FROM` an item table.
pub(super) async fn run_delete(
    engine: &Engine,
    def: &'static TableDef,
    w: &ItemWrites,
    delete: &Delete,
) -> Result<WriteReport> {
    let (selection, mut params) = take_settings(delete.selection.clone(), w)?;
    complete(&mut params, &connection_defaults(engine, w));
    // Settings (`AdjustEstimate = ...`) are not rows: a WHERE of settings alone names none.
    require_where(
        "DELETE",
        def.name,
        selection.as_ref(),
        engine.allow_all_rows(),
    )?;
    let relation = &from_tables(delete)
        .first()
        .ok_or_else(|| plan_error("DELETE names no table".into()))?
        .relation;
    let id_column = key_column(def)?;
    let sql = select_target(def, relation, selection.as_ref(), |column| {
        vec![column(w.issue_column), column(id_column)]
    });
    let mut rows = Vec::new();
    for batch in engine.sql_batches(&sql).await? {
        for r in 0..batch.num_rows() {
            let text =
                |i: usize| ScalarValue::try_from_array(batch.column(i), r).map(|v| v.to_string());
            let (issue, id) = (text(0)?, text(1)?);
            rows.push(Row {
                name: format!("{issue} {} {id}", w.segment),
                item: (issue, id),
            });
        }
    }
    let mut report = new_report(engine, def);
    if report.dry_run {
        let query = query_text(&params);
        let requests = rows.iter().map(
            |Row {
                 item: (issue, id), ..
             }| {
                format!("DELETE /rest/api/3/issue/{issue}/{}/{id}{query}", w.segment)
            },
        );
        planned(&mut report, Outcome::Deleted, requests);
        return Ok(report);
    }
    let params = &params;
    commit(
        engine,
        &mut report,
        rows,
        "rows",
        |(issue, id)| async move {
            match engine
                .client()
                .delete_item(endpoint(w, &issue), &id, params)
                .await
            {
                Ok(Deleted::Now) => Ok(Outcome::Deleted),
                Ok(Deleted::AlreadyGone) => Ok(Outcome::Unchanged),
                Err(e) => refused(e),
            }
        },
    )
    .await?;
    Ok(report)
}

/// Takes the settings (`AdjustEstimate = 'leave'`) out of the top-level AND chain of a
/// DELETE's WHERE: what is left, and the settings as query parameters.
fn take_settings(selection: Option<Expr>, w: &ItemWrites) -> Result<(Option<Expr>, Params)> {
    let mut params = Params::new();
    let mut kept = Vec::new();
    let mut pending: Vec<Expr> = selection.into_iter().collect();
    while let Some(e) = pending.pop() {
        match e {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                pending.push(*right);
                pending.push(*left);
            }
            Expr::Nested(inner)
                if matches!(
                    *inner,
                    Expr::BinaryOp {
                        op: BinaryOperator::And,
                        ..
                    }
                ) =>
            {
                pending.push(*inner);
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } => {
                let setting = match (&*left, &*right) {
                    (Expr::Identifier(name), Expr::Value(v)) => w
                        .options
                        .iter()
                        .find(|o| o.name.eq_ignore_ascii_case(&name.value))
                        .map(|o| (o, v)),
                    _ => None,
                };
                match setting {
                    Some((o, v)) => params.push((o.param, literal_text(&v.value)?)),
                    None => kept.push(Expr::BinaryOp {
                        left,
                        op: BinaryOperator::Eq,
                        right,
                    }),
                }
            }
            other => kept.push(other),
        }
    }
    let selection = kept.into_iter().reduce(|l, r| Expr::BinaryOp {
        left: Box::new(l),
        op: BinaryOperator::And,
        right: Box::new(r),
    });
    Ok((selection, params))
}

/// The settings the connection gives defaults for, in its `Other` property
/// (`Other='AdjustEstimate=leave'`).
fn connection_defaults(engine: &Engine, w: &ItemWrites) -> Params {
    let settings = engine.client().settings();
    w.options
        .iter()
        .filter_map(|o| Some((o.param, settings.other(o.name)?.to_string())))
        .collect()
}

/// Adds the `defaults` a statement did not give itself.
fn complete(params: &mut Params, defaults: &Params) {
    for (name, value) in defaults {
        if !params.iter().any(|(n, _)| n == name) {
            params.push((name, value.clone()));
        }
    }
}

/// The text of a setting's literal.
fn literal_text(v: &SqlValue) -> Result<String> {
    match v {
        SqlValue::SingleQuotedString(s) | SqlValue::DoubleQuotedString(s) => Ok(s.clone()),
        SqlValue::Number(n, _) => Ok(n.clone()),
        other => Err(plan_error(format!(
            "{other} cannot be a setting's value; give it as text, e.g. 'leave'"
        ))),
    }
}

/// The key column: the item's id.
fn endpoint<'a>(w: &'a ItemWrites, issue: &'a str) -> ItemEndpoint<'a> {
    ItemEndpoint {
        issue,
        segment: w.segment,
        list: w.list,
    }
}

/// `?a=b&c=d` for a dry run's listing (nothing when there are none).
fn query_text(params: &Params) -> String {
    if params.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::tables::{WORKLOGS, Writes};
    use datafusion::sql::sqlparser::ast::Statement;
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    #[test]
    fn settings_leave_the_where() {
        let Writes::Items(w) = WORKLOGS.writes else {
            panic!("Worklogs takes item writes");
        };
        let sql =
            "DELETE FROM Worklogs WHERE IssueKey = 'A-1' AND (adjustestimate = 'leave' AND Id > 3)";
        let Statement::Delete(d) = Parser::parse_sql(&GenericDialect {}, sql)
            .expect("sql")
            .remove(0)
        else {
            panic!("a delete");
        };
        let (rest, params) = take_settings(d.selection, &w).expect("settings");
        assert_eq!(params, [("adjustEstimate", "leave".to_string())]);
        assert_eq!(
            rest.map(|e| e.to_string()).as_deref(),
            Some("IssueKey = 'A-1' AND Id > 3")
        );
        let only = Parser::parse_sql(
            &GenericDialect {},
            "DELETE FROM Worklogs WHERE AdjustEstimate = 'auto'",
        )
        .expect("sql")
        .remove(0);
        let Statement::Delete(d) = only else {
            panic!("a delete")
        };
        assert!(
            take_settings(d.selection, &w)
                .expect("settings")
                .0
                .is_none(),
            "no rows named"
        );
    }
}
