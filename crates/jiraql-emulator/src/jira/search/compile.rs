//! Compiling clauses: boolean structure, operands and functions expanded to atoms, names resolved
//! to ids with Jira's messages for unknown values.

use super::*;

impl Compiler<'_> {
    pub(super) fn clause(&mut self, clause: &Clause, negated: bool) -> Pred {
        match clause {
            Clause::And(items) | Clause::Or(items) => {
                let preds = items.iter().map(|c| self.clause(c, negated)).collect();
                // De Morgan: under NOT, AND becomes OR and vice versa.
                if matches!(clause, Clause::And(_)) != negated {
                    Pred::And(preds)
                } else {
                    Pred::Or(preds)
                }
            }
            Clause::Not(inner) => self.clause(inner, !negated),
            Clause::Terminal { field, op, operand } => self
                .terminal(field, *op, operand, negated)
                .unwrap_or_else(|| Pred::Test(Box::new(|_, _| false))),
        }
    }

    pub(super) fn error(&mut self, msg: String) -> Option<Pred> {
        self.errors.push(msg);
        None
    }

    pub(super) fn terminal(
        &mut self,
        field: &Field,
        op: Operator,
        operand: &Operand,
        negated: bool,
    ) -> Option<Pred> {
        let name = field.to_string();
        let Some(kind) = resolve(field) else {
            return self.error(format!(
                "Field '{name}' does not exist or you do not have permission to view it."
            ));
        };
        // Operand shape against operator: Jira checks this before operator support
        // (`summary in test` complains about the non-list value).
        match (op, operand) {
            (Operator::In | Operator::NotIn, Operand::List(_) | Operand::Function { .. }) => {}
            (Operator::In | Operator::NotIn, other) => {
                return self.error(format!(
                    "Operator '{op}' does not support the non-list value '{other}' for field '{name}'."
                ));
            }
            (_, Operand::List(_)) => {
                return self.error(format!(
                    "Operator '{op}' does not support the list value '{operand}' for field '{name}'."
                ));
            }
            (Operator::Is | Operator::IsNot, Operand::Empty) => {}
            (Operator::Is | Operator::IsNot, other) => {
                return self.error(format!(
                    "The operator '{op}' only supports the value 'EMPTY' for field '{name}'; got '{other}'."
                ));
            }
            _ => {}
        }
        if !supports(kind, op) {
            return self.error(format!(
                "The operator '{op}' is not supported by the '{name}' field."
            ));
        }
        let op = if negated { negate(op) } else { op };
        // `= EMPTY` and `!= EMPTY` are IS and IS NOT.
        let mode = match (op, operand) {
            (Operator::Eq | Operator::Is, Operand::Empty) => Mode::IsEmpty,
            (Operator::NotEq | Operator::IsNot, Operand::Empty) => Mode::NotEmpty,
            (Operator::Eq | Operator::In, _) => Mode::Any,
            (Operator::NotEq | Operator::NotIn, _) => Mode::NoneOf,
            (Operator::Like, _) => Mode::Like,
            (Operator::NotLike, _) => Mode::NotLike,
            (o, _) => Mode::Cmp(o),
        };
        let (atoms, has_empty) = self.atoms(kind, &name, operand)?;
        match kind {
            Kind::Text(t) => self.text(t, &name, mode, &atoms),
            Kind::DateTime(_) | Kind::WorklogDate => {
                self.date_time(kind, &name, mode, &atoms, has_empty)
            }
            Kind::Date(d) => self.date(d, &name, mode, &atoms, has_empty),
            Kind::StoryPoints => self.number(&name, mode, &atoms, has_empty),
            Kind::TimeSpent => self.time_spent(&name, mode, &atoms, has_empty),
            Kind::User(_) | Kind::WorklogAuthor => self.user(kind, &name, mode, &atoms, has_empty),
            Kind::Labels => {
                let members: Vec<String> = atoms.iter().map(|a| a.text().to_lowercase()).collect();
                Some(Pred::Test(Box::new(move |_, i| {
                    let values: Vec<String> = i.labels.iter().map(|l| l.to_lowercase()).collect();
                    set_test(&values, &members, has_empty, mode)
                })))
            }
            _ => self.ids(kind, &name, mode, &atoms, has_empty),
        }
    }

    /// Flatten an operand into atoms, expanding functions. Returns None after recording an
    /// error.
    pub(super) fn atoms(
        &mut self,
        kind: Kind,
        name: &str,
        operand: &Operand,
    ) -> Option<(Vec<Atom>, bool)> {
        let mut atoms = Vec::new();
        let mut has_empty = false;
        let items: Vec<&Operand> = match operand {
            Operand::List(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in items {
            match item {
                Operand::String(s) => atoms.push(Atom::Str(s.clone())),
                Operand::Number(n) => atoms.push(Atom::Num(*n)),
                Operand::Empty => has_empty = true,
                Operand::List(_) => {}
                Operand::Function { name: f, args } => {
                    atoms.extend(self.function(kind, name, f, args)?);
                }
            }
        }
        Some((atoms, has_empty))
    }

    pub(super) fn function(
        &mut self,
        kind: Kind,
        field: &str,
        f: &str,
        args: &[String],
    ) -> Option<Vec<Atom>> {
        let lower = f.to_ascii_lowercase();
        let arity = |max: usize, errors: &mut Vec<String>| {
            if args.len() > max {
                errors.push(format!(
                    "Function '{f}' expected between '0' and '{max}' arguments but got '{}'.",
                    args.len()
                ));
                false
            } else {
                true
            }
        };
        let wrong_field =
            format!("A value provided by the function '{f}' is invalid for the field '{field}'.");
        let date_kind = matches!(kind, Kind::DateTime(_) | Kind::WorklogDate | Kind::Date(_));
        match lower.as_str() {
            "currentuser" => {
                if !arity(0, &mut self.errors) {
                    return None;
                }
                if !matches!(kind, Kind::User(_) | Kind::WorklogAuthor) {
                    self.errors.push(wrong_field);
                    return None;
                }
                Some(vec![Atom::Str(self.ctx.account_id.clone())])
            }
            "now" | "startofday" | "endofday" | "startofweek" | "endofweek" | "startofmonth"
            | "endofmonth" | "startofyear" | "endofyear" => {
                if !arity(if lower == "now" { 0 } else { 1 }, &mut self.errors) {
                    return None;
                }
                if !date_kind {
                    self.errors.push(wrong_field);
                    return None;
                }
                match date_function(&lower, args.first().map(String::as_str), self.ctx) {
                    Some(ms) => Some(vec![Atom::Num(ms)]),
                    None => {
                        self.errors.push(format!(
                            "Function '{f}' cannot use the increment '{}'.",
                            args.join(", ")
                        ));
                        None
                    }
                }
            }
            "opensprints" | "closedsprints" | "futuresprints" => {
                if !arity(0, &mut self.errors) {
                    return None;
                }
                if kind != Kind::Sprint {
                    self.errors.push(wrong_field);
                    return None;
                }
                let states: &[&str] = match lower.as_str() {
                    "opensprints" => &["active", "future"],
                    "closedsprints" => &["closed"],
                    _ => &["future"],
                };
                Some(
                    self.data
                        .sprints
                        .iter()
                        .filter(|s| states.contains(&s.state.as_str()))
                        .map(|s| Atom::Num(s.id as i64))
                        .collect(),
                )
            }
            "releasedversions" | "unreleasedversions" => {
                if !matches!(kind, Kind::FixVersion | Kind::AffectedVersion) {
                    self.errors.push(wrong_field);
                    return None;
                }
                let released = lower == "releasedversions";
                let projects: Vec<u64> = args
                    .iter()
                    .filter_map(|a| self.project_ids(&Atom::Str(a.clone())).first().copied())
                    .collect();
                Some(
                    self.data
                        .versions
                        .iter()
                        .filter(|v| v.released == released)
                        .filter(|v| projects.is_empty() || projects.contains(&v.project_id))
                        .map(|v| Atom::Num(v.id as i64))
                        .collect(),
                )
            }
            "standardissuetypes" | "subtaskissuetypes" => {
                if kind != Kind::IssueType {
                    self.errors.push(wrong_field);
                    return None;
                }
                let sub = lower == "subtaskissuetypes";
                Some(
                    self.data
                        .issue_types
                        .iter()
                        .filter(|t| t.subtask == sub)
                        .map(|t| Atom::Num(t.id as i64))
                        .collect(),
                )
            }
            _ => {
                self.errors
                    .push(format!("Unable to find JQL function '{f}()'."));
                None
            }
        }
    }

    fn project_ids(&self, atom: &Atom) -> Vec<u64> {
        let d = self.data;
        match atom {
            Atom::Num(n) => d
                .projects
                .iter()
                .filter(|p| p.id as i64 == *n)
                .map(|p| p.id)
                .collect(),
            Atom::Str(s) => d
                .projects
                .iter()
                .filter(|p| {
                    p.key.eq_ignore_ascii_case(s)
                        || p.name.to_lowercase() == s.to_lowercase()
                        || p.id.to_string() == *s
                })
                .map(|p| p.id)
                .collect(),
        }
    }

    /// Resolve one atom of an id-valued field; an empty result is "does not exist".
    pub(super) fn resolve_ids(&self, kind: Kind, atom: &Atom) -> Vec<u64> {
        let d = self.data;
        let text = atom.text();
        let lower = text.to_lowercase();
        let by = |id: u64, name: &str| id.to_string() == text || name.to_lowercase() == lower;
        match kind {
            Kind::Project => self.project_ids(atom),
            Kind::IssueType => {
                ids_named(d.issue_types.iter().map(|t| (t.id, t.name.as_str())), &by)
            }
            Kind::Status => ids_named(d.statuses.iter().map(|s| (s.id, s.name.as_str())), &by),
            Kind::StatusCategory => {
                let cats: Vec<u64> = d
                    .status_categories
                    .iter()
                    .filter(|c| by(c.id, &c.name) || c.key.to_lowercase() == lower)
                    .map(|c| c.id)
                    .collect();
                // Matched through the status: a category stands for its statuses.
                d.statuses
                    .iter()
                    .filter(|s| cats.contains(&s.category_id))
                    .map(|s| s.id)
                    .collect()
            }
            Kind::Priority => ids_named(d.priorities.iter().map(|p| (p.id, p.name.as_str())), &by),
            Kind::Resolution => {
                ids_named(d.resolutions.iter().map(|r| (r.id, r.name.as_str())), &by)
            }
            Kind::Component => ids_named(d.components.iter().map(|c| (c.id, c.name.as_str())), &by),
            Kind::FixVersion | Kind::AffectedVersion => {
                ids_named(d.versions.iter().map(|v| (v.id, v.name.as_str())), &by)
            }
            Kind::Sprint => ids_named(d.sprints.iter().map(|s| (s.id, s.name.as_str())), &by),
            Kind::Team => ids_named(d.teams.iter().map(|t| (t.id, t.value.as_str())), &by),
            Kind::Key | Kind::Parent => {
                let issue = match atom {
                    Atom::Num(n) => u64::try_from(*n).ok().and_then(|id| d.issue_by_id(id)),
                    Atom::Str(s) => d.issue_by_id_or_key(s),
                };
                issue.map(|i| vec![i.id]).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn ids(
        &mut self,
        kind: Kind,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
        has_empty: bool,
    ) -> Option<Pred> {
        if let Mode::Cmp(op) = mode {
            return self.ordered(kind, name, op, atoms);
        }
        let mut members = Vec::new();
        let mut ok = true;
        for atom in atoms {
            // "Unresolved" is the resolution of issues without one.
            if kind == Kind::Resolution && atom.text().eq_ignore_ascii_case("unresolved") {
                members.push(u64::MAX);
                continue;
            }
            let ids = self.resolve_ids(kind, atom);
            if ids.is_empty() {
                ok = false;
                let msg = self.missing(kind, name, atom);
                self.errors.push(msg);
            }
            members.extend(ids);
        }
        if !ok {
            return None;
        }
        let unresolved = members.contains(&u64::MAX);
        let has_empty = has_empty || unresolved;
        let get = id_values(kind);
        Some(Pred::Test(Box::new(move |_, i| {
            set_test(get(i), &members, has_empty, mode)
        })))
    }

    pub(super) fn missing(&self, kind: Kind, name: &str, atom: &Atom) -> String {
        let v = atom.text();
        match kind {
            Kind::Key | Kind::Parent => {
                if matches!(atom, Atom::Num(_))
                    || v.parse::<u64>().is_ok()
                    || parse_key(&v).is_some()
                {
                    format!("An issue with key '{v}' does not exist for the field '{name}'.")
                } else {
                    format!("The issue key '{v}' for field '{name}' is invalid.")
                }
            }
            Kind::Team => format!("The option '{v}' for field '{name}' does not exist."),
            _ => format!("The value '{v}' does not exist for the field '{name}'."),
        }
    }
}
/// Ids of the `(id, name)` pairs an atom names.
fn ids_named<'a>(
    items: impl Iterator<Item = (u64, &'a str)>,
    by: &dyn Fn(u64, &str) -> bool,
) -> Vec<u64> {
    items
        .filter(|(id, name)| by(*id, name))
        .map(|(id, _)| id)
        .collect()
}
