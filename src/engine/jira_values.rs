//! SQL values as Jira wants them in a write's `fields`, by the shape a column's declaration
//! gives ([`Shape`]). A value that cannot take the shape says why, for the error that names
//! its row and column.

use datafusion::common::ScalarValue;
use serde_json::{Value, json};

use crate::jira::tables::Shape;

/// The JSON for `value` in the shape `shape`; SQL NULL clears the field.
pub fn field_value(shape: Shape, value: &ScalarValue) -> Result<Value, String> {
    if value.is_null() {
        return Ok(match shape {
            Shape::Strings | Shape::Names => json!([]),
            _ => Value::Null,
        });
    }
    Ok(match shape {
        Shape::Text | Shape::IssuePath => json!(text(value)?),
        Shape::Document => document(&text(value)?),
        Shape::ByKey => json!({"key": text(value)?}),
        Shape::ByName => json!({"name": text(value)?}),
        Shape::ByValue => json!({"value": text(value)?}),
        Shape::User => json!({"accountId": text(value)?}),
        Shape::Strings => json!(strings(value)?),
        Shape::Names => Value::Array(
            strings(value)?
                .into_iter()
                .map(|name| json!({"name": name}))
                .collect(),
        ),
        Shape::Date => json!(date(value)?),
        Shape::Bool => match value {
            ScalarValue::Boolean(Some(b)) => json!(b),
            other => return Err(format!("{other} is not true or false")),
        },
        Shape::Number => number(value)?,
        Shape::Integer => integer(value)?,
        Shape::Instant => json!(instant(value)?),
    })
}

/// Text values as they are; numbers and other scalars as SQL prints them.
fn text(value: &ScalarValue) -> Result<String, String> {
    match value {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => Ok(s.clone()),
        ScalarValue::List(_) | ScalarValue::LargeList(_) | ScalarValue::FixedSizeList(_) => {
            Err("a list where one text value is expected".into())
        }
        other => Ok(other.to_string()),
    }
}

/// Plain text as an Atlassian Document: one paragraph per line, empty lines dropped.
fn document(text: &str) -> Value {
    let paragraphs: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| json!({"type": "paragraph", "content": [{"type": "text", "text": l}]}))
        .collect();
    json!({"type": "doc", "version": 1, "content": paragraphs})
}

/// A list of text values (`['a', 'b']`), or one text value as a list of one.
fn strings(value: &ScalarValue) -> Result<Vec<String>, String> {
    let items = match value {
        ScalarValue::List(list) => ScalarValue::convert_array_to_scalar_vec(list.as_ref())
            .map_err(|e| e.to_string())?
            .into_iter()
            .flatten()
            .flatten()
            .collect(),
        other => vec![other.clone()],
    };
    items.iter().filter(|v| !v.is_null()).map(text).collect()
}

/// A day: a DATE, or text `yyyy-MM-dd`.
fn date(value: &ScalarValue) -> Result<String, String> {
    match value {
        ScalarValue::Date32(Some(_)) | ScalarValue::Date64(Some(_)) => Ok(value.to_string()),
        _ => {
            let t = text(value)?;
            chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                .map(|d| d.to_string())
                .map_err(|_| format!("'{t}' is not a date (yyyy-mm-dd)"))
        }
    }
}

/// A number, from a numeric SQL value or text that reads as one; always a JSON float, as Jira
/// keeps numbers (so 5 and 5.0 compare equal).
fn number(value: &ScalarValue) -> Result<Value, String> {
    let as_f64 = match value {
        ScalarValue::Int8(Some(v)) => Some(f64::from(*v)),
        ScalarValue::Int16(Some(v)) => Some(f64::from(*v)),
        ScalarValue::Int32(Some(v)) => Some(f64::from(*v)),
        ScalarValue::Int64(Some(v)) => Some(*v as f64),
        ScalarValue::UInt8(Some(v)) => Some(f64::from(*v)),
        ScalarValue::UInt16(Some(v)) => Some(f64::from(*v)),
        ScalarValue::UInt32(Some(v)) => Some(f64::from(*v)),
        ScalarValue::UInt64(Some(v)) => Some(*v as f64),
        ScalarValue::Float32(Some(v)) => Some(f64::from(*v)),
        ScalarValue::Float64(Some(v)) => Some(*v),
        _ => text(value)?.trim().parse::<f64>().ok(),
    };
    match as_f64 {
        Some(x) if x.is_finite() => Ok(json!(x)),
        _ => Err(format!("'{value}' is not a number")),
    }
}

/// A whole number, from an integer SQL value, a float without a fraction, or text.
fn integer(value: &ScalarValue) -> Result<Value, String> {
    match number(value)?.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(json!(x as i64)),
        _ => Err(format!("'{value}' is not a whole number")),
    }
}

/// An instant as Jira writes one, from a TIMESTAMP, a DATE (midnight UTC) or text: with an
/// offset as given, without one as UTC, as the engine reads timestamp text.
fn instant(value: &ScalarValue) -> Result<String, String> {
    let ms = match value {
        ScalarValue::Date32(Some(_)) | ScalarValue::Date64(Some(_)) => {
            return instant(&ScalarValue::Utf8(Some(value.to_string())));
        }
        ScalarValue::TimestampSecond(Some(v), _) => v.checked_mul(1000),
        ScalarValue::TimestampMillisecond(Some(v), _) => Some(*v),
        ScalarValue::TimestampMicrosecond(Some(v), _) => Some(v.div_euclid(1000)),
        ScalarValue::TimestampNanosecond(Some(v), _) => Some(v.div_euclid(1_000_000)),
        _ => {
            let t = text(value)?;
            let ms = parse_timestamp_text(t.trim()).ok_or_else(|| {
                format!(
                    "'{t}' is not a timestamp (yyyy-mm-dd hh:mm[:ss], UTC unless it has an offset)"
                )
            })?;
            Some(ms)
        }
    };
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string())
        .ok_or_else(|| format!("'{value}' is out of range for a timestamp"))
}

/// Epoch milliseconds of timestamp text: RFC 3339 or Jira's form with an offset, or a date
/// and time (or a date alone) without one, read as UTC.
fn parse_timestamp_text(t: &str) -> Option<i64> {
    if let Some(ms) = super::decode::parse_instant(t) {
        return Some(ms);
    }
    let formats = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ];
    let naive = formats
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(t, f).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    Some(naive.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let s = |v: &str| ScalarValue::Utf8(Some(v.into()));
        assert_eq!(
            field_value(Shape::ByName, &s("High")),
            Ok(json!({"name": "High"}))
        );
        assert_eq!(
            field_value(Shape::Date, &s("2026-12-24")),
            Ok(json!("2026-12-24"))
        );
        assert!(field_value(Shape::Date, &s("24.12.2026")).is_err());
        assert_eq!(
            field_value(Shape::Number, &ScalarValue::Int64(Some(3))),
            field_value(Shape::Number, &ScalarValue::Float64(Some(3.0))),
            "5 and 5.0 are one value"
        );
        assert!(field_value(Shape::Number, &s("three")).is_err());
        assert_eq!(
            field_value(Shape::Instant, &s("2026-12-01 09:00")),
            Ok(json!("2026-12-01T09:00:00.000+0000"))
        );
        assert_eq!(
            field_value(Shape::Instant, &s("2026-12-01T10:00:00+01:00")),
            Ok(json!("2026-12-01T09:00:00.000+0000"))
        );
        assert_eq!(
            field_value(
                Shape::Instant,
                &ScalarValue::TimestampMillisecond(Some(0), Some("UTC".into()))
            ),
            Ok(json!("1970-01-01T00:00:00.000+0000"))
        );
        assert!(field_value(Shape::Instant, &s("yesterday")).is_err());
        assert_eq!(field_value(Shape::Integer, &s("3600")), Ok(json!(3600)));
        assert!(field_value(Shape::Integer, &ScalarValue::Float64(Some(1.5))).is_err());
        assert_eq!(
            field_value(Shape::Strings, &ScalarValue::Utf8(None)),
            Ok(json!([]))
        );
        assert_eq!(
            field_value(Shape::Document, &s("one\n\ntwo"))
                .map(|d| d["content"].as_array().map(Vec::len)),
            Ok(Some(2))
        );
    }
}
