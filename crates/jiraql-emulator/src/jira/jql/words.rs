//! Jira's reserved words and characters, and the error text shapes every JQL error shares.

use super::*;

/// `JqlStringSupportImpl.RESERVED_WORDS`: these must be quoted to be values or field names.
pub(super) const RESERVED_WORDS: &[&str] = &[
    "abort",
    "access",
    "add",
    "after",
    "alias",
    "all",
    "alter",
    "and",
    "any",
    "as",
    "asc",
    "audit",
    "avg",
    "before",
    "begin",
    "between",
    "boolean",
    "break",
    "by",
    "byte",
    "catch",
    "cf",
    "changed",
    "char",
    "character",
    "check",
    "checkpoint",
    "collate",
    "collation",
    "column",
    "commit",
    "connect",
    "continue",
    "count",
    "create",
    "current",
    "date",
    "decimal",
    "declare",
    "decrement",
    "default",
    "defaults",
    "define",
    "delete",
    "delimiter",
    "desc",
    "difference",
    "distinct",
    "divide",
    "do",
    "double",
    "drop",
    "else",
    "empty",
    "encoding",
    "end",
    "equals",
    "escape",
    "exclusive",
    "exec",
    "execute",
    "exists",
    "explain",
    "false",
    "fetch",
    "field",
    "file",
    "first",
    "float",
    "for",
    "from",
    "function",
    "go",
    "goto",
    "grant",
    "greater",
    "group",
    "having",
    "identified",
    "if",
    "immediate",
    "in",
    "increment",
    "index",
    "initial",
    "inner",
    "inout",
    "input",
    "insert",
    "int",
    "integer",
    "intersect",
    "intersection",
    "into",
    "is",
    "isempty",
    "isnull",
    "join",
    "last",
    "left",
    "less",
    "like",
    "limit",
    "lock",
    "long",
    "max",
    "min",
    "minus",
    "mode",
    "modify",
    "modulo",
    "more",
    "multiply",
    "next",
    "noaudit",
    "not",
    "notin",
    "nowait",
    "null",
    "number",
    "object",
    "of",
    "on",
    "option",
    "or",
    "order",
    "outer",
    "output",
    "power",
    "previous",
    "prior",
    "privileges",
    "public",
    "raise",
    "raw",
    "remainder",
    "rename",
    "resource",
    "return",
    "returns",
    "revoke",
    "right",
    "row",
    "rowid",
    "rownum",
    "rows",
    "select",
    "session",
    "set",
    "share",
    "size",
    "sqrt",
    "start",
    "strict",
    "string",
    "subtract",
    "sum",
    "synonym",
    "table",
    "then",
    "to",
    "trans",
    "transaction",
    "trigger",
    "true",
    "uid",
    "union",
    "unique",
    "update",
    "user",
    "validate",
    "values",
    "view",
    "was",
    "when",
    "whenever",
    "where",
    "while",
    "with",
];

/// Whether a word must be quoted to be used as a value or field name.
pub fn is_reserved_word(word: &str) -> bool {
    let lower = word.to_lowercase();
    RESERVED_WORDS.binary_search(&lower.as_str()).is_ok()
}

/// Characters that may not appear unquoted (grammar `RESERVED_CHARS`).
pub(super) fn is_reserved_char(c: char) -> bool {
    matches!(
        c,
        '{' | '}' | '*' | '/' | '%' | '+' | '^' | '$' | '#' | '@' | '?' | ';'
    )
}

/// Characters that end an unquoted string.
pub(super) fn is_stop_char(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '=' | '!' | '<' | '>' | '(' | ')' | '~' | ',' | '[' | ']' | '|' | '&'
    ) || c.is_whitespace()
        || is_reserved_char(c)
}

/// The grammar's CONTROLCHARS: not allowed raw anywhere, escape them as `\uXXXX`.
pub(super) fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fdd0}'..='\u{fdef}' | '\u{fffe}' | '\u{ffff}')
}

pub(super) const VALID_OPERATORS: &str = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

pub(super) fn at(msg: impl fmt::Display, line: usize, col: usize) -> JqlError {
    JqlError {
        message: format!("Error in the JQL Query: {msg} (line {line}, character {col})"),
    }
}

pub(super) fn at_end(msg: impl fmt::Display) -> JqlError {
    JqlError {
        message: format!("Error in the JQL Query: {msg}"),
    }
}
