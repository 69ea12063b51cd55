//! An in-process fake of Microsoft Graph's SharePoint list API (`/v1.0`) and of the Entra ID
//! (Azure AD) v2 token endpoint, serving one site whose lists tests shape at will.
//!
//! [`SharePointEmulator::start`] binds `127.0.0.1:0` and serves until dropped. The same port
//! answers both hosts: Graph under [`SharePointEmulator::graph_url`] and the login endpoint
//! under [`SharePointEmulator::login_url`] (`{login}/{tenant}/oauth2/v2.0/token`). Tests make
//! lists with [`SharePointEmulator::create_list`], seed and read items without HTTP, inspect
//! what the client sent through [`SharePointEmulator::requests`] and make the service
//! misbehave through [`SharePointEmulator::faults`].
//!
//! Written from `shared/reference/sharepoint-api.md` (wire shapes, error bodies, traps). What
//! the emulator reproduces on purpose, because real clients trip on it:
//! * eTags carry their own quotes (`"\"<guid>,<version>\""`); ids and `*LookupId` are strings;
//!   `fields` are keyed by internal name (`Sprint_x0020_Name`, `Author0` when a column's name
//!   clashed with a built-in one) and carry SharePoint's system fields.
//! * Filters on non-indexed columns need `Prefer: HonorNonIndexedQueriesWarningMayFailRandomly`,
//!   and fail past the 5,000-item list view threshold; `$skiptoken` is base64 of
//!   `Paged=TRUE&p_ID=<n>`.
//! * Multi-choice writes need `X@odata.type: Collection(Edm.String)`; bad values get Graph's
//!   opaque `generalException`; date-only columns store local midnight of the site's zone.
//! * `$batch` answers in a seeded shuffled order, with per-request throttling.
//!
//! Modules: `model` (lists, columns, items, value rules, demo lists), `filter` (`$filter`),
//! `auth` (token and device-code endpoints, bearer checks), `graph` (routes and handlers),
//! `batch` (JSON batching), `faults`, `server` (dispatch, latency, request log).

mod auth;
mod batch;
mod faults;
pub mod filter;
mod graph;
mod index;
mod model;
mod server;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use serde_json::{Map, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use faults::{FaultScope, SharePointFaults, Throttle};
pub use model::{ColumnKind, ColumnSpec, ListItemSnapshot, ListSpec, encode_internal_name};

use model::{Principal, Store};
use server::{Shared, dispatch};

/// A certificate registered on the app: what the token endpoint needs to check a JWT client
/// assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateCredential {
    /// The certificate's RSA public key, PEM (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`).
    pub public_key_pem: String,
    /// The `x5t` the assertion header must carry: base64url of the DER certificate's SHA-1.
    pub x5t: String,
}

/// How to build and run an emulator. [`Default`] is the demo site.
#[derive(Clone, PartialEq)]
pub struct SharePointEmulatorConfig {
    /// `contoso.sharepoint.com`.
    pub hostname: String,
    /// Server-relative site path, `/sites/pmo`.
    pub site_path: String,
    pub site_display_name: String,
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub certificate: Option<CertificateCredential>,
    /// Delay before every answer; changeable later through [`SharePointFaults`].
    pub latency: Duration,
    /// Seeds generated ids (site, lists, item GUIDs) and the batch response order.
    pub seed: u64,
    /// `expires_in` of issued access tokens.
    pub token_lifetime: Duration,
    /// Device-code polls answered `authorization_pending` before the user "approves".
    pub device_code_pending_polls: u32,
    /// The `interval` (seconds) the device-code endpoint asks clients to poll at.
    pub device_code_interval: u64,
    /// The site's time zone: date-only columns store its local midnight.
    pub time_zone: chrono_tz::Tz,
    /// Refuse creates that leave a required column empty (Graph's behaviour here is
    /// unverified; see the reference §6.3).
    pub enforce_required: bool,
    /// Lists present at start.
    pub lists: Vec<ListSpec>,
    /// Items present at start: `(list display name, name or id, fields by internal name)`.
    pub items: Vec<(String, Map<String, Value>)>,
}

impl Default for SharePointEmulatorConfig {
    fn default() -> Self {
        SharePointEmulatorConfig {
            hostname: "contoso.sharepoint.com".into(),
            site_path: "/sites/pmo".into(),
            site_display_name: "PMO".into(),
            tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
            client_id: "3f2a1b9c-5d4e-4f60-8a7b-9c0d1e2f3a4b".into(),
            client_secret: "demo-client-secret".into(),
            certificate: None,
            latency: Duration::ZERO,
            seed: 42,
            token_lifetime: Duration::from_secs(3599),
            device_code_pending_polls: 2,
            device_code_interval: 5,
            time_zone: chrono_tz::UTC,
            enforce_required: true,
            lists: model::demo_lists(),
            items: Vec::new(),
        }
    }
}

impl std::fmt::Debug for SharePointEmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The client secret stays out of logs.
        f.debug_struct("SharePointEmulatorConfig")
            .field("hostname", &self.hostname)
            .field("site_path", &self.site_path)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("certificate", &self.certificate.is_some())
            .field("lists", &self.lists.len())
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

/// One request as the emulator served it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// `"METHOD template"`, e.g. `"POST /v1.0/sites/{site}/lists/{list}/items"` or
    /// `"POST /{tenant}/oauth2/v2.0/token"`; batch sub-requests are prefixed `"$batch "`;
    /// unknown paths use the path.
    pub endpoint: String,
    pub path: String,
    /// The raw query string (without `?`).
    pub query: String,
    /// Request headers (lower-case names) except `authorization`.
    pub headers: Vec<(String, String)>,
    /// The JSON body; a form body as a JSON object with secrets redacted; other text as a
    /// JSON string.
    pub body: Option<Value>,
    pub status: u16,
}

/// A running emulator. Dropping it shuts the server down gracefully.
pub struct SharePointEmulator {
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for SharePointEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharePointEmulator")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl SharePointEmulator {
    /// Build the site and serve it on `127.0.0.1` at a free port. Fails when the port cannot
    /// be bound or a seeded item does not fit its list.
    pub async fn start(config: SharePointEmulatorConfig) -> std::io::Result<SharePointEmulator> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Like [`Self::start`], on `addr`.
    pub async fn start_on(
        config: SharePointEmulatorConfig,
        addr: SocketAddr,
    ) -> std::io::Result<SharePointEmulator> {
        let mut store = Store::new(config.seed, config.time_zone, config.enforce_required);
        let site_id = format!("{},{},{}", config.hostname, store.guid(), store.guid());
        for spec in &config.lists {
            store.create_list(spec.clone());
        }
        for (list, fields) in &config.items {
            seed_item(&mut store, list, fields).map_err(std::io::Error::other)?;
        }
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let host = match local.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let base_url = format!("http://{host}:{}", local.port());
        let shared = Arc::new(Shared {
            faults: SharePointFaults::new(config.latency),
            auth: Mutex::new(auth::AuthState::default()),
            config,
            base_url,
            site_id,
            store: Mutex::new(store),
            log: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .fallback(dispatch)
            .with_state(Arc::clone(&shared));
        let tx = crate::serve(listener, app, "sharepoint");
        Ok(SharePointEmulator {
            shared,
            shutdown: Some(tx),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// `{base}/v1.0`.
    pub fn graph_url(&self) -> String {
        format!("{}/v1.0", self.shared.base_url)
    }

    /// The login host: the token endpoint is `{login}/{tenant}/oauth2/v2.0/token`.
    pub fn login_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn config(&self) -> &SharePointEmulatorConfig {
        &self.shared.config
    }

    /// The site's composite id `"{hostname},{siteCollectionGuid},{webGuid}"`.
    pub fn site_id(&self) -> String {
        self.shared.site_id.clone()
    }

    /// A list's GUID, by display name, URL name or id.
    pub fn list_id(&self, list: &str) -> Option<String> {
        let store = self.shared.store();
        store.list_index(list).map(|i| store.lists[i].id.clone())
    }

    /// Every request served so far, batch sub-requests included, in completion order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn clear_requests(&self) {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// How many requests hit `endpoint` exactly (`"$batch POST /v1.0/sites/{site}/lists/{list}/items"`
    /// counts only batched creates).
    pub fn request_count(&self, endpoint: &str) -> usize {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|r| r.endpoint == endpoint)
            .count()
    }

    pub fn faults(&self) -> &SharePointFaults {
        &self.shared.faults
    }

    /// Add a list (internal names that clash get a digit appended); returns its id.
    pub fn create_list(&self, spec: ListSpec) -> String {
        self.shared.store().create_list(spec)
    }

    /// A list's items in id order (empty for an unknown list).
    pub fn items(&self, list: &str) -> Vec<ListItemSnapshot> {
        let store = self.shared.store();
        store
            .list_index(list)
            .map(|i| store.snapshot(i))
            .unwrap_or_default()
    }

    /// Store an item without HTTP, under the same value rules as a Graph create; returns its
    /// id, or why it was refused.
    pub fn insert_item(&self, list: &str, fields: Map<String, Value>) -> Result<String, String> {
        seed_item(&mut self.shared.store(), list, &fields)
    }

    /// Make every delta link handed out so far answer 410 `resyncRequired`.
    pub fn expire_delta_tokens(&self) {
        let mut store = self.shared.store();
        store.delta_floor = store.seq + 1;
    }
}

fn seed_item(store: &mut Store, list: &str, fields: &Map<String, Value>) -> Result<String, String> {
    let index = store
        .list_index(list)
        .ok_or_else(|| format!("no list '{list}' on the emulated site"))?;
    let values = store
        .validate(index, fields, None)
        .map_err(|e| format!("item refused by list '{list}': {e:?}"))?;
    Ok(store.insert(index, values, Principal::System).to_string())
}

impl Drop for SharePointEmulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
