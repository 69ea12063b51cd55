//! Splitting SQL text into statements, each with the line it starts on, so a script runs
//! statement by statement and a failure names its line.

use datafusion::error::{DataFusionError, Result};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};

/// One statement's text and where it starts (1-based line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlText {
    pub line: usize,
    pub text: String,
}

/// Splits `sql` at top-level semicolons (those in strings, identifiers and comments are tokens
/// of their own, not separators). Empty statements and comments alone are dropped.
pub fn split(sql: &str) -> Result<Vec<SqlText>> {
    let dialect = GenericDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| DataFusionError::SQL(Box::new(e.into()), None))?;
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |line: u64, column: u64| -> usize {
        let start = line_starts
            .get((line as usize).saturating_sub(1))
            .copied()
            .unwrap_or(sql.len());
        sql[start..]
            .char_indices()
            .nth((column as usize).saturating_sub(1))
            .map_or(sql.len(), |(i, _)| start + i)
    };
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte offset, line) of the first real token
    for t in &tokens {
        match &t.token {
            Token::SemiColon => {
                if let Some((from, line)) = start.take() {
                    let to = offset(t.span.start.line, t.span.start.column);
                    out.push(SqlText {
                        line,
                        text: sql[from..to].trim_end().to_string(),
                    });
                }
            }
            Token::Whitespace(_) => {}
            _ if start.is_none() => {
                start = Some((
                    offset(t.span.start.line, t.span.start.column),
                    t.span.start.line as usize,
                ));
            }
            _ => {}
        }
    }
    if let Some((from, line)) = start {
        out.push(SqlText {
            line,
            text: sql[from..].trim_end().to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_top_level_semicolons_with_lines() {
        let sql = "-- report\nSELECT 'a;b' AS \"x;y\";\n\n  SELECT 2 -- two; really\n;;\nSELECT 3";
        let parts = split(sql).unwrap();
        assert_eq!(
            parts,
            vec![
                SqlText {
                    line: 2,
                    text: "SELECT 'a;b' AS \"x;y\"".into()
                },
                SqlText {
                    line: 4,
                    text: "SELECT 2 -- two; really".into()
                },
                SqlText {
                    line: 6,
                    text: "SELECT 3".into()
                },
            ]
        );
    }

    #[test]
    fn unicode_before_a_statement_keeps_offsets_right() {
        let parts = split("SELECT 'Zoë ✓';SELECT 'ok'").unwrap();
        assert_eq!(parts[1].text, "SELECT 'ok'");
    }

    #[test]
    fn an_unterminated_string_is_an_error() {
        assert!(split("SELECT 'oops").is_err());
    }
}
