//! Values between SQL and SharePoint columns.
//!
//! Every value on its way to a list goes through [`to_field`], which checks that the column
//! can hold it and gives the JSON Graph expects; values read from a list go through
//! [`from_field`], which gives the same canonical JSON. Comparing the two ([`same`]) is how a
//! sync knows an item is already up to date, so both sides agree on details such as
//! SharePoint keeping whole seconds, numbers without a type, and date-only columns stored as
//! the site's local midnight.

use chrono::{
    DateTime, Datelike, Duration as ChronoDuration, NaiveDate, NaiveDateTime, SecondsFormat, Utc,
};
use datafusion::arrow::array::Array;
use datafusion::common::ScalarValue;
use serde_json::{Number, Value};

use super::list::{Column, ColumnKind};

/// The canonical JSON for a SQL value in `column`, or why the column cannot hold it.
pub fn to_field(column: &Column, array: &dyn Array, row: usize) -> Result<Value, String> {
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    let scalar = ScalarValue::try_from_array(array, row).map_err(|e| e.to_string())?;
    match &column.kind {
        ColumnKind::Text { max_length } => {
            let text = scalar_text(&scalar)?;
            let length = text.chars().count();
            match max_length {
                Some(max) if length > *max => Err(format!(
                    "is {length} characters long; the column holds at most {max}"
                )),
                _ => Ok(Value::String(text)),
            }
        }
        ColumnKind::Number => number(scalar_number(&scalar)?),
        ColumnKind::DateTime { date_only } => {
            let t = scalar_instant(&scalar)?;
            // Outside this range SharePoint refuses the value, and RFC 3339 has no spelling
            // for years past 9999 or before 0, so it could never compare equal on re-read.
            if !(1900..=8900).contains(&t.year()) {
                return Err(
                    "is outside the dates SharePoint stores (1900-01-01 to 8900-12-31)".into(),
                );
            }
            Ok(instant_text(t, *date_only))
        }
        ColumnKind::Boolean => scalar_bool(&scalar).map(Value::Bool),
        ColumnKind::Choice {
            choices,
            allow_text,
        } => choice(&scalar_text(&scalar)?, choices, *allow_text).map(Value::String),
        ColumnKind::MultiChoice {
            choices,
            allow_text,
        } => {
            let items = match &scalar {
                ScalarValue::List(list) => {
                    let values = list.values();
                    (0..values.len())
                        .filter(|&i| !values.is_null(i))
                        .map(|i| {
                            ScalarValue::try_from_array(values.as_ref(), i)
                                .map_err(|e| e.to_string())
                                .and_then(|s| scalar_text(&s))
                        })
                        .collect::<Result<Vec<_>, _>>()?
                }
                other => split_choices(&scalar_text(other)?),
            };
            items
                .iter()
                .map(|item| choice(item, choices, *allow_text).map(Value::String))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        ColumnKind::Lookup => {
            let n = scalar_number(&scalar)?;
            if n.fract() == 0.0 && n >= 1.0 && n < 2f64.powi(31) {
                Ok(Value::Number(Number::from(n as i64)))
            } else {
                Err("is not an item id (a whole number from 1)".into())
            }
        }
        ColumnKind::Other(kind) => Err(format!(
            "cannot be written: jiraql does not write {kind} columns"
        )),
    }
}

/// The canonical JSON of a value read from an item's `fields` (`Null` when absent).
pub fn from_field(column: &Column, value: Option<&Value>) -> Value {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Value::Null;
    };
    match &column.kind {
        ColumnKind::Number | ColumnKind::Lookup => {
            let n = value
                .as_f64()
                .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
            n.and_then(|n| number(n).ok()).unwrap_or(Value::Null)
        }
        ColumnKind::DateTime { date_only } => value
            .as_str()
            .and_then(parse_instant_text)
            .map_or(Value::Null, |t| instant_text(t, *date_only)),
        ColumnKind::Boolean => match value {
            Value::Bool(_) => value.clone(),
            Value::String(s) => Value::Bool(matches!(s.as_str(), "1" | "true" | "True")),
            Value::Number(n) => Value::Bool(n.as_f64() != Some(0.0)),
            _ => Value::Null,
        },
        ColumnKind::MultiChoice { .. } => match value {
            Value::Array(_) => value.clone(),
            Value::String(s) => {
                Value::Array(split_choices(s).into_iter().map(Value::String).collect())
            }
            _ => Value::Null,
        },
        ColumnKind::Text { .. } | ColumnKind::Choice { .. } | ColumnKind::Other(_) => match value {
            Value::String(_) => value.clone(),
            other => Value::String(other.to_string()),
        },
    }
}

/// Whether two canonical values are the same for SharePoint. Empty text is no value, as
/// SharePoint stores it; choices compare as sets.
pub fn same(a: &Value, b: &Value) -> bool {
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    if empty(a) || empty(b) {
        return empty(a) && empty(b);
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
            _ => false,
        },
        (Value::Array(x), Value::Array(y)) => {
            let mut x: Vec<String> = x.iter().map(Value::to_string).collect();
            let mut y: Vec<String> = y.iter().map(Value::to_string).collect();
            x.sort();
            y.sort();
            x == y
        }
        _ => a == b,
    }
}

/// A value as a person reads it in a message.
pub fn shown(value: &Value) -> String {
    let text = match value {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    };
    super::error::one_line(&text, 80)
}

fn number(n: f64) -> Result<Value, String> {
    if !n.is_finite() {
        return Err("is not a finite number".into());
    }
    if n.fract() == 0.0 && n.abs() < 2f64.powi(53) {
        Ok(Value::Number(Number::from(n as i64)))
    } else {
        Number::from_f64(n)
            .map(Value::Number)
            .ok_or_else(|| "is not a finite number".into())
    }
}

/// SharePoint keeps whole seconds in UTC. A date-only column holds the site's local midnight
/// in UTC, which can be the evening before in UTC; the nearest midnight is the date meant.
fn instant_text(t: DateTime<Utc>, date_only: bool) -> Value {
    if date_only {
        let day = t
            .checked_add_signed(ChronoDuration::hours(12))
            .unwrap_or(t)
            .date_naive();
        Value::String(format!("{}T00:00:00Z", day.format("%Y-%m-%d")))
    } else {
        Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

fn scalar_text(s: &ScalarValue) -> Result<String, String> {
    Ok(match s {
        ScalarValue::Utf8(Some(v))
        | ScalarValue::LargeUtf8(Some(v))
        | ScalarValue::Utf8View(Some(v)) => v.clone(),
        ScalarValue::TimestampSecond(..)
        | ScalarValue::TimestampMillisecond(..)
        | ScalarValue::TimestampMicrosecond(..)
        | ScalarValue::TimestampNanosecond(..) => {
            scalar_instant(s)?.to_rfc3339_opts(SecondsFormat::Secs, true)
        }
        // DataFusion's Display panics on a Date64 beyond chrono's range.
        ScalarValue::Date32(Some(_)) | ScalarValue::Date64(Some(_)) => {
            scalar_instant(s)?.format("%Y-%m-%d").to_string()
        }
        other => other.to_string(),
    })
}

fn scalar_number(s: &ScalarValue) -> Result<f64, String> {
    let n = match s {
        ScalarValue::Int8(Some(v)) => f64::from(*v),
        ScalarValue::Int16(Some(v)) => f64::from(*v),
        ScalarValue::Int32(Some(v)) => f64::from(*v),
        ScalarValue::Int64(Some(v)) => *v as f64,
        ScalarValue::UInt8(Some(v)) => f64::from(*v),
        ScalarValue::UInt16(Some(v)) => f64::from(*v),
        ScalarValue::UInt32(Some(v)) => f64::from(*v),
        ScalarValue::UInt64(Some(v)) => *v as f64,
        ScalarValue::Float32(Some(v)) => f64::from(*v),
        ScalarValue::Float64(Some(v)) => *v,
        ScalarValue::Decimal128(Some(v), _, scale) => *v as f64 / 10f64.powi(i32::from(*scale)),
        ScalarValue::Utf8(Some(t))
        | ScalarValue::LargeUtf8(Some(t))
        | ScalarValue::Utf8View(Some(t)) => t
            .trim()
            .parse::<f64>()
            .map_err(|_| "is not a number".to_string())?,
        ScalarValue::Boolean(Some(_)) => return Err("is a boolean, not a number".into()),
        other => return Err(format!("is a {}, not a number", other.data_type())),
    };
    Ok(n)
}

fn scalar_instant(s: &ScalarValue) -> Result<DateTime<Utc>, String> {
    let from_nanos = |n: i64| DateTime::<Utc>::from_timestamp_nanos(n);
    let t = match s {
        ScalarValue::TimestampSecond(Some(v), _) => DateTime::from_timestamp(*v, 0),
        ScalarValue::TimestampMillisecond(Some(v), _) => DateTime::from_timestamp_millis(*v),
        ScalarValue::TimestampMicrosecond(Some(v), _) => DateTime::from_timestamp_micros(*v),
        ScalarValue::TimestampNanosecond(Some(v), _) => Some(from_nanos(*v)),
        ScalarValue::Date32(Some(days)) => DateTime::from_timestamp(i64::from(*days) * 86_400, 0),
        ScalarValue::Date64(Some(ms)) => DateTime::from_timestamp_millis(*ms),
        ScalarValue::Utf8(Some(t))
        | ScalarValue::LargeUtf8(Some(t))
        | ScalarValue::Utf8View(Some(t)) => parse_instant_text(t),
        other => return Err(format!("is a {}, not a date or time", other.data_type())),
    };
    t.ok_or_else(|| "is not a date or time (write e.g. 2026-11-28 or 2026-11-28T09:30:00Z)".into())
}

/// RFC 3339, `yyyy-mm-dd hh:mm:ss` (taken as UTC) or a bare date.
fn parse_instant_text(t: &str) -> Option<DateTime<Utc>> {
    let t = t.trim();
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
                .map(|n| n.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|n| n.and_utc())
        })
}

fn scalar_bool(s: &ScalarValue) -> Result<bool, String> {
    match s {
        ScalarValue::Boolean(Some(b)) => Ok(*b),
        ScalarValue::Utf8(Some(t))
        | ScalarValue::LargeUtf8(Some(t))
        | ScalarValue::Utf8View(Some(t)) => match t.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            _ => Err("is not a boolean (true/false, yes/no, 1/0)".into()),
        },
        other => match scalar_number(other) {
            Ok(0.0) => Ok(false),
            Ok(1.0) => Ok(true),
            _ => Err("is not a boolean (true/false, yes/no, 1/0)".into()),
        },
    }
}

/// A choice as the column spells it; case is forgiven, other text only where allowed.
fn choice(value: &str, choices: &[String], allow_text: bool) -> Result<String, String> {
    if choices.iter().any(|c| c == value) || allow_text {
        return Ok(value.to_string());
    }
    if let Some(c) = choices.iter().find(|c| c.eq_ignore_ascii_case(value)) {
        return Ok(c.clone());
    }
    Err(format!(
        "is not one of the column's choices ({})",
        choices.join(", ")
    ))
}

/// `a;b`, or SharePoint's `;#a;#b;#`.
fn split_choices(text: &str) -> Vec<String> {
    text.split(';')
        .map(|p| p.trim().trim_start_matches('#').trim())
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{
        ArrayRef, BooleanArray, Date64Array, Float64Array, Int64Array, StringArray,
        TimestampMillisecondArray,
    };
    use serde_json::json;
    use std::sync::Arc;

    fn column(kind: ColumnKind) -> Column {
        Column::new("C", "C", kind)
    }

    fn write(kind: ColumnKind, array: ArrayRef) -> Result<Value, String> {
        to_field(&column(kind), array.as_ref(), 0)
    }

    #[test]
    fn text_length_is_checked() {
        let long: ArrayRef = Arc::new(StringArray::from(vec!["x".repeat(256)]));
        let err = write(
            ColumnKind::Text {
                max_length: Some(255),
            },
            long.clone(),
        );
        assert!(err.is_err_and(|e| e.contains("256 characters") && e.contains("255")));
        assert!(write(ColumnKind::Text { max_length: None }, long).is_ok());
    }

    #[test]
    fn numbers_from_any_numeric_or_numeric_text() {
        let n = |a: ArrayRef| write(ColumnKind::Number, a);
        assert_eq!(n(Arc::new(Int64Array::from(vec![3600]))), Ok(json!(3600)));
        assert_eq!(n(Arc::new(Float64Array::from(vec![1.5]))), Ok(json!(1.5)));
        assert_eq!(
            n(Arc::new(StringArray::from(vec!["2.25"]))),
            Ok(json!(2.25))
        );
        assert!(
            n(Arc::new(StringArray::from(vec!["abc"]))).is_err_and(|e| e.contains("not a number"))
        );
        assert!(n(Arc::new(BooleanArray::from(vec![true]))).is_err());
        // Found by tests/it/hostile.rs: DataFusion's Display of this Date64 panics.
        let text = |a: ArrayRef| write(ColumnKind::Text { max_length: None }, a);
        assert!(text(Arc::new(Date64Array::from(vec![i64::MIN]))).is_err());
        assert_eq!(
            text(Arc::new(Date64Array::from(vec![86_400_000]))),
            Ok(json!("1970-01-02"))
        );
    }

    #[test]
    fn instants_keep_whole_seconds_in_utc() {
        let t: ArrayRef = Arc::new(
            TimestampMillisecondArray::from(vec![1_764_322_245_678]).with_timezone("+05:00"),
        );
        assert_eq!(
            write(ColumnKind::DateTime { date_only: false }, t),
            Ok(json!("2025-11-28T09:30:45Z"))
        );
        let berlin_midnight = from_field(
            &column(ColumnKind::DateTime { date_only: true }),
            Some(&json!("2026-11-27T23:00:00Z")),
        );
        assert_eq!(berlin_midnight, json!("2026-11-28T00:00:00Z"));
        let text: ArrayRef = Arc::new(StringArray::from(vec!["someday"]));
        assert!(write(ColumnKind::DateTime { date_only: false }, text).is_err());
        // Found by tests/it/hostile.rs: year -1 was written as text that never read back.
        for ms in [-62_167_219_200_001, 221_845_392_000_000, -2_208_988_801_000] {
            let t: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![ms]));
            let e = write(ColumnKind::DateTime { date_only: true }, t).unwrap_err();
            assert!(e.contains("1900-01-01 to 8900-12-31"), "{e}");
        }
    }

    #[test]
    fn choices_are_checked_and_respelled() {
        let kind = ColumnKind::Choice {
            choices: vec!["Done".into(), "To Do".into()],
            allow_text: false,
        };
        let v = |s: &str| write(kind.clone(), Arc::new(StringArray::from(vec![s])));
        assert_eq!(v("done"), Ok(json!("Done")));
        assert!(v("Blocked").is_err_and(|e| e.contains("Done, To Do")));
        let multi = ColumnKind::MultiChoice {
            choices: vec!["a".into(), "b".into()],
            allow_text: false,
        };
        assert_eq!(
            write(multi, Arc::new(StringArray::from(vec![";#a;#b;#"]))),
            Ok(json!(["a", "b"]))
        );
    }

    #[test]
    fn read_and_written_values_compare_equal() {
        let c = column(ColumnKind::Number);
        assert!(same(&from_field(&c, Some(&json!(2.0))), &json!(2)));
        assert!(same(&json!(""), &Value::Null));
        assert!(same(&json!(["b", "a"]), &json!(["a", "b"])));
        assert!(!same(&json!("x"), &Value::Null));
        let lookup = column(ColumnKind::Lookup);
        assert_eq!(from_field(&lookup, Some(&json!("7"))), json!(7));
    }
}
