//! Hostile input, as property tests: OData literals survive the Graph emulator's own `$filter`
//! parser exactly; connection-string parsers, ADF-to-text, SharePoint value conversions and
//! SQL identifier resolution never panic, whatever they are given.
//!
//! Each property runs 256 cases by default; `PROPTEST_CASES=100000 cargo test --test it hostile::`
//! is the soak (proptest reads the variable). A failure prints its seed and is kept in
//! `proptest-regressions/` so it reproduces.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::sql::parser::DFParser;
use jiraql::engine::identifiers::{Names, resolve};
use jiraql::jira::connection::ConnectionSettings;
use jiraql::sharepoint::sync::odata_literal;
use jiraql::sharepoint::values::{from_field, to_field};
use jiraql::sharepoint::{Column, ColumnKind, SharePointSettings};
use jiraql_emulator::sharepoint::filter::{self, Expr, Lit, Op};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Strings that break naive quoting: quotes, OData and JQL syntax, controls, unicode, length.
fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\"'\\\\\\t\\n\\r\\x00-\\x1f ()=!~,;\\[\\]{}*/%+^$#@?|&a-zA-Z0-9ë✓\u{202e}\u{feff}]{0,40}",
        prop::sample::select(vec![
            "'",
            "''",
            "x' or 1 eq 1 or 'a",
            "' and fields/Id eq 1",
            "datetime'2026-01-01T00:00:00Z'",
            "null",
            "true",
            "startswith(fields/A,'x')",
            "%27%20or%20",
        ])
        .prop_map(str::to_string),
        ".{200,2000}",
    ]
}

/// Values a key column can hold: text, whole and fractional numbers, booleans, null.
fn key_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => tricky().prop_map(Value::String),
        1 => any::<i64>().prop_map(|n| Value::Number(n.into())),
        1 => any::<u64>().prop_map(|n| Value::Number(n.into())),
        1 => any::<f64>().prop_filter_map("finite", Number::from_f64).prop_map(Value::Number),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
    ]
}

/// What the emulator's parser must read back for `value`.
fn expected_lit(value: &Value) -> Lit {
    match value {
        Value::String(s) => Lit::Str(s.clone()),
        Value::Number(n) => Lit::Num(n.as_f64().unwrap_or(f64::NAN)),
        Value::Bool(b) => Lit::Bool(*b),
        _ => Lit::Null,
    }
}

/// The comparisons of an `and`/`or` chain, left to right.
fn comparisons(e: &Expr) -> Vec<(String, Op, Lit)> {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            let mut v = comparisons(a);
            v.extend(comparisons(b));
            v
        }
        Expr::Cmp { field, op, lit } => vec![(field.clone(), *op, lit.clone())],
        other => panic!("unexpected node {other:?}"),
    }
}

proptest! {
    /// One literal, as the sync's key lookup writes it.
    #[test]
    fn odata_literal_survives_the_emulators_filter_parser(value in key_value()) {
        let text = format!("fields/WorklogId eq {}", odata_literal(&value));
        let parsed = filter::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(
            parsed,
            Expr::Cmp { field: "WorklogId".into(), op: Op::Eq, lit: expected_lit(&value) }
        );
    }

    /// Several literals joined as pushed-down filters are: none can swallow its neighbours.
    #[test]
    fn chained_literals_keep_their_places(values in prop::collection::vec(key_value(), 1..6), or in any::<bool>()) {
        let joiner = if or { " or " } else { " and " };
        let text = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("fields/C{i} ge {}", odata_literal(v)))
            .collect::<Vec<_>>()
            .join(joiner);
        let parsed = filter::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        let expected: Vec<_> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("C{i}"), Op::Ge, expected_lit(v)))
            .collect();
        prop_assert_eq!(comparisons(&parsed), expected);
    }
}

/// Text shaped like a connection string, with the characters its grammar cares about.
fn connection_text() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "URL",
        "User",
        "APIToken",
        "AuthScheme",
        "CloudId",
        "OAuthAccessToken",
        "OAuthGatewayURL",
        "Timeout",
        "MaxRetries",
        "RetryBaseDelayMs",
        "MaxRetryDelayMs",
        "Other",
        "PAT",
        "TenantId",
        "ClientId",
        "ClientSecret",
        "CertificatePath",
        "BatchSize",
        "KeyColumn",
        "GraphURL",
        "LoginURL",
        "Authentication",
        "url",
        " U R L ",
        "",
    ]);
    let value = prop_oneof![
        tricky(),
        prop::sample::select(vec![
            "https://acme.atlassian.net",
            "http://127.0.0.1:1",
            "http://[::1]:8080/jira",
            "https://u:p@x.y",
            "https://contoso.sharepoint.com/sites/p/Lists/T/AllItems.aspx",
            "https://contoso.sharepoint.com/sites/p%",
            "Basic",
            "PAT",
            "OAuth",
            "ClientSecret",
            "Certificate",
            "DeviceCode",
            "0",
            "18446744073709551616",
            "-1",
            "'a;b'",
            "\"x\"\"y\"",
            "'Timeout=1;Other=''URL=x'''",
        ])
        .prop_map(str::to_string),
    ];
    let pair = (
        name,
        value,
        prop::sample::select(vec!["=", " = ", "", "=="]),
    )
        .prop_map(|(n, v, eq)| format!("{n}{eq}{v}"));
    prop_oneof![
        prop::collection::vec(pair, 0..8).prop_map(|p| p.join(";")),
        any::<String>(),
    ]
}

proptest! {
    #[test]
    fn connection_strings_never_panic(text in connection_text()) {
        if let Ok(mut settings) = text.parse::<ConnectionSettings>() {
            let _ = settings.resolve_token(|_| Some("t".into()), None);
            let _ = (settings.redacted(), format!("{settings:?}"), settings.site_label());
        } else if let Err(e) = text.parse::<ConnectionSettings>() {
            let _ = e.to_string();
        }
        match text.parse::<SharePointSettings>() {
            Ok(mut settings) => {
                let _ = settings.resolve_secret(|_| None, None);
                let _ = (format!("{settings:?}"), settings.site_label(), settings.site_path());
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
}

/// Any JSON, biased towards ADF's keys so documents nest the way Jira's do.
fn json(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<f64>()
            .prop_filter_map("finite", Number::from_f64)
            .prop_map(Value::Number),
        tricky().prop_map(Value::String),
        prop::sample::select(vec![
            "doc",
            "paragraph",
            "text",
            "hardBreak",
            "mention",
            "emoji",
            "bulletList",
            "orderedList",
            "listItem",
            "table",
            "tableRow",
            "tableCell",
            "inlineCard",
            "rule",
            "codeBlock",
            "panel",
            "status",
            "date",
            "heading",
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(depth, 256, 6, |inner| {
        let key = prop::sample::select(vec![
            "type",
            "content",
            "text",
            "attrs",
            "marks",
            "url",
            "shortName",
            "version",
            "x",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..6).prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

proptest! {
    #[test]
    fn adf_to_text_never_panics(doc in json(12)) {
        let _ = jiraql::jira::adf::to_text(&doc);
    }
}

/// ADF nested as deep as serde_json will parse (its limit is 128 levels), as a page decoder
/// would see it.
#[test]
fn deepest_parseable_adf_is_cut_off_not_overflowed() {
    let depth = 60; // two JSON levels (object + content array) per node
    let mut text = String::from(r#"{"type":"text","text":"leaf"}"#);
    for _ in 0..depth {
        text = format!(r#"{{"type":"paragraph","content":[{text}]}}"#);
    }
    let doc: Value = serde_json::from_str(&text).expect("within serde_json's limit");
    let out = jiraql::jira::adf::to_text(&doc).expect("text");
    assert!(out.len() < 200, "{out}");
    let wide = Value::Array(vec![doc; 2000]);
    let _ = jiraql::jira::adf::to_text(&serde_json::json!({"type": "doc", "content": wide}));
}

fn column_kind() -> impl Strategy<Value = ColumnKind> {
    let choices = || prop::collection::vec(tricky(), 0..4);
    prop_oneof![
        prop::option::of(0usize..300).prop_map(|max_length| ColumnKind::Text { max_length }),
        Just(ColumnKind::Number),
        any::<bool>().prop_map(|date_only| ColumnKind::DateTime { date_only }),
        Just(ColumnKind::Boolean),
        (choices(), any::<bool>()).prop_map(|(choices, allow_text)| ColumnKind::Choice {
            choices,
            allow_text
        }),
        (choices(), any::<bool>()).prop_map(|(choices, allow_text)| ColumnKind::MultiChoice {
            choices,
            allow_text
        }),
        Just(ColumnKind::Lookup),
        tricky().prop_map(ColumnKind::Other),
    ]
}

fn column(kind: ColumnKind) -> Column {
    Column::new("C", "C", kind)
}

/// Integers including the edges of every range the conversions compute with.
fn edge_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        prop::sample::select(vec![
            i64::MIN,
            i64::MAX,
            0,
            -1,
            1,
            8_210_266_876_799,
            -8_334_601_228_800,
            8_210_266_876_799_999,
            253_402_300_799,
            1 << 53,
            (1 << 31) - 1,
            1 << 31,
        ]),
    ]
}

/// Arrow scalars of every type a SQL expression is likely to give, edges included.
fn scalar() -> impl Strategy<Value = ScalarValue> {
    let tz = prop::option::of(prop::sample::select(vec!["UTC", "+05:30", "Europe/Berlin"]))
        .prop_map(|t| t.map(Arc::from));
    prop_oneof![
        prop::option::of(tricky()).prop_map(ScalarValue::Utf8),
        prop::option::of(tricky()).prop_map(ScalarValue::LargeUtf8),
        prop::option::of(tricky()).prop_map(ScalarValue::Utf8View),
        prop::option::of(edge_i64()).prop_map(ScalarValue::Int64),
        prop::option::of(any::<i32>()).prop_map(ScalarValue::Int32),
        prop::option::of(any::<i8>()).prop_map(ScalarValue::Int8),
        prop::option::of(any::<u64>()).prop_map(ScalarValue::UInt64),
        prop::option::of(any::<f64>()).prop_map(ScalarValue::Float64),
        prop::option::of(any::<f32>()).prop_map(ScalarValue::Float32),
        prop::option::of(any::<bool>()).prop_map(ScalarValue::Boolean),
        (prop::option::of(any::<i128>()), 1u8..38, any::<i8>())
            .prop_map(|(v, p, s)| ScalarValue::Decimal128(v, p, s)),
        (prop::option::of(edge_i64()), tz.clone())
            .prop_map(|(v, tz)| ScalarValue::TimestampSecond(v, tz)),
        (prop::option::of(edge_i64()), tz.clone())
            .prop_map(|(v, tz)| ScalarValue::TimestampMillisecond(v, tz)),
        (prop::option::of(edge_i64()), tz.clone())
            .prop_map(|(v, tz)| ScalarValue::TimestampMicrosecond(v, tz)),
        (prop::option::of(edge_i64()), tz)
            .prop_map(|(v, tz)| ScalarValue::TimestampNanosecond(v, tz)),
        prop::option::of(any::<i32>()).prop_map(ScalarValue::Date32),
        prop::option::of(edge_i64()).prop_map(ScalarValue::Date64),
        prop::collection::vec(prop::option::of(tricky()), 0..4).prop_map(|items| {
            let values: Vec<ScalarValue> = items.into_iter().map(ScalarValue::Utf8).collect();
            ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::Utf8))
        }),
        Just(ScalarValue::Null),
        Just(ScalarValue::Binary(Some(vec![0, 255]))),
    ]
}

proptest! {
    #[test]
    fn value_conversions_never_panic(kind in column_kind(), value in scalar(), json in json(3)) {
        let column = column(kind);
        if let Ok(array) = value.to_array()
            && let Ok(v) = to_field(&column, array.as_ref(), 0)
        {
            // What was written reads back without panicking, and as the same value.
            let back = from_field(&column, Some(&v));
            prop_assert!(
                jiraql::sharepoint::values::same(&back, &v),
                "{:?}: wrote {} read {}", column.kind, v, back
            );
        }
        let _ = from_field(&column, Some(&json));
        let _ = from_field(&column, None);
    }
}

/// SQL built from the engine's table and column names in random case, quoting, aliases and
/// clauses; text DataFusion's parser accepts is resolved.
fn sql() -> impl Strategy<Value = String> {
    let ident = prop_oneof![
        prop::sample::select(vec![
            "issues",
            "ISSUES",
            "Worklogs",
            "key",
            "KEY",
            "issuekey",
            "summary",
            "started",
            "timespentseconds",
            "sharepoint.timelog",
            "information_schema.tables",
            "t",
            "s",
            "x",
            "count",
            "\"Key\"",
            "\"key\"",
            "`k`",
            "[k]",
            "\"ë✓\"",
            "\"a\"\"b\"",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z_][a-zA-Z0-9_]{0,8}",
        "\"[^\"\\x00]{0,8}\"",
    ];
    let tokens = prop::sample::select(vec![
        "SELECT",
        "FROM",
        "WHERE",
        "AS",
        "JOIN",
        "ON",
        "AND",
        "OR",
        "NOT",
        "IN",
        "(",
        ")",
        ",",
        "=",
        "<",
        "*",
        "GROUP BY",
        "ORDER BY",
        "LIMIT 1",
        "WITH",
        "UNION ALL",
        "EXPLAIN",
        "'x'",
        "1",
        "NULL",
        "LATERAL",
        "MERGE INTO",
        "USING",
        "WHEN MATCHED THEN DELETE",
        "UPDATE",
        "SET",
        "DELETE FROM",
        "INSERT INTO",
        "VALUES",
        "COPY",
        "TO 'f.csv'",
        "OVER ()",
        "CASE WHEN",
        "THEN",
        "ELSE",
        "END",
        ".",
    ])
    .prop_map(str::to_string);
    let template = (
        prop::collection::vec(ident.clone(), 1..4),
        ident.clone(),
        ident.clone(),
        ident.clone(),
        ident.clone(),
    )
        .prop_map(|(cols, table, alias, col, other)| {
            format!(
                "WITH {alias} AS (SELECT {} FROM {table}) SELECT {alias}.{col} AS {other}, \
                 count(*) FROM {alias} JOIN {table} {other} ON {other}.{col} = {alias}.{col} \
                 WHERE {col} IN (SELECT {col} FROM {table}) GROUP BY {alias}.{col} \
                 ORDER BY {other}",
                cols.join(", ")
            )
        });
    prop_oneof![
        template,
        prop::collection::vec(prop_oneof![ident, tokens], 1..24).prop_map(|t| t.join(" ")),
    ]
}

proptest! {
    #[test]
    fn identifier_resolution_never_panics(text in sql()) {
        let mut names = Names::default();
        for n in ["Issues", "Worklogs", "Key", "IssueKey", "Summary", "Started", "TimeSpentSeconds", "TimeLog", "ë✓"] {
            names.add(n);
        }
        if let Ok(statements) = DFParser::parse_sql(&text) {
            for mut statement in statements {
                let _ = jiraql::engine::identifiers::relations(&statement);
                resolve(&mut statement, &names);
                let _ = statement.to_string();
            }
        }
    }
}
