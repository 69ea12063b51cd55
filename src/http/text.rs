//! Errors as one line of text for the person reading them: squeezed, cut to a length, and
//! without the request URL (it carries the query, which may be long or private).

/// The longest error message kept, in characters.
pub(crate) const MESSAGE_CHARS: usize = 500;

/// Text squeezed onto one line (control characters and runs of whitespace become one space)
/// and cut to `max` characters.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let clean: String = squeezed
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() > max {
        let cut: String = clean.chars().take(max).collect();
        format!("{cut}...")
    } else {
        clean
    }
}

/// An error and its sources on one line, without the request URL (it carries the query).
pub(crate) fn error_chain(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        let text = e.to_string();
        // reqwest's own message names the URL; the endpoint is reported separately.
        let text = match text.find(" for url (") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    one_line(&parts.join(": "), MESSAGE_CHARS)
}
