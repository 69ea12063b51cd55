//! Predicates per field kind (ordered, users, dates, numbers, time spent, text) and sort keys for
//! ORDER BY.

use super::*;

impl Compiler<'_> {
    /// `<`, `>`, … on fields with an order: priority, resolution, key, versions.
    pub(super) fn ordered(
        &mut self,
        kind: Kind,
        name: &str,
        op: Operator,
        atoms: &[Atom],
    ) -> Option<Pred> {
        let Some(atom) = atoms.first() else {
            return self.error(format!(
                "The operator '{op}' requires a value for field '{name}'."
            ));
        };
        match kind {
            Kind::Key => {
                let text = atom.text();
                let Some((project_key, number)) = parse_key(&text) else {
                    return self.error(format!(
                        "The issue key '{text}' for field '{name}' is invalid."
                    ));
                };
                let Some(project) = self
                    .data
                    .projects
                    .iter()
                    .find(|p| p.key.eq_ignore_ascii_case(&project_key))
                else {
                    return self.error(format!(
                        "An issue with key '{text}' does not exist for the field '{name}'."
                    ));
                };
                let pid = project.id;
                Some(Pred::Test(Box::new(move |_, i| {
                    i.project_id == pid
                        && parse_key(&i.key).is_some_and(|(_, n)| cmp_holds(op, n.cmp(&number)))
                })))
            }
            Kind::Priority | Kind::Resolution => {
                let ids = self.resolve_ids(kind, atom);
                let Some(&target) = ids.first() else {
                    let msg = self.missing(kind, name, atom);
                    return self.error(msg);
                };
                let data_rank = rank_fn(kind);
                let target_rank = data_rank(self.data, target);
                let get = id_values(kind);
                Some(Pred::Test(Box::new(move |d, i| {
                    get(i)
                        .first()
                        .is_some_and(|&v| cmp_holds(op, data_rank(d, v).cmp(&target_rank)))
                })))
            }
            Kind::FixVersion | Kind::AffectedVersion => {
                let ids = self.resolve_ids(kind, atom);
                if ids.is_empty() {
                    let msg = self.missing(kind, name, atom);
                    return self.error(msg);
                }
                // Per project: the sequence of the named version there.
                let targets: Vec<(u64, u32)> = ids
                    .iter()
                    .filter_map(|&id| self.data.version(id))
                    .map(|v| (v.project_id, v.sequence))
                    .collect();
                let get = id_values(kind);
                Some(Pred::Test(Box::new(move |d, i| {
                    get(i).iter().filter_map(|&v| d.version(v)).any(|v| {
                        targets
                            .iter()
                            .any(|&(p, s)| p == v.project_id && cmp_holds(op, v.sequence.cmp(&s)))
                    })
                })))
            }
            _ => self.error(format!(
                "The operator '{op}' is not supported by the '{name}' field."
            )),
        }
    }

    pub(super) fn user(
        &mut self,
        kind: Kind,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
        has_empty: bool,
    ) -> Option<Pred> {
        let mut members: Vec<String> = Vec::new();
        let mut ok = true;
        for atom in atoms {
            let v = atom.text();
            let lower = v.to_lowercase();
            let found: Vec<String> = self
                .data
                .users
                .iter()
                // Cloud resolves account ids and emails, Data Center usernames; display
                // names are not values (Cloud dropped them for privacy).
                .filter(|u| {
                    u.account_id == v
                        || u.name.to_lowercase() == lower
                        || u.email_address
                            .as_deref()
                            .is_some_and(|e| e.to_lowercase() == lower)
                })
                .map(|u| u.account_id.clone())
                .collect();
            if found.is_empty() {
                ok = false;
                self.errors.push(format!(
                    "The value '{v}' does not exist for the field '{name}'."
                ));
            }
            members.extend(found);
        }
        if !ok {
            return None;
        }
        Some(Pred::Test(match kind {
            Kind::User(UserField::Assignee) => {
                Box::new(move |_, i| set_test(i.assignee.as_slice(), &members, has_empty, mode))
            }
            Kind::User(UserField::Reporter) => {
                Box::new(move |_, i| set_test(i.reporter.as_slice(), &members, has_empty, mode))
            }
            Kind::User(UserField::Creator) => Box::new(move |_, i| {
                set_test(std::slice::from_ref(&i.creator), &members, has_empty, mode)
            }),
            _ => Box::new(move |d, i| {
                let mut authors: Vec<String> =
                    d.worklogs_of(i).iter().map(|w| w.author.clone()).collect();
                authors.dedup();
                set_test(&authors, &members, has_empty, mode)
            }),
        }))
    }

    /// The instant an atom designates (ms) and whether it was a date without a time.
    pub(super) fn instant(&mut self, name: &str, atom: &Atom) -> Option<(i64, bool)> {
        match atom {
            Atom::Num(ms) => Some((*ms, false)),
            Atom::Str(s) => match parse_date_literal(s, self.ctx) {
                Some(v) => Some(v),
                None => {
                    self.errors.push(format!(
                        "Date value '{s}' for field '{name}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
                    ));
                    None
                }
            },
        }
    }

    pub(super) fn date_time(
        &mut self,
        kind: Kind,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
        has_empty: bool,
    ) -> Option<Pred> {
        let mut targets = Vec::new();
        for atom in atoms {
            targets.push(self.instant(name, atom)?);
        }
        let zone = self.ctx.zone;
        let values = move |d: &JiraData, i: &Issue| -> Vec<i64> {
            let one = |t: Option<&DateTime<chrono::FixedOffset>>| {
                t.map(|t| minute(t.timestamp_millis()))
                    .into_iter()
                    .collect()
            };
            match kind {
                Kind::DateTime(DateTimeField::Created) => one(Some(&i.created)),
                Kind::DateTime(DateTimeField::Updated) => one(Some(&i.updated)),
                Kind::DateTime(DateTimeField::Resolved) => one(i.resolution_date.as_ref()),
                Kind::DateTime(DateTimeField::LastViewed) => Vec::new(),
                Kind::DateTime(DateTimeField::Deployed) => one(i.deployed_at().as_ref()),
                _ => d
                    .worklogs_of(i)
                    .iter()
                    .map(|w| minute(w.started.timestamp_millis()))
                    .collect(),
            }
        };
        // A date without a time on worklogDate means "that day" for equality.
        let day_of = move |(ms, date_only): (i64, bool)| -> (i64, i64) {
            if date_only && kind == Kind::WorklogDate {
                (ms, next_midnight(ms, zone))
            } else {
                (ms, ms + 1)
            }
        };
        let ranges: Vec<(i64, i64)> = targets.iter().copied().map(day_of).collect();
        let first = targets.first().map(|t| t.0);
        Some(Pred::Test(Box::new(move |d, i| {
            let vals = values(d, i);
            let hit = |v: &i64| ranges.iter().any(|&(a, b)| *v >= a && *v < b);
            match mode {
                Mode::Any => (vals.is_empty() && has_empty) || vals.iter().any(hit),
                Mode::NoneOf => !vals.is_empty() && !vals.iter().any(hit),
                Mode::IsEmpty => vals.is_empty(),
                Mode::NotEmpty => !vals.is_empty(),
                Mode::Cmp(op) => {
                    first.is_some_and(|t| vals.iter().any(|v| cmp_holds(op, v.cmp(&t))))
                }
                _ => false,
            }
        })))
    }

    pub(super) fn date(
        &mut self,
        field: DateField,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
        has_empty: bool,
    ) -> Option<Pred> {
        let mut targets = Vec::new();
        for atom in atoms {
            let (ms, _) = self.instant(name, atom)?;
            let day = DateTime::<Utc>::from_timestamp_millis(ms)
                .map(|t| t.with_timezone(&self.ctx.zone).date_naive());
            match day {
                Some(day) => targets.push(day),
                None => {
                    return self.error(format!(
                        "Date value '{}' for field '{name}' is invalid.",
                        atom.text()
                    ));
                }
            }
        }
        Some(Pred::Test(Box::new(move |_, i| {
            let v = match field {
                DateField::Due => i.due_date,
                DateField::Target => i.target_date,
            };
            let vals: Vec<NaiveDate> = v.into_iter().collect();
            match mode {
                Mode::Cmp(op) => targets
                    .first()
                    .is_some_and(|t| vals.iter().any(|v| cmp_holds(op, v.cmp(t)))),
                m => set_test(&vals, &targets, has_empty, m),
            }
        })))
    }

    pub(super) fn number(
        &mut self,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
        has_empty: bool,
    ) -> Option<Pred> {
        let mut targets = Vec::new();
        for atom in atoms {
            let v = match atom {
                Atom::Num(n) => Some(*n as f64),
                Atom::Str(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            };
            match v {
                Some(v) => targets.push(v),
                None => {
                    return self.error(format!(
                        "The value '{}' is not a valid number for the field '{name}'.",
                        atom.text()
                    ));
                }
            }
        }
        Some(Pred::Test(Box::new(move |_, i| {
            let vals: Vec<f64> = i.story_points.into_iter().collect();
            match mode {
                Mode::Cmp(op) => targets.first().is_some_and(|t| {
                    vals.iter()
                        .any(|v| v.partial_cmp(t).is_some_and(|o| cmp_holds(op, o)))
                }),
                m => set_test(&vals, &targets, has_empty, m),
            }
        })))
    }

    pub(super) fn time_spent(
        &mut self,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
        has_empty: bool,
    ) -> Option<Pred> {
        let mut targets = Vec::new();
        for atom in atoms {
            let v = match atom {
                Atom::Num(n) => Some(n * 60),
                Atom::Str(s) => parse_duration(s),
            };
            match v {
                Some(v) => targets.push(v),
                None => {
                    return self.error(format!(
                        "The value '{}' is not a valid duration for the field '{name}'.",
                        atom.text()
                    ));
                }
            }
        }
        Some(Pred::Test(Box::new(move |_, i| {
            let vals: Vec<i64> = i.time_spent_seconds.into_iter().collect();
            match mode {
                Mode::Cmp(op) => targets
                    .first()
                    .is_some_and(|t| vals.iter().any(|v| cmp_holds(op, v.cmp(t)))),
                m => set_test(&vals, &targets, has_empty, m),
            }
        })))
    }

    pub(super) fn text(
        &mut self,
        field: TextField,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
    ) -> Option<Pred> {
        if matches!(mode, Mode::IsEmpty | Mode::NotEmpty) {
            let want_empty = mode == Mode::IsEmpty;
            return Some(Pred::Test(Box::new(move |d, i| {
                text_of(d, i, field).iter().all(|t| t.trim().is_empty()) == want_empty
            })));
        }
        let Some(atom) = atoms.first() else {
            return self.error(format!(
                "The field '{name}' does not support searching for EMPTY values."
            ));
        };
        let raw = atom.text();
        if raw.trim().is_empty() {
            return self.error(format!(
                "The field '{name}' does not support searching for an empty string."
            ));
        }
        if raw.trim_start().starts_with(['*', '?']) {
            return self.error(format!(
                "The text query '{raw}' for field '{name}' is not allowed to start with a wildcard."
            ));
        }
        let query = TextQuery::parse(&raw);
        let negate = mode == Mode::NotLike;
        Some(Pred::Test(Box::new(move |d, i| {
            let tokens: Vec<String> = text_of(d, i, field)
                .iter()
                .flat_map(|t| tokenize(t))
                .collect();
            query.matches(&tokens) != negate
        })))
    }

    pub(super) fn sort_key(&mut self, field: &Field) -> Option<SortFn> {
        let name = field.to_string();
        let Some(kind) = resolve(field) else {
            return self.error_none(format!(
                "Field '{name}' does not exist or you do not have permission to view it."
            ));
        };
        let lower = |s: &str| SortVal::Str(s.to_lowercase());
        let by_field = matches!(field, Field::Name(n) if n.eq_ignore_ascii_case("id"));
        let f: SortFn = match kind {
            Kind::Key if by_field => Box::new(|_, i| SortVal::Int(i.id as i64)),
            Kind::Key => Box::new(|d, i| {
                let pk = d
                    .project(i.project_id)
                    .map(|p| p.key.as_str())
                    .unwrap_or("");
                let n = parse_key(&i.key).map(|(_, n)| n).unwrap_or(0);
                SortVal::Str(format!("{pk}\u{0}{n:020}"))
            }),
            Kind::Project => Box::new(move |d, i| {
                d.project(i.project_id)
                    .map_or(SortVal::Null, |p| lower(&p.name))
            }),
            Kind::IssueType => {
                Box::new(|d, i| position(d.issue_types.iter().map(|t| t.id), i.issue_type_id))
            }
            Kind::Status => Box::new(|d, i| position(d.statuses.iter().map(|s| s.id), i.status_id)),
            Kind::StatusCategory => Box::new(|d, i| {
                let cat = d.status(i.status_id).map(|s| s.category_id).unwrap_or(0);
                position(d.status_categories.iter().map(|c| c.id), cat)
            }),
            Kind::Priority => {
                Box::new(|d, i| SortVal::Int(rank_fn(Kind::Priority)(d, i.priority_id)))
            }
            Kind::Resolution => Box::new(|d, i| {
                i.resolution_id.map_or(SortVal::Null, |r| {
                    SortVal::Int(rank_fn(Kind::Resolution)(d, r))
                })
            }),
            Kind::User(u) => Box::new(move |d, i| {
                let who = match u {
                    UserField::Assignee => i.assignee.as_deref(),
                    UserField::Reporter => i.reporter.as_deref(),
                    UserField::Creator => Some(i.creator.as_str()),
                };
                who.and_then(|a| d.user(a))
                    .map_or(SortVal::Null, |u| lower(&u.display_name))
            }),
            Kind::Text(TextField::Summary) => Box::new(move |_, i| lower(&i.summary)),
            Kind::DateTime(f) => Box::new(move |_, i| {
                let t = match f {
                    DateTimeField::Created => Some(i.created),
                    DateTimeField::Updated => Some(i.updated),
                    DateTimeField::Resolved => i.resolution_date,
                    DateTimeField::LastViewed => None,
                    DateTimeField::Deployed => i.deployed_at(),
                };
                t.map_or(SortVal::Null, |t| SortVal::Int(t.timestamp_millis()))
            }),
            Kind::Date(f) => Box::new(move |_, i| {
                let t = match f {
                    DateField::Due => i.due_date,
                    DateField::Target => i.target_date,
                };
                t.map_or(SortVal::Null, |t| {
                    SortVal::Int(i64::from(t.num_days_from_ce()))
                })
            }),
            Kind::StoryPoints => {
                Box::new(|_, i| i.story_points.map_or(SortVal::Null, SortVal::Float))
            }
            Kind::TimeSpent => {
                Box::new(|_, i| i.time_spent_seconds.map_or(SortVal::Null, SortVal::Int))
            }
            Kind::Team => Box::new(move |d, i| {
                i.team_id
                    .and_then(|t| d.team(t))
                    .map_or(SortVal::Null, |t| lower(&t.value))
            }),
            Kind::Sprint => Box::new(|_, i| {
                i.sprint_ids
                    .last()
                    .map_or(SortVal::Null, |&s| SortVal::Int(s as i64))
            }),
            Kind::FixVersion => Box::new(|d, i| {
                i.fix_version_ids
                    .first()
                    .and_then(|&v| d.version(v))
                    .map_or(SortVal::Null, |v| SortVal::Int(i64::from(v.sequence)))
            }),
            Kind::Component => Box::new(move |d, i| {
                i.component_ids
                    .first()
                    .and_then(|&c| d.component(c))
                    .map_or(SortVal::Null, |c| lower(&c.name))
            }),
            Kind::Parent => Box::new(|_, i| {
                i.parent_id
                    .map_or(SortVal::Null, |p| SortVal::Int(p as i64))
            }),
            _ => return self.error_none(format!("Field '{name}' does not support sorting.")),
        };
        Some(f)
    }

    fn error_none<T>(&mut self, msg: String) -> Option<T> {
        self.errors.push(msg);
        None
    }
}
pub(super) fn position(ids: impl Iterator<Item = u64>, id: u64) -> SortVal {
    let mut ids = ids;
    ids.position(|x| x == id)
        .map_or(SortVal::Null, |p| SortVal::Int(p as i64))
}

/// The id values of a set-like field, borrowed from the issue.
pub(super) fn id_values(kind: Kind) -> for<'i> fn(&'i Issue) -> &'i [u64] {
    match kind {
        Kind::Project => |i| std::slice::from_ref(&i.project_id),
        Kind::IssueType => |i| std::slice::from_ref(&i.issue_type_id),
        Kind::Status | Kind::StatusCategory => |i| std::slice::from_ref(&i.status_id),
        Kind::Priority => |i| std::slice::from_ref(&i.priority_id),
        Kind::Resolution => |i| i.resolution_id.as_slice(),
        Kind::Key => |i| std::slice::from_ref(&i.id),
        Kind::Parent => |i| i.parent_id.as_slice(),
        Kind::Component => |i| &i.component_ids,
        Kind::FixVersion => |i| &i.fix_version_ids,
        Kind::Sprint => |i| &i.sprint_ids,
        Kind::Team => |i| i.team_id.as_slice(),
        // Affects versions are never set in the generated data.
        _ => |_| &[],
    }
}

/// Order of priorities (Highest greatest) and resolutions (catalog order).
fn rank_fn(kind: Kind) -> fn(&JiraData, u64) -> i64 {
    match kind {
        Kind::Priority => |d, id| {
            let n = d.priorities.len() as i64;
            d.priorities
                .iter()
                .position(|p| p.id == id)
                .map_or(0, |p| n - p as i64)
        },
        _ => |d, id| {
            d.resolutions
                .iter()
                .position(|r| r.id == id)
                .map_or(0, |p| p as i64)
        },
    }
}

/// `ABC-123` → ("ABC", 123).
pub(super) fn parse_key(s: &str) -> Option<(String, u64)> {
    let (p, n) = s.rsplit_once('-')?;
    let ok = p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return None;
    }
    Some((p.to_ascii_uppercase(), n.parse().ok()?))
}
