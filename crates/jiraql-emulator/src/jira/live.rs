//! The data being served, which a test knob may change while it is served.
//!
//! Handlers read it as a plain `&JiraData` (through `Deref`). A change clones the current
//! version, edits the clone and publishes it; versions already handed out stay valid because
//! replaced versions are leaked, never freed. Changes are a test knob (a few dozen per run on
//! small sites), so the leak is bounded and buys lock-free reads without `unsafe`.

use std::ops::Deref;
use std::sync::Mutex;

use super::data::JiraData;

pub(crate) struct LiveData {
    initial: JiraData,
    current: Mutex<Option<&'static JiraData>>,
}

impl LiveData {
    pub fn new(data: JiraData) -> Self {
        LiveData {
            initial: data,
            current: Mutex::new(None),
        }
    }

    /// Applies `change` to a copy of the current version and serves the copy from now on.
    pub fn change(&self, change: impl FnOnce(&mut JiraData)) {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = current.unwrap_or(&self.initial).clone();
        change(&mut next);
        *current = Some(Box::leak(Box::new(next)));
    }
}

impl Deref for LiveData {
    type Target = JiraData;

    fn deref(&self) -> &JiraData {
        let current = *self.current.lock().unwrap_or_else(|e| e.into_inner());
        current.unwrap_or(&self.initial)
    }
}
