//! Writing items (create, update, delete; If-Match against the item's eTag) and the `items/delta`
//! feed with its tokens.

use super::*;

impl Req<'_> {
    fn body_object(&self) -> Result<Map<String, Value>, Reply> {
        match serde_json::from_slice::<Value>(self.call.body) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(bad_json()),
        }
    }

    /// `(list, item id)` of an item to change: 404 when missing, 412 unless `If-Match` (when
    /// sent) names its current version.
    fn writable_item(&self, store: &Store, key: &str, id: &str) -> Result<(usize, u64), Reply> {
        let (list, item) = self.find_item(store, key, id)?;
        match self.call.header("if-match") {
            Some(tag) if !item.matches_etag(tag) => Err(graph_error(
                412,
                "resourceModified",
                "The resource being updated has changed since the caller last read it, usually an eTag mismatch.",
                Some("entityTagDoesNotMatch"),
            )),
            _ => Ok((list, item.id)),
        }
    }

    pub(super) fn create(&self, key: &str) -> Reply {
        let body = match self.body_object() {
            Ok(b) => b,
            Err(r) => return r,
        };
        let input = match body.get("fields") {
            None => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return bad_json(),
        };
        let mut store = self.shared.store();
        let list = match self.list_index(&store, key) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let values = match store.validate(list, &input, None) {
            Ok(v) => v,
            Err(e) => return field_error(e),
        };
        let id = store.insert(list, values, self.principal);
        let l = &store.lists[list];
        let Some(item) = l.items.get(&id) else {
            return item_not_found();
        };
        let mut body = self.item_json(&store, list, item, &Fields::All);
        body["@odata.context"] =
            format!("{}/lists('{}')/items/$entity", self.site_context(), l.id).into();
        let location = format!(
            "{}/sites/{}/lists/{}/items/{id}",
            self.graph(),
            self.shared.site_id,
            l.id
        );
        let mut r = json_reply(201, body)
            .header("ETag", &item.etag())
            .header("Location", &location);
        r.delay = self.shared.faults.take_store_delay();
        r
    }

    pub(super) fn update(&self, key: &str, id: &str) -> Reply {
        let input = match self.body_object() {
            Ok(b) => b,
            Err(r) => return r,
        };
        let mut store = self.shared.store();
        let (list, item_id) = match self.writable_item(&store, key, id) {
            Ok(found) => found,
            Err(r) => return r,
        };
        let values = match store.validate(list, &input, Some(item_id)) {
            Ok(v) => v,
            Err(e) => return field_error(e),
        };
        store.update(list, item_id, values, self.principal);
        match store.lists[list].items.get(&item_id) {
            Some(item) => self.fields_reply(&store, list, item),
            None => item_not_found(),
        }
    }

    pub(super) fn delete(&self, key: &str, id: &str) -> Reply {
        let mut store = self.shared.store();
        let (list, item_id) = match self.writable_item(&store, key, id) {
            Ok(found) => found,
            Err(r) => return r,
        };
        store.delete(list, item_id);
        empty_reply(204)
    }

    /// `items/delta`: every change after the token's sequence, latest state per item, in
    /// change order; deleted items as tombstones. Paged with `@odata.nextLink`, ending with
    /// `@odata.deltaLink`.
    pub(super) fn delta(&self, key: &str) -> Reply {
        let store = self.shared.store();
        let list = match self.list_index(&store, key) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let (fields, top) = match (self.expand(), self.top()) {
            (Ok(f), Ok(t)) => (f, t),
            (Err(r), _) | (_, Err(r)) => return r,
        };
        let l = &store.lists[list];
        let path = format!("/sites/{}/lists/{}/items/delta", self.shared.site_id, l.id);
        let link = |token: String| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &self.query {
                if k != "token" {
                    q.append_pair(k, v);
                }
            }
            q.append_pair("token", &token);
            format!("{}{path}?{}", self.graph(), q.finish())
        };
        let token = self.opt("token");
        if token == Some("latest") {
            return json_reply(
                200,
                json!({
                    "@odata.context": format!("{}/lists('{}')/items", self.site_context(), l.id),
                    "value": [],
                    "@odata.deltaLink": link(encode_delta(&DeltaToken::Done { since: store.seq })),
                }),
            );
        }
        let (since, upto, after) = match token.map(decode_delta) {
            None => (0, store.seq, 0),
            Some(Some(DeltaToken::Done { since })) => (since, store.seq, since),
            Some(Some(DeltaToken::Next { since, upto, after })) => (since, upto, after),
            Some(None) => return bad_request("The provided delta token is not valid."),
        };
        if since > 0 && since < store.delta_floor {
            return graph_error(
                410,
                "resyncRequired",
                "Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.",
                Some("resyncChangesApplyDifferences"),
            )
            .header("Location", &format!("{}{path}", self.graph()));
        }
        // (seq, entry); an initial enumeration (since 0) has no tombstones to report.
        let mut changes: Vec<(u64, Value)> = l
            .items
            .values()
            .filter(|it| it.seq > after && it.seq <= upto)
            .map(|it| (it.seq, self.item_json(&store, list, it, &fields)))
            .collect();
        if since > 0 {
            changes.extend(
                l.removed
                    .iter()
                    .filter(|(_, seq)| *seq > after && *seq <= upto)
                    .map(|(id, seq)| {
                        (
                            *seq,
                            json!({
                                "id": id.to_string(),
                                "parentReference": {"id": l.id, "siteId": self.shared.site_id},
                                "deleted": {"state": "deleted"},
                                "@removed": {"reason": "deleted"},
                            }),
                        )
                    }),
            );
        }
        changes.sort_by_key(|(seq, _)| *seq);
        let more = changes.len() > top;
        changes.truncate(top);
        let last = changes.last().map_or(after, |(seq, _)| *seq);
        let mut body = json!({
            "@odata.context": format!("{}/lists('{}')/items", self.site_context(), l.id),
            "value": changes.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        });
        if more {
            body["@odata.nextLink"] = link(encode_delta(&DeltaToken::Next {
                since,
                upto,
                after: last,
            }))
            .into();
        } else {
            body["@odata.deltaLink"] = link(encode_delta(&DeltaToken::Done { since: upto })).into();
        }
        json_reply(200, body)
    }
}

/// Where a delta round stands: `Done` is a delta link (changes after `since`); `Next` a page
/// link within the round `(since, upto]`, past change `after`.
enum DeltaToken {
    Done { since: u64 },
    Next { since: u64, upto: u64, after: u64 },
}

fn encode_delta(t: &DeltaToken) -> String {
    let raw = match t {
        DeltaToken::Done { since } => format!("d.{since}"),
        DeltaToken::Next { since, upto, after } => format!("n.{since}.{upto}.{after}"),
    };
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode_delta(token: &str) -> Option<DeltaToken> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(token.trim()).ok()?).ok()?;
    let parts: Vec<u64> = raw
        .get(2..)?
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match (raw.get(..2)?, parts.as_slice()) {
        ("d.", &[since]) => Some(DeltaToken::Done { since }),
        ("n.", &[since, upto, after]) => Some(DeltaToken::Next { since, upto, after }),
        _ => None,
    }
}

fn field_error(e: FieldError) -> Reply {
    match e {
        FieldError::Unknown(n) => bad_request(&format!("Field '{n}' is not recognized")),
        FieldError::ReadOnly(n) => bad_request(&format!("Field '{n}' is read-only")),
        FieldError::Required(n) => bad_request(&format!("Field '{n}' is required")),
        FieldError::BadValue { field, reason } => {
            tracing::debug!("emulated Graph refused a value for '{field}': {reason}");
            graph_error(
                400,
                "generalException",
                "General exception while processing",
                None,
            )
        }
        FieldError::Duplicate(display) => graph_error(
            409,
            "nameAlreadyExists",
            &format!(
                "The list item could not be added or updated because duplicate values were found in the following field(s) in the list: [{display}]."
            ),
            None,
        ),
    }
}
