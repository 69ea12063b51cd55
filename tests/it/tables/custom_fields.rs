//! Custom fields: typed columns of Issues, filters that become cf clauses, the IssueCustomFields
//! rows and the field ids they ask for, and the REPL catalog's view of them.

use super::*;

#[tokio::test]
async fn custom_fields_are_typed_issue_columns() {
    // One search, not split into windows (which also ask for `created`): this is about fields.
    let s = common::site_with(300, "MaxConcurrency=1").await;
    let data = s.jira.data();
    let demo = data.projects.iter().find(|p| p.key == "DEMO").unwrap().id;
    let expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| i.project_id == demo)
        .map(|i| {
            let sprints: Vec<String> = i
                .sprint_ids
                .iter()
                .map(|id| data.sprint(*id).unwrap().name.clone())
                .collect();
            vec![
                i.key.clone(),
                i.story_points.map_or("NULL".into(), |p| format!("{p:?}")),
                if sprints.is_empty() {
                    "NULL".into()
                } else {
                    format!("[{}]", sprints.join(", "))
                },
                i.team_id
                    .map_or("NULL".into(), |t| data.team(t).unwrap().value.clone()),
                i.target_date.map_or("NULL".into(), |d| d.to_string()),
            ]
        })
        .collect();
    let got = s
        .rows(r#"SELECT Key, "Story Points", Sprint, Team, "Target Date" FROM Issues WHERE ProjectKey = 'DEMO' ORDER BY Id"#)
        .await;
    assert_eq!(got, expected);
    // Only the custom fields the query names are asked for.
    assert_eq!(
        searched_fields(&s),
        vec![
            r#"["customfield_10016","customfield_10020","customfield_10030","customfield_10040"]"#
                .to_string();
            expected.len().div_ceil(100)
        ]
    );
    s.jira.reset_requests();
    s.rows(r#"SELECT Key, "Story Points" FROM Issues WHERE ProjectKey = 'DEMO'"#)
        .await;
    assert!(
        searched_fields(&s)
            .iter()
            .all(|f| f == r#"["customfield_10016"]"#),
        "{:?}",
        searched_fields(&s)
    );
    // Types: DOUBLE, a list of sprint names, text, DATE.
    let types = s
        .rows("SELECT ColumnName, DataTypeName, JqlField, Description FROM sys_tablecolumns WHERE TableName = 'Issues' AND Description LIKE 'Custom field%' ORDER BY Ordinal")
        .await;
    assert_eq!(
        types,
        vec![
            vec![
                "Story Points",
                "DOUBLE",
                "cf[10016]",
                "Custom field customfield_10016 (Story Points)."
            ],
            vec![
                "Sprint",
                "VARCHAR[]",
                "NULL",
                "Custom field customfield_10020 (Sprint)."
            ],
            vec![
                "Team",
                "VARCHAR",
                "cf[10030]",
                "Custom field customfield_10030 (Team)."
            ],
            vec![
                "Target Date",
                "DATE",
                "cf[10040]",
                "Custom field customfield_10040 (Target Date)."
            ],
            vec![
                "Reviewer",
                "VARCHAR",
                "NULL",
                "Custom field customfield_10050 (Reviewer)."
            ],
            vec![
                "Deployed At",
                "TIMESTAMP WITH TIME ZONE",
                "cf[10060]",
                "Custom field customfield_10060 (Deployed At)."
            ],
            vec![
                "Platforms",
                "VARCHAR[]",
                "NULL",
                "Custom field customfield_10070 (Platforms)."
            ],
            vec![
                "Release Notes",
                "VARCHAR",
                "cf[10080]",
                "Custom field customfield_10080 (Release Notes)."
            ],
        ]
    );

    // A user (display name), a datetime, checkboxes (a list of values) and a text.
    let expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| i.project_id == demo)
        .map(|i| {
            let platforms: Vec<&str> = i.platforms().iter().map(|p| p.1).collect();
            vec![
                i.key.clone(),
                i.reviewer().map_or("NULL".into(), |a| {
                    data.user(a).unwrap().display_name.clone()
                }),
                i.deployed_at()
                    .map_or("NULL".into(), |t| t.timestamp_millis().to_string()),
                if platforms.is_empty() {
                    "NULL".into()
                } else {
                    format!("[{}]", platforms.join(", "))
                },
                i.release_notes().unwrap_or_else(|| "NULL".into()),
            ]
        })
        .collect();
    let got = s
        .rows(r#"SELECT Key, Reviewer, arrow_cast("Deployed At", 'Int64'), Platforms, "Release Notes" FROM Issues WHERE ProjectKey = 'DEMO' ORDER BY Id"#)
        .await;
    assert_eq!(got, expected);
}

#[tokio::test]
async fn custom_field_filters_become_cf_clauses() {
    let s = site(300).await;
    let data = s.jira.data();
    let mut expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| i.story_points.is_some_and(|p| p >= 5.0))
        .map(|i| vec![i.key.clone()])
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    let sql = r#"SELECT Key FROM Issues WHERE "Story Points" >= 5"#;
    let mut got = s.rows(sql).await;
    got.sort();
    assert_eq!(got, expected);
    let plan = s.explain(sql).await;
    // Exact: no FilterExec above the scan.
    assert!(
        plan.contains(r#"search/jql jql="cf[10016] >= 5" fields=id"#)
            && !plan.contains("FilterExec"),
        "{plan}"
    );

    // An option by value: a prefilter (Jira ignores case), checked again.
    let team = &data.teams[0];
    let n = data
        .issues
        .iter()
        .filter(|i| i.team_id == Some(team.id))
        .count();
    let sql = format!("SELECT count(*) FROM Issues WHERE Team = '{}'", team.value);
    assert_eq!(s.rows(&sql).await, vec![vec![n.to_string()]]);
    assert!(s.explain(&sql).await.contains(&format!(
        "jql=\"cf[10030] = {}\"",
        jiraql::jira::jql::quote(&team.value).replace('"', "\\\"")
    )));

    // A date, and emptiness.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let n = data
        .issues
        .iter()
        .filter(|i| i.target_date.is_some_and(|d| d < day))
        .count();
    s.jira.reset_requests();
    assert_eq!(
        s.rows(r#"SELECT count(*) FROM Issues WHERE "Target Date" < DATE '2026-06-01'"#)
            .await,
        vec![vec![n.to_string()]]
    );
    let body = s.jira.requests()[0].body.clone().unwrap();
    assert_eq!(body["jql"], r#"cf[10040] < "2026-06-01""#);

    // A datetime bound on a whole minute is exact; text is a whole-word prefilter.
    let at = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap();
    let n = data
        .issues
        .iter()
        .filter(|i| i.deployed_at().is_some_and(|t| t >= at))
        .count();
    let sql =
        r#"SELECT count(*) FROM Issues WHERE "Deployed At" >= TIMESTAMP '2026-06-01T00:00:00Z'"#;
    assert_eq!(s.rows(sql).await, vec![vec![n.to_string()]]);
    let plan = s.explain(sql).await;
    assert!(
        plan.contains(&format!("jql=\"cf[10060] >= {}\"", at.timestamp_millis()))
            && !plan.contains("FilterExec"),
        "{plan}"
    );
    let n = data
        .issues
        .iter()
        .filter(|i| {
            i.release_notes()
                .is_some_and(|t| t.starts_with("Shipped DEMO-"))
        })
        .count();
    let sql = r#"SELECT count(*) FROM Issues WHERE "Release Notes" LIKE 'Shipped DEMO-%'"#;
    assert_eq!(s.rows(sql).await, vec![vec![n.to_string()]]);
    assert!(
        s.explain(sql)
            .await
            .contains(r#"jql="cf[10080] ~ \"Shipped\"""#),
        "{}",
        s.explain(sql).await
    );
    // A fractional number.
    let n = data
        .issues
        .iter()
        .filter(|i| i.story_points == Some(0.5))
        .count();
    assert_eq!(
        s.rows(r#"SELECT count(*) FROM Issues WHERE "Story Points" = 0.5"#)
            .await,
        vec![vec![n.to_string()]]
    );
    let n = data.issues.iter().filter(|i| i.team_id.is_none()).count();
    assert_eq!(
        s.rows("SELECT count(*) FROM Issues WHERE Team IS NULL")
            .await,
        vec![vec![n.to_string()]]
    );
}

#[tokio::test]
async fn issue_custom_fields_has_a_row_per_set_value() {
    let s = common::site_with(100, SEQUENTIAL).await;
    let data = s.jira.data();
    let mut expected: Vec<Vec<String>> = Vec::new();
    for i in &data.issues {
        if let Some(p) = i.story_points {
            expected.push(vec![
                i.key.clone(),
                "customfield_10016".into(),
                "Story Points".into(),
                format!("{p:?}"),
            ]);
        }
        if !i.sprint_ids.is_empty() {
            let names: Vec<String> = i
                .sprint_ids
                .iter()
                .map(|id| data.sprint(*id).unwrap().name.clone())
                .collect();
            expected.push(vec![
                i.key.clone(),
                "customfield_10020".into(),
                "Sprint".into(),
                names.join(", "),
            ]);
        }
        if let Some(t) = i.team_id {
            expected.push(vec![
                i.key.clone(),
                "customfield_10030".into(),
                "Team".into(),
                data.team(t).unwrap().value.clone(),
            ]);
        }
        if let Some(d) = i.target_date {
            expected.push(vec![
                i.key.clone(),
                "customfield_10040".into(),
                "Target Date".into(),
                d.to_string(),
            ]);
        }
        if let Some(a) = i.reviewer() {
            expected.push(vec![
                i.key.clone(),
                "customfield_10050".into(),
                "Reviewer".into(),
                data.user(a).unwrap().display_name.clone(),
            ]);
        }
        if let Some(t) = i.deployed_at() {
            // Jira's text, compared as an instant below.
            expected.push(vec![
                i.key.clone(),
                "customfield_10060".into(),
                "Deployed At".into(),
                t.timestamp_millis().to_string(),
            ]);
        }
        let platforms: Vec<&str> = i.platforms().iter().map(|p| p.1).collect();
        if !platforms.is_empty() {
            expected.push(vec![
                i.key.clone(),
                "customfield_10070".into(),
                "Platforms".into(),
                platforms.join(", "),
            ]);
        }
        if let Some(t) = i.release_notes() {
            expected.push(vec![
                i.key.clone(),
                "customfield_10080".into(),
                "Release Notes".into(),
                t,
            ]);
        }
    }
    expected.sort();
    let mut got = s
        .rows("SELECT IssueKey, FieldId, FieldName, Value FROM IssueCustomFields")
        .await;
    for row in &mut got {
        if row[1] == "customfield_10060" {
            row[3] = jiraql::engine::decode::parse_instant(&row[3])
                .unwrap()
                .to_string();
        }
    }
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(
        searched_fields(&s),
        vec![
            r#"["customfield_10016","customfield_10020","customfield_10030","customfield_10040","customfield_10050","customfield_10060","customfield_10070","customfield_10080"]"#
                .to_string();
            data.issues.len().div_ceil(100)
        ]
    );
}
#[tokio::test]
async fn the_repl_catalog_shows_custom_field_columns() {
    use jiraql::cli::catalog::Catalog;
    use jiraql::cli::completion::SqlHelper;
    let s = site(20).await;
    let catalog = Catalog::load(&s.engine).await;
    let issues = catalog.find("Issues").unwrap();
    let (_, listing) = Catalog::columns_listing(issues);
    let rows = common::strings(&[listing]);
    let points = rows.iter().find(|r| r[0] == "Story Points").unwrap();
    assert!(
        points[2].contains("exact") && points[3].contains("customfield_10016"),
        "{points:?}"
    );
    assert!(catalog.find("IssueCustomFields").is_some());
    // Completion offers them for a statement naming Issues.
    let helper = SqlHelper::new(catalog);
    let line = "SELECT Rele FROM Issues";
    let (_, found) = helper.candidates(line, "SELECT Rele".len());
    assert!(
        found
            .iter()
            .any(|p| p.display == "Release Notes" && p.replacement == "\"Release Notes\""),
        "{:?}",
        found.iter().map(|p| &p.replacement).collect::<Vec<_>>()
    );
    assert_eq!(s.jira.total_requests(), 0);
}
#[tokio::test]
async fn issue_custom_fields_by_field_id_ask_for_that_field_only() {
    let s = common::site_with(100, SEQUENTIAL).await;
    let data = s.jira.data();
    let mut expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter_map(|i| {
            let team = data.team(i.team_id?)?;
            Some(vec![i.key.clone(), team.value.clone()])
        })
        .collect();
    expected.sort();
    let mut got = s
        .rows("SELECT IssueKey, Value FROM IssueCustomFields WHERE FieldId = 'customfield_10030'")
        .await;
    got.sort();
    assert_eq!(got, expected);
    assert!(
        searched_fields(&s)
            .iter()
            .all(|f| f == r#"["customfield_10030"]"#),
        "{:?}",
        searched_fields(&s)
    );
}
