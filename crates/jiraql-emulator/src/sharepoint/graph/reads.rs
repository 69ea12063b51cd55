//! Reading: the site, its lists and columns, and list items (paging with $skiptoken, $select,
//! $expand=fields, $filter under the list view threshold's index rules).

use super::*;

/// Which fields to render.
pub(super) enum Fields {
    None,
    All,
    Only(Vec<String>),
}

pub(super) struct Req<'a> {
    pub(super) shared: &'a Shared,
    pub(super) call: &'a Call<'a>,
    pub(super) query: Vec<(String, String)>,
    pub(super) principal: Principal,
}

impl Req<'_> {
    /// A query option, with or without its `$`.
    pub(super) fn opt(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn graph(&self) -> String {
        format!("{}/v1.0", self.shared.base_url)
    }

    pub(super) fn site_context(&self) -> String {
        format!(
            "{}/$metadata#sites('{}')",
            self.graph(),
            self.shared.site_id.replace(',', "%2C")
        )
    }

    fn web_url(&self) -> String {
        let c = &self.shared.config;
        format!(
            "https://{}{}",
            c.hostname,
            c.site_path.trim_end_matches('/')
        )
    }

    pub(super) fn site(&self) -> Reply {
        let c = &self.shared.config;
        let store = self.shared.store();
        let created = store
            .lists
            .iter()
            .map(|l| l.created)
            .min()
            .unwrap_or_else(Utc::now);
        json_reply(
            200,
            json!({
                "@odata.context": format!("{}/$metadata#sites/$entity", self.graph()),
                "createdDateTime": format_time(created),
                "description": "",
                "id": self.shared.site_id,
                "lastModifiedDateTime": format_time(Utc::now()),
                "name": c.site_path.trim_end_matches('/').rsplit('/').next().unwrap_or_default(),
                "webUrl": self.web_url(),
                "displayName": c.site_display_name,
                "siteCollection": {"hostname": c.hostname},
            }),
        )
    }

    fn list_json(&self, store: &Store, index: usize) -> Value {
        let l = &store.lists[index];
        json!({
            "@odata.etag": l.etag(),
            "createdDateTime": format_time(l.created),
            "description": l.description,
            "eTag": l.etag(),
            "id": l.id,
            "lastModifiedDateTime": format_time(l.modified),
            "name": l.name,
            "webUrl": format!("{}/Lists/{}", self.web_url(), l.name.replace(' ', "%20")),
            "displayName": l.display_name,
            "createdBy": {"user": {"displayName": "System Account"}},
            "parentReference": {"siteId": self.shared.site_id},
            "list": {"contentTypesEnabled": false, "hidden": false, "template": "genericList"},
        })
    }

    pub(super) fn top(&self) -> Result<usize, Reply> {
        match self.opt("top") {
            None => Ok(DEFAULT_PAGE),
            Some(t) => match t.trim().parse::<usize>() {
                Ok(n) if n > 0 => Ok(n.min(MAX_PAGE)),
                _ => Err(bad_request(&format!("Invalid $top value '{t}'."))),
            },
        }
    }

    /// `$skiptoken` → the last id of the previous page.
    fn skiptoken(&self) -> Result<u64, Reply> {
        let Some(token) = self.opt("skiptoken") else {
            return Ok(0);
        };
        let raw = token.trim().trim_end_matches('=');
        URL_SAFE_NO_PAD
            .decode(raw)
            .or_else(|_| STANDARD.decode(token.trim()))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.strip_prefix("Paged=TRUE&p_ID=")
                    .and_then(|n| n.parse::<u64>().ok())
            })
            .ok_or_else(|| bad_request("The provided skip token is not valid."))
    }

    /// The next-page link: this request's options, canonical ids, a new `$skiptoken`.
    fn next_link(&self, path: &str, last: u64) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.query {
            if !k.trim_start_matches('$').eq_ignore_ascii_case("skiptoken") {
                q.append_pair(k, v);
            }
        }
        q.append_pair(
            "$skiptoken",
            &URL_SAFE_NO_PAD.encode(format!("Paged=TRUE&p_ID={last}")),
        );
        format!("{}{path}?{}", self.graph(), q.finish())
    }

    pub(super) fn lists(&self) -> Reply {
        let store = self.shared.store();
        let name = match self.opt("filter") {
            None => None,
            Some(f) => match filter::parse_display_name(f) {
                Some(n) => Some(n),
                None => return bad_request("The provided filter statement is not supported"),
            },
        };
        let (top, after) = match (self.top(), self.skiptoken()) {
            (Ok(t), Ok(a)) => (t, a as usize),
            (Err(r), _) | (_, Err(r)) => return r,
        };
        let matching: Vec<usize> = (0..store.lists.len())
            .filter(|i| {
                name.as_ref()
                    .is_none_or(|n| store.lists[*i].display_name.eq_ignore_ascii_case(n))
            })
            .collect();
        let page: Vec<usize> = matching.iter().copied().skip(after).take(top).collect();
        let mut body = json!({
            "@odata.context": format!("{}/lists", self.site_context()),
            "value": page.iter().map(|i| self.list_json(&store, *i)).collect::<Vec<_>>(),
        });
        if after + page.len() < matching.len() {
            let path = format!("/sites/{}/lists", self.shared.site_id);
            body["@odata.nextLink"] = self.next_link(&path, (after + page.len()) as u64).into();
        }
        json_reply(200, body)
    }

    pub(super) fn list_index(&self, store: &Store, key: &str) -> Result<usize, Reply> {
        store.list_index(key).ok_or_else(list_not_found)
    }

    pub(super) fn list(&self, key: &str) -> Reply {
        let store = self.shared.store();
        match self.list_index(&store, key) {
            Ok(i) => {
                let mut body = self.list_json(&store, i);
                body["@odata.context"] = format!("{}/lists/$entity", self.site_context()).into();
                json_reply(200, body)
            }
            Err(r) => r,
        }
    }

    pub(super) fn columns(&self, key: &str) -> Reply {
        let store = self.shared.store();
        let index = match self.list_index(&store, key) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let l = &store.lists[index];
        let mut value: Vec<Value> = l
            .columns
            .iter()
            .map(|c| column_json(&store, &l.id, c))
            .collect();
        for (name, display, facet) in BUILTIN_COLUMNS {
            let mut col = json!({
                "columnGroup": "_Hidden",
                "description": "",
                "displayName": display,
                "enforceUniqueValues": false,
                "hidden": false,
                "id": derived_guid(&format!("{}/{name}", l.id)),
                "indexed": false,
                "name": name,
                "readOnly": true,
                "required": false,
            });
            col[*facet] = builtin_facet(facet);
            value.push(col);
        }
        json_reply(
            200,
            json!({
                "@odata.context": format!("{}/lists('{}')/columns", self.site_context(), l.id),
                "value": value,
            }),
        )
    }

    /// `expand=fields`, `expand=fields(select=a,b)` or `$expand=fields($select=a,b)`.
    pub(super) fn expand(&self) -> Result<Fields, Reply> {
        let Some(e) = self.opt("expand") else {
            return Ok(Fields::None);
        };
        let e = e.trim();
        let (name, inner) = match e.find('(') {
            Some(i) if e.ends_with(')') => (&e[..i], Some(&e[i + 1..e.len() - 1])),
            _ => (e, None),
        };
        if !name.trim().eq_ignore_ascii_case("fields") {
            return Err(bad_request(&format!(
                "Parsing OData Select and Expand failed: Could not find a property named '{}' on type 'microsoft.graph.listItem'.",
                name.trim()
            )));
        }
        let Some(inner) = inner else {
            return Ok(Fields::All);
        };
        let select = inner
            .split(';')
            .find_map(|o| {
                let (k, v) = o.split_once('=')?;
                k.trim()
                    .trim_start_matches('$')
                    .eq_ignore_ascii_case("select")
                    .then_some(v)
            })
            .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
        Ok(select.map_or(Fields::All, Fields::Only))
    }

    fn fields_json(
        &self,
        store: &Store,
        list: usize,
        item: &Item,
        only: Option<&[String]>,
    ) -> Value {
        let mut all = store.user_fields(list, item);
        for (k, v) in system_fields(item) {
            all.insert(k, v);
        }
        let mut out = Map::new();
        out.insert("@odata.etag".into(), item.etag().into());
        match only {
            None => out.extend(all),
            Some(names) => {
                for n in names {
                    if let Some((k, v)) = all.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)) {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        Value::Object(out)
    }

    fn principal_json(&self, p: Principal) -> Value {
        match p {
            Principal::System => json!({"user": {"displayName": "System Account"}}),
            Principal::App => json!({
                "application": {"id": self.shared.config.client_id, "displayName": APP_NAME},
                "user": {"displayName": "SharePoint App"},
            }),
            Principal::User => json!({
                "user": {"email": DEMO_USER_EMAIL, "id": DEMO_USER_ID, "displayName": DEMO_USER_NAME},
            }),
        }
    }

    pub(super) fn item_json(
        &self,
        store: &Store,
        list: usize,
        item: &Item,
        fields: &Fields,
    ) -> Value {
        let l = &store.lists[list];
        let mut v = json!({
            "@odata.etag": item.etag(),
            "createdDateTime": format_time(item.created),
            "eTag": item.etag(),
            "id": item.id.to_string(),
            "lastModifiedDateTime": format_time(item.modified),
            "webUrl": format!("{}/Lists/{}/{}_.000", self.web_url(), l.name.replace(' ', "%20"), item.id),
            "createdBy": self.principal_json(item.author),
            "lastModifiedBy": self.principal_json(item.editor),
            "parentReference": {"id": l.id, "siteId": self.shared.site_id},
            "contentType": {"id": content_type_id(&l.id), "name": "Item"},
        });
        let only = match fields {
            Fields::None => return v,
            Fields::All => None,
            Fields::Only(names) => Some(names.as_slice()),
        };
        v["fields@odata.context"] = format!(
            "{}/lists('{}')/items('{}')/fields/$entity",
            self.site_context(),
            l.id,
            item.id
        )
        .into();
        v["fields"] = self.fields_json(store, list, item, only);
        v
    }

    /// Apply `$select` on item properties (`@odata.etag` and expanded `fields` stay).
    fn select(&self, mut v: Value) -> Value {
        let Some(sel) = self.opt("select") else {
            return v;
        };
        let keep: Vec<&str> = sel.split(',').map(str::trim).collect();
        if let Value::Object(m) = &mut v {
            m.retain(|k, _| {
                k == "@odata.etag"
                    || k.starts_with("fields")
                    || keep.iter().any(|s| s.eq_ignore_ascii_case(k))
            });
        }
        v
    }

    pub(super) fn items(&self, key: &str) -> Reply {
        let store = self.shared.store();
        let list = match self.list_index(&store, key) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let (fields, top, after) = match (self.expand(), self.top(), self.skiptoken()) {
            (Ok(f), Ok(t), Ok(a)) => (f, t, a),
            (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return r,
        };
        let expr = match self.opt("filter") {
            None => None,
            Some(f) => match self.check_filter(&store, list, f) {
                Ok(e) => Some(e),
                Err(r) => return r,
            },
        };
        let l = &store.lists[list];
        let matches = |it: &Item| {
            expr.as_ref().is_none_or(|(e, _)| {
                let mut f = store.user_fields(list, it);
                f.insert("id".into(), it.id.to_string().into());
                filter::eval(e, &f)
            })
        };
        // Equalities on indexed columns name the only items that can match.
        let candidates = expr.as_ref().and_then(|(e, _)| l.indexes.candidates(e));
        let matching = |from: u64| -> Box<dyn Iterator<Item = &Item> + '_> {
            match &candidates {
                Some(ids) => Box::new(
                    ids.range(from..)
                        .filter_map(|id| l.items.get(id))
                        .filter(|it| matches(it)),
                ),
                None => Box::new(
                    l.items
                        .range(from..)
                        .map(|(_, it)| it)
                        .filter(|it| matches(it)),
                ),
            }
        };
        if let Some((_, all_indexed)) = &expr
            && l.items.len() > LIST_VIEW_THRESHOLD
            && (!all_indexed || matching(0).count() > LIST_VIEW_THRESHOLD)
        {
            return graph_error(
                400,
                "notSupported",
                "The request is unprocessable because it uses too many resources",
                Some("tooManyResources"),
            );
        }
        let mut page = Vec::new();
        let mut more = false;
        for it in matching(after + 1) {
            if page.len() == top {
                more = true;
                break;
            }
            page.push(it);
        }
        let context = match fields {
            Fields::None => format!("{}/lists('{}')/items", self.site_context(), l.id),
            _ => format!("{}/lists('{}')/items(fields())", self.site_context(), l.id),
        };
        let mut body = json!({
            "@odata.context": context,
            "value": page.iter().map(|it| self.select(self.item_json(&store, list, it, &fields))).collect::<Vec<_>>(),
        });
        if more && let Some(last) = page.last() {
            let path = format!("/sites/{}/lists/{}/items", self.shared.site_id, l.id);
            body["@odata.nextLink"] = self.next_link(&path, last.id).into();
        }
        json_reply(200, body)
    }

    /// Parse `$filter` and apply the index rules: `(expression, every column indexed)`.
    fn check_filter(
        &self,
        store: &Store,
        list: usize,
        f: &str,
    ) -> Result<(filter::Expr, bool), Reply> {
        let e = filter::parse(f).map_err(|why| {
            tracing::debug!("emulated Graph refused $filter {f:?}: {why}");
            bad_request("Invalid filter clause")
        })?;
        let l = &store.lists[list];
        let prefer = self.call.header("prefer").is_some_and(|p| {
            p.split(',')
                .any(|v| v.trim().eq_ignore_ascii_case(NON_INDEXED_PREFER))
        });
        let mut all_indexed = true;
        for name in filter::fields(&e) {
            let column = l.column(name).or_else(|| {
                name.strip_suffix("LookupId")
                    .and_then(|b| l.column(b))
                    .filter(|c| matches!(c.kind, ColumnKind::Lookup { .. }))
            });
            let indexed = match column {
                Some(c) => c.indexed,
                // The built-in ID is always indexed.
                None if name.eq_ignore_ascii_case("id") => true,
                None => return Err(bad_request(&format!("Field '{name}' is not recognized"))),
            };
            if !indexed {
                all_indexed = false;
                if !prefer {
                    return Err(bad_request(&format!(
                        "Field '{name}' cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: {NON_INDEXED_PREFER}' header to allow this, but be warned that such queries may fail on large lists."
                    )));
                }
            }
        }
        Ok((e, all_indexed))
    }

    pub(super) fn find_item<'s>(
        &self,
        store: &'s Store,
        key: &str,
        id: &str,
    ) -> Result<(usize, &'s Item), Reply> {
        let list = self.list_index(store, key)?;
        let item = id
            .trim()
            .parse::<u64>()
            .ok()
            .and_then(|n| store.lists[list].items.get(&n))
            .ok_or_else(item_not_found)?;
        Ok((list, item))
    }

    pub(super) fn item(&self, key: &str, id: &str) -> Reply {
        let store = self.shared.store();
        let fields = match self.expand() {
            Ok(f) => f,
            Err(r) => return r,
        };
        match self.find_item(&store, key, id) {
            Ok((list, item)) => {
                let mut body = self.select(self.item_json(&store, list, item, &fields));
                body["@odata.context"] = format!(
                    "{}/lists('{}')/items/$entity",
                    self.site_context(),
                    store.lists[list].id
                )
                .into();
                json_reply(200, body).header("ETag", &item.etag())
            }
            Err(r) => r,
        }
    }

    pub(super) fn fields(&self, key: &str, id: &str) -> Reply {
        let store = self.shared.store();
        match self.find_item(&store, key, id) {
            Ok((list, item)) => self.fields_reply(&store, list, item),
            Err(r) => r,
        }
    }

    pub(super) fn fields_reply(&self, store: &Store, list: usize, item: &Item) -> Reply {
        let mut body = self.fields_json(store, list, item, None);
        body["@odata.context"] = format!(
            "{}/lists('{}')/items('{}')/fields/$entity",
            self.site_context(),
            store.lists[list].id,
            item.id
        )
        .into();
        json_reply(200, body).header("ETag", &item.etag())
    }
}
