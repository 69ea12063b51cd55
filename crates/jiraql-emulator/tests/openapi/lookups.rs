//! One object by id, as popular clients ask for it: each answer matches the spec's response
//! schema for its operation, and an id the site does not have is Jira's 404 with an error
//! collection.

use super::*;

#[tokio::test]
async fn one_object_by_id_matches_spec() {
    let site = Site::start().await;
    let data = site.jira.data();
    let component = data.components.first().expect("a component").id;
    let version = data.versions.first().expect("a version").id;
    let filter = data.filters.first().expect("a filter").id;
    let link_type = data.issue_link_types.first().expect("a link type").id;
    let board = data.boards.first().expect("a board").id;
    drop(data);
    let cases: Vec<(String, &str)> = vec![
        (
            "/rest/api/3/status/3".into(),
            "/rest/api/3/status/{idOrName}",
        ),
        (
            "/rest/api/3/status/in progress".into(),
            "/rest/api/3/status/{idOrName}",
        ),
        (
            "/rest/api/3/statuscategory".into(),
            "/rest/api/3/statuscategory",
        ),
        (
            "/rest/api/3/statuscategory/done".into(),
            "/rest/api/3/statuscategory/{idOrKey}",
        ),
        ("/rest/api/3/priority/3".into(), "/rest/api/3/priority/{id}"),
        (
            "/rest/api/3/resolution/10000".into(),
            "/rest/api/3/resolution/{id}",
        ),
        (
            "/rest/api/3/issuetype/10002".into(),
            "/rest/api/3/issuetype/{id}",
        ),
        (
            format!("/rest/api/3/issueLinkType/{link_type}"),
            "/rest/api/3/issueLinkType/{issueLinkTypeId}",
        ),
        (
            format!("/rest/api/3/component/{component}"),
            "/rest/api/3/component/{id}",
        ),
        (
            format!("/rest/api/3/version/{version}"),
            "/rest/api/3/version/{id}",
        ),
        (
            format!("/rest/api/3/filter/{filter}"),
            "/rest/api/3/filter/{id}",
        ),
        (
            "/rest/api/3/filter/favourite".into(),
            "/rest/api/3/filter/favourite",
        ),
        (
            "/rest/api/3/project/DEMO/statuses".into(),
            "/rest/api/3/project/{projectIdOrKey}/statuses",
        ),
    ];
    for (path, template) in &cases {
        let answer = site.call(Method::GET, path, &[], None).await;
        answer.expect_operation(Method::GET, template);
    }
    let answer = site
        .call(
            Method::GET,
            &format!("/rest/agile/1.0/board/{board}"),
            &[],
            None,
        )
        .await;
    answer.expect_operation_in(&AGILE_SPEC, Method::GET, "/rest/agile/1.0/board/{boardId}");
    assert_eq!(answer.body["id"], board);

    for path in [
        "/rest/api/3/status/Nope",
        "/rest/api/3/priority/999",
        "/rest/api/3/component/x",
        "/rest/api/3/filter/1",
        "/rest/api/3/project/NOPE/statuses",
    ] {
        let answer = site.call(Method::GET, path, &[], None).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        answer.expect_valid("ErrorCollection", &SPEC.component("ErrorCollection"));
    }
}
