//! Case-insensitive names with CamelCase output.
//!
//! People coming from CData or Layer2 write `select issuekey from worklogs` and expect
//! `IssueKey` back. DataFusion runs with identifier normalisation off (so declared names keep
//! their case), and before planning every unquoted identifier in a statement that matches a
//! known name ignoring case (a table, a column, or an alias the statement itself defines) is
//! rewritten to that name's declared spelling. Quoted identifiers are left exactly as written.

use std::collections::HashMap;
use std::ops::ControlFlow;

use datafusion::sql::parser::{CopyToSource, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::{
    Expr, Ident, ObjectName, ObjectNamePart, Query, Select, SelectItem, Statement, TableFactor,
    Visit, VisitMut, Visitor, VisitorMut,
};

/// Known names, by lower-case spelling.
#[derive(Debug, Clone, Default)]
pub struct Names {
    canonical: HashMap<String, String>,
}

impl Names {
    /// Adds a name; the first spelling of a name wins.
    pub fn add(&mut self, name: &str) {
        self.canonical
            .entry(name.to_lowercase())
            .or_insert_with(|| name.to_string());
    }

    /// Adds a name that takes the place of any other spelling of it.
    fn set(&mut self, name: &str) {
        self.canonical.insert(name.to_lowercase(), name.to_string());
    }

    /// The declared spelling of `name`, if it is known ignoring case.
    pub fn spelling(&self, name: &str) -> Option<&str> {
        self.canonical.get(&name.to_lowercase()).map(String::as_str)
    }

    fn fix(&self, ident: &mut Ident) {
        if ident.quote_style.is_some() {
            return;
        }
        if let Some(name) = self.canonical.get(&ident.value.to_lowercase()) {
            ident.value.clone_from(name);
        }
    }
}

/// Every table name `statement` refers to.
pub fn relations(statement: &DFStatement) -> Vec<ObjectName> {
    let mut names = Vec::new();
    let mut collect = |name: &ObjectName| {
        names.push(name.clone());
        ControlFlow::<()>::Continue(())
    };
    match statement {
        DFStatement::Statement(s) => {
            let _ = datafusion::sql::sqlparser::ast::visit_relations(s.as_ref(), &mut collect);
        }
        DFStatement::Explain(e) => return relations(&e.statement),
        DFStatement::CopyTo(c) => match &c.source {
            CopyToSource::Relation(name) => names.push(name.clone()),
            CopyToSource::Query(q) => {
                let _ = datafusion::sql::sqlparser::ast::visit_relations(q.as_ref(), &mut collect);
            }
        },
        DFStatement::CreateExternalTable(_) | DFStatement::Reset(_) => {}
    }
    names
}

/// Rewrites the identifiers of `statement` to their declared spelling.
pub fn resolve(statement: &mut DFStatement, catalog: &Names) {
    match statement {
        DFStatement::Statement(s) => resolve_sql(s, catalog),
        DFStatement::Explain(e) => resolve(&mut e.statement, catalog),
        DFStatement::CopyTo(c) => match &mut c.source {
            CopyToSource::Relation(name) => fix_object_name(name, catalog),
            CopyToSource::Query(q) => resolve_query(q, catalog),
        },
        DFStatement::CreateExternalTable(_) | DFStatement::Reset(_) => {}
    }
}

fn resolve_sql(statement: &mut Statement, catalog: &Names) {
    let names = with_aliases(&*statement, catalog);
    let _ = statement.visit(&mut Rewriter(&names));
}

fn resolve_query(query: &mut Query, catalog: &Names) {
    let names = with_aliases(&*query, catalog);
    let _ = query.visit(&mut Rewriter(&names));
}

/// The catalog's names plus the aliases `node` defines (select items, tables, CTEs).
fn with_aliases<V: Visit>(node: &V, catalog: &Names) -> Names {
    let mut names = catalog.clone();
    let _ = node.visit(&mut AliasCollector(&mut names));
    names
}

fn fix_object_name(name: &mut ObjectName, names: &Names) {
    for part in &mut name.0 {
        if let ObjectNamePart::Identifier(ident) = part {
            names.fix(ident);
        }
    }
}

/// The column DataFusion's table functions give their values.
const TABLE_FUNCTION_COLUMN: &str = "value";

struct AliasCollector<'a>(&'a mut Names);

impl Visitor for AliasCollector<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.0.add(&cte.alias.name.value);
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        for item in &select.projection {
            match item {
                SelectItem::ExprWithAlias { alias, .. } => self.0.add(&alias.value),
                SelectItem::ExprWithAliases { aliases, .. } => {
                    aliases.iter().for_each(|a| self.0.add(&a.value))
                }
                _ => {}
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        // DataFusion's table functions (`range`, `generate_series`) name their column `value`,
        // which a statement reading one means even when a table has a `Value` column.
        if matches!(
            factor,
            TableFactor::Table { args: Some(_), .. }
                | TableFactor::TableFunction { .. }
                | TableFactor::Function { .. }
        ) {
            self.0.set(TABLE_FUNCTION_COLUMN);
        }
        let alias = match factor {
            TableFactor::Table { alias, .. }
            | TableFactor::Derived { alias, .. }
            | TableFactor::TableFunction { alias, .. }
            | TableFactor::Function { alias, .. }
            | TableFactor::UNNEST { alias, .. }
            | TableFactor::NestedJoin { alias, .. } => alias.as_ref(),
            _ => None,
        };
        if let Some(alias) = alias {
            self.0.add(&alias.name.value);
            alias.columns.iter().for_each(|c| self.0.add(&c.name.value));
        }
        ControlFlow::Continue(())
    }
}

struct Rewriter<'a>(&'a Names);

impl VisitorMut for Rewriter<'_> {
    type Break = ();

    fn pre_visit_relation(&mut self, relation: &mut ObjectName) -> ControlFlow<()> {
        fix_object_name(relation, self.0);
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match expr {
            Expr::Identifier(ident) => self.0.fix(ident),
            Expr::CompoundIdentifier(parts) => parts.iter_mut().for_each(|p| self.0.fix(p)),
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::parser::DFParser;

    fn rewrite(sql: &str) -> String {
        let mut names = Names::default();
        for n in [
            "Issues",
            "Worklogs",
            "IssueKey",
            "Key",
            "Summary",
            "TimeSpentSeconds",
            "Id",
            "Value",
        ] {
            names.add(n);
        }
        let mut stmts = DFParser::parse_sql(sql).unwrap();
        let mut s = stmts.pop_front().unwrap();
        resolve(&mut s, &names);
        s.to_string()
    }

    #[test]
    fn names_take_their_declared_case() {
        assert_eq!(
            rewrite(
                "select issuekey, sum(timespentseconds) as Total from worklogs w where w.issuekey = 'A-1' group by issuekey order by total"
            ),
            "SELECT IssueKey, sum(TimeSpentSeconds) AS Total FROM Worklogs w WHERE w.IssueKey = 'A-1' GROUP BY IssueKey ORDER BY Total"
        );
    }

    #[test]
    fn quoted_names_and_string_literals_are_untouched() {
        assert_eq!(
            rewrite(r#"SELECT "key", 'issues' FROM ISSUES"#),
            r#"SELECT "key", 'issues' FROM Issues"#
        );
    }

    #[test]
    fn subqueries_ctes_and_explain_are_resolved() {
        assert_eq!(
            rewrite("explain with recent as (select key k from issues) select K from RECENT"),
            "EXPLAIN WITH recent AS (SELECT Key AS k FROM Issues) SELECT k FROM recent"
        );
    }

    #[test]
    fn a_table_function_keeps_its_value_column() {
        assert_eq!(
            rewrite("select VALUE * 2 as v from range(3) where value > 0"),
            "SELECT value * 2 AS v FROM range(3) WHERE value > 0"
        );
        assert_eq!(
            rewrite("select value from issues"),
            "SELECT Value FROM Issues"
        );
    }
}
