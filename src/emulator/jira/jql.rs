//! JQL lexer and parser, written from Atlassian's grammar (`Jql.g`) and `JqlStringSupportImpl`,
//! independently of the client's JQL builder so the two can check each other.
//!
//! [`parse`] turns a query into a [`Query`] AST or a [`JqlError`] carrying Jira's message
//! (`Error in the JQL Query: … (line 1, character 9)`). History operators (`WAS`, `CHANGED`)
//! are not part of this dialect: they fail as unknown operators, which is what Jira's own
//! error text lists. Field and value checks happen later, against the data (`search.rs`).

use std::fmt;

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

/// `JqlStringSupportImpl.RESERVED_WORDS`: these must be quoted to be values or field names.
const RESERVED_WORDS: &[&str] = &[
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
fn is_reserved_char(c: char) -> bool {
    matches!(
        c,
        '{' | '}' | '*' | '/' | '%' | '+' | '^' | '$' | '#' | '@' | '?' | ';'
    )
}

/// Characters that end an unquoted string.
fn is_stop_char(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '=' | '!' | '<' | '>' | '(' | ')' | '~' | ',' | '[' | ']' | '|' | '&'
    ) || c.is_whitespace()
        || is_reserved_char(c)
}

/// The grammar's CONTROLCHARS: not allowed raw anywhere, escape them as `\uXXXX`.
fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fdd0}'..='\u{fdef}' | '\u{fffe}' | '\u{ffff}')
}

const VALID_OPERATORS: &str = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

fn at(msg: impl fmt::Display, line: usize, col: usize) -> JqlError {
    JqlError {
        message: format!("Error in the JQL Query: {msg} (line {line}, character {col})"),
    }
}

fn at_end(msg: impl fmt::Display) -> JqlError {
    JqlError {
        message: format!("Error in the JQL Query: {msg}"),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    LBracket,
    RBracket,
    Eq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    NotLike,
    Bang,
    AndSym,
    OrSym,
    /// A string; `raw` is the source text (for messages).
    Word {
        text: String,
        quoted: bool,
        raw: String,
    },
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
    col: usize,
}

impl Token {
    fn shown(&self) -> String {
        match &self.tok {
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::Comma => ",".into(),
            Tok::LBracket => "[".into(),
            Tok::RBracket => "]".into(),
            Tok::Eq => "=".into(),
            Tok::NotEq => "!=".into(),
            Tok::Lt => "<".into(),
            Tok::Le => "<=".into(),
            Tok::Gt => ">".into(),
            Tok::Ge => ">=".into(),
            Tok::Like => "~".into(),
            Tok::NotLike => "!~".into(),
            Tok::Bang => "!".into(),
            Tok::AndSym => "&".into(),
            Tok::OrSym => "|".into(),
            Tok::Word { raw, .. } => raw.clone(),
            Tok::Eof => String::new(),
        }
    }

    /// An unquoted word equal (ignoring case) to `kw`.
    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word { text, quoted: false, .. } if text.eq_ignore_ascii_case(kw))
    }
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    col: usize,
}

impl Lexer<'_> {
    fn next(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    /// After a backslash at (line, col): the escaped character.
    fn escape(&mut self, line: usize, col: usize) -> Result<char, JqlError> {
        let illegal = |seq: &str| {
            at(
                format!("Illegal escape sequence '{seq}' in the string."),
                line,
                col,
            )
        };
        let Some(c) = self.next() else {
            return Err(illegal("\\"));
        };
        Ok(match c {
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            '"' => '"',
            '\'' => '\'',
            '\\' => '\\',
            ' ' => ' ',
            'u' => {
                let hi = self.hex4().ok_or_else(|| illegal("\\u"))?;
                if (0xD800..0xDC00).contains(&hi) {
                    // A UTF-16 surrogate pair written as two escapes.
                    if self.next() != Some('\\') || self.next() != Some('u') {
                        return Err(illegal(&format!("\\u{hi:04x}")));
                    }
                    let lo = self.hex4().ok_or_else(|| illegal("\\u"))?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(illegal(&format!("\\u{hi:04x}")));
                    }
                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    char::from_u32(code).ok_or_else(|| illegal(&format!("\\u{hi:04x}")))?
                } else {
                    char::from_u32(hi).ok_or_else(|| illegal(&format!("\\u{hi:04x}")))?
                }
            }
            other => return Err(illegal(&format!("\\{other}"))),
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0;
        for _ in 0..4 {
            v = v * 16 + self.next()?.to_digit(16)?;
        }
        Some(v)
    }
}

fn lex(src: &str) -> Result<Vec<Token>, JqlError> {
    let mut lx = Lexer {
        chars: src.chars().peekable(),
        line: 1,
        col: 1,
    };
    let mut out = Vec::new();
    loop {
        let (line, col) = (lx.line, lx.col);
        let Some(c) = lx.peek() else {
            out.push(Token {
                tok: Tok::Eof,
                line,
                col,
            });
            return Ok(out);
        };
        if c.is_whitespace() {
            lx.next();
            continue;
        }
        let single = |tok| Token { tok, line, col };
        let tok = match c {
            '(' | ')' | ',' | '[' | ']' | '=' | '~' => {
                lx.next();
                match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    ',' => Tok::Comma,
                    '[' => Tok::LBracket,
                    ']' => Tok::RBracket,
                    '=' => Tok::Eq,
                    _ => Tok::Like,
                }
            }
            '!' => {
                lx.next();
                match lx.peek() {
                    Some('=') => {
                        lx.next();
                        Tok::NotEq
                    }
                    Some('~') => {
                        lx.next();
                        Tok::NotLike
                    }
                    _ => Tok::Bang,
                }
            }
            '<' | '>' => {
                lx.next();
                let eq = lx.peek() == Some('=');
                if eq {
                    lx.next();
                }
                match (c, eq) {
                    ('<', false) => Tok::Lt,
                    ('<', true) => Tok::Le,
                    ('>', false) => Tok::Gt,
                    _ => Tok::Ge,
                }
            }
            '&' | '|' => {
                lx.next();
                if lx.peek() == Some(c) {
                    lx.next();
                }
                if c == '&' { Tok::AndSym } else { Tok::OrSym }
            }
            '"' | '\'' => quoted(&mut lx, c, line, col)?,
            c if is_reserved_char(c) => return Err(reserved_char(c, line, col)),
            c if is_control(c) => return Err(illegal_char(c, line, col)),
            _ => unquoted(&mut lx)?,
        };
        out.push(single(tok));
    }
}

fn reserved_char(c: char, line: usize, col: usize) -> JqlError {
    at(
        format!(
            "The character '{c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u{:04x}' instead.",
            c as u32
        ),
        line,
        col,
    )
}

fn illegal_char(c: char, line: usize, col: usize) -> JqlError {
    at(
        format!(
            "The character '\\u{:04x}' is illegal in JQL queries. Use the escape '\\u{:04x}' inside a quoted string instead.",
            c as u32, c as u32
        ),
        line,
        col,
    )
}

fn quoted(lx: &mut Lexer<'_>, quote: char, line: usize, col: usize) -> Result<Tok, JqlError> {
    lx.next();
    let mut text = String::new();
    let mut raw = String::new();
    loop {
        let (l, c) = (lx.line, lx.col);
        match lx.next() {
            None => {
                return Err(at(
                    format!("The quoted string '{raw}' has not been completed."),
                    line,
                    col,
                ));
            }
            Some(ch) if ch == quote => break,
            Some('\\') => {
                let e = lx.escape(l, c)?;
                raw.push('\\');
                text.push(e);
            }
            Some(ch) if is_control(ch) || ch == '\n' || ch == '\r' => {
                return Err(illegal_char(ch, l, c));
            }
            Some(ch) => {
                raw.push(ch);
                text.push(ch);
            }
        }
    }
    Ok(Tok::Word {
        text,
        quoted: true,
        raw,
    })
}

fn unquoted(lx: &mut Lexer<'_>) -> Result<Tok, JqlError> {
    let mut text = String::new();
    let mut raw = String::new();
    while let Some(ch) = lx.peek() {
        let (l, c) = (lx.line, lx.col);
        if ch == '\\' {
            lx.next();
            let e = lx.escape(l, c)?;
            raw.push('\\');
            text.push(e);
            continue;
        }
        if is_reserved_char(ch) && !text.is_empty() {
            return Err(reserved_char(ch, l, c));
        }
        if is_stop_char(ch) {
            break;
        }
        if is_control(ch) {
            return Err(illegal_char(ch, l, c));
        }
        lx.next();
        raw.push(ch);
        text.push(ch);
    }
    Ok(Tok::Word {
        text,
        quoted: false,
        raw,
    })
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        // The lexer always ends with Eof and the parser never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek2(&self) -> &Token {
        &self.tokens[(self.pos + 1).min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self, expecting: &str, suffix: &str) -> JqlError {
        let t = self.peek();
        if t.tok == Tok::Eof {
            at_end(format!(
                "Expecting {expecting} before the end of the query.{suffix}"
            ))
        } else {
            at(
                format!("Expecting {expecting} but got '{}'.{suffix}", t.shown()),
                t.line,
                t.col,
            )
        }
    }

    fn query(&mut self) -> Result<Query, JqlError> {
        let clause = if self.peek().tok == Tok::Eof || self.at_order_by() {
            None
        } else {
            Some(self.or_clause()?)
        };
        let mut order_by = Vec::new();
        if self.at_order_by() {
            self.bump();
            if !self.peek().is_kw("by") {
                return Err(self.unexpected("'by'", ""));
            }
            self.bump();
            loop {
                let field = self.field()?;
                let direction = if self.peek().is_kw("asc") {
                    self.bump();
                    Some(Direction::Asc)
                } else if self.peek().is_kw("desc") {
                    self.bump();
                    Some(Direction::Desc)
                } else {
                    None
                };
                order_by.push(OrderBy { field, direction });
                if self.peek().tok == Tok::Comma {
                    self.bump();
                } else {
                    break;
                }
            }
            if self.peek().tok != Tok::Eof {
                return Err(self.unexpected("either ',', 'ASC' or 'DESC'", ""));
            }
        } else if self.peek().tok != Tok::Eof {
            return Err(self.unexpected("either 'OR' or 'AND'", ""));
        }
        Ok(Query { clause, order_by })
    }

    fn at_order_by(&self) -> bool {
        self.peek().is_kw("order")
    }

    fn is_and(&self) -> bool {
        self.peek().tok == Tok::AndSym || self.peek().is_kw("and")
    }

    fn is_or(&self) -> bool {
        self.peek().tok == Tok::OrSym || self.peek().is_kw("or")
    }

    fn or_clause(&mut self) -> Result<Clause, JqlError> {
        let mut items = vec![self.and_clause()?];
        while self.is_or() {
            self.bump();
            items.push(self.and_clause()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Clause::Or(items)
        })
    }

    fn and_clause(&mut self) -> Result<Clause, JqlError> {
        let mut items = vec![self.not_clause()?];
        while self.is_and() {
            self.bump();
            items.push(self.not_clause()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Clause::And(items)
        })
    }

    fn not_clause(&mut self) -> Result<Clause, JqlError> {
        let t = self.peek();
        if t.tok == Tok::Bang || (t.is_kw("not") && self.peek2().tok != Tok::Eof) {
            self.bump();
            return Ok(Clause::Not(Box::new(self.not_clause()?)));
        }
        if t.tok == Tok::LParen {
            self.bump();
            let inner = self.or_clause()?;
            if self.peek().tok != Tok::RParen {
                return Err(if self.peek().tok == Tok::Eof {
                    self.unexpected("')'", "")
                } else {
                    self.unexpected("either 'OR' or 'AND'", "")
                });
            }
            self.bump();
            return Ok(inner);
        }
        self.terminal()
    }

    fn field(&mut self) -> Result<Field, JqlError> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Word {
                text,
                quoted: false,
                ..
            } if text.eq_ignore_ascii_case("cf") && self.peek2().tok == Tok::LBracket => {
                self.bump();
                self.bump();
                let id = match &self.peek().tok {
                    Tok::Word {
                        text,
                        quoted: false,
                        ..
                    } => text.parse::<u64>().ok(),
                    _ => None,
                };
                let Some(id) = id else {
                    return Err(self.unexpected("a custom field id", ""));
                };
                self.bump();
                if self.peek().tok != Tok::RBracket {
                    return Err(self.unexpected("']'", ""));
                }
                self.bump();
                Ok(Field::CustomId(id))
            }
            Tok::Word { text, quoted, raw } => {
                if !quoted && is_reserved_word(text) {
                    return Err(reserved_word(raw, t.line, t.col));
                }
                self.bump();
                Ok(Field::Name(text.clone()))
            }
            _ => Err(self.unexpected("a field name", "")),
        }
    }

    fn terminal(&mut self) -> Result<Clause, JqlError> {
        let field = self.field()?;
        let op = self.operator()?;
        let operand = self.operand(true)?;
        Ok(Clause::Terminal { field, op, operand })
    }

    fn operator(&mut self) -> Result<Operator, JqlError> {
        let t = self.peek().clone();
        let op = match &t.tok {
            Tok::Eq => Operator::Eq,
            Tok::NotEq => Operator::NotEq,
            Tok::Lt => Operator::Lt,
            Tok::Le => Operator::Le,
            Tok::Gt => Operator::Gt,
            Tok::Ge => Operator::Ge,
            Tok::Like => Operator::Like,
            Tok::NotLike => Operator::NotLike,
            _ if t.is_kw("in") => Operator::In,
            _ if t.is_kw("is") => {
                self.bump();
                if self.peek().is_kw("not") {
                    self.bump();
                    return Ok(Operator::IsNot);
                }
                return Ok(Operator::Is);
            }
            _ if t.is_kw("not") && self.peek2().is_kw("in") => {
                self.bump();
                Operator::NotIn
            }
            _ => return Err(self.unexpected("operator", &format!(" {VALID_OPERATORS}"))),
        };
        self.bump();
        Ok(op)
    }

    fn operand(&mut self, allow_list: bool) -> Result<Operand, JqlError> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::LParen if allow_list => {
                self.bump();
                let mut items = vec![self.operand(false)?];
                while self.peek().tok == Tok::Comma {
                    self.bump();
                    items.push(self.operand(false)?);
                }
                if self.peek().tok != Tok::RParen {
                    return Err(self.unexpected("')'", ""));
                }
                self.bump();
                Ok(Operand::List(items))
            }
            Tok::Word { text, quoted, raw } => {
                if !quoted && self.peek2().tok == Tok::LParen {
                    self.bump();
                    return self.function(text.clone());
                }
                self.bump();
                if *quoted {
                    return Ok(Operand::String(text.clone()));
                }
                if text.eq_ignore_ascii_case("empty") || text.eq_ignore_ascii_case("null") {
                    return Ok(Operand::Empty);
                }
                if is_reserved_word(text) {
                    return Err(reserved_word(raw, t.line, t.col));
                }
                // Numbers too large for i64 stay strings, as text they are still valid.
                if is_number(text)
                    && let Ok(n) = text.parse::<i64>()
                {
                    return Ok(Operand::Number(n));
                }
                Ok(Operand::String(text.clone()))
            }
            _ => Err(self.unexpected("either a value, list or function", "")),
        }
    }

    fn function(&mut self, name: String) -> Result<Operand, JqlError> {
        // At '('.
        self.bump();
        let mut args = Vec::new();
        if self.peek().tok == Tok::RParen {
            self.bump();
            return Ok(Operand::Function { name, args });
        }
        loop {
            let t = self.peek().clone();
            match &t.tok {
                Tok::Word { text, .. } => {
                    self.bump();
                    args.push(text.clone());
                }
                _ => return Err(self.unexpected("a function argument", "")),
            }
            match self.peek().tok {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RParen => {
                    self.bump();
                    return Ok(Operand::Function { name, args });
                }
                _ => return Err(self.unexpected("')'", "")),
            }
        }
    }
}

fn reserved_word(raw: &str, line: usize, col: usize) -> JqlError {
    at(
        format!(
            "'{raw}' is a reserved JQL word. You must surround it in quotation marks to use it in a query."
        ),
        line,
        col,
    )
}

fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(field: &str, op: Operator, operand: Operand) -> Clause {
        Clause::Terminal {
            field: Field::Name(field.into()),
            op,
            operand,
        }
    }

    fn s(v: &str) -> Operand {
        Operand::String(v.into())
    }

    fn err(jql: &str) -> String {
        parse(jql).expect_err(jql).message
    }

    #[test]
    fn reserved_words_are_sorted_for_binary_search() {
        let mut sorted = RESERVED_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, RESERVED_WORDS);
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let q = parse("a = 1 OR b = 2 and c = 3").unwrap();
        assert_eq!(
            q.clause,
            Some(Clause::Or(vec![
                term("a", Operator::Eq, Operand::Number(1)),
                Clause::And(vec![
                    term("b", Operator::Eq, Operand::Number(2)),
                    term("c", Operator::Eq, Operand::Number(3)),
                ]),
            ]))
        );
        let q = parse("(a = 1 || b = 2) && !c = 3 & not d = x").unwrap();
        assert_eq!(
            q.clause,
            Some(Clause::And(vec![
                Clause::Or(vec![
                    term("a", Operator::Eq, Operand::Number(1)),
                    term("b", Operator::Eq, Operand::Number(2)),
                ]),
                Clause::Not(Box::new(term("c", Operator::Eq, Operand::Number(3)))),
                Clause::Not(Box::new(term("d", Operator::Eq, s("x")))),
            ]))
        );
    }

    #[test]
    fn operators_and_operands() {
        let q = parse(
            "project IN (DEMO, \"OPS\", 10000) and status not in (Done) AND assignee is not EMPTY \
             and reporter IS null and summary ~ 'x' and description !~ y and created >= -5d \
             and updated < 1767571200000 and priority <= High and key != DEMO-1 and x > 2 \
             and assignee = currentUser() and created > startOfDay(-1, \"d\")",
        )
        .unwrap();
        let Some(Clause::And(items)) = q.clause else {
            panic!("and")
        };
        assert_eq!(
            items[0],
            term(
                "project",
                Operator::In,
                Operand::List(vec![s("DEMO"), s("OPS"), Operand::Number(10000)])
            )
        );
        assert_eq!(
            items[1],
            term("status", Operator::NotIn, Operand::List(vec![s("Done")]))
        );
        assert_eq!(items[2], term("assignee", Operator::IsNot, Operand::Empty));
        assert_eq!(items[3], term("reporter", Operator::Is, Operand::Empty));
        assert_eq!(items[4], term("summary", Operator::Like, s("x")));
        assert_eq!(items[5], term("description", Operator::NotLike, s("y")));
        assert_eq!(items[6], term("created", Operator::Ge, s("-5d")));
        assert_eq!(
            items[7],
            term("updated", Operator::Lt, Operand::Number(1_767_571_200_000))
        );
        assert_eq!(items[8], term("priority", Operator::Le, s("High")));
        assert_eq!(items[9], term("key", Operator::NotEq, s("DEMO-1")));
        assert_eq!(items[10], term("x", Operator::Gt, Operand::Number(2)));
        assert_eq!(
            items[11],
            term(
                "assignee",
                Operator::Eq,
                Operand::Function {
                    name: "currentUser".into(),
                    args: vec![]
                }
            )
        );
        assert_eq!(
            items[12],
            term(
                "created",
                Operator::Gt,
                Operand::Function {
                    name: "startOfDay".into(),
                    args: vec!["-1".into(), "d".into()]
                }
            )
        );
    }

    #[test]
    fn custom_fields_quoted_fields_and_order_by() {
        let q = parse("cf[10016] > 3 and \"Story Points\" <= 5 ORDER BY key DESC, created, \"Target Date\" asc")
            .unwrap();
        let Some(Clause::And(items)) = q.clause else {
            panic!("and")
        };
        assert_eq!(
            items[0],
            Clause::Terminal {
                field: Field::CustomId(10016),
                op: Operator::Gt,
                operand: Operand::Number(3)
            }
        );
        assert_eq!(
            items[1],
            term("Story Points", Operator::Le, Operand::Number(5))
        );
        assert_eq!(
            q.order_by,
            vec![
                OrderBy {
                    field: Field::Name("key".into()),
                    direction: Some(Direction::Desc)
                },
                OrderBy {
                    field: Field::Name("created".into()),
                    direction: None
                },
                OrderBy {
                    field: Field::Name("Target Date".into()),
                    direction: Some(Direction::Asc)
                },
            ]
        );
        let q = parse("order by key desc").unwrap();
        assert_eq!(q.clause, None);
        assert_eq!(q.order_by.len(), 1);
        assert_eq!(parse("").unwrap().clause, None);
        assert_eq!(parse("   ").unwrap().clause, None);
    }

    #[test]
    fn escapes_in_quoted_and_unquoted_strings() {
        let q = parse(r#"summary ~ "a \"b\" \'c\' \\ \t\n\r\ \u00e9\u0001\ud83d\ude80""#).unwrap();
        assert_eq!(
            q.clause,
            Some(term(
                "summary",
                Operator::Like,
                s("a \"b\" 'c' \\ \t\n\r é\u{1}🚀")
            ))
        );
        let q = parse(r#"labels = 'it''s'"#);
        assert!(q.is_err(), "two adjacent strings are not one value");
        let q = parse(r"labels = a\ b").unwrap();
        assert_eq!(q.clause, Some(term("labels", Operator::Eq, s("a b"))));
        let q = parse(r#"summary ~ "AND""#).unwrap();
        assert_eq!(q.clause, Some(term("summary", Operator::Like, s("AND"))));
        let q = parse("summary ~ \"日本語 🚀\"").unwrap();
        assert_eq!(
            q.clause,
            Some(term("summary", Operator::Like, s("日本語 🚀")))
        );
    }

    #[test]
    fn exact_error_messages() {
        assert_eq!(
            err("invalid query"),
            "Error in the JQL Query: Expecting operator but got 'query'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)"
        );
        assert_eq!(
            err("project = a/b"),
            "Error in the JQL Query: The character '/' is a reserved JQL character. You must enclose it in a string or use the escape '\\u002f' instead. (line 1, character 12)"
        );
        assert_eq!(
            err("summary ~ x and labels = for"),
            "Error in the JQL Query: 'for' is a reserved JQL word. You must surround it in quotation marks to use it in a query. (line 1, character 26)"
        );
        assert_eq!(
            err(r#"summary ~ "a\qb""#),
            "Error in the JQL Query: Illegal escape sequence '\\q' in the string. (line 1, character 13)"
        );
        assert_eq!(
            err("summary ~ \"abc"),
            "Error in the JQL Query: The quoted string 'abc' has not been completed. (line 1, character 11)"
        );
        assert_eq!(
            err("project ="),
            "Error in the JQL Query: Expecting either a value, list or function before the end of the query."
        );
        assert_eq!(
            err("project = A B = 2"),
            "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'B'. (line 1, character 13)"
        );
        assert_eq!(
            err("(project = A"),
            "Error in the JQL Query: Expecting ')' before the end of the query."
        );
        assert_eq!(
            err("project = A and\n  status"),
            "Error in the JQL Query: Expecting operator before the end of the query. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."
        );
        assert_eq!(
            err("project = A and\n  status ? x"),
            "Error in the JQL Query: The character '?' is a reserved JQL character. You must enclose it in a string or use the escape '\\u003f' instead. (line 2, character 10)"
        );
        assert!(err("status was Done").contains("Expecting operator but got 'was'"));
        assert!(err("project = x order key").contains("Expecting 'by' but got 'key'"));
    }
}
