//! Connection strings as both services take them (`Name=Value;...`, quoted values, the
//! `Other` property's nested list), and the errors that name what is wrong without printing
//! secrets.

use url::{Host, Url};

/// Values longer than this are cut when echoed in an error, so one bad value cannot flood a
/// terminal.
const MAX_ECHO_CHARS: usize = 120;

/// Asks the user for a token; gets the prompt text, returns what was typed.
pub type TokenPrompt<'a> = &'a dyn Fn(&str) -> std::io::Result<String>;

/// Why a connection string or its credentials were not accepted.
///
/// Messages name the property and, except for secrets, the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionError {
    /// The string could not be split into `Name=Value` pairs.
    #[error("{0}")]
    Syntax(String),
    /// A property name that is not known.
    #[error("unknown connection property {name}; known properties: {known}")]
    UnknownProperty {
        /// The name as written, or a placeholder when it looked like a pasted secret.
        name: String,
        /// The known property names, comma-separated.
        known: String,
    },
    /// The same property (or two of its aliases) given twice.
    #[error(
        "connection property {property} is given more than once{}; keep only one",
        if *.in_other { " (at the top level and inside Other, or twice inside Other)" } else { "" }
    )]
    Duplicate {
        /// Canonical property name.
        property: String,
        /// Whether one of the occurrences was inside `Other`.
        in_other: bool,
    },
    /// A value that cannot be used.
    #[error("{}", invalid_value_text(.property, .value.as_deref(), .reason))]
    InvalidValue {
        /// Canonical property name.
        property: &'static str,
        /// The value as written, or `None` when it is secret.
        value: Option<String>,
        /// What was expected.
        reason: String,
    },
    /// A required piece is missing; the message says how to provide it.
    #[error("{0}")]
    Missing(String),
    /// Two properties that do not go together; the message says which to keep.
    #[error("{0}")]
    Conflict(String),
    /// Reading a token from the terminal failed.
    #[error("could not read the token from the terminal: {0}")]
    Prompt(String),
}

fn invalid_value_text(property: &str, value: Option<&str>, reason: &str) -> String {
    match value {
        Some(v) => format!("invalid value `{v}` for {property}: {reason}"),
        None => format!("invalid value for {property} (not shown, it is secret): {reason}"),
    }
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Splits `Name=Value;...` into trimmed pairs, unquoting quoted values. `what` names the text in
/// errors ("the connection string" or "Other"); errors never echo values.
pub(crate) fn split_pairs(s: &str, what: &str) -> Result<Vec<(String, String)>, ConnectionError> {
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len();
    let mut pairs = Vec::new();
    let mut i = 0;
    let mut part = 0;
    let skip_ws = |i: &mut usize| {
        while *i < len && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= len {
            break;
        }
        if chars[i] == ';' {
            i += 1;
            continue;
        }
        part += 1;
        let start = i;
        while i < len && chars[i] != '=' && chars[i] != ';' {
            i += 1;
        }
        let name: String = chars[start..i]
            .iter()
            .collect::<String>()
            .trim()
            .to_string();
        if i >= len || chars[i] == ';' {
            // Not echoed: a pasted token without `APIToken=` would land here.
            return Err(ConnectionError::Syntax(format!(
                "part {part} of {what} has no '=' (expected Name=Value pairs separated by ';'; \
                 quote a value that contains ';')"
            )));
        }
        if name.is_empty() {
            return Err(ConnectionError::Syntax(format!(
                "part {part} of {what} has no property name before '='"
            )));
        }
        i += 1; // '='
        skip_ws(&mut i);
        let value = if i < len && (chars[i] == '\'' || chars[i] == '"') {
            let quote = chars[i];
            i += 1;
            let mut value = String::new();
            loop {
                if i >= len {
                    return Err(ConnectionError::Syntax(format!(
                        "the value of {} in {what} has no closing {quote}",
                        shown_name(&name)
                    )));
                }
                if chars[i] == quote {
                    if i + 1 < len && chars[i + 1] == quote {
                        value.push(quote);
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                value.push(chars[i]);
                i += 1;
            }
            skip_ws(&mut i);
            if i < len && chars[i] != ';' {
                return Err(ConnectionError::Syntax(format!(
                    "unexpected text after the quoted value of {} in {what} (expected ';'; \
                     write a quote inside a quoted value twice)",
                    shown_name(&name)
                )));
            }
            value
        } else {
            let start = i;
            while i < len && chars[i] != ';' {
                i += 1;
            }
            chars[start..i]
                .iter()
                .collect::<String>()
                .trim()
                .to_string()
        };
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// A property name fit to print: names look like identifiers, so anything else (say, a token
/// pasted where a name belongs) is described rather than shown.
pub(crate) fn shown_name(name: &str) -> String {
    let looks_like_name = name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ' '));
    if looks_like_name {
        format!("`{name}`")
    } else {
        "(a name that is not shown because it does not look like a property name; was a token \
         or secret pasted without APIToken= or ClientSecret=?)"
            .to_string()
    }
}

/// A non-secret value for an error message, cut to a readable length and kept on one line.
pub(crate) fn echo(value: &str) -> String {
    let one_line: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > MAX_ECHO_CHARS {
        let cut: String = one_line.chars().take(MAX_ECHO_CHARS).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}
