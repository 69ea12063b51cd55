//! Parsing only the parts of a response that will be read.
//!
//! A search page with `fields=status` still carries, per issue, the status's `self` link,
//! description, icon and category object; parsed into `serde_json::Value` every one of them
//! becomes allocated strings and maps that nobody reads. A [`Keep`] names the paths that
//! matter (`issues.fields.status.name`); [`Keep::parse`] walks the bytes with serde and
//! builds a `Value` holding only those paths, skipping the rest without allocating. Arrays
//! are transparent: a path applies to every element. A path's end keeps its whole subtree.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The paths of a JSON document to keep.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keep {
    /// Empty: keep everything below this point.
    children: BTreeMap<String, Keep>,
}

impl Keep {
    /// Keeps `path` (dot-separated keys), below what is kept already.
    pub fn with(mut self, path: &str) -> Self {
        self.add(path);
        self
    }

    fn add(&mut self, path: &str) {
        let mut node = self;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            let fresh = !node.children.contains_key(part);
            let child = node.children.entry(part.to_string()).or_default();
            // An existing leaf already keeps everything below.
            if !fresh && child.children.is_empty() {
                return;
            }
            if parts.peek().is_none() {
                child.children.clear();
                return;
            }
            node = child;
        }
    }

    /// `self` kept under `key`: the same paths one level down.
    pub fn under(self, key: &str) -> Keep {
        let mut root = Keep::default();
        root.children.insert(key.to_string(), self);
        root
    }

    /// Parses `bytes` keeping only these paths (everything, if none were given).
    pub fn parse(&self, bytes: &[u8]) -> serde_json::Result<Value> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let value = Pruned(self).deserialize(&mut de)?;
        de.end()?;
        Ok(value)
    }
}

struct Pruned<'k>(&'k Keep);

impl<'de> DeserializeSeed<'de> for Pruned<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.0.children.is_empty() {
            Value::deserialize(d)
        } else {
            d.deserialize_any(self)
        }
    }
}

/// A key looked up in the node's children: the child to descend into, if kept.
struct KeySeed<'k>(&'k Keep);

impl<'de, 'k> DeserializeSeed<'de> for KeySeed<'k> {
    type Value = Option<(String, &'k Keep)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, 'k> Visitor<'de> for KeySeed<'k> {
    type Value = Option<(String, &'k Keep)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.children.get(key).map(|k| (key.to_string(), k)))
    }
}

impl<'de> Visitor<'de> for Pruned<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(found) = map.next_key_seed(KeySeed(self.0))? {
            match found {
                Some((key, child)) => {
                    let value = map.next_value_seed(Pruned(child))?;
                    out.insert(key, value);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(Pruned(self.0))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_kept_paths_are_parsed() {
        let page = json!({
            "issues": [
                {"id": "1", "key": "A-1", "expand": "x", "fields": {
                    "status": {"self": "u", "name": "Done", "statusCategory": {"key": "done"}},
                    "summary": "s \"quoted\" \u{e9}", "assignee": null,
                    "description": {"type": "doc", "content": [{"text": "t"}]}}},
                {"id": "2", "key": "A-2", "fields": {"status": {"name": "Open"}, "timespent": 7.5}}
            ],
            "nextPageToken": "t", "isLast": false, "names": {"x": "y"}
        });
        let keep = Keep::default()
            .with("id")
            .with("fields.status.name")
            .with("fields.summary")
            .with("fields.assignee.displayName")
            .with("fields.description")
            .with("fields.timespent")
            .under("issues")
            .with("nextPageToken")
            .with("isLast");
        let bytes = serde_json::to_vec(&page).unwrap();
        assert_eq!(
            keep.parse(&bytes).unwrap(),
            json!({
                "issues": [
                    {"id": "1", "fields": {"status": {"name": "Done"},
                        "summary": "s \"quoted\" \u{e9}", "assignee": null,
                        "description": {"type": "doc", "content": [{"text": "t"}]}}},
                    {"id": "2", "fields": {"status": {"name": "Open"}, "timespent": 7.5}}
                ],
                "nextPageToken": "t", "isLast": false
            })
        );
        assert_eq!(
            Keep::default().parse(&bytes).unwrap(),
            page,
            "no paths: all"
        );
        assert!(keep.parse(b"{\"issues\": [").is_err());
        assert!(keep.parse(b"{} x").is_err(), "trailing data is refused");
    }

    #[test]
    fn a_shorter_path_keeps_the_whole_subtree() {
        let keep = Keep::default().with("a.b").with("a");
        assert_eq!(keep, Keep::default().with("a"));
        let keep = Keep::default().with("a").with("a.b");
        assert_eq!(keep, Keep::default().with("a"));
    }
}
