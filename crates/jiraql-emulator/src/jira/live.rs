//! The data being served, changeable while it is served.
//!
//! Each request reads one version of the data ([`LiveData::version`]: an `Arc` and its
//! number), so whatever else changes meanwhile, one answer is never half old and half new. A
//! change ([`LiveData::change`]) edits the current version in place when no request is reading
//! it, and a copy when one is (copy on write): the requests still reading the old version keep
//! it until they finish, then it is freed. Changes are serialized; reads never wait for one
//! longer than it takes to apply.

use std::sync::{Arc, Mutex};

use super::data::JiraData;

pub(crate) struct LiveData {
    current: Mutex<Version>,
}

/// One version of the data, numbered from 0 in the order of changes.
#[derive(Clone)]
pub(crate) struct Version {
    pub data: Arc<JiraData>,
    pub number: u64,
}

impl LiveData {
    pub fn new(data: JiraData) -> Self {
        LiveData {
            current: Mutex::new(Version {
                data: Arc::new(data),
                number: 0,
            }),
        }
    }

    /// The current version, to read from for as long as it is held.
    pub fn version(&self) -> Version {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Applies `change` to the current data (a copy only while requests read it) and serves the
    /// result from now on as the next version.
    pub fn change<R>(&self, change: impl FnOnce(&mut JiraData) -> R) -> R {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let out = change(Arc::make_mut(&mut current.data));
        current.number += 1;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_version_survives_a_change_and_the_next_is_numbered() {
        let live = LiveData::new(JiraData::generate(7, 20));
        let before = live.version();
        let summary = before.data.issues[0].summary.clone();
        live.change(|d| d.issues[0].summary = "changed".into());
        assert_eq!(
            before.data.issues[0].summary, summary,
            "the reader's version stands"
        );
        let after = live.version();
        assert_eq!(after.data.issues[0].summary, "changed");
        assert_eq!((before.number, after.number), (0, 1));
    }

    #[test]
    fn a_change_nobody_reads_is_made_in_place() {
        let live = LiveData::new(JiraData::generate(7, 20));
        let address = Arc::as_ptr(&live.version().data);
        live.change(|d| d.issues[0].summary = "changed".into());
        assert_eq!(
            Arc::as_ptr(&live.version().data),
            address,
            "no copy was made"
        );
    }
}
