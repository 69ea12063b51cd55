//! Tests of JQL evaluation against the generated site.

use super::*;
use std::collections::HashSet;
use std::sync::OnceLock;

fn keys(data: &JiraData, hits: &[usize]) -> Vec<String> {
    hits.iter().map(|&i| data.issues[i].key.clone()).collect()
}

fn data() -> &'static JiraData {
    static DATA: OnceLock<JiraData> = OnceLock::new();
    DATA.get_or_init(|| JiraData::generate(42, 600))
}

fn ctx() -> SearchContext {
    let now = DateTime::parse_from_rfc3339("2026-11-25T10:00:00+11:00")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    SearchContext::for_myself(data(), now)
}

fn run(jql: &str) -> Vec<usize> {
    search(data(), jql, &ctx()).unwrap_or_else(|e| panic!("{jql}: {e}"))
}

fn expect(jql: &str, f: impl Fn(&Issue) -> bool) {
    let got: HashSet<usize> = run(jql).into_iter().collect();
    let want: HashSet<usize> = (0..data().issues.len())
        .filter(|&i| f(&data().issues[i]))
        .collect();
    assert!(
        !want.is_empty() || jql.contains("EMPTYOK"),
        "{jql}: expected some hits"
    );
    assert_eq!(got, want, "{jql}");
}

fn errors(jql: &str) -> Vec<String> {
    search(data(), jql, &ctx()).expect_err(jql).messages()
}

fn project_id(key: &str) -> u64 {
    data()
        .projects
        .iter()
        .find(|p| p.key == key)
        .map(|p| p.id)
        .unwrap_or(0)
}

#[test]
fn project_status_type_priority() {
    let demo = project_id("DEMO");
    expect("project = demo", |i| i.project_id == demo);
    expect(
        "project = \"Demo Project\" AND status = \"In Progress\"",
        |i| i.project_id == demo && i.status_id == 3,
    );
    expect("project in (DEMO, 10001) and issuetype = Bug", |i| {
        (i.project_id == demo || i.project_id == 10001)
            && i.issue_type_id == super::super::data::BUG
    });
    expect("statusCategory = Done", |i| i.status_id == 10003);
    expect("statusCategory in (new, \"In Progress\")", |i| {
        i.status_id != 10003
    });
    expect("statusCategory != \"To Do\"", |i| {
        [3, 10002, 10003].contains(&i.status_id)
    });
    expect("priority > Medium", |i| i.priority_id < 3);
    expect("priority <= High and priority >= High", |i| {
        i.priority_id == 2
    });
    expect("resolution = Unresolved", |i| i.resolution_id.is_none());
    expect("resolution is not empty and resolution != Done", |i| {
        i.resolution_id.is_some_and(|r| r != 10000)
    });
}

#[test]
fn not_and_negations_skip_empty_fields() {
    let me = data().myself.clone();
    let me2 = me.clone();
    expect("assignee != currentUser()", move |i| {
        i.assignee.as_ref().is_some_and(|a| *a != me)
    });
    expect("NOT assignee = currentUser()", move |i| {
        i.assignee.as_ref().is_some_and(|a| *a != me2)
    });
    expect("assignee is EMPTY", |i| i.assignee.is_none());
    expect("not (assignee is empty or labels is empty)", |i| {
        i.assignee.is_some() && !i.labels.is_empty()
    });
    expect("labels not in (backend, ORDER-x)", |i| {
        !i.labels.is_empty() && !i.labels.iter().any(|l| l == "backend")
    });
    expect("labels = BACKEND", |i| {
        i.labels.iter().any(|l| l == "backend")
    });
    expect("labels in (\"order\", données)", |i| {
        i.labels.iter().any(|l| l == "order" || l == "données")
    });
    expect("labels in (EMPTY, ux)", |i| {
        i.labels.is_empty() || i.labels.iter().any(|l| l == "ux")
    });
}

#[test]
fn keys_parents_and_multi_valued() {
    let d = data();
    let demo7 = d.issue_by_key("DEMO-7").map(|i| i.id).unwrap_or(0);
    assert_eq!(keys(d, &run("key = demo-7")), vec!["DEMO-7"]);
    assert_eq!(keys(d, &run(&format!("id = {demo7}"))), vec!["DEMO-7"]);
    assert_eq!(
        keys(d, &run("issuekey in (DEMO-1, DEMO-2) order by key")),
        vec!["DEMO-1", "DEMO-2"]
    );
    let demo = project_id("DEMO");
    expect("key > DEMO-5 and key <= DEMO-9", |i| {
        i.project_id == demo && parse_key(&i.key).is_some_and(|(_, n)| n > 5 && n <= 9)
    });
    expect("parent = DEMO-1", |i| {
        i.parent_key.as_deref() == Some("DEMO-1")
    });
    expect("component = Backend", |i| {
        i.component_ids
            .iter()
            .any(|&c| d.component(c).is_some_and(|c| c.name == "Backend"))
    });
    expect("fixVersion = \"2.0\"", |i| {
        i.fix_version_ids
            .iter()
            .any(|&v| d.version(v).is_some_and(|v| v.name == "2.0"))
    });
    expect("sprint in openSprints()", |i| {
        i.sprint_ids
            .iter()
            .any(|&s| d.sprint(s).is_some_and(|s| s.state != "closed"))
    });
    expect("sprint = \"DEMO Sprint 3\"", |i| {
        i.sprint_ids
            .iter()
            .any(|&s| d.sprint(s).is_some_and(|s| s.name == "DEMO Sprint 3"))
    });
    expect("cf[10016] >= 5", |i| {
        i.story_points.is_some_and(|p| p >= 5.0)
    });
    expect("\"Story Points\" = 0.5", |i| i.story_points == Some(0.5));
    expect("Team = \"Équipe Québec\"", |i| i.team_id == Some(10105));
    expect("cf[10030] is empty", |i| i.team_id.is_none());
    expect("timespent > 8h", |i| {
        i.time_spent_seconds.is_some_and(|t| t > 8 * 3600)
    });
}

#[test]
fn dates_use_minutes_and_the_users_zone() {
    let d = data();
    let issue = &d.issues[100];
    // The created minute, written in Sydney wall-clock time.
    let sydney: Tz = "Australia/Sydney".parse().unwrap_or(Tz::UTC);
    let local = issue
        .created
        .with_timezone(&sydney)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let created_minute = minute(issue.created.timestamp_millis());
    expect(&format!("created = \"{local}\""), |i| {
        minute(i.created.timestamp_millis()) == created_minute
    });
    expect(&format!("created >= \"{local}\""), |i| {
        minute(i.created.timestamp_millis()) >= created_minute
    });
    // A bare number is epoch ms, zone-free.
    expect(&format!("created < {created_minute}"), |i| {
        minute(i.created.timestamp_millis()) < created_minute
    });
    let slash = local.replace('-', "/");
    expect(&format!("createdDate <= '{slash}'"), |i| {
        minute(i.created.timestamp_millis()) <= created_minute
    });
    // Date-only literal: midnight in Sydney.
    let midnight = local_ms(
        NaiveDate::from_ymd_opt(2026, 6, 1)
            .map(|d| d.and_time(NaiveTime::MIN))
            .unwrap_or_default(),
        sydney,
    )
    .unwrap_or(0);
    expect("updated >= 2026-06-01", |i| {
        minute(i.updated.timestamp_millis()) >= midnight
    });
    expect("resolved < \"2026/06/01\"", |i| {
        i.resolution_date
            .is_some_and(|r| minute(r.timestamp_millis()) < midnight)
    });
    expect("due < 2026-04-01", |i| {
        i.due_date
            .is_some_and(|x| x < NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default())
    });
    expect("\"Target Date\" is not empty", |i| i.target_date.is_some());
    expect("updated > -30d", |i| {
        minute(i.updated.timestamp_millis()) > ctx().now.timestamp_millis() - 30 * 86_400_000
    });
    expect(
        "created >= startOfDay(-400) and created < endOfDay()",
        |_| true,
    );
    expect("worklogDate = \"2026-03-04\"", |i| {
        d.worklogs_of(i).iter().any(|w| {
            w.started.with_timezone(&sydney).date_naive()
                == NaiveDate::from_ymd_opt(2026, 3, 4).unwrap_or_default()
        })
    });
    expect("worklogAuthor = currentUser()", |i| {
        d.worklogs_of(i).iter().any(|w| w.author == d.myself)
    });
}

#[test]
fn text_search() {
    expect("summary ~ backslash", |i| {
        i.summary.to_lowercase().contains("backslash")
    });
    expect("summary ~ \"backsl*\"", |i| {
        i.summary.to_lowercase().contains("backsl")
    });
    expect("summary ~ \"\\\"error message\\\"\"", |i| {
        i.summary.contains("error message")
    });
    expect("summary !~ refactor", |i| !i.summary.contains("Refactor"));
    expect("text ~ \"runbook\"", |i| {
        i.description
            .as_deref()
            .is_some_and(|d| adf::to_plain_text(d).contains("runbook"))
            || data()
                .comments_of(i)
                .iter()
                .any(|c| adf::to_plain_text(&c.body).contains("runbook"))
    });
    expect("description is empty", |i| i.description.is_none());
    expect("comment ~ \"Ça marche\"", |i| {
        data()
            .comments_of(i)
            .iter()
            .any(|c| adf::to_plain_text(&c.body).contains("Ça marche"))
    });
}

#[test]
fn ordering_is_total_and_stable() {
    let d = data();
    let hits = run("project = DEMO order by key desc");
    let nums: Vec<u64> = hits
        .iter()
        .filter_map(|&i| parse_key(&d.issues[i].key).map(|k| k.1))
        .collect();
    assert!(nums.windows(2).all(|w| w[0] > w[1]));
    let hits = run("project in (DEMO, OPS) order by duedate asc, priority desc");
    let due: Vec<Option<NaiveDate>> = hits.iter().map(|&i| d.issues[i].due_date).collect();
    let firsts_none = due.iter().position(Option::is_none).unwrap_or(due.len());
    assert!(
        due[firsts_none..].iter().all(Option::is_none),
        "nulls last ascending"
    );
    assert!(due[..firsts_none].windows(2).all(|w| w[0] <= w[1]));
    let default = run("project = OPS");
    assert!(
        default.windows(2).all(|w| w[0] > w[1]),
        "newest first by default"
    );
    let by_created = run("project = OPS order by created");
    assert!(
        by_created
            .windows(2)
            .all(|w| d.issues[w[0]].created >= d.issues[w[1]].created),
        "dates default to DESC"
    );
}

#[test]
fn validation_messages() {
    assert_eq!(
        errors("universe = 42"),
        vec!["Field 'universe' does not exist or you do not have permission to view it."]
    );
    assert_eq!(
        errors("summary = test"),
        vec!["The operator '=' is not supported by the 'summary' field."]
    );
    assert_eq!(
        errors("summary in test"),
        vec!["Operator 'in' does not support the non-list value '\"test\"' for field 'summary'."]
    );
    assert_eq!(
        errors("project = INVALID"),
        vec!["The value 'INVALID' does not exist for the field 'project'."]
    );
    assert_eq!(
        errors("key in (DEMO-1, PAY-100)"),
        vec!["An issue with key 'PAY-100' does not exist for the field 'key'."]
    );
    assert_eq!(
        errors("key = foo"),
        vec!["The issue key 'foo' for field 'key' is invalid."]
    );
    assert_eq!(
        errors("status = Nope and priority = Meh"),
        vec![
            "The value 'Nope' does not exist for the field 'status'.".to_string(),
            "The value 'Meh' does not exist for the field 'priority'.".to_string(),
        ]
    );
    assert_eq!(
        errors("assignee = foo()"),
        vec!["Unable to find JQL function 'foo()'."]
    );
    assert_eq!(
        errors("created > currentUser()"),
        vec!["A value provided by the function 'currentUser' is invalid for the field 'created'."]
    );
    assert!(
        errors("created > \"2026-13-45\"")[0]
            .starts_with("Date value '2026-13-45' for field 'created' is invalid.")
    );
    assert_eq!(
        errors("project = DEMO order by text"),
        vec!["Field 'text' does not support sorting."]
    );
    assert_eq!(
        errors("text ~ x order by nope"),
        vec!["Field 'nope' does not exist or you do not have permission to view it."]
    );
    assert_eq!(
        errors("statusCategory is empty"),
        vec!["The operator 'is' is not supported by the 'statusCategory' field."]
    );
    assert_eq!(
        errors("summary ~ \"\""),
        vec!["The field 'summary' does not support searching for an empty string."]
    );
}

#[test]
fn periods_durations_and_functions() {
    assert_eq!(parse_period("-5d"), Some(-5 * 86_400_000));
    assert_eq!(parse_period("4w 2d"), Some(30 * 86_400_000));
    assert_eq!(parse_period("30"), Some(30 * 60_000));
    assert_eq!(parse_period("x"), None);
    assert_eq!(
        parse_duration("1d 2h 30m"),
        Some(8 * 3600 + 2 * 3600 + 1800)
    );
    let c = ctx();
    let sod = date_function("startofday", None, &c).unwrap_or(0);
    let t = DateTime::<Utc>::from_timestamp_millis(sod)
        .unwrap_or_default()
        .with_timezone(&c.zone);
    assert_eq!(t.format("%Y-%m-%d %H:%M").to_string(), "2026-11-25 00:00");
    let som = date_function("startofmonth", Some("-1"), &c).unwrap_or(0);
    let t = DateTime::<Utc>::from_timestamp_millis(som)
        .unwrap_or_default()
        .with_timezone(&c.zone);
    assert_eq!(t.format("%Y-%m-%d %H:%M").to_string(), "2026-10-01 00:00");
    let eod = date_function("endofday", None, &c).unwrap_or(0);
    assert_eq!(eod - sod, 86_400_000 - 1);
}
