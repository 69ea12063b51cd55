//! Every table a statement can name is in every catalog: `sys_tables`, `sys_tablecolumns`,
//! `sys_keycolumns`, `information_schema` and the REPL's `\dt`, each with its description and
//! whether it takes writes, the SharePoint lists and the catalog tables themselves included.

use std::collections::BTreeSet;

use jiraql::cli::catalog::Catalog;

use crate::sharepoint::both;

#[tokio::test]
async fn every_table_and_list_is_in_every_catalog() {
    let b = both(20, "").await;
    let s = &b.site;
    // Nothing has named a list yet: the catalogs find them on the site.
    let sys: BTreeSet<(String, String)> = s
        .rows("SELECT SchemaName, TableName FROM sys_tables")
        .await
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let info: BTreeSet<(String, String)> = s
        .rows(
            "SELECT table_schema, table_name FROM information_schema.tables \
             WHERE table_schema <> 'information_schema'",
        )
        .await
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert_eq!(sys, info, "sys_tables and information_schema agree");
    for expected in [
        ("sharepoint", "TimeLog"),
        ("sharepoint", "Sprint Burndown"),
        ("jira", "sys_tables"),
        ("jira", "sys_tablecolumns"),
        ("jira", "Worklogs"),
    ] {
        let expected = (expected.0.to_string(), expected.1.to_string());
        assert!(sys.contains(&expected), "{expected:?} in {sys:?}");
    }
    let empty = s
        .rows("SELECT TableName FROM sys_tables WHERE Description IS NULL OR Description = ''")
        .await;
    assert!(empty.is_empty(), "every table described: {empty:?}");
    let lists = s
        .rows("SELECT DISTINCT IsUpdateable FROM sys_tables WHERE SchemaName = 'sharepoint'")
        .await;
    assert_eq!(lists, [["true"]]);

    // Columns: the same names in sys_tablecolumns and information_schema, for lists too.
    for table in ["TimeLog", "Issues", "sys_tables"] {
        let schema = if table == "sys_tables" {
            "jira"
        } else {
            "sharepoint"
        };
        let ours = s
            .rows(&format!(
                "SELECT ColumnName FROM sys_tablecolumns WHERE SchemaName = '{schema}' \
                 AND TableName = '{table}' ORDER BY Ordinal"
            ))
            .await;
        let theirs = s
            .rows(&format!(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = \
                 '{schema}' AND table_name = '{table}' ORDER BY ordinal_position"
            ))
            .await;
        assert!(!ours.is_empty(), "{schema}.{table}");
        assert_eq!(ours, theirs, "{schema}.{table}");
    }
    let id = s
        .rows(
            "SELECT IsKey, IsReadOnly FROM sys_tablecolumns WHERE SchemaName = 'sharepoint' \
             AND TableName = 'TimeLog' AND ColumnName = 'Id'",
        )
        .await;
    assert_eq!(id, [["true", "true"]]);
    let keys = s
        .rows("SELECT TableName FROM sys_keycolumns WHERE SchemaName = 'sharepoint' ORDER BY 1")
        .await;
    assert_eq!(keys.len(), 3, "each list's Id: {keys:?}");

    // \dt: every entry described.
    let catalog = Catalog::load(&s.engine).await;
    let (_, batch) = catalog.tables_listing();
    let names = batch.column(0);
    let descriptions = batch.column(2);
    let text = |a: &dyn datafusion::arrow::array::Array, i: usize| {
        datafusion::arrow::util::display::array_value_to_string(a, i).expect("text")
    };
    for i in 0..batch.num_rows() {
        let name = text(names.as_ref(), i);
        assert!(
            !text(descriptions.as_ref(), i).is_empty(),
            "\\dt describes {name}"
        );
    }
    assert!(batch.num_rows() >= sys.len(), "\\dt lists every table");
}
