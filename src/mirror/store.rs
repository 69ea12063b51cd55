//! The mirror on disk: a directory a table, split by project where the table has a
//! `ProjectKey` (`DIR/Issues/ProjectKey=DEMO/*.parquet`, as DuckDB, Spark and pyarrow read
//! hive-style partitions), one `DIR/<Table>/data.parquet` otherwise, and `DIR/manifest.json`. A table is written to a staging directory and swapped in with two
//! renames; the manifest is replaced the same way, last. A run killed between the renames
//! leaves `DIR/.old-<Table>`, which the next run puts back before it reads anything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::DataType;
use datafusion::dataframe::{DataFrame, DataFrameWriteOptions};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use serde::{Deserialize, Serialize};

/// The manifest's layout version.
pub const SCHEMA_VERSION: u32 = 2;

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
    /// The column its files are split by (one directory per value), if any.
    #[serde(default)]
    pub partition: Option<String>,
    /// The condition its rows were chosen by (`--where`), if any.
    #[serde(default)]
    pub filter: Option<String>,
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
    if manifest.schema_version < SCHEMA_VERSION {
        // One file a table, before tables were split by project: read every table whole
        // once, which writes it in this layout.
        tracing::warn!(
            "{} is in an older layout; this run reads every table whole",
            path.display()
        );
        return Ok(Manifest::default());
    }
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

/// The column a table's files are split by, when it has one.
const PARTITION: &str = "ProjectKey";

/// The directory of a table's files.
pub fn table_dir(dir: &Path, table: &str) -> PathBuf {
    dir.join(table)
}

/// Reads a stored table with its columns in the manifest's order (a split table's
/// partition column comes from its directory names).
pub async fn read(
    ctx: &SessionContext,
    dir: &Path,
    table: &str,
    entry: &TableEntry,
) -> Result<DataFrame, String> {
    read_at(
        ctx,
        &table_dir(dir, table),
        &entry.columns,
        entry.partition.as_deref(),
    )
    .await
    .map_err(|e| format!("cannot read the mirror of {table}: {e}"))
}

async fn read_at(
    ctx: &SessionContext,
    path: &Path,
    columns: &[String],
    partition: Option<&str>,
) -> datafusion::error::Result<DataFrame> {
    let mut options = ParquetReadOptions::default();
    if let Some(column) = partition {
        options = options.table_partition_cols(vec![(column.to_string(), DataType::Utf8)]);
    }
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    ctx.read_parquet(format!("{}/", path.display()), options)
        .await?
        .select_columns(&names)
}

/// What [`write`] wrote.
pub struct Written {
    /// The column the files are split by, if they are.
    pub partition: Option<String>,
    /// The staged copy, to be read back (row count, watermark).
    pub staged: DataFrame,
}

/// Writes `df` as the staged copy of `table` as its rows stream in: one directory of files
/// per project (`ProjectKey=DEMO/`) when it has that column, one `data.parquet` otherwise
/// (and when it has no rows, which leave no project directory).
pub async fn write(
    ctx: &SessionContext,
    df: DataFrame,
    dir: &Path,
    table: &str,
) -> Result<Written, String> {
    let staged = staging(dir, table);
    std::fs::create_dir_all(&staged)
        .map_err(|e| format!("cannot make {}: {e}", staged.display()))?;
    let schema = df.schema().as_arrow().clone();
    let columns: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let io = |e: datafusion::error::DataFusionError| {
        format!(
            "cannot write the mirror of {table} in {}: {e}",
            staged.display()
        )
    };
    let mut partition = None;
    if schema.field_with_name(PARTITION).is_ok() {
        let options = DataFrameWriteOptions::new().with_partition_by(vec![PARTITION.to_string()]);
        df.write_parquet(&format!("{}/", staged.display()), options, None)
            .await
            .map_err(io)?;
        let written = std::fs::read_dir(&staged).map_err(|e| e.to_string())?;
        if written.count() > 0 {
            partition = Some(PARTITION.to_string());
        }
    } else {
        write_single(df, &staged).await.map_err(io)?;
    }
    if partition.is_none() && !staged.join("data.parquet").exists() {
        let empty = ctx
            .read_batches([RecordBatch::new_empty(Arc::new(schema))])
            .map_err(io)?;
        write_single(empty, &staged).await.map_err(io)?;
    }
    let staged = read_at(ctx, &staged, &columns, partition.as_deref())
        .await
        .map_err(io)?;
    Ok(Written { partition, staged })
}

async fn write_single(df: DataFrame, staged: &Path) -> datafusion::error::Result<()> {
    let file = staged.join("data.parquet");
    let options = DataFrameWriteOptions::new().with_single_file_output(true);
    df.write_parquet(&file.display().to_string(), options, None)
        .await
        .map(|_| ())
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
