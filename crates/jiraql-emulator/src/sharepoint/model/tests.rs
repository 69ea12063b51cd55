//! Tests of the store: internal names, clashing names, date-only values at local midnight, eTag matching.

use super::*;

#[test]
fn internal_names_are_xml_encoded() {
    assert_eq!(encode_internal_name("Sprint Name"), "Sprint_x0020_Name");
    assert_eq!(
        encode_internal_name("Scope Change (pts)"),
        "Scope_x0020_Change_x0020__x0028_pts_x0029_"
    );
    assert_eq!(encode_internal_name("2nd"), "_x0032_nd");
    assert_eq!(encode_internal_name("a:b"), "a_x003a_b");
}

#[test]
fn clashing_names_get_digits_and_date_only_is_local_midnight() {
    let mut s = Store::new(1, chrono_tz::America::New_York, true);
    for spec in demo_lists() {
        s.create_list(spec);
    }
    let time_log = s.list_index("timelog").unwrap();
    assert!(s.lists[time_log].column("Author0").is_some());
    let issues = s.list_index("Issues").unwrap();
    assert!(s.lists[issues].column("Created0").is_some());
    let mut input = Map::new();
    input.insert("Title".into(), "t".into());
    input.insert("IssueKey".into(), "PMO-1".into());
    input.insert("Due".into(), "2021-09-19T00:00:00Z".into());
    let v = s.validate(issues, &input, None).unwrap();
    // Midnight UTC is the evening before in New York: the date shifts, as on SharePoint.
    assert_eq!(v["Due"], "2021-09-18T04:00:00Z");
}

#[test]
fn etag_matching_tolerates_braces_and_quotes() {
    let it = Item {
        id: 1,
        guid: "ab-cd".into(),
        version: 3,
        created: Utc::now(),
        modified: Utc::now(),
        author: Principal::App,
        editor: Principal::App,
        values: Map::new(),
        seq: 1,
    };
    assert!(it.matches_etag(&it.etag()));
    assert!(it.matches_etag("\"{AB-CD},3\""));
    assert!(it.matches_etag("ab-cd,3"));
    assert!(it.matches_etag("*"));
    assert!(!it.matches_etag("\"ab-cd,2\""));
}
