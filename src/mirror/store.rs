//! The mirror on disk: one Parquet file a table (`DIR/<Table>/data.parquet`) and
//! `DIR/manifest.json`. A table is written to a staging directory and swapped in with two
//! renames; the manifest is replaced the same way, last. A run killed between the renames
//! leaves `DIR/.old-<Table>`, which the next run puts back before it reads anything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The manifest's layout version.
pub const SCHEMA_VERSION: u32 = 1;

/// What the mirror holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub tables: BTreeMap<String, TableEntry>,
}

/// One mirrored table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableEntry {
    pub rows: usize,
    /// When the refresh that wrote it started (RFC 3339, UTC).
    pub refreshed_at: String,
    /// The newest `Updated` among its rows (epoch ms), for tables refreshed by change.
    pub watermark_ms: Option<i64>,
    pub columns: Vec<String>,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            schema_version: SCHEMA_VERSION,
            tables: BTreeMap::new(),
        }
    }
}

fn manifest_path(dir: &Path) -> PathBuf {
    dir.join("manifest.json")
}

/// The mirror's manifest; an empty one for a directory that holds no mirror yet.
pub fn load(dir: &Path) -> Result<Manifest, String> {
    let path = manifest_path(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Manifest::default()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not a jiraql mirror manifest ({e}); point mirror at another directory",
            path.display()
        )
    })?;
    if manifest.schema_version != SCHEMA_VERSION {
        return Err(format!(
            "{} was written by another version of jiraql (layout {}, this one writes {}); \
             mirror into a new directory",
            path.display(),
            manifest.schema_version,
            SCHEMA_VERSION
        ));
    }
    Ok(manifest)
}

/// Replaces the manifest in one rename.
pub fn save(dir: &Path, manifest: &Manifest) -> Result<(), String> {
    let path = manifest_path(dir);
    let staged = dir.join(".manifest.json.new");
    let text = serde_json::to_string_pretty(manifest).map_err(|e| e.to_string())?;
    std::fs::write(&staged, text)
        .and_then(|()| std::fs::rename(&staged, &path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The table's Parquet file.
pub fn data_file(dir: &Path, table: &str) -> PathBuf {
    dir.join(table).join("data.parquet")
}

/// Where a table is written before it is swapped in.
pub fn staging(dir: &Path, table: &str) -> PathBuf {
    dir.join(format!(".new-{table}"))
}

fn old(dir: &Path, table: &str) -> PathBuf {
    dir.join(format!(".old-{table}"))
}

/// Puts back a table a killed run had moved aside, and drops half-written staging.
pub fn recover(dir: &Path, table: &str) -> Result<(), String> {
    let (current, old, staged) = (dir.join(table), old(dir, table), staging(dir, table));
    let io = |e: std::io::Error| format!("cannot restore the mirror of {table}: {e}");
    if old.exists() {
        if current.exists() {
            std::fs::remove_dir_all(&old).map_err(io)?;
        } else {
            std::fs::rename(&old, &current).map_err(io)?;
        }
    }
    if staged.exists() {
        std::fs::remove_dir_all(&staged).map_err(io)?;
    }
    Ok(())
}

/// Swaps the staged table in for the current one.
pub fn swap_in(dir: &Path, table: &str) -> Result<(), String> {
    let (current, old, staged) = (dir.join(table), old(dir, table), staging(dir, table));
    let io = |e: std::io::Error| format!("cannot put the new mirror of {table} in place: {e}");
    if current.exists() {
        std::fs::rename(&current, &old).map_err(io)?;
    }
    std::fs::rename(&staged, &current).map_err(io)?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io)?;
    }
    Ok(())
}
