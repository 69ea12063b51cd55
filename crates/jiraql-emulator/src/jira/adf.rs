//! Atlassian Document Format (ADF) helpers: small builders for the generated bodies, and two
//! readings of a document, plain text (what JQL text search indexes) and wiki markup (what the
//! v2 / Data Center API returns where v3 returns ADF).

use serde_json::{Value, json};

/// A whole document: `{"type":"doc","version":1,"content":[..blocks]}`.
pub fn doc(blocks: Vec<Value>) -> Value {
    json!({"type": "doc", "version": 1, "content": blocks})
}

/// A paragraph of inline nodes.
pub fn paragraph(inlines: Vec<Value>) -> Value {
    json!({"type": "paragraph", "content": inlines})
}

/// Plain text.
pub fn text(s: &str) -> Value {
    json!({"type": "text", "text": s})
}

/// Text with marks such as `strong`, `em`, `code` (each mark a bare type).
pub fn marked(s: &str, marks: &[&str]) -> Value {
    let marks: Vec<Value> = marks.iter().map(|m| json!({"type": m})).collect();
    json!({"type": "text", "text": s, "marks": marks})
}

/// A link: text with a `link` mark.
pub fn link(s: &str, href: &str) -> Value {
    json!({"type": "text", "text": s, "marks": [{"type": "link", "attrs": {"href": href}}]})
}

/// A line break inside a paragraph.
pub fn hard_break() -> Value {
    json!({"type": "hardBreak"})
}

/// A user mention; `text` is what the editor shows, e.g. "@Zoë Ångström".
pub fn mention(account_id: &str, display_name: &str) -> Value {
    json!({"type": "mention", "attrs": {"id": account_id, "text": format!("@{display_name}"), "accessLevel": ""}})
}

/// A bullet list whose items are single paragraphs.
pub fn bullet_list(items: Vec<Vec<Value>>) -> Value {
    let items: Vec<Value> = items
        .into_iter()
        .map(|inlines| json!({"type": "listItem", "content": [paragraph(inlines)]}))
        .collect();
    json!({"type": "bulletList", "content": items})
}

/// A code block with an optional language.
pub fn code_block(language: Option<&str>, code: &str) -> Value {
    match language {
        Some(lang) => {
            json!({"type": "codeBlock", "attrs": {"language": lang}, "content": [text(code)]})
        }
        None => json!({"type": "codeBlock", "content": [text(code)]}),
    }
}

/// The text a search index would see: text nodes, mention labels and code, blocks separated
/// by newlines. Unknown node types contribute their children, so odd documents still index.
pub fn to_plain_text(adf: &Value) -> String {
    let mut out = String::new();
    plain(adf, &mut out);
    out
}

fn plain(node: &Value, out: &mut String) {
    match node.get("type").and_then(Value::as_str) {
        Some("text") => {
            if let Some(t) = node.get("text").and_then(Value::as_str) {
                out.push_str(t);
            }
        }
        Some("mention") => {
            if let Some(t) = node.pointer("/attrs/text").and_then(Value::as_str) {
                out.push_str(t);
            }
        }
        Some("hardBreak") => out.push('\n'),
        _ => {
            if let Some(children) = node.get("content").and_then(Value::as_array) {
                for child in children {
                    plain(child, out);
                }
            }
            if is_block(node) {
                out.push('\n');
            }
        }
    }
}

fn is_block(node: &Value) -> bool {
    matches!(
        node.get("type").and_then(Value::as_str),
        Some("paragraph" | "codeBlock" | "listItem" | "heading" | "blockquote")
    )
}

/// Jira wiki markup for a document, the shape Data Center (API v2) uses for rich text.
pub fn to_wiki(adf: &Value) -> String {
    let mut blocks = Vec::new();
    if let Some(content) = adf.get("content").and_then(Value::as_array) {
        for block in content {
            blocks.push(wiki_block(block));
        }
    }
    blocks.join("\n\n")
}

fn wiki_block(block: &Value) -> String {
    let children = || {
        block
            .get("content")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    };
    match block.get("type").and_then(Value::as_str) {
        Some("paragraph") => wiki_inlines(children()),
        Some("codeBlock") => {
            let code: String = children().iter().map(wiki_inline).collect();
            match block.pointer("/attrs/language").and_then(Value::as_str) {
                Some(lang) => format!("{{code:{lang}}}\n{code}\n{{code}}"),
                None => format!("{{code}}\n{code}\n{{code}}"),
            }
        }
        Some("bulletList") => children()
            .iter()
            .map(|item| {
                let inner: Vec<String> = item
                    .get("content")
                    .and_then(Value::as_array)
                    .map(|c| c.iter().map(wiki_block).collect())
                    .unwrap_or_default();
                format!("* {}", inner.join(" "))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => wiki_inlines(children()),
    }
}

fn wiki_inlines(nodes: &[Value]) -> String {
    nodes.iter().map(wiki_inline).collect()
}

fn wiki_inline(node: &Value) -> String {
    match node.get("type").and_then(Value::as_str) {
        Some("text") => {
            let t = node.get("text").and_then(Value::as_str).unwrap_or("");
            with_marks(node, t.to_string(), |kind, href, s| match (kind, href) {
                ("strong", _) => format!("*{s}*"),
                ("em", _) => format!("_{s}_"),
                ("code", _) => format!("{{{{{s}}}}}"),
                ("strike", _) => format!("-{s}-"),
                ("link", Some(href)) => format!("[{s}|{href}]"),
                _ => s,
            })
        }
        Some("hardBreak") => "\n".to_string(),
        Some("mention") => match node.pointer("/attrs/id").and_then(Value::as_str) {
            Some(id) => format!("[~accountid:{id}]"),
            None => String::new(),
        },
        _ => node
            .get("content")
            .and_then(Value::as_array)
            .map(|c| wiki_inlines(c))
            .unwrap_or_default(),
    }
}

/// HTML for a document, as `expand=renderedFields` shows rich text.
pub fn to_html(adf: &Value) -> String {
    children(adf).iter().map(html_block).collect()
}

fn children(node: &Value) -> &[Value] {
    node.get("content")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn html_block(block: &Value) -> String {
    match block.get("type").and_then(Value::as_str) {
        Some("paragraph") => format!("<p>{}</p>", html_inlines(children(block))),
        Some("codeBlock") => format!(
            "<div class=\"code panel\"><pre>{}</pre></div>",
            html_inlines(children(block))
        ),
        Some("bulletList") => {
            let items: String = children(block)
                .iter()
                .map(|item| {
                    format!(
                        "<li>{}</li>",
                        children(item).iter().map(html_block).collect::<String>()
                    )
                })
                .collect();
            format!("<ul>{items}</ul>")
        }
        _ => html_inlines(children(block)),
    }
}

fn html_inlines(nodes: &[Value]) -> String {
    nodes.iter().map(html_inline).collect()
}

fn html_inline(node: &Value) -> String {
    match node.get("type").and_then(Value::as_str) {
        Some("text") => {
            let text = node.get("text").and_then(Value::as_str).unwrap_or("");
            with_marks(node, escape(text), |kind, href, s| match (kind, href) {
                ("strong", _) => format!("<b>{s}</b>"),
                ("em", _) => format!("<em>{s}</em>"),
                ("code", _) => format!("<tt>{s}</tt>"),
                ("strike", _) => format!("<del>{s}</del>"),
                ("link", Some(href)) => format!("<a href=\"{}\">{s}</a>", escape(href)),
                _ => s,
            })
        }
        Some("hardBreak") => "<br/>".to_string(),
        Some("mention") => {
            let name = node.pointer("/attrs/text").and_then(Value::as_str);
            escape(name.unwrap_or(""))
        }
        _ => html_inlines(children(node)),
    }
}

/// A text node's `text` with each of its marks applied in order by `apply(type, href, text)`
/// (`href` for links).
fn with_marks(
    node: &Value,
    text: String,
    apply: impl Fn(&str, Option<&str>, String) -> String,
) -> String {
    node.get("marks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .fold(text, |s, mark| {
            let kind = mark.get("type").and_then(Value::as_str).unwrap_or("");
            apply(kind, mark.pointer("/attrs/href").and_then(Value::as_str), s)
        })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        doc(vec![
            paragraph(vec![
                text("Hello "),
                marked("bold", &["strong"]),
                hard_break(),
                mention("abc", "Zoë"),
            ]),
            bullet_list(vec![vec![text("one")], vec![text("two")]]),
            code_block(Some("sql"), "select 1"),
        ])
    }

    #[test]
    fn plain_text_collects_every_text_node() {
        let t = to_plain_text(&sample());
        assert!(t.contains("Hello bold\n@Zoë"));
        assert!(t.contains("one\n"));
        assert!(t.contains("select 1"));
    }

    #[test]
    fn wiki_markup_renders_marks_lists_and_code() {
        let w = to_wiki(&sample());
        assert_eq!(
            w,
            "Hello *bold*\n[~accountid:abc]\n\n* one\n* two\n\n{code:sql}\nselect 1\n{code}"
        );
    }

    #[test]
    fn html_renders_marks_lists_code_and_escapes() {
        let h = to_html(&doc(vec![
            paragraph(vec![
                text("a < b "),
                marked("bold", &["strong"]),
                hard_break(),
            ]),
            bullet_list(vec![vec![text("one")]]),
            code_block(None, "x & y"),
        ]));
        assert_eq!(
            h,
            "<p>a &lt; b <b>bold</b><br/></p><ul><li><p>one</p></li></ul>\
             <div class=\"code panel\"><pre>x &amp; y</pre></div>"
        );
    }
}
