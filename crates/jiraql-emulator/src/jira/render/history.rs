//! Wire shapes of what accumulates on issues: links, attachments and change histories.

use serde_json::{Map, Value, json};

use super::{Product, Renderer, timestamp};
use crate::jira::data::{Attachment, ChangeHistory, ChangeItem, Issue, IssueLink, IssueLinkType};
use crate::jira::fields;

impl Renderer<'_> {
    /// `IssueLinkType`.
    pub fn link_type(&self, t: &IssueLinkType) -> Value {
        json!({
            "id": t.id.to_string(),
            "name": t.name,
            "inward": t.inward,
            "outward": t.outward,
            "self": self.url(&format!("issueLinkType/{}", t.id)),
        })
    }

    /// An `IssueLink`. Seen from one of its issues (`from`), it carries only the other end
    /// (`outwardIssue` on the inward issue, `inwardIssue` on the outward one); on its own
    /// (`GET /issueLink/{id}`) it carries both.
    pub fn issue_link(&self, l: &IssueLink, from: Option<u64>) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(l.id.to_string()));
        m.insert(
            "self".into(),
            json!(self.url(&format!("issueLink/{}", l.id))),
        );
        m.insert(
            "type".into(),
            self.data
                .issue_link_type(l.type_id)
                .map_or(Value::Null, |t| self.link_type(t)),
        );
        let refer = |id: u64| self.issue_ref(id).unwrap_or(Value::Null);
        if from != Some(l.outward_issue_id) {
            m.insert("outwardIssue".into(), refer(l.outward_issue_id));
        }
        if from != Some(l.inward_issue_id) {
            m.insert("inwardIssue".into(), refer(l.inward_issue_id));
        }
        Value::Object(m)
    }

    /// `fields.issuelinks`.
    pub(super) fn issue_links(&self, i: &Issue) -> Value {
        Value::Array(
            self.data
                .links_of(i)
                .map(|l| self.issue_link(l, Some(i.id)))
                .collect(),
        )
    }

    /// An attachment: as embedded in `fields.attachment` (string id) or as
    /// `AttachmentMetadata` from `GET /attachment/{id}` (numeric id, `properties`).
    pub fn attachment(&self, a: &Attachment, metadata: bool) -> Value {
        let mut m = Map::new();
        m.insert(
            "self".into(),
            json!(self.url(&format!("attachment/{}", a.id))),
        );
        if metadata {
            m.insert("id".into(), json!(a.id));
        } else {
            m.insert("id".into(), json!(a.id.to_string()));
        }
        m.insert("filename".into(), json!(a.filename));
        m.insert("author".into(), self.user(&a.author));
        m.insert("created".into(), json!(timestamp(&a.created)));
        m.insert("size".into(), json!(a.size));
        m.insert("mimeType".into(), json!(a.mime_type));
        if metadata {
            m.insert("properties".into(), json!({}));
        }
        m.insert(
            "content".into(),
            json!(self.url(&format!("attachment/content/{}", a.id))),
        );
        if a.mime_type.starts_with("image/") {
            m.insert(
                "thumbnail".into(),
                json!(self.url(&format!("attachment/thumbnail/{}", a.id))),
            );
        }
        Value::Object(m)
    }

    /// A change history (`Changelog`), keeping only the items whose `fieldId` passes `keep`.
    /// None when no item is left.
    pub fn change_history(
        &self,
        h: &ChangeHistory,
        keep: impl Fn(&ChangeItem) -> bool,
    ) -> Option<Value> {
        let items: Vec<Value> = h
            .items
            .iter()
            .filter(|i| keep(i))
            .map(|i| self.change_item(i))
            .collect();
        if items.is_empty() {
            return None;
        }
        Some(json!({
            "id": h.id.to_string(),
            "author": self.user(&h.author),
            "created": timestamp(&h.created),
            "items": items,
        }))
    }

    /// `ChangeDetails`. Empty ends are `null` (value and string) as Jira sends them.
    fn change_item(&self, item: &ChangeItem) -> Value {
        let d = self.data;
        let status = |id: u64| d.status(id).map(|s| s.name.clone());
        let resolution =
            |id: Option<u64>| id.and_then(|id| d.resolution(id)).map(|r| r.name.clone());
        let user_value = |a: &Option<String>| {
            a.as_ref().map(|a| match self.product {
                Product::Cloud => a.clone(),
                Product::DataCenter => d.user(a).map_or_else(|| a.clone(), |u| u.key.clone()),
            })
        };
        let user_name = |a: &Option<String>| {
            a.as_ref()
                .and_then(|a| d.user(a))
                .map(|u| u.display_name.clone())
        };
        let (from, from_s, to, to_s) = match item {
            ChangeItem::Status { from, to } => (
                Some(from.to_string()),
                status(*from),
                Some(to.to_string()),
                status(*to),
            ),
            ChangeItem::Assignee { from, to } => (
                user_value(from),
                user_name(from),
                user_value(to),
                user_name(to),
            ),
            ChangeItem::Resolution { from, to } => (
                from.map(|x| x.to_string()),
                resolution(*from),
                to.map(|x| x.to_string()),
                resolution(*to),
            ),
            ChangeItem::Field { from, to, .. } => (None, from.clone(), None, to.clone()),
        };
        // Custom fields are named by their display name and typed `custom`, as Jira does.
        let custom = fields::FIELDS
            .iter()
            .find(|f| f.id == item.field_id() && f.custom_id.is_some());
        json!({
            "field": custom.map_or(item.field_id(), |f| f.name),
            "fieldtype": if custom.is_some() { "custom" } else { "jira" },
            "fieldId": item.field_id(),
            "from": from,
            "fromString": from_s,
            "to": to,
            "toString": to_s,
        })
    }
}
