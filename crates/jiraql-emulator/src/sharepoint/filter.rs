//! The OData `$filter` subset Graph accepts on list items: `fields/X` compared with `eq ne gt
//! ge lt le` to a literal, `startswith(fields/X,'…')`, combined with `and`, `or`, `not` and
//! parentheses. Literals: `'text'` (`''` is a quote), numbers, `true`/`false`, `null`, and
//! dates (`2026-01-01T00:00:00Z`, `datetime'…'`, or a quoted date against a date column).
//! Text compares case-insensitively, as SharePoint does.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Date(DateTime<Utc>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp { field: String, op: Op, lit: Lit },
    StartsWith { field: String, prefix: String },
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
    Comma,
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            _ if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '\'' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            text.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            text.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(text));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | ',' | '\'')
                {
                    i += 1;
                }
                out.push(Tok::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

/// Parse a `$filter` value (public so property tests can check the client's literals against
/// this independent parser).
pub fn parse(s: &str) -> Result<Expr, String> {
    let mut p = Parser {
        toks: lex(s)?,
        pos: 0,
    };
    let e = p.or()?;
    if p.pos != p.toks.len() {
        return Err(format!("unexpected {:?}", p.toks[p.pos]));
    }
    Ok(e)
}

impl Parser {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, t: Tok) -> Result<(), String> {
        match self.next() {
            Some(x) if x == t => Ok(()),
            other => Err(format!("expected {t:?}, found {other:?}")),
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut e = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        while self.peek_word("and") {
            self.pos += 1;
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.toks.get(self.pos) == Some(&Tok::Open) {
            self.pos += 1;
            let e = self.or()?;
            self.expect(Tok::Close)?;
            return Ok(e);
        }
        if self.peek_word("startswith") {
            self.pos += 1;
            self.expect(Tok::Open)?;
            let field = self.field()?;
            self.expect(Tok::Comma)?;
            let prefix = match self.next() {
                Some(Tok::Str(s)) => s,
                other => return Err(format!("startswith needs a string, found {other:?}")),
            };
            self.expect(Tok::Close)?;
            return Ok(Expr::StartsWith { field, prefix });
        }
        let field = self.field()?;
        let op = match self.next() {
            Some(Tok::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                _ => return Err(format!("unknown operator '{w}'")),
            },
            other => return Err(format!("expected an operator, found {other:?}")),
        };
        let lit = self.literal()?;
        Ok(Expr::Cmp { field, op, lit })
    }

    /// `fields/Name`: the only properties list-item filters reach here.
    fn field(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Word(w)) => match w.split_once('/') {
                Some((p, name)) if p.eq_ignore_ascii_case("fields") && !name.is_empty() => {
                    Ok(name.to_string())
                }
                _ => Err(format!("unsupported property '{w}'")),
            },
            other => Err(format!("expected fields/<name>, found {other:?}")),
        }
    }

    fn literal(&mut self) -> Result<Lit, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Lit::Str(s)),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("datetime") => match self.next() {
                Some(Tok::Str(s)) => date(&s).map(Lit::Date),
                other => Err(format!("datetime needs a string, found {other:?}")),
            },
            Some(Tok::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "true" => Ok(Lit::Bool(true)),
                "false" => Ok(Lit::Bool(false)),
                "null" => Ok(Lit::Null),
                _ => match w.parse::<f64>() {
                    Ok(n) if n.is_finite() => Ok(Lit::Num(n)),
                    _ => date(&w).map(Lit::Date),
                },
            },
            other => Err(format!("expected a literal, found {other:?}")),
        }
    }
}

pub(crate) fn date(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("'{s}' is not a date literal"))
}

/// `displayName eq 'X'`, the only `$filter` Graph takes on `/lists`: the name, or `None`.
pub(crate) fn parse_display_name(s: &str) -> Option<String> {
    match lex(s).ok()?.as_slice() {
        [Tok::Word(p), Tok::Word(op), Tok::Str(v)]
            if p.eq_ignore_ascii_case("displayName") && op.eq_ignore_ascii_case("eq") =>
        {
            Some(v.clone())
        }
        _ => None,
    }
}

/// The field names a filter touches, in order of appearance.
pub(crate) fn fields(e: &Expr) -> Vec<&str> {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            let mut v = fields(a);
            v.extend(fields(b));
            v
        }
        Expr::Not(a) => fields(a),
        Expr::Cmp { field, .. } | Expr::StartsWith { field, .. } => vec![field.as_str()],
    }
}

/// Does an item (its fields in Graph's read shape) match?
pub(crate) fn eval(e: &Expr, fields: &Map<String, Value>) -> bool {
    match e {
        Expr::And(a, b) => eval(a, fields) && eval(b, fields),
        Expr::Or(a, b) => eval(a, fields) || eval(b, fields),
        Expr::Not(a) => !eval(a, fields),
        Expr::StartsWith { field, prefix } => fields
            .get(field)
            .and_then(Value::as_str)
            .is_some_and(|s| s.to_lowercase().starts_with(&prefix.to_lowercase())),
        Expr::Cmp { field, op, lit } => {
            let value = fields.get(field).filter(|v| !v.is_null());
            match (value, lit) {
                (None, Lit::Null) => *op == Op::Eq,
                (Some(_), Lit::Null) | (None, _) => *op == Op::Ne,
                (Some(Value::Array(values)), _) => {
                    let any = values
                        .iter()
                        .any(|v| compare(v, lit) == Some(Ordering::Equal));
                    match op {
                        Op::Eq => any,
                        Op::Ne => !any,
                        _ => false,
                    }
                }
                (Some(v), _) => compare(v, lit).is_some_and(|o| match op {
                    Op::Eq => o == Ordering::Equal,
                    Op::Ne => o != Ordering::Equal,
                    Op::Gt => o == Ordering::Greater,
                    Op::Ge => o != Ordering::Less,
                    Op::Lt => o == Ordering::Less,
                    Op::Le => o != Ordering::Greater,
                }),
            }
        }
    }
}

/// Order a stored value against a literal; `None` when the types do not compare.
fn compare(v: &Value, lit: &Lit) -> Option<Ordering> {
    match (v, lit) {
        (Value::Number(n), Lit::Num(x)) => n.as_f64()?.partial_cmp(x),
        // `*LookupId` values are numeric strings.
        (Value::String(s), Lit::Num(x)) => s.parse::<f64>().ok()?.partial_cmp(x),
        (Value::Bool(b), Lit::Bool(x)) => Some(b.cmp(x)),
        (Value::Bool(b), Lit::Num(x)) => Some(f64::from(u8::from(*b)).partial_cmp(x)?),
        (Value::String(s), Lit::Date(d)) => Some(date(s).ok()?.cmp(d)),
        (Value::String(s), Lit::Str(x)) => match (date(s), date(x)) {
            (Ok(a), Ok(b)) => Some(a.cmp(&b)),
            _ => Some(s.to_lowercase().cmp(&x.to_lowercase())),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn parses_quotes_and_precedence() {
        let e =
            parse("fields/A eq 'O''Brien' or fields/B gt 2 and not (fields/C eq null)").unwrap();
        assert_eq!(fields(&e), vec!["A", "B", "C"]);
        let row = m(json!({"A": "o'brien"}));
        assert!(eval(&e, &row));
        let row = m(json!({"A": "x", "B": 3, "C": true}));
        assert!(eval(&e, &row));
        let row = m(json!({"A": "x", "B": 3}));
        assert!(!eval(&e, &row));
        assert!(parse("fields/A eq 'open").is_err());
        assert!(parse("createdDateTime gt 2020-01-01T00:00:00Z").is_err());
        assert!(parse("fields/A like 'x'").is_err());
    }

    #[test]
    fn dates_lookups_arrays_and_startswith() {
        let row = m(
            json!({"D": "2026-03-02T11:39:51Z", "LLookupId": "5", "M": ["a", "b"], "T": "PMO-12"}),
        );
        for (f, want) in [
            ("fields/D ge 2026-03-02T00:00:00Z", true),
            ("fields/D lt datetime'2026-03-02T00:00:00Z'", false),
            ("fields/D gt '2026-01-01T00:00:00Z'", true),
            ("fields/LLookupId eq 5", true),
            ("fields/M eq 'B'", true),
            ("fields/M ne 'c'", true),
            ("startswith(fields/T,'pmo-')", true),
            ("startswith(fields/T,'X')", false),
            ("fields/Missing ne 'x'", true),
        ] {
            assert_eq!(eval(&parse(f).unwrap(), &row), want, "{f}");
        }
    }
}
