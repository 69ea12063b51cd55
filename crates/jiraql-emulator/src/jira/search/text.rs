//! Text search (`~`): an approximation of Lucene over lower-cased alphanumeric tokens.

use super::*;

/// The texts a text clause searches.
pub(super) fn text_of(d: &JiraData, i: &Issue, field: TextField) -> Vec<String> {
    let description = || i.description.as_deref().map(adf::to_plain_text);
    let comments = || d.comments_of(i).iter().map(|c| adf::to_plain_text(&c.body));
    match field {
        TextField::Summary => vec![i.summary.clone()],
        TextField::Description => description().into_iter().collect(),
        TextField::Environment => Vec::new(),
        TextField::ReleaseNotes => i.release_notes().into_iter().collect(),
        TextField::Comment => comments().collect(),
        TextField::WorklogComment => d
            .worklogs_of(i)
            .iter()
            .filter_map(|w| w.comment.as_deref().map(adf::to_plain_text))
            .collect(),
        TextField::All => std::iter::once(i.summary.clone())
            .chain(description())
            .chain(comments())
            .collect(),
    }
}

const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// Lower-cased runs of letters and digits.
pub(super) fn tokenize(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[derive(Debug, Clone)]
pub(super) enum Term {
    Word(String),
    Prefix(String),
    Phrase(Vec<String>),
}

/// A parsed `~` value: every term must match.
#[derive(Debug, Clone)]
pub(super) struct TextQuery {
    pub(super) terms: Vec<Term>,
}

impl TextQuery {
    pub(super) fn parse(s: &str) -> TextQuery {
        let mut terms = Vec::new();
        for (k, part) in s.split('"').enumerate() {
            if k % 2 == 1 {
                // Inside quotes: an exact phrase.
                let words = tokenize(part);
                match words.len() {
                    0 => {}
                    1 => terms.push(Term::Word(words[0].clone())),
                    _ => terms.push(Term::Phrase(words)),
                }
                continue;
            }
            for raw in part.split_whitespace() {
                let wildcard = raw.ends_with(['*', '?']);
                let words = tokenize(raw);
                match (words.len(), wildcard) {
                    (0, _) => {}
                    (1, true) => terms.push(Term::Prefix(words[0].clone())),
                    (1, false) => {
                        if !STOP_WORDS.contains(&words[0].as_str()) {
                            terms.push(Term::Word(words[0].clone()));
                        }
                    }
                    _ => terms.push(Term::Phrase(words)),
                }
            }
        }
        TextQuery { terms }
    }

    pub(super) fn matches(&self, tokens: &[String]) -> bool {
        !self.terms.is_empty()
            && self.terms.iter().all(|t| match t {
                Term::Word(w) => tokens.iter().any(|x| x == w),
                Term::Prefix(p) => tokens.iter().any(|x| x.starts_with(p.as_str())),
                Term::Phrase(ws) => tokens.windows(ws.len()).any(|win| win == ws.as_slice()),
            })
    }
}
