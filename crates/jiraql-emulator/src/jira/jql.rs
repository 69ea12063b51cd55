//! JQL lexer and parser, written from Atlassian's grammar (`Jql.g`) and `JqlStringSupportImpl`,
//! independently of the client's JQL builder so the two can check each other.
//!
//! [`parse`] turns a query into a [`Query`] AST or a [`JqlError`] carrying Jira's message
//! (`Error in the JQL Query: … (line 1, character 9)`). History operators (`WAS`, `CHANGED`)
//! are not part of this dialect: they fail as unknown operators, which is what Jira's own
//! error text lists. Field and value checks happen later, against the data (`search.rs`).

use std::fmt;

mod lexer;
mod parser;
#[cfg(test)]
mod tests;
mod words;
use lexer::*;
use parser::*;
pub use words::is_reserved_word;
use words::*;

/// A parsed query: an optional where-clause and the ORDER BY list.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub clause: Option<Clause>,
    pub order_by: Vec<OrderBy>,
}

/// One ORDER BY item.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub field: Field,
    pub direction: Option<Direction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// A field reference: a name as written (quotes removed, case kept) or `cf[NNNNN]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Name(String),
    CustomId(u64),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Name(n) => f.write_str(n),
            Field::CustomId(id) => write!(f, "cf[{id}]"),
        }
    }
}

/// The where-clause tree. AND binds tighter than OR; runs of the same connective are flattened.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    And(Vec<Clause>),
    Or(Vec<Clause>),
    Not(Box<Clause>),
    Terminal {
        field: Field,
        op: Operator,
        operand: Operand,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Eq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    /// `~`
    Like,
    /// `!~`
    NotLike,
    Is,
    IsNot,
}

impl Operator {
    /// The operator as Jira's messages print it (`=`, `in`, `is not`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "=",
            Operator::NotEq => "!=",
            Operator::Lt => "<",
            Operator::Le => "<=",
            Operator::Gt => ">",
            Operator::Ge => ">=",
            Operator::In => "in",
            Operator::NotIn => "not in",
            Operator::Like => "~",
            Operator::NotLike => "!~",
            Operator::Is => "is",
            Operator::IsNot => "is not",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value. Quoted and unquoted strings both become `String` (escapes resolved); an unquoted
/// `-?[0-9]+` is a `Number` (Jira reads it as epoch milliseconds on date fields).
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    String(String),
    Number(i64),
    /// `EMPTY` or `NULL`.
    Empty,
    List(Vec<Operand>),
    Function {
        name: String,
        args: Vec<String>,
    },
}

impl fmt::Display for Operand {
    /// The operand as Jira quotes it in messages: strings in double quotes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::String(s) => write!(f, "\"{s}\""),
            Operand::Number(n) => write!(f, "{n}"),
            Operand::Empty => f.write_str("EMPTY"),
            Operand::List(items) => {
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
            Operand::Function { name, args } => write!(f, "{name}({})", args.join(", ")),
        }
    }
}

/// A parse error with Jira's message text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JqlError {
    pub message: String,
}

/// Parse a JQL query.
pub fn parse(jql: &str) -> Result<Query, JqlError> {
    let tokens = lex(jql)?;
    let mut p = Parser { tokens, pos: 0 };
    p.query()
}
