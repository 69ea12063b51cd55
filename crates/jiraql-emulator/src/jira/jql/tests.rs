//! Tests of the JQL lexer and parser, including Jira's exact error messages.

use super::*;

fn term(field: &str, op: Operator, operand: Operand) -> Clause {
    Clause::Terminal {
        field: Field::Name(field.into()),
        op,
        operand,
    }
}

fn s(v: &str) -> Operand {
    Operand::String(v.into())
}

fn err(jql: &str) -> String {
    parse(jql).expect_err(jql).message
}

#[test]
fn reserved_words_are_sorted_for_binary_search() {
    let mut sorted = RESERVED_WORDS.to_vec();
    sorted.sort_unstable();
    assert_eq!(sorted, RESERVED_WORDS);
}

#[test]
fn and_binds_tighter_than_or() {
    let q = parse("a = 1 OR b = 2 and c = 3").unwrap();
    assert_eq!(
        q.clause,
        Some(Clause::Or(vec![
            term("a", Operator::Eq, Operand::Number(1)),
            Clause::And(vec![
                term("b", Operator::Eq, Operand::Number(2)),
                term("c", Operator::Eq, Operand::Number(3)),
            ]),
        ]))
    );
    let q = parse("(a = 1 || b = 2) && !c = 3 & not d = x").unwrap();
    assert_eq!(
        q.clause,
        Some(Clause::And(vec![
            Clause::Or(vec![
                term("a", Operator::Eq, Operand::Number(1)),
                term("b", Operator::Eq, Operand::Number(2)),
            ]),
            Clause::Not(Box::new(term("c", Operator::Eq, Operand::Number(3)))),
            Clause::Not(Box::new(term("d", Operator::Eq, s("x")))),
        ]))
    );
}

#[test]
fn operators_and_operands() {
    let q = parse(
        "project IN (DEMO, \"OPS\", 10000) and status not in (Done) AND assignee is not EMPTY \
         and reporter IS null and summary ~ 'x' and description !~ y and created >= -5d \
         and updated < 1767571200000 and priority <= High and key != DEMO-1 and x > 2 \
         and assignee = currentUser() and created > startOfDay(-1, \"d\")",
    )
    .unwrap();
    let Some(Clause::And(items)) = q.clause else {
        panic!("and")
    };
    assert_eq!(
        items[0],
        term(
            "project",
            Operator::In,
            Operand::List(vec![s("DEMO"), s("OPS"), Operand::Number(10000)])
        )
    );
    assert_eq!(
        items[1],
        term("status", Operator::NotIn, Operand::List(vec![s("Done")]))
    );
    assert_eq!(items[2], term("assignee", Operator::IsNot, Operand::Empty));
    assert_eq!(items[3], term("reporter", Operator::Is, Operand::Empty));
    assert_eq!(items[4], term("summary", Operator::Like, s("x")));
    assert_eq!(items[5], term("description", Operator::NotLike, s("y")));
    assert_eq!(items[6], term("created", Operator::Ge, s("-5d")));
    assert_eq!(
        items[7],
        term("updated", Operator::Lt, Operand::Number(1_767_571_200_000))
    );
    assert_eq!(items[8], term("priority", Operator::Le, s("High")));
    assert_eq!(items[9], term("key", Operator::NotEq, s("DEMO-1")));
    assert_eq!(items[10], term("x", Operator::Gt, Operand::Number(2)));
    assert_eq!(
        items[11],
        term(
            "assignee",
            Operator::Eq,
            Operand::Function {
                name: "currentUser".into(),
                args: vec![]
            }
        )
    );
    assert_eq!(
        items[12],
        term(
            "created",
            Operator::Gt,
            Operand::Function {
                name: "startOfDay".into(),
                args: vec!["-1".into(), "d".into()]
            }
        )
    );
}

#[test]
fn custom_fields_quoted_fields_and_order_by() {
    let q = parse(
        "cf[10016] > 3 and \"Story Points\" <= 5 ORDER BY key DESC, created, \"Target Date\" asc",
    )
    .unwrap();
    let Some(Clause::And(items)) = q.clause else {
        panic!("and")
    };
    assert_eq!(
        items[0],
        Clause::Terminal {
            field: Field::CustomId(10016),
            op: Operator::Gt,
            operand: Operand::Number(3)
        }
    );
    assert_eq!(
        items[1],
        term("Story Points", Operator::Le, Operand::Number(5))
    );
    assert_eq!(
        q.order_by,
        vec![
            OrderBy {
                field: Field::Name("key".into()),
                direction: Some(Direction::Desc)
            },
            OrderBy {
                field: Field::Name("created".into()),
                direction: None
            },
            OrderBy {
                field: Field::Name("Target Date".into()),
                direction: Some(Direction::Asc)
            },
        ]
    );
    let q = parse("order by key desc").unwrap();
    assert_eq!(q.clause, None);
    assert_eq!(q.order_by.len(), 1);
    assert_eq!(parse("").unwrap().clause, None);
    assert_eq!(parse("   ").unwrap().clause, None);
}

#[test]
fn escapes_in_quoted_and_unquoted_strings() {
    let q = parse(r#"summary ~ "a \"b\" \'c\' \\ \t\n\r\ \u00e9\u0001\ud83d\ude80""#).unwrap();
    assert_eq!(
        q.clause,
        Some(term(
            "summary",
            Operator::Like,
            s("a \"b\" 'c' \\ \t\n\r é\u{1}🚀")
        ))
    );
    let q = parse(r#"labels = 'it''s'"#);
    assert!(q.is_err(), "two adjacent strings are not one value");
    let q = parse(r"labels = a\ b").unwrap();
    assert_eq!(q.clause, Some(term("labels", Operator::Eq, s("a b"))));
    let q = parse(r#"summary ~ "AND""#).unwrap();
    assert_eq!(q.clause, Some(term("summary", Operator::Like, s("AND"))));
    let q = parse("summary ~ \"日本語 🚀\"").unwrap();
    assert_eq!(
        q.clause,
        Some(term("summary", Operator::Like, s("日本語 🚀")))
    );
}

#[test]
fn exact_error_messages() {
    assert_eq!(
        err("invalid query"),
        "Error in the JQL Query: Expecting operator but got 'query'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)"
    );
    assert_eq!(
        err("project = a/b"),
        "Error in the JQL Query: The character '/' is a reserved JQL character. You must enclose it in a string or use the escape '\\u002f' instead. (line 1, character 12)"
    );
    assert_eq!(
        err("summary ~ x and labels = for"),
        "Error in the JQL Query: 'for' is a reserved JQL word. You must surround it in quotation marks to use it in a query. (line 1, character 26)"
    );
    assert_eq!(
        err(r#"summary ~ "a\qb""#),
        "Error in the JQL Query: Illegal escape sequence '\\q' in the string. (line 1, character 13)"
    );
    assert_eq!(
        err("summary ~ \"abc"),
        "Error in the JQL Query: The quoted string 'abc' has not been completed. (line 1, character 11)"
    );
    assert_eq!(
        err("project ="),
        "Error in the JQL Query: Expecting either a value, list or function before the end of the query."
    );
    assert_eq!(
        err("project = A B = 2"),
        "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'B'. (line 1, character 13)"
    );
    assert_eq!(
        err("(project = A"),
        "Error in the JQL Query: Expecting ')' before the end of the query."
    );
    assert_eq!(
        err("project = A and\n  status"),
        "Error in the JQL Query: Expecting operator before the end of the query. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."
    );
    assert_eq!(
        err("project = A and\n  status ? x"),
        "Error in the JQL Query: The character '?' is a reserved JQL character. You must enclose it in a string or use the escape '\\u003f' instead. (line 2, character 10)"
    );
    assert!(err("status was Done").contains("Expecting operator but got 'was'"));
    assert!(err("project = x order key").contains("Expecting 'by' but got 'key'"));
}
