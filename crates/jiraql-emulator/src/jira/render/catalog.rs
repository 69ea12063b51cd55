//! Wire shapes of the site's catalog objects: projects (full), components, versions, project
//! roles, groups and filters.

use serde_json::{Map, Value, json};

use super::{Product, Renderer, date};
use crate::jira::data::{
    Actor, Component, Filter, Group, Project, ProjectRole, RoleActor, Version,
};

/// Everything `filter/search` can expand (the `expand` member of each filter).
const FILTER_EXPANDS: &str = "description,owner,jql,searchUrl,viewUrl,favourite,favouritedCount,sharePermissions,editPermissions,isWritable,approximateLastUsed,subscriptions";

impl Renderer<'_> {
    /// `GET /project/{projectIdOrKey}`: the `Project` with its lead, components, issue types,
    /// versions and role links.
    pub fn project_full(&self, p: &Project) -> Value {
        let mut v = self.project(p.id);
        if let Some(m) = v.as_object_mut() {
            m.insert(
                "expand".into(),
                json!("description,lead,issueTypes,url,projectKeys,permissions,insight"),
            );
            m.insert("description".into(), json!(p.description));
            m.insert("lead".into(), self.user(&p.lead));
            let components: Vec<Value> = self
                .data
                .components
                .iter()
                .filter(|c| c.project_id == p.id)
                .map(|c| self.component(c, None))
                .collect();
            m.insert("components".into(), Value::Array(components));
            let types: Vec<Value> = self
                .data
                .issue_types
                .iter()
                .map(|t| self.issue_type(t.id))
                .collect();
            m.insert("issueTypes".into(), Value::Array(types));
            m.insert("assigneeType".into(), json!("UNASSIGNED"));
            let versions: Vec<Value> = self
                .data
                .versions
                .iter()
                .filter(|v| v.project_id == p.id)
                .map(|v| self.version(v, None))
                .collect();
            m.insert("versions".into(), Value::Array(versions));
            m.insert("roles".into(), self.role_links(p));
            m.insert(
                "style".into(),
                json!(if p.simplified { "next-gen" } else { "classic" }),
            );
            m.insert("isPrivate".into(), json!(false));
            m.insert("properties".into(), json!({}));
        }
        v
    }

    /// A component: `ProjectComponent`, or `ComponentWithIssueCount` when a count is given
    /// (the paged listing), which has no `leadAccountId`.
    pub fn component(&self, c: &Component, issue_count: Option<usize>) -> Value {
        let project = self.data.project(c.project_id);
        let project_lead = project.map(|p| p.lead.clone());
        let (assignee, real_type, valid) = match c.assignee_type.as_str() {
            "COMPONENT_LEAD" => (c.lead.clone(), "COMPONENT_LEAD", c.lead.is_some()),
            "PROJECT_LEAD" => (project_lead, "PROJECT_LEAD", true),
            // The project's default assignee is its lead on this site.
            "PROJECT_DEFAULT" => (project_lead, "PROJECT_LEAD", true),
            _ => (None, "UNASSIGNED", true),
        };
        let mut m = Map::new();
        m.insert(
            "self".into(),
            json!(self.url(&format!("component/{}", c.id))),
        );
        m.insert("id".into(), json!(c.id.to_string()));
        m.insert("name".into(), json!(c.name));
        m.insert("description".into(), json!(c.description));
        if let Some(lead) = &c.lead {
            m.insert("lead".into(), self.user(lead));
            if issue_count.is_none() && self.product == Product::Cloud {
                m.insert("leadAccountId".into(), json!(lead));
            }
        }
        m.insert("assigneeType".into(), json!(c.assignee_type));
        if let Some(a) = &assignee {
            m.insert("assignee".into(), self.user(a));
        }
        m.insert("realAssigneeType".into(), json!(real_type));
        if let Some(a) = &assignee {
            m.insert("realAssignee".into(), self.user(a));
        }
        m.insert("isAssigneeTypeValid".into(), json!(valid));
        if let Some(n) = issue_count {
            m.insert("issueCount".into(), json!(n));
        }
        m.insert("project".into(), json!(project.map(|p| p.key.as_str())));
        m.insert("projectId".into(), json!(c.project_id));
        Value::Object(m)
    }

    /// A `Version`; `issues_status` is the `issuesStatusForFixVersion` of `expand=issuesstatus`.
    pub fn version(&self, v: &Version, issues_status: Option<Value>) -> Value {
        let user_date = |d: &chrono::NaiveDate| d.format("%-d/%b/%Y").to_string();
        let mut m = Map::new();
        m.insert("self".into(), json!(self.url(&format!("version/{}", v.id))));
        m.insert("id".into(), json!(v.id.to_string()));
        m.insert("description".into(), json!(v.description));
        m.insert("name".into(), json!(v.name));
        m.insert("archived".into(), json!(v.archived));
        m.insert("released".into(), json!(v.released));
        if let Some(d) = &v.start_date {
            m.insert("startDate".into(), json!(date(d)));
            m.insert("userStartDate".into(), json!(user_date(d)));
        }
        if let Some(d) = &v.release_date {
            m.insert("releaseDate".into(), json!(date(d)));
            m.insert("userReleaseDate".into(), json!(user_date(d)));
            m.insert("overdue".into(), json!(v.overdue()));
        }
        m.insert("projectId".into(), json!(v.project_id));
        if let Some(s) = issues_status {
            m.insert("issuesStatusForFixVersion".into(), s);
        }
        Value::Object(m)
    }

    fn role_url(&self, p: &Project, role_id: u64) -> String {
        self.url(&format!("project/{}/role/{role_id}", p.key))
    }

    /// `GET /project/{key}/role`: role name → role URL.
    pub fn role_links(&self, p: &Project) -> Value {
        let m: Map<String, Value> = self
            .data
            .roles
            .iter()
            .map(|r| (r.name.clone(), json!(self.role_url(p, r.id))))
            .collect();
        Value::Object(m)
    }

    /// One `ProjectRoleDetails` of `GET /project/{key}/roledetails` (no actors there).
    pub fn role_details(&self, p: &Project, r: &ProjectRole) -> Value {
        json!({
            "self": self.role_url(p, r.id),
            "name": r.name,
            "id": r.id,
            "description": r.description,
            "admin": r.name == "Administrators",
            "default": true,
            "roleConfigurable": true,
            "translatedName": r.name,
        })
    }

    /// `GET /project/{key}/role/{id}`: the `ProjectRole` with the project's actors.
    pub fn role(&self, p: &Project, r: &ProjectRole) -> Value {
        let actors: Vec<Value> = self
            .data
            .role_actors_of(p.id, r.id)
            .map(|a| self.role_actor(a))
            .collect();
        json!({
            "self": self.role_url(p, r.id),
            "name": r.name,
            "id": r.id,
            "description": r.description,
            "actors": actors,
        })
    }

    fn role_actor(&self, a: &RoleActor) -> Value {
        match &a.actor {
            Actor::User(account_id) => {
                let user = self.data.user(account_id);
                let display = user.map_or("", |u| u.display_name.as_str());
                match self.product {
                    Product::Cloud => json!({
                        "id": a.id,
                        "displayName": display,
                        "type": "atlassian-user-role-actor",
                        "actorUser": {"accountId": account_id},
                    }),
                    Product::DataCenter => json!({
                        "id": a.id,
                        "displayName": display,
                        "type": "atlassian-user-role-actor",
                        "name": user.map_or("", |u| u.name.as_str()),
                        "avatarUrl": format!("https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/{account_id}/48"),
                    }),
                }
            }
            Actor::Group(name) => {
                let group_id = self.data.group_by_name(name).map(|g| g.group_id.clone());
                json!({
                    "id": a.id,
                    "displayName": name,
                    "type": "atlassian-group-role-actor",
                    "name": name,
                    "actorGroup": {"name": name, "displayName": name, "groupId": group_id},
                })
            }
        }
    }

    /// `GroupDetails`.
    pub fn group(&self, g: &Group) -> Value {
        json!({"groupId": g.group_id, "name": g.name})
    }

    /// `FilterDetails`: id, name and links, plus whatever `expand` asks for.
    pub fn filter(&self, f: &Filter, expand: &std::collections::HashSet<String>) -> Value {
        let mut m = Map::new();
        m.insert("expand".into(), json!(FILTER_EXPANDS));
        m.insert("self".into(), json!(self.url(&format!("filter/{}", f.id))));
        m.insert("id".into(), json!(f.id.to_string()));
        m.insert("name".into(), json!(f.name));
        let wants = |k: &str| expand.contains(k);
        if wants("description")
            && let Some(d) = &f.description
        {
            m.insert("description".into(), json!(d));
        }
        if wants("owner") {
            m.insert("owner".into(), self.user(&f.owner));
        }
        if wants("jql") {
            m.insert("jql".into(), json!(f.jql));
        }
        if wants("viewUrl") {
            m.insert(
                "viewUrl".into(),
                json!(format!("{}/issues/?filter={}", self.base, f.id)),
            );
        }
        if wants("searchUrl") {
            let q: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("jql", &f.jql)
                .finish();
            m.insert("searchUrl".into(), json!(self.url(&format!("search?{q}"))));
        }
        if wants("favourite") {
            m.insert("favourite".into(), json!(f.favourite));
        }
        if wants("favouritedCount") {
            m.insert("favouritedCount".into(), json!(f.favourited_count));
        }
        for list in ["sharePermissions", "editPermissions", "subscriptions"] {
            if wants(list) {
                m.insert(list.into(), json!([]));
            }
        }
        Value::Object(m)
    }
}
