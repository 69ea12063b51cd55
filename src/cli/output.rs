//! Printing results: a table for people, CSV, JSON and NDJSON for programs.

use std::io::Write;

use comfy_table::{ContentArrangement, Table};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::arrow::{csv, json};

use super::args::Format;

/// Writes one statement's result in `format`.
pub fn write_result(
    format: Format,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    out: &mut dyn Write,
) -> Result<(), ArrowError> {
    match format {
        Format::Table => write_table(schema, batches, out),
        Format::Csv => {
            let mut writer = csv::WriterBuilder::new().with_header(true).build(&mut *out);
            if batches.is_empty() {
                writer.write(&RecordBatch::new_empty(schema.clone()))?;
            }
            for b in batches {
                writer.write(b)?;
            }
            Ok(())
        }
        Format::Json => {
            let mut writer = json::ArrayWriter::new(&mut *out);
            for b in batches {
                writer.write(b)?;
            }
            // `finish` writes `[]` when there were no rows.
            writer.finish()?;
            drop(writer);
            out.write_all(b"\n")?;
            Ok(())
        }
        Format::Ndjson => {
            let mut writer = json::LineDelimitedWriter::new(&mut *out);
            for b in batches {
                writer.write(b)?;
            }
            writer.finish()
        }
    }
}

fn write_table(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    out: &mut dyn Write,
) -> Result<(), ArrowError> {
    if schema.fields().is_empty() {
        return Ok(());
    }
    let mut table = Table::new();
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(schema.fields().iter().map(|f| f.name().as_str()));
    let options = FormatOptions::default().with_null("");
    let mut rows = 0;
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            table.add_row(formatters.iter().map(|f| f.value(row).to_string()));
        }
        rows += batch.num_rows();
    }
    writeln!(out, "{table}")?;
    writeln!(out, "({rows} row{})", if rows == 1 { "" } else { "s" })?;
    Ok(())
}
