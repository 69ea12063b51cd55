//! Atlassian Document Format (ADF) to plain text.
//!
//! Jira Cloud's v3 API returns descriptions, comments and worklog comments as ADF documents;
//! Data Center's v2 API returns plain strings. SQL users want text, so both become a string:
//! blocks end with a newline, list items get a bullet, mentions and emoji keep their text.

use serde_json::Value;

/// Documents nested deeper than this are cut off rather than risking the stack.
const MAX_DEPTH: usize = 64;

/// Plain text of a rich-text value: an ADF document, a plain string (Data Center), or nothing.
pub fn to_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Object(_) => {
            let mut out = String::new();
            write_node(value, &mut out, 0);
            Some(out.trim_end_matches('\n').to_string())
        }
        other => Some(other.to_string()),
    }
}

fn write_node(node: &Value, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let kind = node.get("type").and_then(Value::as_str).unwrap_or("");
    let attr = |name: &str| {
        node.get("attrs")
            .and_then(|a| a.get(name))
            .and_then(Value::as_str)
    };
    match kind {
        "text" => out.push_str(node.get("text").and_then(Value::as_str).unwrap_or("")),
        "hardBreak" => out.push('\n'),
        "mention" | "emoji" | "status" | "date" => {
            out.push_str(attr("text").or(attr("shortName")).unwrap_or(""))
        }
        "inlineCard" | "blockCard" => out.push_str(attr("url").unwrap_or("")),
        "rule" => out.push_str("---\n"),
        "bulletList" | "orderedList" => {
            for (n, item) in children(node).enumerate() {
                if kind == "bulletList" {
                    out.push_str("- ");
                } else {
                    out.push_str(&format!("{}. ", n + 1));
                }
                write_children(item, out, depth + 1);
                end_block(out);
            }
        }
        "paragraph" | "heading" | "codeBlock" | "blockquote" | "panel" | "listItem"
        | "tableCell" | "tableHeader" | "tableRow" => {
            write_children(node, out, depth + 1);
            end_block(out);
        }
        _ => write_children(node, out, depth + 1),
    }
}

fn children(node: &Value) -> impl Iterator<Item = &Value> {
    node.get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn write_children(node: &Value, out: &mut String, depth: usize) {
    for child in children(node) {
        write_node(child, out, depth);
    }
}

fn end_block(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paragraphs_lists_and_inline_nodes_become_lines() {
        let doc = json!({"type":"doc","version":1,"content":[
            {"type":"paragraph","content":[{"type":"text","text":"Hello "},{"type":"mention","attrs":{"id":"1","text":"@Zoë"}},{"type":"hardBreak"},{"type":"text","text":"second"}]},
            {"type":"bulletList","content":[
                {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"one"}]}]},
                {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"two"}]}]}]},
            {"type":"codeBlock","content":[{"type":"text","text":"let x = \"y\";"}]}
        ]});
        assert_eq!(
            to_text(&doc).as_deref(),
            Some("Hello @Zoë\nsecond\n- one\n- two\nlet x = \"y\";")
        );
    }

    #[test]
    fn strings_pass_through_and_null_is_none() {
        assert_eq!(
            to_text(&json!("plain *wiki*")).as_deref(),
            Some("plain *wiki*")
        );
        assert_eq!(to_text(&Value::Null), None);
    }

    #[test]
    fn hostile_nesting_does_not_overflow() {
        let mut doc = json!({"type":"text","text":"deep"});
        // serde_json refuses to parse documents nested deeper than 128, so that is the most a
        // response can hold; 200 is past both that and our own cut-off.
        for _ in 0..200 {
            doc = json!({"type":"blockquote","content":[doc]});
        }
        assert_eq!(to_text(&doc).as_deref(), Some(""));
    }
}
