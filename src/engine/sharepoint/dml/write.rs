//! What a planned statement sends, and sending it with flat memory.
//!
//! A statement's changes may be made all at once (an UPDATE's or DELETE's few), or a batch
//! of result rows at a time ([`ChangeBatches`]): MERGE and INSERT hold their result rows as
//! Arrow batches, which are compact, and turn one batch at a time into [`Change`]s, which are
//! not. Every batch is converted once before the first change is sent, so a value a column
//! cannot hold still stops the statement before anything is written.

use super::*;
use crate::sharepoint::Directory;

/// What to send, and the column that identifies items.
pub(super) struct Write {
    changes: Box<dyn ChangeBatches>,
    pub(super) key: Option<Column>,
}

/// Changes made a batch of result rows at a time.
pub(super) trait ChangeBatches: Send {
    /// The changes of the next batch, counting in `report` the rows that need none; `None`
    /// when every batch has been made.
    fn next_changes(&mut self, report: &mut WriteReport) -> Result<Option<Vec<Change>>>;
}

/// Changes made all at once: one batch.
impl ChangeBatches for Option<Vec<Change>> {
    fn next_changes(&mut self, _: &mut WriteReport) -> Result<Option<Vec<Change>>> {
        Ok(self.take())
    }
}

impl Write {
    /// Changes already made.
    pub(super) fn all(changes: Vec<Change>, key: Option<Column>) -> Write {
        Write::batches(Box::new(Some(changes)), key)
    }

    pub(super) fn batches(changes: Box<dyn ChangeBatches>, key: Option<Column>) -> Write {
        Write { changes, key }
    }

    /// Sends the changes to `list` as they are made, whole chunks of [`sync::CHUNK`] at a
    /// time (so small result batches still fill `$batch` requests), the rest at the end.
    pub(super) async fn send(
        mut self,
        directory: &Directory,
        list: &ListInfo,
        report: &mut WriteReport,
    ) -> Result<()> {
        let mut pending = Vec::new();
        loop {
            let next = self.changes.next_changes(report)?;
            let done = next.is_none();
            pending.extend(next.into_iter().flatten());
            let ready = match done {
                true => pending.len(),
                false => pending.len() - pending.len() % sync::CHUNK,
            };
            if ready > 0 {
                let rest = pending.split_off(ready);
                let changes = std::mem::replace(&mut pending, rest);
                sync::apply(directory, list, self.key.as_ref(), changes, report)
                    .await
                    .map_err(external)?;
            }
            if done {
                return Ok(());
            }
        }
    }
}

/// Result rows mapped to a list's columns, every value checked, with the key they carry.
pub(super) struct Mapped {
    pub(super) mapping: Vec<Column>,
    pub(super) key: Option<Column>,
    pub(super) key_index: Option<usize>,
    batches: Vec<RecordBatch>,
}

/// Maps the result columns `names` to `list`'s columns (all problems reported at once),
/// chooses the key with `key_of` and checks every value of `batches`; nothing is sent.
pub(super) fn map_rows(
    list: &ListInfo,
    names: &[String],
    batches: Vec<RecordBatch>,
    key_of: impl FnOnce(&[Column]) -> Result<Option<Column>>,
) -> Result<Mapped> {
    let mapping = map_columns(list, names)?;
    check_required(list, &mapping)?;
    let key = key_of(&mapping)?;
    let key_index = key
        .as_ref()
        .and_then(|k| mapping.iter().position(|c| c.name == k.name));
    let mut problems = Vec::new();
    let mut before = 0;
    for batch in &batches {
        convert_batch(batch, &mapping, key_index, before, &mut problems);
        before += batch.num_rows();
    }
    if !problems.is_empty() {
        return Err(value_problems_text(&problems));
    }
    Ok(Mapped {
        mapping,
        key,
        key_index,
        batches,
    })
}

impl Mapped {
    /// Every row converted (for upserts, which compare them all with the list).
    pub(super) fn rows(&self) -> Result<Vec<Row>> {
        convert_rows(&self.batches, &self.mapping, self.key_index)
    }

    /// Every row as a new item, a batch at a time.
    pub(super) fn appends(self) -> Write {
        let key = self.key.clone();
        Write::batches(
            Box::new(Appends {
                mapped: self,
                next: 0,
                before: 0,
            }),
            key,
        )
    }
}

/// The creates of [`Mapped::appends`].
struct Appends {
    mapped: Mapped,
    /// The batch to convert next.
    next: usize,
    /// Rows in the batches before it.
    before: usize,
}

impl ChangeBatches for Appends {
    fn next_changes(&mut self, _: &mut WriteReport) -> Result<Option<Vec<Change>>> {
        let Mapped {
            mapping,
            key_index,
            batches,
            ..
        } = &self.mapped;
        let Some(batch) = batches.get(self.next) else {
            return Ok(None);
        };
        let mut problems = Vec::new();
        let rows = convert_batch(batch, mapping, *key_index, self.before, &mut problems);
        if !problems.is_empty() {
            return Err(value_problems_text(&problems));
        }
        self.next += 1;
        self.before += batch.num_rows();
        Ok(Some(
            rows.into_iter()
                .map(|row| Change::Create {
                    label: row.label,
                    key: row.key,
                    fields: mapping.iter().cloned().zip(row.values).collect(),
                })
                .collect(),
        ))
    }
}
