//! The endpoints of the site's entities (versions, components) as the client writes them, as
//! a table's [`EntityWrites`] declares them: `POST <create>` adds one, `GET` and `PUT <one>`
//! read and change one, its [`Removal`] removes one.
//!
//! Fault rules are those of [`super::write`]: a change sets absolute values, so it is resent
//! after a lost answer; a removal is resent too, and the 404 that may follow means the first
//! one was made. An add is sent once: after a lost answer the engine looks for the new row by
//! the table's unique columns before it sends the add again.

use reqwest::Method;
use serde_json::{Value, json};

use super::client::{JiraClient, JiraError, Resend};
use super::item_write::Deleted;
use super::tables::{Api, ChangeBy, EntityWrites, Removal};

impl JiraClient {
    /// Adds one (`POST <create>`); the answer is the new entity.
    pub async fn create_entity(&self, w: &EntityWrites, body: &Value) -> Result<Value, JiraError> {
        self.write_to(
            w.api,
            Method::POST,
            w.create,
            &[],
            Some(body),
            Resend::OnlyRefused,
        )
        .await
    }

    /// One entity (`GET <one>`).
    pub async fn get_entity(&self, w: &EntityWrites, id: &str) -> Result<Value, JiraError> {
        let (path, query) = one(w, id);
        match w.api {
            Api::Platform => self.get_platform(path, &query).await,
            Api::Agile => self.get_agile(path, &query).await,
        }
    }

    /// Changes the members of `body` `by` the table's method; the answer is the entity as it
    /// now is.
    pub async fn edit_entity(
        &self,
        w: &EntityWrites,
        by: ChangeBy,
        id: &str,
        body: &Value,
    ) -> Result<Value, JiraError> {
        let (path, query) = one(w, id);
        self.write_to(w.api, by.method(), path, &query, Some(body), Resend::Always)
            .await
    }

    /// Removes one as the table's [`Removal`] says.
    pub async fn remove_entity(&self, w: &EntityWrites, id: &str) -> Result<Deleted, JiraError> {
        let (mut path, query) = one(w, id);
        let (method, body) = match w.removal {
            Removal::Delete => (Method::DELETE, None),
            Removal::Post(suffix) => {
                path.push(suffix.to_string());
                (Method::POST, Some(json!({})))
            }
        };
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        self.remove_once(w.api, method, &path, &query, body.as_ref())
            .await
    }
}

/// The path of entity `id` (each segment kept whole) and its query.
fn one<'a>(w: &'a EntityWrites, id: &str) -> (Vec<String>, Vec<(&'a str, String)>) {
    let (path, query) = w.one.split_once('?').unwrap_or((w.one, ""));
    let fill = |s: &str| if s == "{id}" { id } else { s }.to_string();
    let path = path.split('/').map(fill).collect();
    let query = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name, fill(value)))
        .collect();
    (path, query)
}
