//! The JQL lexer: tokens, quoted and unquoted strings with their escapes, and Jira's messages for
//! illegal and reserved characters.

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
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
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) line: usize,
    pub(super) col: usize,
}

impl Token {
    pub(super) fn shown(&self) -> String {
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
    pub(super) fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word { text, quoted: false, .. } if text.eq_ignore_ascii_case(kw))
    }
}

pub(super) struct Lexer<'a> {
    pub(super) chars: std::iter::Peekable<std::str::Chars<'a>>,
    pub(super) line: usize,
    pub(super) col: usize,
}

impl Lexer<'_> {
    pub(super) fn next(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    pub(super) fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    /// After a backslash at (line, col): the escaped character.
    pub(super) fn escape(&mut self, line: usize, col: usize) -> Result<char, JqlError> {
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

pub(super) fn lex(src: &str) -> Result<Vec<Token>, JqlError> {
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

pub(super) fn quoted(
    lx: &mut Lexer<'_>,
    quote: char,
    line: usize,
    col: usize,
) -> Result<Tok, JqlError> {
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

pub(super) fn unquoted(lx: &mut Lexer<'_>) -> Result<Tok, JqlError> {
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
