//! Writing JQL: the one place where values become JQL text.
//!
//! Every string literal goes through [`quote`], which follows Jira's own
//! `JqlStringSupportImpl.encodeAsQuotedString` rules, so no value can change a query's meaning.
//! Instants are written as epoch milliseconds (a bare number), which Jira reads without the
//! searching user's time zone; calendar days are written as `"yyyy-MM-dd"`.

use std::fmt::{self, Write};

/// A JQL string literal for `value`: double-quoted with `"`, `'`, `\`, control characters and
/// noncharacters escaped.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            // Jira's lexer refuses these even quoted: C0/C1 controls and the BMP's
            // noncharacters (`JqlStringSupportImpl.isJqlControl`).
            c if c.is_control()
                || matches!(c, '\u{fdd0}'..='\u{fdef}' | '\u{fffe}' | '\u{ffff}') =>
            {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value on the right of a JQL operator.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// Written quoted.
    Text(String),
    /// Written bare: ids, and instants as epoch milliseconds.
    Number(i64),
    /// Written bare: values of number fields (finite).
    Decimal(f64),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Text(s) => f.write_str(&quote(s)),
            Literal::Number(n) => write!(f, "{n}"),
            Literal::Decimal(x) => write!(f, "{x}"),
        }
    }
}

/// JQL comparison operators jiraql emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    /// Text search `~`.
    Contains,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::NotEq => "!=",
            Op::Lt => "<",
            Op::LtEq => "<=",
            Op::Gt => ">",
            Op::GtEq => ">=",
            Op::Contains => "~",
        }
    }
}

/// A JQL condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    Compare {
        field: &'static str,
        op: Op,
        value: Literal,
    },
    In {
        field: &'static str,
        values: Vec<Literal>,
        negated: bool,
    },
    Empty {
        field: &'static str,
        negated: bool,
    },
    Any(Vec<Clause>),
    All(Vec<Clause>),
    /// JQL written by the user (the `JQL` pseudo column), kept in parentheses.
    Raw(String),
}

impl Clause {
    pub fn compare(field: &'static str, op: Op, value: Literal) -> Self {
        Clause::Compare { field, op, value }
    }

    /// Removes `value` from positive `field = value` / `field in (...)` conditions, as needed when
    /// Jira answers that the value does not exist. Returns `None` when the clause can then match
    /// nothing. Other clauses (negated, OR-ed, raw) are left as they are.
    pub fn without_value(self, field: &str, value: &str) -> Option<Clause> {
        let same = |l: &Literal| match l {
            Literal::Text(s) => s.eq_ignore_ascii_case(value),
            Literal::Number(n) => n.to_string() == value,
            Literal::Decimal(x) => x.to_string() == value,
        };
        match self {
            Clause::Compare {
                field: f,
                op: Op::Eq,
                value: v,
            } if f.eq_ignore_ascii_case(field) && same(&v) => None,
            Clause::In {
                field: f,
                values,
                negated: false,
            } if f.eq_ignore_ascii_case(field) => {
                let values: Vec<Literal> = values.into_iter().filter(|v| !same(v)).collect();
                (!values.is_empty()).then_some(Clause::In {
                    field: f,
                    values,
                    negated: false,
                })
            }
            Clause::Any(parts) => {
                let parts: Vec<Clause> = parts
                    .into_iter()
                    .filter_map(|p| p.without_value(field, value))
                    .collect();
                (!parts.is_empty()).then_some(Clause::Any(parts))
            }
            other => Some(other),
        }
    }
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Clause::Compare { field, op, value } => write!(f, "{field} {} {value}", op.as_str()),
            Clause::In {
                field,
                values,
                negated,
            } => {
                write!(f, "{field} {} (", if *negated { "not in" } else { "in" })?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str(")")
            }
            Clause::Empty { field, negated } => {
                write!(
                    f,
                    "{field} {} EMPTY",
                    if *negated { "is not" } else { "is" }
                )
            }
            Clause::Any(parts) => join(f, parts, " OR "),
            Clause::All(parts) => join(f, parts, " AND "),
            Clause::Raw(jql) => write!(f, "({jql})"),
        }
    }
}

fn join(f: &mut fmt::Formatter<'_>, parts: &[Clause], sep: &str) -> fmt::Result {
    f.write_str("(")?;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{p}")?;
    }
    f.write_str(")")
}

/// The restriction used when SQL gives none: Cloud refuses unbounded JQL, and every issue has a
/// project.
pub const ALL_ISSUES: &str = "project is not EMPTY";

/// A search: conditions joined by AND.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub clauses: Vec<Clause>,
}

impl Query {
    /// The JQL text; never unbounded.
    pub fn to_jql(&self) -> String {
        if self.clauses.is_empty() {
            return ALL_ISSUES.to_string();
        }
        self.clauses
            .iter()
            .map(Clause::to_string)
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// Drops a value Jira says does not exist. `false` when the query can then match nothing.
    pub fn without_value(&mut self, field: &str, value: &str) -> bool {
        let mut matchable = true;
        self.clauses = std::mem::take(&mut self.clauses)
            .into_iter()
            .filter_map(|c| {
                let kept = c.without_value(field, value);
                matchable &= kept.is_some();
                kept
            })
            .collect();
        matchable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_what_jira_escapes() {
        assert_eq!(quote(r#"a"b'c\d"#), r#""a\"b\'c\\d""#);
        assert_eq!(quote("tab\there\nnl\r"), r#""tab\there\nnl\r""#);
        assert_eq!(quote("\u{1}x\u{7f}"), r#""\u0001x\u007f""#);
        assert_eq!(quote("\u{fde9}\u{ffff}"), r#""\ufde9\uffff""#);
        assert_eq!(quote("order by"), "\"order by\"");
        assert_eq!(quote("Zoë ✓"), "\"Zoë ✓\"");
    }

    #[test]
    fn clauses_render_with_parentheses_where_needed() {
        let q = Query {
            clauses: vec![
                Clause::compare("project", Op::Eq, Literal::Text("DEMO".into())),
                Clause::Any(vec![
                    Clause::compare("status", Op::Eq, Literal::Text("Done".into())),
                    Clause::Empty {
                        field: "priority",
                        negated: false,
                    },
                ]),
                Clause::Raw("status WAS \"Open\"".into()),
                Clause::In {
                    field: "id",
                    values: vec![Literal::Number(1), Literal::Number(2)],
                    negated: true,
                },
            ],
        };
        assert_eq!(
            q.to_jql(),
            r#"project = "DEMO" AND (status = "Done" OR priority is EMPTY) AND (status WAS "Open") AND id not in (1, 2)"#
        );
        assert_eq!(Query::default().to_jql(), ALL_ISSUES);
    }

    #[test]
    fn missing_values_are_dropped_and_empty_sets_reported() {
        let mut q = Query {
            clauses: vec![Clause::In {
                field: "key",
                values: vec![Literal::Text("A-1".into()), Literal::Text("A-2".into())],
                negated: false,
            }],
        };
        assert!(q.without_value("key", "a-2"));
        assert_eq!(q.to_jql(), r#"key in ("A-1")"#);
        assert!(!q.without_value("key", "A-1"));
    }
}
