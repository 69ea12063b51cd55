//! The JQL parser: precedence of OR, AND and NOT, fields, operators, operands, functions and ORDER
//! BY, with Jira's messages for what it expected.

use super::*;

pub(super) struct Parser {
    pub(super) tokens: Vec<Token>,
    pub(super) pos: usize,
}

impl Parser {
    pub(super) fn peek(&self) -> &Token {
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

    pub(super) fn query(&mut self) -> Result<Query, JqlError> {
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

    pub(super) fn field(&mut self) -> Result<Field, JqlError> {
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

    pub(super) fn operator(&mut self) -> Result<Operator, JqlError> {
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

    pub(super) fn operand(&mut self, allow_list: bool) -> Result<Operand, JqlError> {
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

    pub(super) fn function(&mut self, name: String) -> Result<Operand, JqlError> {
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
