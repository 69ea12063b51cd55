//! `CREATE TABLE`, `ALTER TABLE ... ADD COLUMN` and `DROP TABLE` on `sharepoint.<list>`: lists
//! made, extended and removed from SQL, so nobody has to build a list by hand before the first
//! `INSERT`.
//!
//! * `CREATE TABLE sharepoint.L AS SELECT ...` runs the query first, then makes the list with
//!   one column per selected column, typed from the Arrow type (and, for text, from the values:
//!   multi-line text when one is longer than 255 characters or has a line break), then adds the
//!   rows as `INSERT` does. Every value is checked against the new columns before the list is
//!   made, so a query whose rows cannot be written makes no list.
//! * SharePoint's `Title` stays the list's required column; unless the query names a `Title`,
//!   it is filled from the first single-line text column (or the first column).
//! * The key column — the connection's `KeyColumn` if the query has it, else one named `Key`,
//!   else the first column — is indexed, so `$filter` on it works on a big list and a create
//!   whose answer was lost can be looked up before it is sent again.
//! * A source column named like one a list table shows of its own (`Id`, `ETag`, `Created`,
//!   `Modified`) is renamed `Source<name>` (`SourceId`), and the statement says so; a declared
//!   column so named is an error. Other names SharePoint uses inside (`Author`) are free: the
//!   new column gets another internal name (`Author1`) and keeps its name in SQL.
//! * `DROP TABLE` deletes the list with its items: refused unless the session allows it
//!   (`--allow-drop`, or a yes at the REPL's question).
//! * With `--dry-run` nothing is made or removed; the report lists the Graph requests.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::Result;
use datafusion::sql::sqlparser::ast::{
    AlterTable, AlterTableOperation, CharacterLength, ColumnDef, ColumnOption, CreateTable,
    DataType as SqlType, ObjectName, ObjectType, Statement,
};

use super::{SharePointSchema, list_name, map_rows, plan_error};
use crate::engine::Engine;
use crate::engine::sharepoint::table::external;
use crate::sharepoint::definition::{Facet, NewColumn, NewList, check_name, is_reserved};
use crate::sharepoint::list::{Column, ColumnKind, ListInfo, match_key};
use crate::sharepoint::sync::WriteReport;

/// The list a CREATE, ALTER or DROP names, if it is a SharePoint list.
pub(super) fn target(statement: &Statement) -> Option<String> {
    match statement {
        Statement::CreateTable(CreateTable { name, .. })
        | Statement::AlterTable(AlterTable { name, .. }) => list_name(name),
        Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        } => names.iter().find_map(list_name),
        _ => None,
    }
}

/// Runs one CREATE, ALTER or DROP on the site's lists.
pub(super) async fn run(
    engine: &Engine,
    schema: &SharePointSchema,
    statement: &Statement,
    report: &mut WriteReport,
) -> Result<()> {
    match statement {
        Statement::CreateTable(create) => self::create(engine, schema, create, report).await,
        Statement::AlterTable(alter) => self::alter(engine, schema, alter, report).await,
        Statement::Drop {
            if_exists, names, ..
        } => drop_lists(engine, schema, names, *if_exists, report).await,
        _ => Err(plan_error("not a statement on SharePoint lists")),
    }
}

async fn create(
    engine: &Engine,
    schema: &SharePointSchema,
    create: &CreateTable,
    report: &mut WriteReport,
) -> Result<()> {
    let name = report.list.clone();
    check_name("list", &name).map_err(|e| plan_error(&e))?;
    if create.or_replace {
        return Err(plan_error(
            "CREATE OR REPLACE would delete a list with its items: DROP TABLE it first \
             (with --allow-drop), or fill it with INSERT OVERWRITE",
        ));
    }
    if let Some(existing) = schema.list_table(&name).await? {
        let shown = &existing.list().display_name;
        if create.if_not_exists {
            report.list = shown.clone();
            report
                .notes
                .push(format!("the list {shown} exists; it was left as it is"));
            return Ok(());
        }
        return Err(plan_error(&format!(
            "the SharePoint site already has a list named {shown}; INSERT INTO sharepoint.\"{shown}\" \
             adds rows to it, CREATE TABLE IF NOT EXISTS leaves it as it is"
        )));
    }
    let (source, batches) = match (&create.query, create.columns.as_slice()) {
        (Some(query), []) => engine.sql_schema_and_batches(&query.to_string()).await?,
        (None, columns) if !columns.is_empty() => {
            (declared_schema(engine, columns).await?, Vec::new())
        }
        (Some(_), _) => {
            return Err(plan_error(
                "CREATE TABLE sharepoint.<list> (columns) AS SELECT: name the columns in the \
                 SELECT with AS instead",
            ));
        }
        (None, _) => {
            return Err(plan_error(
                "CREATE TABLE sharepoint.<list> needs columns, (Name TYPE, ...), or AS SELECT",
            ));
        }
    };
    let declared = create.query.is_none();
    let plan = plan_list(engine, &name, &source, &batches, &create.columns, report)?;
    let rows = plan.rows(&batches)?;
    let draft = plan.draft();
    let key_of = |list: &ListInfo| {
        let key = plan
            .key
            .as_ref()
            .and_then(|k| list.column(k).ok().flatten());
        key.cloned()
    };
    // Every value is checked against the new columns before anything is made.
    if !declared {
        map_rows(&draft, &plan.names, rows.clone(), |_| Ok(key_of(&draft)))?;
    }
    let directory = schema.directory();
    let list = if report.dry_run {
        report.planned.push(format!(
            "POST {} {}",
            directory.lists_path().await.map_err(external)?,
            plan.list.body()
        ));
        Arc::new(draft)
    } else {
        directory.create_list(&plan.list).await.map_err(external)?;
        schema.require(&name).await?.list().clone()
    };
    report.notes.push(format!(
        "{} the list {}: {}{}",
        if report.dry_run { "would make" } else { "made" },
        list.display_name,
        plan.list
            .columns
            .iter()
            .map(NewColumn::shown)
            .collect::<Vec<_>>()
            .join(", "),
        if declared {
            "; Title is required: give it a value in each INSERT"
        } else {
            ""
        }
    ));
    if declared {
        return Ok(());
    }
    map_rows(&list, &plan.names, rows, |_| Ok(key_of(&list)))?
        .appends()
        .send(directory, &list, report)
        .await
}

/// The list to make for `source`, and how its rows fill it.
struct ListPlan {
    list: NewList,
    /// The SQL name of each written column, in the order of [`ListPlan::rows`].
    names: Vec<String>,
    /// The source column each written column takes its values from.
    from: Vec<usize>,
    /// The key column's display name.
    key: Option<String>,
}

impl ListPlan {
    /// The source rows laid out as [`ListPlan::names`] says.
    fn rows(&self, batches: &[RecordBatch]) -> Result<Vec<RecordBatch>> {
        batches
            .iter()
            .map(|batch| {
                let columns: Vec<ArrayRef> =
                    self.from.iter().map(|&i| batch.column(i).clone()).collect();
                let fields: Vec<Field> = columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| Field::new(format!("c{i}"), c.data_type().clone(), true))
                    .collect();
                Ok(RecordBatch::try_new(
                    Arc::new(Schema::new(fields)),
                    columns,
                )?)
            })
            .collect()
    }

    /// The list as it will be once made (for checking values, and for a dry run).
    fn draft(&self) -> ListInfo {
        let title = Column {
            required: true,
            ..Column::new(
                "Title",
                "Title",
                ColumnKind::Text {
                    max_length: Some(255),
                },
            )
        };
        let columns = std::iter::once(title)
            .chain(self.list.columns.iter().map(|c| Column {
                required: c.required,
                indexed: c.indexed,
                ..Column::new(&c.internal_name, &c.display_name, kind_of(&c.facet))
            }))
            .collect();
        ListInfo {
            id: String::new(),
            name: self.list.display_name.clone(),
            display_name: self.list.display_name.clone(),
            description: String::new(),
            web_url: String::new(),
            columns,
        }
    }
}

/// One column to make, as SQL asks for it.
struct Wanted {
    name: String,
    facet: Facet,
    required: bool,
}

impl Wanted {
    /// The column, with an internal name none of `taken` has.
    fn column(self, taken: &[String]) -> NewColumn {
        NewColumn {
            required: self.required,
            ..NewColumn::new(&self.name, self.facet, taken)
        }
    }
}

/// A declared column (`Owner VARCHAR(100) NOT NULL`), given the Arrow type DataFusion gives
/// its SQL type; what is wrong with it as text.
fn declared_column(declaration: &ColumnDef, arrow: &DataType) -> Result<Wanted, String> {
    let name = declaration.name.value.clone();
    if is_reserved(&name) {
        return Err(reserved(&name));
    }
    check_name("column", &name)?;
    let facet =
        declared_facet(&declaration.data_type, arrow).map_err(|why| format!("`{name}` {why}"))?;
    let required = declaration
        .options
        .iter()
        .any(|o| matches!(o.option, ColumnOption::NotNull));
    Ok(Wanted {
        name,
        facet,
        required,
    })
}

/// A selected column, typed from its Arrow type and `values`; one named like a column a list
/// table shows of its own is renamed, and `notes` says so.
fn selected_column(
    field: &Field,
    values: &[&ArrayRef],
    notes: &mut Vec<String>,
) -> Result<Wanted, String> {
    let mut name = field.name().clone();
    if is_reserved(&name) {
        let renamed = format!("Source{name}");
        notes.push(format!(
            "the column {name} is named {renamed} in the list: the list's own {name} keeps that name in SQL"
        ));
        name = renamed;
    }
    check_name("column", &name)?;
    let facet = facet_of(field.data_type(), values).map_err(|why| format!("`{name}` {why}"))?;
    Ok(Wanted {
        name,
        facet,
        required: false,
    })
}

fn reserved(name: &str) -> String {
    format!(
        "`{name}` is the name of a column every list has in SQL (ID, ETag, Created, Modified); choose another"
    )
}

fn kind_of(facet: &Facet) -> ColumnKind {
    match facet {
        Facet::Text {
            multiline,
            max_length,
        } => ColumnKind::Text {
            max_length: (!multiline).then_some(*max_length as usize),
        },
        Facet::Number { .. } => ColumnKind::Number,
        Facet::DateTime { date_only } => ColumnKind::DateTime {
            date_only: *date_only,
        },
        Facet::Boolean => ColumnKind::Boolean,
    }
}

/// Decides the columns of the list `name` for `source` (its `batches`, or the `declared`
/// columns); every naming and typing problem is reported at once.
fn plan_list(
    engine: &Engine,
    name: &str,
    source: &SchemaRef,
    batches: &[RecordBatch],
    declared: &[ColumnDef],
    report: &mut WriteReport,
) -> Result<ListPlan> {
    let mut problems = Vec::new();
    let mut columns: Vec<NewColumn> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut from = Vec::new();
    let mut title = None;
    for (i, field) in source.fields().iter().enumerate() {
        if field.name().eq_ignore_ascii_case("Title") {
            title = Some(i);
            continue;
        }
        let wanted = match declared.get(i) {
            Some(d) => declared_column(d, field.data_type()),
            None => {
                let arrays: Vec<&ArrayRef> = batches.iter().map(|b| b.column(i)).collect();
                selected_column(field, &arrays, &mut report.notes)
            }
        };
        let wanted = match wanted {
            Ok(w) if names.iter().any(|n| match_key(n) == match_key(&w.name)) => {
                problems.push(format!("two columns are named `{}`", w.name));
                continue;
            }
            Ok(w) => w,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let taken: Vec<String> = columns.iter().map(|c| c.internal_name.clone()).collect();
        names.push(wanted.name.clone());
        columns.push(wanted.column(&taken));
        from.push(i);
    }
    if !problems.is_empty() {
        return Err(plan_error(&format!(
            "the list {name} was not made: {}",
            problems.join("; ")
        )));
    }
    // Title: the query's own, else a copy of the first single-line text column (or the first
    // column) when there are rows to fill it.
    let title = title.or_else(|| {
        let text = columns.iter().position(|c| {
            matches!(
                c.facet,
                Facet::Text {
                    multiline: false,
                    ..
                }
            )
        });
        text.map(|c| from[c]).or(from.first().copied())
    });
    if let Some(t) = title.filter(|_| declared.is_empty()) {
        names.push("Title".into());
        from.push(t);
    }
    let key = key_column(engine, &columns);
    if let Some(k) = key {
        columns[k].indexed = true;
    }
    Ok(ListPlan {
        key: key.map(|k| columns[k].display_name.clone()),
        list: NewList {
            display_name: name.to_string(),
            columns,
        },
        names,
        from,
    })
}

/// The column to index: `KeyColumn`, else one named `Key`, else the first (multi-line text
/// cannot be indexed).
fn key_column(engine: &Engine, columns: &[NewColumn]) -> Option<usize> {
    let named = |n: &str| {
        columns
            .iter()
            .position(|c| match_key(&c.display_name) == match_key(n))
    };
    let at = engine
        .sharepoint_key_column()
        .and_then(|k| named(&k))
        .or_else(|| named("Key"))
        .or((!columns.is_empty()).then_some(0))?;
    match columns[at].facet {
        Facet::Text {
            multiline: true, ..
        } => None,
        _ => Some(at),
    }
}

/// The column type for an Arrow type; text looks at the values.
fn facet_of(data_type: &DataType, arrays: &[&ArrayRef]) -> Result<Facet, String> {
    Ok(match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(..) => {
            let long = arrays.iter().try_fold(false, |long, array| {
                let text = cast(array, &DataType::Utf8).map_err(|e| e.to_string())?;
                Ok::<_, String>(
                    long || text
                        .as_string::<i32>()
                        .iter()
                        .flatten()
                        .any(|v| v.contains('\n') || v.chars().count() > 255),
                )
            })?;
            Facet::Text {
                multiline: long,
                max_length: 255,
            }
        }
        DataType::Null => Facet::LINE,
        t if t.is_integer() => Facet::Number { decimals: Some(0) },
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            Facet::Number { decimals: None }
        }
        DataType::Decimal128(_, scale) | DataType::Decimal256(_, scale) => Facet::Number {
            decimals: u8::try_from(*scale).ok().filter(|s| *s <= 5),
        },
        DataType::Date32 | DataType::Date64 => Facet::DateTime { date_only: true },
        DataType::Timestamp(..) => Facet::DateTime { date_only: false },
        DataType::Boolean => Facet::Boolean,
        other => {
            return Err(format!(
                "is {other}, which no SharePoint column type holds; turn it into text \
                 (array_to_string(x, ', ') for a list, CAST(x AS VARCHAR) otherwise) and name \
                 it with AS"
            ));
        }
    })
}

/// The column type for a declared SQL type: `TEXT` and lengths over 255 are multi-line text,
/// `VARCHAR(n)` single-line text of n characters; the rest as its Arrow type.
fn declared_facet(declared: &SqlType, arrow: &DataType) -> Result<Facet, String> {
    let length = match declared {
        SqlType::Text | SqlType::MediumText | SqlType::LongText => Some(u64::MAX),
        SqlType::Varchar(l)
        | SqlType::Nvarchar(l)
        | SqlType::Char(l)
        | SqlType::Character(l)
        | SqlType::CharVarying(l)
        | SqlType::CharacterVarying(l) => match l {
            Some(CharacterLength::IntegerLength { length, .. }) => Some(*length),
            Some(CharacterLength::Max) => Some(u64::MAX),
            None => None,
        },
        _ => None,
    };
    match length {
        Some(0) => Err("has length 0".into()),
        Some(n) => Ok(Facet::Text {
            multiline: n > 255,
            max_length: n.min(255) as u32,
        }),
        None => facet_of(arrow, &[]),
    }
}

/// The Arrow types DataFusion gives the declared columns.
async fn declared_schema(engine: &Engine, columns: &[ColumnDef]) -> Result<SchemaRef> {
    let casts = columns
        .iter()
        .map(|c| {
            format!(
                "CAST(NULL AS {}) AS {}",
                c.data_type,
                crate::engine::writes::quoted(&c.name.value)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    Ok(engine
        .sql_schema_and_batches(&format!("SELECT {casts} WHERE false"))
        .await?
        .0)
}

async fn alter(
    engine: &Engine,
    schema: &SharePointSchema,
    alter: &AlterTable,
    report: &mut WriteReport,
) -> Result<()> {
    let name = report.list.clone();
    let table = match schema.list_table(&name).await? {
        Some(table) => table,
        None if alter.if_exists => {
            report
                .notes
                .push(format!("there is no list {name}; nothing was changed"));
            return Ok(());
        }
        None => schema.require(&name).await?,
    };
    let mut list = table.list().clone();
    report.list = list.display_name.clone();
    for operation in &alter.operations {
        let AlterTableOperation::AddColumn {
            if_not_exists,
            column_def,
            ..
        } = operation
        else {
            return Err(plan_error(&format!(
                "a SharePoint list can only gain columns here (ALTER TABLE sharepoint.<list> ADD \
                 COLUMN name TYPE), not `{operation}`; change the list's columns in SharePoint"
            )));
        };
        let types = declared_schema(engine, std::slice::from_ref(column_def)).await?;
        let wanted =
            declared_column(column_def, types.field(0).data_type()).map_err(|p| plan_error(&p))?;
        if let Ok(Some(existing)) = list.column(&wanted.name) {
            if *if_not_exists {
                report.notes.push(format!(
                    "the list {} has a column {} already; it was left as it is",
                    list.display_name, existing.display_name
                ));
                continue;
            }
            return Err(plan_error(&format!(
                "the list {} has a column {} already",
                list.display_name, existing.display_name
            )));
        }
        let taken: Vec<String> = list.columns.iter().map(|c| c.name.clone()).collect();
        let new = wanted.column(&taken);
        let directory = schema.directory();
        if report.dry_run {
            report.planned.push(format!(
                "POST {}/columns {}",
                directory.list_path(&list).await.map_err(external)?,
                new.definition()
            ));
        } else {
            list = directory.add_column(&list, &new).await.map_err(external)?;
        }
        report.notes.push(format!(
            "{} the column {} to the list {}",
            if report.dry_run { "would add" } else { "added" },
            new.shown(),
            list.display_name
        ));
    }
    Ok(())
}

async fn drop_lists(
    engine: &Engine,
    schema: &SharePointSchema,
    names: &[ObjectName],
    if_exists: bool,
    report: &mut WriteReport,
) -> Result<()> {
    let lists: Vec<String> = names.iter().filter_map(list_name).collect();
    if lists.len() != names.len() {
        return Err(plan_error(
            "DROP TABLE names SharePoint lists and other tables together; drop them one by one",
        ));
    }
    if !engine.allow_drop() && !report.dry_run {
        return Err(plan_error(&format!(
            "DROP TABLE would delete the list {} with every item in it; nothing was deleted. \
             Pass --allow-drop if that is meant (the REPL asks instead)",
            lists.join(", ")
        )));
    }
    let directory = schema.directory();
    for name in lists {
        let Some(table) = schema.list_table(&name).await? else {
            if if_exists {
                report
                    .notes
                    .push(format!("there is no list {name}; nothing was deleted"));
                continue;
            }
            schema.require(&name).await?;
            continue;
        };
        let list = table.list();
        if report.dry_run {
            report.planned.push(format!(
                "DELETE {}",
                directory.list_path(list).await.map_err(external)?
            ));
        } else {
            directory.delete_list(list).await.map_err(external)?;
            schema.forget_list(&list.display_name);
        }
        report.notes.push(format!(
            "{} the list {} and its items",
            if report.dry_run {
                "would delete"
            } else {
                "deleted"
            },
            list.display_name
        ));
    }
    Ok(())
}
