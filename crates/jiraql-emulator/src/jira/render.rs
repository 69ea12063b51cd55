//! Wire shapes: the JSON Jira sends for issues, users, worklogs, comments and the catalog
//! objects, written from the platform OpenAPI spec and real captures (reference §1–§3).
//!
//! One [`Renderer`] serves both API versions: v3 (Cloud) sends rich text as ADF and users with
//! `accountId`; v2 (Data Center) sends wiki-markup strings and users with `name`/`key`.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde_json::{Map, Value, json};

use super::adf;
use super::data::{
    Comment, Issue, JiraData, Resolution, Sprint, StatusCategory, Visibility, Worklog,
};
use super::fields::{self, FieldDef};

mod catalog;
mod history;

/// Which version of the platform API's bodies a request gets: its path's (`/rest/api/2` or
/// `/3`); the Agile API answers as the product's platform API does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiVersion {
    /// Rich text as ADF documents.
    V3,
    /// Rich text as wiki-markup strings.
    V2,
}

/// Which product answers, decided by the credentials: Basic (email and API token) and OAuth
/// are Jira Cloud, a personal access token is Jira Data Center. Users, server info and the
/// routes served differ by product, not by API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Product {
    Cloud,
    DataCenter,
}

/// Jira's timestamp format: `2026-03-04T10:15:30.123+1000`.
pub(crate) fn timestamp(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f%z").to_string()
}

fn date(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Time-tracking text (`1w 2d 3h 20m`) with Jira's default 8-hour days and 5-day weeks.
/// Entity properties as a list of `EntityProperty`.
fn entity_properties(properties: &BTreeMap<String, Value>) -> Value {
    properties
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect()
}

pub(crate) fn duration(seconds: i64) -> String {
    let mut rest = seconds.max(0) / 60;
    let mut parts = Vec::new();
    for (unit, minutes) in [("w", 5 * 8 * 60), ("d", 8 * 60), ("h", 60), ("m", 1)] {
        let n = rest / minutes;
        rest %= minutes;
        if n > 0 {
            parts.push(format!("{n}{unit}"));
        }
    }
    if parts.is_empty() {
        "0m".to_string()
    } else {
        parts.join(" ")
    }
}

/// Options of an issue rendering.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IssueOptions {
    /// Search results truncate embedded comments to 20 (`GET issue` does not).
    pub search: bool,
    /// `expand=names`.
    pub names: bool,
    /// `expand=schema`.
    pub schema: bool,
    /// `expand=renderedFields`.
    pub rendered: bool,
}

/// The fields `renderedFields` renders (as HTML, their rich text); every other field is null
/// there.
const RENDERED: &[&str] = &["description", "comment", "worklog"];

/// The `properties` object of an issue for the keys a request names (comma-separated lists;
/// `*all` for every one, `-key` to leave one out); None when it names none.
pub(crate) fn issue_properties(issue: &Issue, requested: &[String]) -> Option<Value> {
    let keys: Vec<&str> = requested
        .iter()
        .flat_map(|r| r.split(','))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect();
    if keys.is_empty() {
        return None;
    }
    let all = keys.contains(&"*all");
    let shown = issue
        .properties
        .iter()
        .filter(|(k, _)| {
            (all || keys.contains(&k.as_str())) && !keys.contains(&format!("-{k}").as_str())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Some(Value::Object(shown))
}

/// Renders entities for one request: knows the base URL for `self` links and the version.
pub(crate) struct Renderer<'a> {
    pub data: &'a JiraData,
    /// Prefix of `self` links, e.g. `http://127.0.0.1:4000` or the gateway's
    /// `http://127.0.0.1:4000/ex/jira/<cloudId>`.
    pub base: &'a str,
    pub version: ApiVersion,
    pub product: Product,
    /// Rich text as HTML, for `renderedFields`.
    pub html: bool,
}

/// How many worklogs/comments an issue embeds before it says "read the rest elsewhere".
const EMBEDDED: usize = 20;

impl Renderer<'_> {
    fn api(&self) -> &'static str {
        match self.version {
            ApiVersion::V3 => "3",
            ApiVersion::V2 => "2",
        }
    }

    /// `<base>/rest/api/<v>/<rest>`.
    pub fn url(&self, rest: &str) -> String {
        format!("{}/rest/api/{}/{rest}", self.base, self.api())
    }

    /// Rich text: ADF in v3, wiki markup in v2, HTML when rendered.
    pub fn rich(&self, doc: &Value) -> Value {
        if self.html {
            return Value::String(adf::to_html(doc));
        }
        match self.version {
            ApiVersion::V3 => doc.clone(),
            ApiVersion::V2 => Value::String(adf::to_wiki(doc)),
        }
    }

    fn avatars(&self, seed: &str) -> Value {
        let url = |size: u32| {
            format!(
                "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/{seed}/{size}"
            )
        };
        json!({"48x48": url(48), "24x24": url(24), "16x16": url(16), "32x32": url(32)})
    }

    /// A user (`UserDetails`), or null when the account id is unknown.
    pub fn user(&self, account_id: &str) -> Value {
        let Some(u) = self.data.user(account_id) else {
            return Value::Null;
        };
        let mut m = Map::new();
        match self.product {
            Product::Cloud => {
                m.insert(
                    "self".into(),
                    json!(self.url(&format!("user?accountId={}", u.account_id))),
                );
                m.insert("accountId".into(), json!(u.account_id));
            }
            Product::DataCenter => {
                m.insert(
                    "self".into(),
                    json!(self.url(&format!("user?username={}", u.name))),
                );
                m.insert("key".into(), json!(u.key));
                m.insert("name".into(), json!(u.name));
            }
        }
        if let Some(e) = &u.email_address {
            m.insert("emailAddress".into(), json!(e));
        }
        m.insert("avatarUrls".into(), self.avatars(&u.account_id));
        m.insert("displayName".into(), json!(u.display_name));
        m.insert("active".into(), json!(u.active));
        m.insert("timeZone".into(), json!(u.time_zone));
        if self.product == Product::Cloud {
            m.insert("accountType".into(), json!(u.account_type));
        }
        Value::Object(m)
    }

    fn user_opt(&self, account_id: Option<&String>) -> Value {
        account_id.map_or(Value::Null, |a| self.user(a))
    }

    /// `GET /myself`: the user plus locale, groups and application roles.
    pub fn myself(&self) -> Value {
        let mut v = self.user(&self.data.myself);
        if let Some(m) = v.as_object_mut() {
            m.insert("locale".into(), json!("en_US"));
            m.insert("groups".into(), json!({"size": 2, "items": []}));
            m.insert("applicationRoles".into(), json!({"size": 1, "items": []}));
            m.insert("expand".into(), json!("groups,applicationRoles"));
        }
        v
    }

    pub fn project(&self, id: u64) -> Value {
        let Some(p) = self.data.project(id) else {
            return Value::Null;
        };
        let avatar = |size: &str| {
            format!(
                "{}/rest/api/3/universal_avatar/view/type/project/avatar/10400?size={size}",
                self.base
            )
        };
        json!({
            "self": self.url(&format!("project/{}", p.id)),
            "id": p.id.to_string(),
            "key": p.key,
            "name": p.name,
            "projectTypeKey": p.project_type_key,
            "simplified": p.simplified,
            "avatarUrls": {
                "48x48": avatar("large"), "24x24": avatar("small"),
                "16x16": avatar("xsmall"), "32x32": avatar("medium"),
            },
        })
    }

    pub fn status(&self, id: u64) -> Value {
        let Some(s) = self.data.status(id) else {
            return Value::Null;
        };
        let category = self
            .data
            .status_category(s.category_id)
            .map_or(Value::Null, |c| self.status_category(c));
        json!({
            "self": self.url(&format!("status/{}", s.id)),
            "description": s.description,
            "iconUrl": format!("{}/images/icons/statuses/generic.png", self.base),
            "name": s.name,
            "id": s.id.to_string(),
            "statusCategory": category,
        })
    }

    /// `StatusCategory`.
    pub fn status_category(&self, c: &StatusCategory) -> Value {
        json!({
            "self": self.url(&format!("statuscategory/{}", c.id)),
            "id": c.id,
            "key": c.key,
            "colorName": c.color_name,
            "name": c.name,
        })
    }

    /// A priority with what `GET priority` adds: description, colour, whether default.
    pub fn priority_details(&self, id: u64) -> Value {
        let mut v = self.priority(id);
        if let (Some(m), Some(p)) = (v.as_object_mut(), self.data.priority(id)) {
            m.insert("description".into(), json!(p.description));
            m.insert("statusColor".into(), json!(p.status_color));
            m.insert("isDefault".into(), json!(p.id == 3));
        }
        v
    }

    /// `Resolution` as `GET resolution` lists it.
    pub fn resolution_details(&self, r: &Resolution) -> Value {
        json!({"self": self.url(&format!("resolution/{}", r.id)), "id": r.id.to_string(),
               "description": r.description, "name": r.name})
    }

    pub fn issue_type(&self, id: u64) -> Value {
        let Some(t) = self.data.issue_type(id) else {
            return Value::Null;
        };
        json!({
            "self": self.url(&format!("issuetype/{}", t.id)),
            "id": t.id.to_string(),
            "description": t.description,
            "iconUrl": format!("{}/rest/api/2/universal_avatar/view/type/issuetype/avatar/{}?size=medium", self.base, 10300 + t.id % 100),
            "name": t.name,
            "subtask": t.subtask,
            "avatarId": 10300 + t.id % 100,
            "hierarchyLevel": t.hierarchy_level,
        })
    }

    pub fn priority(&self, id: u64) -> Value {
        let Some(p) = self.data.priority(id) else {
            return Value::Null;
        };
        json!({
            "self": self.url(&format!("priority/{}", p.id)),
            "iconUrl": format!("{}/images/icons/priorities/{}.svg", self.base, p.name.to_lowercase()),
            "name": p.name,
            "id": p.id.to_string(),
        })
    }

    fn resolution(&self, id: Option<u64>) -> Value {
        let Some(r) = id.and_then(|id| self.data.resolution(id)) else {
            return Value::Null;
        };
        json!({
            "self": self.url(&format!("resolution/{}", r.id)),
            "id": r.id.to_string(),
            "description": r.description,
            "name": r.name,
        })
    }

    /// A sprint as the `customfield_10020` value carries it (UTC `Z` timestamps).
    fn sprint_field(&self, s: &Sprint) -> Value {
        let z = |t: &Option<DateTime<FixedOffset>>| {
            t.map(|t| {
                t.with_timezone(&Utc)
                    .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                    .to_string()
            })
        };
        let mut m = Map::new();
        m.insert("id".into(), json!(s.id));
        m.insert("name".into(), json!(s.name));
        m.insert("state".into(), json!(s.state));
        m.insert("boardId".into(), json!(s.board_id));
        m.insert("goal".into(), json!(s.goal.clone().unwrap_or_default()));
        for (k, v) in [
            ("startDate", &s.start_date),
            ("endDate", &s.end_date),
            ("completeDate", &s.complete_date),
        ] {
            if let Some(t) = z(v) {
                m.insert(k.into(), json!(t));
            }
        }
        Value::Object(m)
    }

    /// A sprint as the Agile API returns it (`+10:00`-style offsets).
    pub fn agile_sprint(&self, s: &Sprint) -> Value {
        let iso = |t: &Option<DateTime<FixedOffset>>| {
            t.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string())
        };
        let mut m = Map::new();
        m.insert("id".into(), json!(s.id));
        m.insert(
            "self".into(),
            json!(format!("{}/rest/agile/1.0/sprint/{}", self.base, s.id)),
        );
        m.insert("state".into(), json!(s.state));
        m.insert("name".into(), json!(s.name));
        for (k, v) in [
            ("startDate", &s.start_date),
            ("endDate", &s.end_date),
            ("completeDate", &s.complete_date),
        ] {
            if let Some(t) = iso(v) {
                m.insert(k.into(), json!(t));
            }
        }
        if let Some(t) = iso(&s.start_date) {
            m.insert("createdDate".into(), json!(t));
        }
        m.insert("originBoardId".into(), json!(s.board_id));
        if let Some(g) = &s.goal {
            m.insert("goal".into(), json!(g));
        }
        Value::Object(m)
    }

    /// An epic as the Agile API lists it (`GET /board/{id}/epic`).
    pub fn agile_epic(&self, epic: &Issue) -> Value {
        let done = self
            .data
            .status(epic.status_id)
            .is_some_and(|s| s.category_id == 3);
        let name = epic.summary.strip_prefix("Epic: ").unwrap_or(&epic.summary);
        json!({
            "id": epic.id,
            "key": epic.key,
            "self": format!("{}/rest/agile/1.0/epic/{}", self.base, epic.id),
            "name": name,
            "summary": epic.summary,
            "color": {"key": format!("color_{}", epic.id % 14 + 1)},
            "done": done,
        })
    }

    /// A worklog (`Worklog`).
    pub fn worklog(&self, w: &Worklog, properties: bool) -> Value {
        let mut m = Map::new();
        m.insert(
            "self".into(),
            json!(self.url(&format!("issue/{}/worklog/{}", w.issue_id, w.id))),
        );
        m.insert("author".into(), self.user(&w.author));
        m.insert("updateAuthor".into(), self.user(&w.update_author));
        if let Some(c) = &w.comment {
            m.insert("comment".into(), self.rich(c));
        }
        m.insert("created".into(), json!(timestamp(&w.created)));
        m.insert("updated".into(), json!(timestamp(&w.updated)));
        m.insert("started".into(), json!(timestamp(&w.started)));
        m.insert("timeSpent".into(), json!(duration(w.time_spent_seconds)));
        m.insert("timeSpentSeconds".into(), json!(w.time_spent_seconds));
        m.insert("id".into(), json!(w.id.to_string()));
        m.insert("issueId".into(), json!(w.issue_id.to_string()));
        self.restricted(&mut m, w.visibility.as_ref());
        if properties {
            m.insert("properties".into(), entity_properties(&w.properties));
        }
        Value::Object(m)
    }

    /// A comment (`Comment`), with its entity properties when `properties` (`expand`).
    pub fn comment(&self, c: &Comment, properties: bool) -> Value {
        let mut v = json!({
            "self": self.url(&format!("issue/{}/comment/{}", c.issue_id, c.id)),
            "id": c.id.to_string(),
            "author": self.user(&c.author),
            "body": self.rich(&c.body),
            "updateAuthor": self.user(&c.update_author),
            "created": timestamp(&c.created),
            "updated": timestamp(&c.updated),
            "jsdPublic": true,
        });
        if let Some(m) = v.as_object_mut() {
            self.restricted(m, c.visibility.as_ref());
            if properties {
                m.insert("properties".into(), entity_properties(&c.properties));
            }
        }
        v
    }

    /// `visibility` as Jira gives it: type, name, and the group's id or the role's name as
    /// `identifier`. Nothing when unrestricted.
    fn restricted(&self, m: &mut Map<String, Value>, visibility: Option<&Visibility>) {
        let v = match visibility {
            None => return,
            Some(Visibility::Group(name)) => {
                let id = self.data.group_by_name(name).map(|g| g.group_id.clone());
                json!({"type": "group", "value": name, "identifier": id})
            }
            Some(Visibility::Role(name)) => {
                json!({"type": "role", "value": name, "identifier": name})
            }
        };
        m.insert("visibility".into(), v);
    }

    /// The small issue object inside `parent` and `subtasks`.
    fn issue_ref(&self, id: u64) -> Option<Value> {
        let i = self.data.issue_by_id(id)?;
        Some(json!({
            "id": i.id.to_string(),
            "key": i.key,
            "self": self.url(&format!("issue/{}", i.id)),
            "fields": {
                "summary": i.summary,
                "status": self.status(i.status_id),
                "priority": self.priority(i.priority_id),
                "issuetype": self.issue_type(i.issue_type_id),
            },
        }))
    }

    /// An issue (`IssueBean`) with the given fields.
    pub fn issue(&self, issue: &Issue, selected: &[&FieldDef], opts: IssueOptions) -> Value {
        let mut fields_obj = Map::new();
        let mut names = Map::new();
        let mut schema = Map::new();
        for f in selected {
            if let Some(v) = self.field(issue, f, opts.search) {
                fields_obj.insert(f.id.to_string(), v);
                names.insert(f.id.to_string(), json!(f.name));
                if let Some(s) = field_schema(f) {
                    schema.insert(f.id.to_string(), s);
                }
            }
        }
        let mut m = Map::new();
        m.insert(
            "expand".into(),
            json!(
                "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
            ),
        );
        m.insert("id".into(), json!(issue.id.to_string()));
        m.insert(
            "self".into(),
            json!(self.url(&format!("issue/{}", issue.id))),
        );
        m.insert("key".into(), json!(issue.key));
        m.insert("fields".into(), Value::Object(fields_obj));
        if opts.names {
            m.insert("names".into(), Value::Object(names));
        }
        if opts.schema {
            m.insert("schema".into(), Value::Object(schema));
        }
        if opts.rendered {
            let html = Renderer {
                html: true,
                ..*self
            };
            let rendered: Map<String, Value> = selected
                .iter()
                .filter(|f| m["fields"].get(f.id).is_some())
                .map(|f| {
                    let value = RENDERED
                        .contains(&f.id)
                        .then(|| html.field(issue, f, opts.search))
                        .flatten();
                    (f.id.to_string(), value.unwrap_or(Value::Null))
                })
                .collect();
            m.insert("renderedFields".into(), Value::Object(rendered));
        }
        Value::Object(m)
    }

    /// One field's value; None leaves the key out (only `parent` does that, when unset).
    fn field(&self, i: &Issue, f: &FieldDef, search: bool) -> Option<Value> {
        let d = self.data;
        let ts = |t: &Option<DateTime<FixedOffset>>| {
            t.as_ref().map_or(Value::Null, |t| json!(timestamp(t)))
        };
        let num = |v: Option<i64>| v.map_or(Value::Null, |v| json!(v));
        Some(match f.id {
            "summary" => json!(i.summary),
            "description" => i.description.as_deref().map_or(Value::Null, |doc| self.rich(doc)),
            "environment" | "lastViewed" | "security" => Value::Null,
            "project" => self.project(i.project_id),
            "issuetype" => self.issue_type(i.issue_type_id),
            "status" => self.status(i.status_id),
            "priority" => self.priority(i.priority_id),
            "resolution" => self.resolution(i.resolution_id),
            "assignee" => self.user_opt(i.assignee.as_ref()),
            "reporter" => self.user_opt(i.reporter.as_ref()),
            "creator" => self.user(&i.creator),
            "labels" => json!(i.labels),
            "components" => Value::Array(
                i.component_ids
                    .iter()
                    .filter_map(|&c| d.component(c))
                    .map(|c| {
                        json!({"self": self.url(&format!("component/{}", c.id)), "id": c.id.to_string(),
                               "name": c.name, "description": c.description})
                    })
                    .collect(),
            ),
            "fixVersions" => Value::Array(
                i.fix_version_ids
                    .iter()
                    .filter_map(|&v| d.version(v))
                    .map(|v| {
                        let mut m = json!({"self": self.url(&format!("version/{}", v.id)), "id": v.id.to_string(),
                                           "description": v.description, "name": v.name,
                                           "archived": v.archived, "released": v.released});
                        if let (Some(rd), Some(o)) = (v.release_date, m.as_object_mut()) {
                            o.insert("releaseDate".into(), json!(date(&rd)));
                        }
                        m
                    })
                    .collect(),
            ),
            "versions" => json!([]),
            "issuelinks" => self.issue_links(i),
            "attachment" => Value::Array(d.attachments_of(i).iter().map(|a| self.attachment(a, false)).collect()),
            "parent" => return i.parent_id.and_then(|p| self.issue_ref(p)),
            "subtasks" => Value::Array(i.subtask_ids.iter().filter_map(|&s| self.issue_ref(s)).collect()),
            "created" => json!(timestamp(&i.created)),
            "updated" => json!(timestamp(&i.updated)),
            "resolutiondate" => ts(&i.resolution_date),
            "duedate" => i.due_date.map_or(Value::Null, |x| json!(date(&x))),
            "timespent" => num(i.time_spent_seconds),
            "timeoriginalestimate" => num(i.original_estimate_seconds),
            "timeestimate" => num(i.remaining_estimate_seconds),
            "aggregatetimespent" => num(d.aggregate_time_spent(i)),
            "aggregatetimeoriginalestimate" => num(d.aggregate_original_estimate(i)),
            "aggregatetimeestimate" => num(d.aggregate_remaining_estimate(i)),
            "workratio" => json!(match (i.original_estimate_seconds, i.time_spent_seconds) {
                (Some(o), spent) if o > 0 => spent.unwrap_or(0) * 100 / o,
                _ => -1,
            }),
            "progress" => progress(i.time_spent_seconds, i.remaining_estimate_seconds),
            "aggregateprogress" => progress(d.aggregate_time_spent(i), d.aggregate_remaining_estimate(i)),
            "votes" => json!({"self": self.url(&format!("issue/{}/votes", i.key)), "votes": 0, "hasVoted": false}),
            "watches" => json!({"self": self.url(&format!("issue/{}/watchers", i.key)), "watchCount": 1, "isWatching": false}),
            "timetracking" => {
                let mut m = Map::new();
                let mut put = |text: &str, secs: &str, v: Option<i64>| {
                    if let Some(v) = v {
                        m.insert(text.into(), json!(duration(v)));
                        m.insert(secs.into(), json!(v));
                    }
                };
                put("originalEstimate", "originalEstimateSeconds", i.original_estimate_seconds);
                put("remainingEstimate", "remainingEstimateSeconds", i.remaining_estimate_seconds);
                put("timeSpent", "timeSpentSeconds", i.time_spent_seconds);
                Value::Object(m)
            }
            "worklog" => {
                let all = d.worklogs_of(i);
                json!({
                    "startAt": 0,
                    "maxResults": EMBEDDED,
                    "total": all.len(),
                    "worklogs": all.iter().take(EMBEDDED).map(|w| self.worklog(w, false)).collect::<Vec<_>>(),
                })
            }
            "comment" => {
                let all = d.comments_of(i);
                let shown = if search { all.len().min(EMBEDDED) } else { all.len() };
                json!({
                    "comments": all[..shown].iter().map(|c| self.comment(c, false)).collect::<Vec<_>>(),
                    "self": self.url(&format!("issue/{}/comment", i.id)),
                    "maxResults": shown,
                    "total": all.len(),
                    "startAt": 0,
                })
            }
            fields::STORY_POINTS => i.story_points.map_or(Value::Null, |p| json!(p)),
            fields::SPRINT => {
                let sprints: Vec<Value> = i
                    .sprint_ids
                    .iter()
                    .filter_map(|&s| d.sprint(s))
                    .map(|s| self.sprint_field(s))
                    .collect();
                if sprints.is_empty() { Value::Null } else { Value::Array(sprints) }
            }
            fields::TEAM => i.team_id.and_then(|t| d.team(t)).map_or(Value::Null, |t| {
                json!({"self": self.url(&format!("customFieldOption/{}", t.id)), "value": t.value, "id": t.id.to_string()})
            }),
            fields::TARGET_DATE => i.target_date.map_or(Value::Null, |x| json!(date(&x))),
            fields::REVIEWER => self.user_opt(i.reviewer().map(str::to_string).as_ref()),
            fields::DEPLOYED_AT => ts(&i.deployed_at()),
            fields::PLATFORMS => {
                let picked = i.platforms();
                if picked.is_empty() {
                    Value::Null
                } else {
                    Value::Array(picked.iter().map(|(id, value)| {
                        json!({"self": self.url(&format!("customFieldOption/{id}")), "value": value, "id": id.to_string()})
                    }).collect())
                }
            }
            fields::RELEASE_NOTES => i.release_notes().map_or(Value::Null, Value::String),
            _ => Value::Null,
        })
    }
}

fn progress(spent: Option<i64>, remaining: Option<i64>) -> Value {
    let p = spent.unwrap_or(0);
    let total = p + remaining.unwrap_or(0);
    if total > 0 {
        json!({"progress": p, "total": total, "percent": p * 100 / total})
    } else {
        json!({"progress": p, "total": total})
    }
}

/// A field's `schema` object (`JsonTypeBean`).
pub(crate) fn field_schema(f: &FieldDef) -> Option<Value> {
    let s = f.schema.as_ref()?;
    let mut m = Map::new();
    m.insert("type".into(), json!(s.ty));
    if let Some(items) = s.items {
        m.insert("items".into(), json!(items));
    }
    if let Some(system) = s.system {
        m.insert("system".into(), json!(system));
    }
    if let Some(custom) = s.custom {
        m.insert("custom".into(), json!(custom));
    }
    if let Some(id) = f.custom_id {
        m.insert("customId".into(), json!(id));
    }
    Some(Value::Object(m))
}

/// One `FieldDetails` entry of `GET /field`.
pub(crate) fn field_details(f: &FieldDef) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(f.id));
    m.insert("key".into(), json!(f.id));
    m.insert("name".into(), json!(f.name));
    if f.custom_id.is_some() {
        m.insert("untranslatedName".into(), json!(f.name));
    }
    m.insert("custom".into(), json!(f.custom_id.is_some()));
    m.insert("orderable".into(), json!(f.orderable));
    m.insert("navigable".into(), json!(f.navigable));
    m.insert("searchable".into(), json!(f.searchable));
    m.insert("clauseNames".into(), json!(f.clause_names));
    if let Some(s) = field_schema(f) {
        m.insert("schema".into(), s);
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::fields::{DefaultFields, select};

    #[test]
    fn durations_use_working_days() {
        assert_eq!(duration(12000), "3h 20m");
        assert_eq!(duration(36000), "1d 2h");
        assert_eq!(duration(5 * 8 * 3600 + 60), "1w 1m");
        assert_eq!(duration(0), "0m");
    }

    #[test]
    fn issue_shapes() {
        let data = JiraData::generate(42, 300);
        let r = Renderer {
            data: &data,
            base: "http://x",
            version: ApiVersion::V3,
            product: Product::Cloud,
            html: false,
        };
        let demo7 = data.issue_by_key("DEMO-7").expect("DEMO-7");
        let all = select(&[], DefaultFields::All);
        let v = r.issue(
            demo7,
            &all,
            IssueOptions {
                search: true,
                ..Default::default()
            },
        );
        assert_eq!(v["key"], "DEMO-7");
        assert_eq!(v["self"], format!("http://x/rest/api/3/issue/{}", demo7.id));
        let f = &v["fields"];
        assert_eq!(f["worklog"]["maxResults"], 20);
        assert_eq!(f["worklog"]["worklogs"].as_array().map(Vec::len), Some(20));
        assert_eq!(f["worklog"]["total"], data.worklogs_of(demo7).len());
        assert_eq!(f["comment"]["comments"].as_array().map(Vec::len), Some(20));
        assert!(f["status"]["statusCategory"]["key"].is_string());
        assert!(f["created"].as_str().is_some_and(|s| s.len() == 28));
        assert_eq!(
            f["timetracking"]["timeSpentSeconds"],
            json!(demo7.time_spent_seconds)
        );
        let w = &f["worklog"]["worklogs"][0];
        assert!(w["id"].is_string() && w["issueId"].is_string());
        // v2 bodies: rich text as strings; users as the product has them (Cloud: account ids,
        // Data Center: names and keys).
        let cloud_v2 = Renderer {
            version: ApiVersion::V2,
            ..r
        };
        let v = cloud_v2.issue(demo7, &all, IssueOptions::default());
        assert!(v["fields"]["description"].is_string() || v["fields"]["description"].is_null());
        assert!(v["fields"]["reporter"]["accountId"].is_string());
        assert!(
            v["self"]
                .as_str()
                .is_some_and(|s| s.contains("/rest/api/2/"))
        );
        let dc = Renderer {
            product: Product::DataCenter,
            ..cloud_v2
        };
        let v = dc.issue(demo7, &all, IssueOptions::default());
        assert!(v["fields"]["description"].is_string() || v["fields"]["description"].is_null());
        assert!(v["fields"]["reporter"].get("accountId").is_none());
        assert!(v["fields"]["reporter"]["name"].is_string());
    }
}
