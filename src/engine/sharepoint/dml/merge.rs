//! `MERGE INTO sharepoint.<list> USING ... ON ...`: the source joined with the list's items
//! by the ON key, each WHEN clause's rows turned into [`Change`]s.

use super::*;

pub(super) async fn plan_merge(engine: &Engine, table: &ListTable, merge: &Merge) -> Result<Write> {
    let list = table.list();
    let TableFactor::Table {
        name: target_name,
        alias: target_alias,
        ..
    } = &merge.table
    else {
        return Err(plan_error("MERGE INTO needs a list name"));
    };
    let t = target_alias
        .as_ref()
        .map(|a| a.name.clone())
        .or_else(|| target_name.0.last().and_then(|p| p.as_ident().cloned()))
        .ok_or_else(|| plan_error("MERGE INTO needs a list name"))?;
    let (source_sql, s) = match &merge.source {
        TableFactor::Derived {
            subquery, alias, ..
        } => (
            format!("({subquery})"),
            alias.as_ref().map(|a| a.name.clone()).ok_or_else(|| {
                plan_error("give the MERGE source an alias: USING (SELECT ...) AS s")
            })?,
        ),
        TableFactor::Table { name, alias, .. } => (
            name.to_string(),
            alias
                .as_ref()
                .map(|a| a.name.clone())
                .or_else(|| name.0.last().and_then(|p| p.as_ident().cloned()))
                .ok_or_else(|| plan_error("the MERGE source needs a name"))?,
        ),
        other => {
            return Err(plan_error(&format!(
                "MERGE cannot use {other} as its source"
            )));
        }
    };
    // The key: the list column the ON condition compares, when it is one equality.
    let key = on_target_column(&merge.on, &t).and_then(|c| list.column(&c).ok().flatten().cloned());
    let key = match engine.sharepoint_key_column() {
        Some(k) => Some(
            list.column(&k)
                .map_err(|e| plan_error(&e))?
                .cloned()
                .ok_or_else(|| {
                    plan_error(&format!(
                        "KeyColumn={k}: the list {} has no such column",
                        list.display_name
                    ))
                })?,
        ),
        None => key,
    };

    // Every clause's columns, mapped before anything runs.
    let mut outputs = vec![
        format!(
            "{}.{} AS {}",
            t,
            quoted(&table_id_name(table)),
            quoted(ITEM)
        ),
        format!(
            "{t}.{} AS {}",
            quoted(&table.schema_field_name(1)),
            quoted(ETAG_OUT)
        ),
        format!("{s}.{} AS {}", quoted(SOURCE), quoted(SOURCE)),
    ];
    let mut plans = Vec::new();
    let mut problems = Vec::new();
    for (i, clause) in merge.clauses.iter().enumerate() {
        let when = clause
            .predicate
            .as_ref()
            .map_or_else(|| "TRUE".to_string(), |p| format!("COALESCE(({p}), FALSE)"));
        outputs.push(format!(
            "{when} AS {}",
            quoted(&format!("__jiraql_when_{i}"))
        ));
        let action = match (&clause.clause_kind, &clause.action) {
            (MergeClauseKind::Matched, MergeAction::Update(update)) => {
                ClauseAction::Update(set_outputs(
                    table,
                    &t,
                    &update.assignments,
                    &format!("{i}_"),
                    &mut outputs,
                    &mut problems,
                ))
            }
            (
                MergeClauseKind::Matched | MergeClauseKind::NotMatchedBySource,
                MergeAction::Delete { .. },
            ) => ClauseAction::Delete,
            (MergeClauseKind::NotMatchedBySource, MergeAction::Update(_)) => {
                problems.push(
                    "WHEN NOT MATCHED BY SOURCE THEN UPDATE is not supported; use DELETE".into(),
                );
                ClauseAction::Delete
            }
            (
                MergeClauseKind::NotMatched | MergeClauseKind::NotMatchedByTarget,
                MergeAction::Insert(insert),
            ) => {
                let MergeInsertKind::Values(values) = &insert.kind else {
                    return Err(plan_error("MERGE ... INSERT needs VALUES (...)"));
                };
                let row = values
                    .rows
                    .first()
                    .map(|r| r.content.clone())
                    .unwrap_or_default();
                if row.len() != insert.columns.len() || values.rows.len() != 1 {
                    return Err(plan_error(
                        "MERGE ... INSERT (columns) VALUES (...) needs one value per column",
                    ));
                }
                let names: Vec<String> = insert.columns.iter().map(last_part).collect();
                let columns = match map_columns(list, &names) {
                    Ok(columns) => {
                        if let Err(e) = check_required(list, &columns) {
                            problems.push(e.to_string());
                        }
                        columns
                    }
                    Err(e) => {
                        problems.push(e.to_string());
                        Vec::new()
                    }
                };
                for (j, value) in row.iter().enumerate() {
                    outputs.push(format!(
                        "{value} AS {}",
                        quoted(&format!("__jiraql_ins_{i}_{j}"))
                    ));
                }
                ClauseAction::Insert(columns)
            }
            (kind, action) => {
                return Err(plan_error(&format!(
                    "WHEN {kind} THEN {} is not a valid MERGE clause",
                    action.to_string().split_whitespace().next().unwrap_or("")
                )));
            }
        };
        plans.push((clause.clause_kind, action));
    }
    if !problems.is_empty() {
        return Err(plan_error(&format!(
            "nothing was written to the list {}: {}",
            list.display_name,
            problems.join("; ")
        )));
    }
    let by_source = plans
        .iter()
        .any(|(k, _)| matches!(k, MergeClauseKind::NotMatchedBySource));
    let join = if by_source {
        "FULL OUTER JOIN"
    } else {
        "LEFT JOIN"
    };
    let sql = format!(
        "SELECT {} FROM (SELECT *, TRUE AS {} FROM {source_sql} AS __jiraql_inner) AS {s} {join} {} AS {t} ON {}",
        outputs.join(", "),
        quoted(SOURCE),
        target_name,
        merge.on
    );
    let batches = engine.sql_batches(&sql).await?;
    let rows = MergeRows {
        batches,
        next: 0,
        plans,
        key: key.clone(),
        seen_items: HashMap::new(),
        source_row: 0,
    };
    rows.check()?;
    Ok(Write::batches(Box::new(rows), key))
}

/// The MERGE's result rows (source joined with items), turned into changes a batch at a time.
#[derive(Clone)]
struct MergeRows {
    batches: Vec<RecordBatch>,
    /// The batch to turn into changes next.
    next: usize,
    plans: Vec<(MergeClauseKind, ClauseAction)>,
    key: Option<Column>,
    /// How many source rows have matched each item so far.
    seen_items: HashMap<i64, usize>,
    /// Source rows so far, for labels.
    source_row: usize,
}

impl MergeRows {
    /// Makes every batch's changes once, dropping them: values a column cannot hold are
    /// reported together before anything is sent.
    fn check(&self) -> Result<()> {
        let mut probe = self.clone();
        let mut scratch = WriteReport::default();
        let mut conversion = Vec::new();
        while let Some(batch) = probe.batches.get(probe.next).cloned() {
            probe.next += 1;
            probe.changes_of(&batch, &mut scratch, &mut conversion)?;
        }
        if conversion.is_empty() {
            Ok(())
        } else {
            Err(value_problems_text(&conversion))
        }
    }

    /// How messages name a row: its key value, or `fallback`.
    fn key_label(&self, row_values: &[(Column, Value)], fallback: String) -> String {
        self.key
            .as_ref()
            .and_then(|k| row_values.iter().find(|(c, _)| c.name == k.name))
            .filter(|(_, v)| !v.is_null())
            .map_or(fallback, |(_, v)| values::shown(v))
    }

    /// The changes of one batch; rows needing none are counted in `report`.
    fn changes_of(
        &mut self,
        batch: &RecordBatch,
        report: &mut WriteReport,
        conversion: &mut Vec<String>,
    ) -> Result<Vec<Change>> {
        let mut changes = Vec::new();
        let item_ids = column_of(batch, ITEM)?;
        let item_ids = item_ids
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| plan_error("internal: item ids are not integers"))?;
        let from_source = column_of(batch, SOURCE)?;
        for row in 0..batch.num_rows() {
            let item = (!item_ids.is_null(row)).then(|| item_ids.value(row));
            let has_source = !from_source.is_null(row);
            if has_source {
                self.source_row += 1;
            }
            let kind_fits = |kind: &MergeClauseKind| match kind {
                MergeClauseKind::Matched => has_source && item.is_some(),
                MergeClauseKind::NotMatched | MergeClauseKind::NotMatchedByTarget => {
                    has_source && item.is_none()
                }
                MergeClauseKind::NotMatchedBySource => !has_source && item.is_some(),
            };
            let mut chosen = None;
            for (i, (kind, action)) in self.plans.iter().enumerate() {
                if !kind_fits(kind) {
                    continue;
                }
                let when = column_of(batch, &format!("__jiraql_when_{i}"))?;
                let when = when
                    .as_boolean_opt()
                    .ok_or_else(|| plan_error("a WHEN condition is not a boolean"))?;
                if !when.is_null(row) && when.value(row) {
                    chosen = Some((i, action));
                    break;
                }
            }
            let Some((i, action)) = chosen else {
                if item.is_some() && has_source {
                    report.unchanged += 1;
                }
                continue;
            };
            if let Some(id) = item
                && has_source
            {
                let count = self.seen_items.entry(id).or_default();
                *count += 1;
                if *count == 2 {
                    report.failed.push(sync::RowFailure {
                        row: format!("item {id}"),
                        reason:
                            "more than one source row matched this item; only the first was applied"
                                .into(),
                    });
                }
                if *count > 1 {
                    continue;
                }
            }
            let fallback = match item {
                Some(id) => format!("item {id}"),
                None => format!("source row {}", self.source_row),
            };
            match action {
                ClauseAction::Delete => {
                    let id = item.unwrap_or_default();
                    changes.push(Change::Delete {
                        label: fallback,
                        item: id.to_string(),
                        etag: etag_of(batch, row),
                    });
                }
                ClauseAction::Update(columns) => {
                    let (fields, all) =
                        set_values(batch, row, columns, &format!("{i}_"), &fallback, conversion)?;
                    let label = self.key_label(&all, fallback);
                    if fields.is_empty() {
                        report.unchanged += 1;
                    } else {
                        changes.push(Change::Update {
                            label,
                            item: item.unwrap_or_default().to_string(),
                            etag: etag_of(batch, row),
                            fields,
                        });
                    }
                }
                ClauseAction::Insert(columns) => {
                    let mut fields = Vec::new();
                    for (j, column) in columns.iter().enumerate() {
                        let value = column_of(batch, &format!("__jiraql_ins_{i}_{j}"))?;
                        match values::to_field(column, value.as_ref(), row) {
                            Ok(v) => fields.push((column.clone(), v)),
                            Err(reason) => conversion.push(cell_problem(
                                &fallback,
                                column,
                                value.as_ref(),
                                row,
                                &reason,
                            )),
                        }
                    }
                    let key_value = self
                        .key
                        .as_ref()
                        .and_then(|k| fields.iter().find(|(c, _)| c.name == k.name))
                        .map(|(_, v)| v.clone());
                    changes.push(Change::Create {
                        label: self.key_label(&fields, fallback),
                        key: key_value,
                        fields,
                    });
                }
            }
        }
        Ok(changes)
    }
}

impl ChangeBatches for MergeRows {
    fn next_changes(&mut self, report: &mut WriteReport) -> Result<Option<Vec<Change>>> {
        let Some(batch) = self.batches.get(self.next).cloned() else {
            return Ok(None);
        };
        self.next += 1;
        let mut conversion = Vec::new();
        let changes = self.changes_of(&batch, report, &mut conversion)?;
        if !conversion.is_empty() {
            return Err(value_problems_text(&conversion));
        }
        Ok(Some(changes))
    }
}

/// What a MERGE clause does, with its target columns resolved.
#[derive(Clone)]
pub(super) enum ClauseAction {
    Update(Vec<Column>),
    Insert(Vec<Column>),
    Delete,
}

/// `t.K = <expr>` or `<expr> = t.K` → `K`.
pub(super) fn on_target_column(on: &SqlExpr, target: &Ident) -> Option<String> {
    use datafusion::sql::sqlparser::ast::BinaryOperator;
    let SqlExpr::BinaryOp {
        left,
        op: BinaryOperator::Eq,
        right,
    } = on
    else {
        return None;
    };
    let of_target = |e: &SqlExpr| match e {
        SqlExpr::CompoundIdentifier(parts)
            if parts.len() == 2 && parts[0].value.eq_ignore_ascii_case(&target.value) =>
        {
            Some(parts[1].value.clone())
        }
        _ => None,
    };
    of_target(left).or_else(|| of_target(right))
}
