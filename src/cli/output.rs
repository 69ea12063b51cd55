//! Printing results: a table for people (fitted to the terminal, or one record per block with
//! `\x`), Markdown for pasting, CSV, JSON and NDJSON for programs.

use std::io::Write;
use std::sync::Arc;

use comfy_table::presets::{ASCII_FULL_CONDENSED, ASCII_MARKDOWN};
use comfy_table::{ContentArrangement, Row, Table};
use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::arrow::{csv, json};

use super::args::Format;

/// How results look, beyond their format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Layout {
    /// `\x`: one block per record, a line per column (table format only).
    pub expanded: bool,
    /// The terminal's width when printing to one: tables are fitted to it and long cells cut
    /// with an ellipsis. `None` for files and pipes, which get every character.
    pub width: Option<u16>,
}

/// Narrower than this, a "terminal" is a pseudo-terminal without a size; fitting would only
/// mangle the table.
const MIN_WIDTH: u16 = 20;

/// The width of the terminal on stdout, if stdout is one with a known size. `COLUMNS` stands
/// in when the terminal does not report its size.
pub fn terminal_width() -> Option<u16> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let reported = crossterm::terminal::size().ok().map(|(cols, _)| cols);
    let from_env = || std::env::var("COLUMNS").ok()?.trim().parse::<u16>().ok();
    reported
        .filter(|&w| w >= MIN_WIDTH)
        .or_else(from_env)
        .filter(|&w| w >= MIN_WIDTH)
}

/// Writes one statement's result in `format`.
pub fn write_result(
    format: Format,
    layout: Layout,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    out: &mut dyn Write,
) -> Result<(), ArrowError> {
    match format {
        Format::Table if layout.expanded => write_expanded(schema, batches, layout.width, out),
        Format::Table => write_table(schema, batches, layout.width, out),
        Format::Markdown => write_markdown(schema, batches, out),
        Format::Csv => {
            let mut writer = csv::WriterBuilder::new().with_header(true).build(&mut *out);
            if batches.is_empty() {
                writer.write(&RecordBatch::new_empty(schema.clone()))?;
            }
            for b in batches {
                writer.write(&nested_as_text(b)?)?;
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

/// Every cell as display text (NULL as empty), row by row.
fn text_rows(batches: &[RecordBatch]) -> Result<Vec<Vec<String>>, ArrowError> {
    let options = FormatOptions::default().with_null("");
    let mut rows = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .map(|f| f.value(row).to_string())
                    .collect(),
            );
        }
    }
    Ok(rows)
}

/// `batch` with list and other nested columns (Labels, Components) as their display text,
/// `[a, b]`, since CSV has no nested values.
fn nested_as_text(batch: &RecordBatch) -> Result<RecordBatch, ArrowError> {
    if !batch.columns().iter().any(|c| c.data_type().is_nested()) {
        return Ok(batch.clone());
    }
    let options = FormatOptions::default();
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if !column.data_type().is_nested() {
            fields.push(field.clone());
            columns.push(column.clone());
            continue;
        }
        let formatter = ArrayFormatter::try_new(column.as_ref(), &options)?;
        let text: StringArray = (0..column.len())
            .map(|i| column.is_valid(i).then(|| formatter.value(i).to_string()))
            .collect();
        fields.push(Arc::new(Field::new(
            field.name(),
            DataType::Utf8,
            field.is_nullable(),
        )));
        columns.push(Arc::new(text) as ArrayRef);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
}

fn header(schema: &SchemaRef) -> impl Iterator<Item = &str> {
    schema.fields().iter().map(|f| f.name().as_str())
}

fn write_row_count(rows: usize, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "({rows} row{})", if rows == 1 { "" } else { "s" })
}

fn write_table(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    width: Option<u16>,
    out: &mut dyn Write,
) -> Result<(), ArrowError> {
    if schema.fields().is_empty() {
        return Ok(());
    }
    let mut table = Table::new();
    table
        .load_preset(ASCII_FULL_CONDENSED)
        .set_header(header(schema));
    let rows = text_rows(batches)?;
    let count = rows.len();
    match width {
        Some(width) => {
            // Fit the terminal: columns share the width, and a cell that does not fit on one
            // line is cut with an ellipsis rather than wrapped over many.
            table
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(width)
                .set_truncation_indicator("…");
            for cells in rows {
                let mut row = Row::from(cells);
                row.max_height(1);
                table.add_row(row);
            }
        }
        None => {
            table
                .force_no_tty()
                .set_content_arrangement(ContentArrangement::Disabled);
            table.add_rows(rows);
        }
    }
    writeln!(out, "{table}")?;
    write_row_count(count, out)?;
    Ok(())
}

/// psql's `\x` display: a `-[ RECORD n ]-` line, then `column | value` for each column.
fn write_expanded(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    width: Option<u16>,
    out: &mut dyn Write,
) -> Result<(), ArrowError> {
    let names: Vec<&str> = header(schema).collect();
    let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    // Room for a value on one line: the terminal less the name column and " | ".
    let value_width = width.map(|w| (usize::from(w)).saturating_sub(name_width + 3).max(10));
    let rows = text_rows(batches)?;
    for (i, row) in rows.iter().enumerate() {
        let title = format!("-[ RECORD {} ]", i + 1);
        let rule = width.map_or(name_width + 3 + 20, usize::from);
        let dashes = rule.saturating_sub(title.chars().count()).max(1);
        writeln!(out, "{title}{}", "-".repeat(dashes))?;
        for (name, value) in names.iter().zip(row) {
            let mut lines = value.lines();
            let first = lines.next().unwrap_or("");
            let (shown, cut) = match value_width {
                Some(max) => (truncate(first, max), lines.next().is_some()),
                None => (first.to_string(), false),
            };
            let ellipsis = if cut && !shown.ends_with('…') {
                " …"
            } else {
                ""
            };
            writeln!(out, "{name:<name_width$} | {shown}{ellipsis}")?;
            if value_width.is_none() {
                for more in lines {
                    writeln!(out, "{:<name_width$} | {more}", "")?;
                }
            }
        }
    }
    write_row_count(rows.len(), out)?;
    Ok(())
}

/// `text` cut to `max` characters, the last one an ellipsis when anything was cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn write_markdown(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    out: &mut dyn Write,
) -> Result<(), ArrowError> {
    if schema.fields().is_empty() {
        return Ok(());
    }
    // A cell must stay on its row: pipes are escaped and line breaks become <br>.
    let escape = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('|', "\\|")
            .replace("\r\n", "<br>")
            .replace('\n', "<br>")
    };
    let mut table = Table::new();
    table
        .load_preset(ASCII_MARKDOWN)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header(schema).map(escape));
    for row in text_rows(batches)? {
        table.add_row(row.iter().map(|c| escape(c)));
    }
    writeln!(out, "{table}")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Int64Array, ListBuilder, StringBuilder};

    use super::*;

    fn sample() -> (SchemaRef, Vec<RecordBatch>) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("Key", DataType::Utf8, false),
            Field::new("Summary", DataType::Utf8, true),
            Field::new("N", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec!["DEMO-1", "DEMO-2"])),
                Arc::new(StringArray::from(vec![
                    Some("A summary long enough that it cannot fit in a narrow terminal at all"),
                    Some("pipes | and\nnewlines"),
                ])),
                Arc::new(Int64Array::from(vec![Some(1), None])),
            ],
        )
        .unwrap();
        (schema, vec![batch])
    }

    fn render(format: Format, layout: Layout) -> String {
        let (schema, batches) = sample();
        let mut out = Vec::new();
        write_result(format, layout, &schema, &batches, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_table_fits_the_terminal_and_cuts_long_cells() {
        let out = render(
            Format::Table,
            Layout {
                expanded: false,
                width: Some(40),
            },
        );
        assert!(out.lines().all(|l| l.chars().count() <= 40), "{out}");
        assert!(out.contains('…'), "{out}");
        assert!(
            out.contains("DEMO-1") && out.ends_with("(2 rows)\n"),
            "{out}"
        );
    }

    #[test]
    fn a_table_for_a_file_keeps_everything() {
        let out = render(Format::Table, Layout::default());
        assert!(
            out.contains("cannot fit in a narrow terminal at all"),
            "{out}"
        );
        assert!(!out.contains('…'));
    }

    #[test]
    fn expanded_display_is_one_block_per_record() {
        let out = render(
            Format::Table,
            Layout {
                expanded: true,
                width: None,
            },
        );
        let expected = "-[ RECORD 1 ]";
        assert!(out.starts_with(expected), "{out}");
        assert!(out.contains("Key     | DEMO-1\n"), "{out}");
        assert!(
            out.contains("Summary | pipes | and\n        | newlines\n"),
            "{out}"
        );
        assert!(
            out.contains("-[ RECORD 2 ]") && out.ends_with("(2 rows)\n"),
            "{out}"
        );
        let narrow = render(
            Format::Table,
            Layout {
                expanded: true,
                width: Some(30),
            },
        );
        assert!(narrow.lines().all(|l| l.chars().count() <= 30), "{narrow}");
    }

    #[test]
    fn csv_writes_lists_as_text() {
        let mut labels = ListBuilder::new(StringBuilder::new());
        labels.values().append_value("ui");
        labels.values().append_value("p1");
        labels.append(true);
        labels.append(false);
        let labels = labels.finish();
        let schema = Arc::new(Schema::new(vec![Field::new(
            "Labels",
            labels.data_type().clone(),
            true,
        )]));
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(labels)]).unwrap();
        let mut out = Vec::new();
        write_result(Format::Csv, Layout::default(), &schema, &[batch], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Labels\n\"[ui, p1]\"\n\"\"\n"
        );
    }

    #[test]
    fn markdown_escapes_pipes_and_line_breaks() {
        let out = render(Format::Markdown, Layout::default());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(
            lines[0].starts_with("| Key ") && lines[1].starts_with("|---"),
            "{out}"
        );
        assert!(lines[3].contains(r"pipes \| and<br>newlines"), "{out}");
    }
}
