//! Which SQL conditions become JQL, and whether JQL then means exactly what SQL means.
//!
//! DataFusion drops a filter it was told is `Exact`, so `exact` is only claimed where Jira's
//! comparison equals SQL's: case, NULLs, precision and multi-valued fields all matter. The rest
//! goes to Jira as a prefilter (`Inexact`: DataFusion checks again) or stays in DataFusion.
//! Decisions are per filter and pure, as DataFusion asks many times with different subsets.

use chrono::DateTime;
use datafusion::logical_expr::expr::{InList, Like};
use datafusion::logical_expr::{BinaryExpr, Expr, Operator};
use datafusion::scalar::ScalarValue;

use crate::jira::jql::{Clause, Literal, Op};
use crate::jira::tables::{ColumnDef, ColumnType, FilterKind, FilterSpec, TableDef};

/// A filter translated to JQL.
#[derive(Debug, Clone, PartialEq)]
pub struct Pushed {
    pub clause: Clause,
    /// Whether the JQL selects exactly the rows the SQL condition does.
    pub exact: bool,
}

/// A literal a condition compares with, normalised.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    Float(f64),
    /// Epoch milliseconds (UTC).
    Instant(i64),
    /// Days since 1970-01-01.
    Day(i32),
}

const MINUTE_MS: i64 = 60_000;

/// Text-search words Jira ignores; pushing them would match nothing extra but costs nothing to skip.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// Translates one filter on an issue-search table, if JQL can take it.
pub fn classify(table: &TableDef, expr: &Expr) -> Option<Pushed> {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op, right })
            if matches!(op, Operator::Or | Operator::And) =>
        {
            let l = classify(table, left)?;
            let r = classify(table, right)?;
            let exact = l.exact && r.exact;
            let clause = if *op == Operator::Or {
                Clause::Any(flatten_any(vec![l.clause, r.clause]))
            } else {
                Clause::All(vec![l.clause, r.clause])
            };
            Some(Pushed { clause, exact })
        }
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let (col, op, value) = match (column(left, table), literal(right)) {
                (Some(c), Some(v)) => (c, *op, v),
                _ => (column(right, table)?, op.swap()?, literal(left)?),
            };
            compare(col, op, value)
        }
        Expr::InList(InList {
            expr,
            list,
            negated,
        }) => {
            let col = column(expr, table)?;
            let values = list.iter().map(literal).collect::<Option<Vec<_>>>()?;
            in_list(col, values, *negated)
        }
        Expr::IsNull(e) | Expr::IsNotNull(e) => {
            let col = column(e, table)?;
            let spec = col.filter?;
            spec.empty.then_some(Pushed {
                clause: Clause::Empty {
                    field: spec.jql,
                    negated: matches!(expr, Expr::IsNotNull(_)),
                },
                exact: true,
            })
        }
        Expr::Like(Like {
            negated: false,
            expr,
            pattern,
            escape_char: None,
            ..
        }) => {
            let col = column(expr, table)?;
            let spec = col.filter?;
            let Some(Value::Text(p)) = literal(pattern) else {
                return None;
            };
            (spec.kind == FilterKind::Words)
                .then(|| words_clause(spec, &like_words(&p)))
                .flatten()
        }
        _ => None,
    }
}

/// `column = v` / `IN (...)` / an OR of those on one column: the column and its values.
pub fn equalities<'t>(table: &'t TableDef, expr: &Expr) -> Option<(&'t ColumnDef, Vec<Value>)> {
    match expr {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Eq,
            right,
        }) => match (column(left, table), literal(right)) {
            (Some(c), Some(v)) => Some((c, vec![v])),
            _ => Some((column(right, table)?, vec![literal(left)?])),
        },
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Or,
            right,
        }) => {
            let (lc, mut lv) = equalities(table, left)?;
            let (rc, rv) = equalities(table, right)?;
            (lc.name == rc.name).then(|| {
                lv.extend(rv);
                (lc, lv)
            })
        }
        Expr::InList(InList {
            expr,
            list,
            negated: false,
        }) => Some((
            column(expr, table)?,
            list.iter().map(literal).collect::<Option<Vec<_>>>()?,
        )),
        _ => None,
    }
}

/// Lower and upper bounds (epoch ms, inclusive) a filter puts on an instant column, widened to
/// whole minutes never narrower than SQL's.
pub fn instant_bounds(
    table: &TableDef,
    column_name: &str,
    expr: &Expr,
) -> Option<(Option<i64>, Option<i64>)> {
    let Expr::BinaryExpr(BinaryExpr { left, op, right }) = expr else {
        return None;
    };
    let (col, op, value) = match (column(left, table), literal(right)) {
        (Some(c), Some(v)) => (c, *op, v),
        _ => (column(right, table)?, op.swap()?, literal(left)?),
    };
    let Value::Instant(ms) = value else {
        return None;
    };
    if col.name != column_name {
        return None;
    }
    match op {
        Operator::Gt | Operator::GtEq => Some((Some(ms), None)),
        Operator::Lt | Operator::LtEq => Some((None, Some(ms))),
        Operator::Eq => Some((Some(ms), Some(ms))),
        _ => None,
    }
}

fn flatten_any(parts: Vec<Clause>) -> Vec<Clause> {
    parts
        .into_iter()
        .flat_map(|c| match c {
            Clause::Any(inner) => inner,
            other => vec![other],
        })
        .collect()
}

fn column<'t>(expr: &Expr, table: &'t TableDef) -> Option<&'t ColumnDef> {
    match expr {
        Expr::Column(c) => table.column(&c.name),
        _ => None,
    }
}

/// The value of a literal expression, normalised; `None` for NULL and anything else.
pub fn literal(expr: &Expr) -> Option<Value> {
    let Expr::Literal(v, _) = expr else {
        return None;
    };
    Some(match v {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => Value::Text(s.clone()),
        ScalarValue::Int8(Some(n)) => Value::Int((*n).into()),
        ScalarValue::Int16(Some(n)) => Value::Int((*n).into()),
        ScalarValue::Int32(Some(n)) => Value::Int((*n).into()),
        ScalarValue::Int64(Some(n)) => Value::Int(*n),
        ScalarValue::UInt8(Some(n)) => Value::Int((*n).into()),
        ScalarValue::UInt16(Some(n)) => Value::Int((*n).into()),
        ScalarValue::UInt32(Some(n)) => Value::Int((*n).into()),
        ScalarValue::UInt64(Some(n)) => Value::Int(i64::try_from(*n).ok()?),
        ScalarValue::Float32(Some(f)) => Value::Float(f64::from(*f)),
        ScalarValue::Float64(Some(f)) if f.is_finite() => Value::Float(*f),
        ScalarValue::TimestampSecond(Some(t), _) => Value::Instant(t.checked_mul(1000)?),
        ScalarValue::TimestampMillisecond(Some(t), _) => Value::Instant(*t),
        ScalarValue::TimestampMicrosecond(Some(t), _) => Value::Instant(t.div_euclid(1000)),
        ScalarValue::TimestampNanosecond(Some(t), _) => Value::Instant(t.div_euclid(1_000_000)),
        ScalarValue::Date32(Some(d)) => Value::Day(*d),
        ScalarValue::Date64(Some(ms)) => Value::Day(i32::try_from(ms.div_euclid(86_400_000)).ok()?),
        _ => return None,
    })
}

fn is_upper(s: &str) -> bool {
    !s.is_empty() && s.to_uppercase() == s
}

/// The JQL literal for a value compared with `col`, if the types agree.
fn jql_literal(col: &ColumnDef, v: &Value) -> Option<Literal> {
    match (col.data_type, v) {
        (ColumnType::Text, Value::Text(s)) => Some(Literal::Text(s.clone())),
        (ColumnType::Int, Value::Int(n)) => Some(Literal::Number(*n)),
        (ColumnType::Float, Value::Int(n)) => Some(Literal::Number(*n)),
        (ColumnType::Float, Value::Float(f)) => Some(Literal::Decimal(*f)),
        (ColumnType::Date, Value::Day(d)) => Some(Literal::Text(day_text(*d)?)),
        _ => None,
    }
}

fn day_text(days: i32) -> Option<String> {
    let t = DateTime::from_timestamp(i64::from(days) * 86_400, 0)?;
    Some(t.format("%Y-%m-%d").to_string())
}

fn jql_op(op: Operator) -> Option<Op> {
    Some(match op {
        Operator::Eq => Op::Eq,
        Operator::NotEq => Op::NotEq,
        Operator::Lt => Op::Lt,
        Operator::LtEq => Op::LtEq,
        Operator::Gt => Op::Gt,
        Operator::GtEq => Op::GtEq,
        _ => return None,
    })
}

fn compare(col: &ColumnDef, op: Operator, value: Value) -> Option<Pushed> {
    let spec = col.filter?;
    let field = spec.jql;
    let simple = |exact: bool| -> Option<Pushed> {
        Some(Pushed {
            clause: Clause::compare(field, jql_op(op)?, jql_literal(col, &value)?),
            exact,
        })
    };
    match spec.kind {
        FilterKind::Exact => matches!(op, Operator::Eq | Operator::NotEq)
            .then(|| simple(true))
            .flatten(),
        FilterKind::UpperKey => {
            let upper = matches!(&value, Value::Text(s) if is_upper(s));
            match op {
                Operator::Eq => simple(upper),
                // `key != "demo-1"` would also drop DEMO-1, which SQL keeps.
                Operator::NotEq if upper => simple(true),
                _ => None,
            }
        }
        FilterKind::Name => (op == Operator::Eq).then(|| simple(false)).flatten(),
        FilterKind::Day | FilterKind::Number => simple(true),
        FilterKind::Instant => {
            let Value::Instant(ms) = value else {
                return None;
            };
            instant_clause(field, op, ms)
        }
        FilterKind::Words => match (op, value) {
            (Operator::Eq, Value::Text(s)) => words_clause(spec, &plain_words(&s)),
            _ => None,
        },
        FilterKind::RawJql => match (op, value) {
            (Operator::Eq, Value::Text(s)) => Some(Pushed {
                clause: Clause::Raw(s),
                exact: true,
            }),
            _ => None,
        },
    }
}

/// JQL on instants: Jira may compare at minute precision, so only `>=` and `<` on a whole
/// minute are exact; other bounds widen to the enclosing minute and DataFusion checks again.
fn instant_clause(field: &'static str, op: Operator, ms: i64) -> Option<Pushed> {
    let floor = ms - ms.rem_euclid(MINUTE_MS);
    let aligned = floor == ms;
    let bound = |op: Op, at: i64| Clause::compare(field, op, Literal::Number(at));
    let (clause, exact) = match op {
        Operator::GtEq => (bound(Op::GtEq, floor), aligned),
        Operator::Gt => (bound(Op::GtEq, floor), false),
        Operator::Lt if aligned => (bound(Op::Lt, ms), true),
        Operator::Lt | Operator::LtEq => (bound(Op::Lt, floor + MINUTE_MS), false),
        Operator::Eq => (
            Clause::All(vec![
                bound(Op::GtEq, floor),
                bound(Op::Lt, floor + MINUTE_MS),
            ]),
            false,
        ),
        _ => return None,
    };
    Some(Pushed { clause, exact })
}

fn in_list(col: &ColumnDef, values: Vec<Value>, negated: bool) -> Option<Pushed> {
    let spec = col.filter?;
    let exact = match spec.kind {
        FilterKind::Exact | FilterKind::Day | FilterKind::Number => true,
        FilterKind::UpperKey => {
            let upper = values
                .iter()
                .all(|v| matches!(v, Value::Text(s) if is_upper(s)));
            if negated && !upper {
                return None;
            }
            upper
        }
        FilterKind::Name if !negated => false,
        _ => return None,
    };
    Some(Pushed {
        clause: Clause::In {
            field: spec.jql,
            values: values
                .iter()
                .map(|v| jql_literal(col, v))
                .collect::<Option<Vec<_>>>()?,
            negated,
        },
        exact,
    })
}

/// `field ~ "word"` for each word, as a prefilter: Jira's text search matches whole words
/// (ignoring case, with stemming), so each whole word of the SQL text must be there.
fn words_clause(spec: FilterSpec, words: &[String]) -> Option<Pushed> {
    let mut clauses: Vec<Clause> = words
        .iter()
        .take(5)
        .map(|w| Clause::compare(spec.jql, Op::Contains, Literal::Text(w.clone())))
        .collect();
    let clause = match clauses.len() {
        0 => return None,
        1 => clauses.remove(0),
        _ => Clause::All(clauses),
    };
    Some(Pushed {
        clause,
        exact: false,
    })
}

fn searchable(token: &str) -> bool {
    token.len() >= 2
        && token.chars().all(|c| c.is_ascii_alphanumeric())
        && !STOP_WORDS.contains(&token.to_ascii_lowercase().as_str())
}

/// Words of an exact text: every whitespace-separated token is whole.
fn plain_words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|t| searchable(t))
        .map(str::to_string)
        .collect()
}

/// Whole words of a LIKE pattern: tokens not touching a wildcard.
pub fn like_words(pattern: &str) -> Vec<String> {
    let segments: Vec<&str> = pattern.split(['%', '_']).collect();
    let last = segments.len() - 1;
    let mut words = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let tokens: Vec<&str> = seg.split_whitespace().collect();
        for (j, t) in tokens.iter().enumerate() {
            let open_start = i > 0 && j == 0 && !seg.starts_with(char::is_whitespace);
            let open_end = i < last && j + 1 == tokens.len() && !seg.ends_with(char::is_whitespace);
            if !open_start && !open_end && searchable(t) {
                words.push((*t).to_string());
            }
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::tables::ISSUES;
    use datafusion::common::Column;
    use datafusion::prelude::lit;

    /// A column keeping its case (`datafusion::prelude::col` would parse and lower-case it).
    fn col(name: &str) -> Expr {
        Expr::Column(Column::new_unqualified(name))
    }

    fn jql(expr: Expr) -> Option<(String, bool)> {
        classify(&ISSUES, &expr).map(|p| (p.clause.to_string(), p.exact))
    }

    fn ts(s: &str) -> Expr {
        let ms = DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis();
        Expr::Literal(
            ScalarValue::TimestampMillisecond(Some(ms), Some("UTC".into())),
            None,
        )
    }

    #[test]
    fn keys_are_exact_only_in_upper_case() {
        assert_eq!(
            jql(col("Key").eq(lit("DEMO-7"))),
            Some((r#"key = "DEMO-7""#.into(), true))
        );
        assert_eq!(
            jql(col("Key").eq(lit("demo-7"))),
            Some((r#"key = "demo-7""#.into(), false))
        );
        assert_eq!(jql(col("Key").not_eq(lit("demo-7"))), None);
        assert_eq!(
            jql(lit("DEMO").eq(col("ProjectKey"))),
            Some((r#"project = "DEMO""#.into(), true))
        );
    }

    #[test]
    fn names_are_prefilters_and_ids_exact() {
        assert_eq!(
            jql(col("StatusName").eq(lit("Done"))),
            Some((r#"status = "Done""#.into(), false))
        );
        assert_eq!(jql(col("StatusName").not_eq(lit("Done"))), None);
        assert_eq!(
            jql(col("Id").in_list(vec![lit(1i64), lit(2i64)], false)),
            Some(("id in (1, 2)".into(), true))
        );
        assert_eq!(
            jql(col("AssigneeAccountId").is_null()),
            Some(("assignee is EMPTY".into(), true))
        );
        assert_eq!(jql(col("ParentKey").is_null()), None);
    }

    #[test]
    fn instants_widen_to_whole_minutes() {
        let aligned = ts("2026-03-01T10:00:00Z");
        let ms = 1772359200000i64;
        assert_eq!(
            jql(col("Created").gt_eq(aligned.clone())),
            Some((format!("created >= {ms}"), true))
        );
        assert_eq!(
            jql(col("Created").lt(aligned.clone())),
            Some((format!("created < {ms}"), true))
        );
        assert_eq!(
            jql(col("Created").gt(aligned.clone())),
            Some((format!("created >= {ms}"), false))
        );
        assert_eq!(
            jql(col("Created").lt_eq(aligned)),
            Some((format!("created < {}", ms + 60_000), false))
        );
        let odd = ts("2026-03-01T10:00:30Z");
        assert_eq!(
            jql(col("Created").gt_eq(odd.clone())),
            Some((format!("created >= {ms}"), false))
        );
        assert_eq!(
            jql(col("Created").lt(odd)),
            Some((format!("created < {}", ms + 60_000), false))
        );
    }

    #[test]
    fn or_of_pushable_conditions_is_one_clause() {
        let e = col("ProjectKey")
            .eq(lit("DEMO"))
            .or(col("StatusName").eq(lit("Done")));
        assert_eq!(
            jql(e),
            Some((r#"(project = "DEMO" OR status = "Done")"#.into(), false))
        );
        let e = col("ProjectKey")
            .eq(lit("DEMO"))
            .or(col("Description").eq(lit("x")));
        assert_eq!(jql(e), None);
    }

    #[test]
    fn text_pushes_whole_words_only() {
        assert_eq!(like_words("%login bug%"), Vec::<String>::new());
        assert_eq!(like_words("%the login bug %"), vec!["login", "bug"]);
        assert_eq!(like_words("Fix login%"), vec!["Fix"]);
        assert_eq!(
            jql(col("Summary").eq(lit("Fix the \"login\" page"))),
            Some((r#"(summary ~ "Fix" AND summary ~ "page")"#.into(), false))
        );
        assert_eq!(jql(col("Summary").like(lit("%bug%"))), None);
    }

    #[test]
    fn raw_jql_passes_through() {
        assert_eq!(
            jql(col("JQL").eq(lit("status WAS \"Open\""))),
            Some((r#"(status WAS "Open")"#.into(), true))
        );
    }
}
