//! The generator: one seeded random stream turned into users, projects, sprints, issues, worklogs
//! and comments, then indexed.

use super::*;

pub(super) struct Generator {
    pub(super) rng: ChaCha8Rng,
    pub(super) zones: Vec<Tz>,
}

/// Pools of shared rich-text bodies.
pub(super) struct Pools {
    pub(super) descriptions: Vec<Arc<Value>>,
    pub(super) worklog_comments: Vec<Arc<Value>>,
    pub(super) comments: Vec<Arc<Value>>,
}

/// A project's running state while issues are generated.
pub(super) struct ProjectState {
    pub(super) next_number: u64,
    pub(super) epics: Vec<u64>,
    pub(super) standard: Vec<u64>,
    pub(super) component_ids: Vec<u64>,
    pub(super) version_ids: Vec<u64>,
    /// Indexes into `JiraData::sprints`, in time order.
    pub(super) sprints: Vec<usize>,
}

impl Generator {
    pub(super) fn new(seed: u64) -> Self {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            zones: Vec::new(),
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    /// An instant rendered in the zone of the given user.
    pub(super) fn at(&self, ms: i64, user: usize) -> DateTime<FixedOffset> {
        at_zone(ms, self.zones.get(user).copied().unwrap_or(Tz::UTC))
    }

    pub(super) fn run(mut self, issue_count: usize) -> JiraData {
        let users = self.users();
        self.zones = users
            .iter()
            .map(|u| u.time_zone.parse().unwrap_or(Tz::UTC))
            .collect();
        let mut data = JiraData {
            myself: users[0].account_id.clone(),
            projects: Vec::new(),
            issue_types: issue_types(),
            status_categories: status_categories(),
            statuses: statuses(),
            priorities: priorities(),
            resolutions: resolutions(),
            components: Vec::new(),
            versions: Vec::new(),
            boards: Vec::new(),
            sprints: Vec::new(),
            teams: teams(),
            issues: Vec::with_capacity(issue_count),
            worklogs: Vec::new(),
            comments: Vec::new(),
            issue_link_types: Vec::new(),
            issue_links: Vec::new(),
            changelogs: Vec::new(),
            attachments: Vec::new(),
            deleted_worklogs: Vec::new(),
            groups: Vec::new(),
            roles: Vec::new(),
            role_actors: Vec::new(),
            filters: Vec::new(),
            users,
            index: Index::default(),
        };
        let mut states = self.projects(&mut data);
        let pools = self.pools(&data.users);
        self.issues(&mut data, &mut states, &pools, issue_count);
        finish(&mut data);
        data
    }

    pub(super) fn users(&mut self) -> Vec<User> {
        USERS
            .iter()
            .enumerate()
            .map(|(i, seed)| {
                let account_id = if seed.app {
                    format!("557058:{}", self.uuid())
                } else if i % 3 == 1 {
                    format!("712020:{}", self.uuid())
                } else {
                    format!("{:024x}", self.rng.random::<u128>() >> 32)
                };
                let name = match seed.email {
                    Some(e) => e.split('@').next().unwrap_or(e).to_string(),
                    None => seed.name.to_lowercase().replace(' ', "."),
                };
                User {
                    account_id,
                    account_type: if seed.app { "app" } else { "atlassian" }.to_string(),
                    display_name: seed.name.to_string(),
                    email_address: seed.email.map(str::to_string),
                    time_zone: seed.tz.to_string(),
                    active: seed.active,
                    name,
                    key: format!("JIRAUSER{}", 10100 + i),
                }
            })
            .collect()
    }

    fn uuid(&mut self) -> String {
        let v: u128 = self.rng.random();
        let h = format!("{v:032x}");
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }

    pub(super) fn projects(&mut self, data: &mut JiraData) -> Vec<ProjectState> {
        let mut states = Vec::new();
        let mut next_component = 10000;
        let mut next_version = 10100;
        let mut next_sprint = 1;
        for (pi, seed) in PROJECTS.iter().enumerate() {
            let id = 10000 + pi as u64;
            let lead = data.users[1 + (pi * 4) % 20].account_id.clone();
            data.projects.push(Project {
                id,
                key: seed.key.to_string(),
                name: seed.name.to_string(),
                project_type_key: seed.kind.to_string(),
                simplified: seed.simplified,
                lead,
                description: format!("{}: {}.", seed.name, seed.about),
            });
            let mut component_ids = Vec::new();
            for (ci, name) in seed.components.iter().enumerate() {
                component_ids.push(next_component);
                // Leads and assignee rules by position (no randomness: the main stream of
                // the generator stays as it was).
                let lead =
                    (ci != 2).then(|| data.users[1 + (pi * 5 + ci * 3) % 21].account_id.clone());
                let assignee_type = match (ci, &lead) {
                    (0, Some(_)) => "COMPONENT_LEAD",
                    (1, _) => "PROJECT_LEAD",
                    _ if pi % 2 == 0 => "PROJECT_DEFAULT",
                    _ => "UNASSIGNED",
                };
                data.components.push(Component {
                    id: next_component,
                    project_id: id,
                    name: name.to_string(),
                    description: format!("{name} work in {}", seed.name),
                    lead,
                    assignee_type: assignee_type.to_string(),
                });
                next_component += 1;
            }
            let mut version_ids = Vec::new();
            for (seq, &(name, date, released, archived)) in RELEASES.iter().enumerate() {
                version_ids.push(next_version);
                data.versions.push(Version {
                    id: next_version,
                    project_id: id,
                    name: name.to_string(),
                    description: format!("{} release {name}", seed.key),
                    archived,
                    released,
                    release_date: date.and_then(|(m, d)| NaiveDate::from_ymd_opt(2026, m, d)),
                    start_date: date
                        .and_then(|(m, d)| NaiveDate::from_ymd_opt(2026, m, d))
                        .map(|d| d - Days::new(70)),
                    sequence: seq as u32 + 1,
                });
                next_version += 1;
            }
            let mut sprints = Vec::new();
            if let Some(kind) = seed.board {
                let board_id = data.boards.len() as u64 + 1;
                data.boards.push(Board {
                    id: board_id,
                    name: format!("{} board", seed.key),
                    project_id: id,
                    board_type: kind.to_string(),
                });
                if kind == "scrum" {
                    let tz: Tz = "Australia/Sydney".parse().unwrap_or(Tz::UTC);
                    let first_start = ACTIVITY_START_MS + 7 * DAY_MS * pi as i64 + 9 * HOUR_MS;
                    let mut future = 0;
                    let mut k = 0;
                    while future < 2 {
                        let start = first_start + 14 * DAY_MS * k;
                        let end = start + 14 * DAY_MS;
                        let state = if end <= ACTIVITY_END_MS {
                            "closed"
                        } else if start <= ACTIVITY_END_MS {
                            "active"
                        } else {
                            future += 1;
                            "future"
                        };
                        // The second future sprint is not planned yet: no dates.
                        let dated = !(state == "future" && future == 2);
                        let goal = self.pick(SPRINT_GOALS).map(str::to_string);
                        sprints.push(data.sprints.len());
                        data.sprints.push(Sprint {
                            id: next_sprint,
                            board_id,
                            name: format!("{} Sprint {}", seed.key, k + 1),
                            state: state.to_string(),
                            goal,
                            start_date: dated.then(|| at_zone(start, tz)),
                            end_date: dated.then(|| at_zone(end, tz)),
                            complete_date: (state == "closed")
                                .then(|| at_zone(end + 2 * HOUR_MS + 17 * MINUTE_MS, tz)),
                        });
                        next_sprint += 1;
                        k += 1;
                    }
                }
            }
            states.push(ProjectState {
                next_number: 1,
                epics: Vec::new(),
                standard: Vec::new(),
                component_ids,
                version_ids,
                sprints,
            });
        }
        states
    }

    pub(super) fn pools(&mut self, users: &[User]) -> Pools {
        let mut descriptions = Vec::new();
        for i in 0..24 {
            let who = &users[1 + i % (users.len() - 2)];
            let subject = SUBJECTS[i % SUBJECTS.len()];
            let mut blocks = vec![adf::paragraph(vec![
                adf::text(&format!("As a user I want the {subject} to behave. ")),
                adf::marked("Important", &["strong"]),
                adf::text(": quotes \" and ' and a backslash \\ must survive."),
            ])];
            match i % 4 {
                0 => blocks.push(adf::bullet_list(vec![
                    vec![adf::text("Steps: open [settings]")],
                    vec![adf::marked("Expected", &["em"]), adf::text(" no error 🚀")],
                    vec![adf::text("Actual: NULL shown instead of EMPTY")],
                ])),
                1 => blocks.push(adf::code_block(
                    Some("sql"),
                    "SELECT key FROM jira.issues WHERE summary LIKE '%\\%' ORDER BY key",
                )),
                2 => blocks.push(adf::paragraph(vec![
                    adf::text("Ping "),
                    adf::mention(&who.account_id, &who.display_name),
                    adf::hard_break(),
                    adf::text("See "),
                    adf::link("the runbook", "https://example.com/runbook?a=1&b=2"),
                    adf::text(" and use "),
                    adf::marked("jiraql --demo", &["code"]),
                ])),
                _ => blocks.push(adf::paragraph(vec![adf::text(
                    "Ünïcödé, 日本語, emoji 🎉 and JQL words: AND OR NOT order by.",
                )])),
            }
            descriptions.push(Arc::new(adf::doc(blocks)));
        }
        let worklog_comments = WORKLOG_COMMENTS
            .iter()
            .map(|t| Arc::new(adf::doc(vec![adf::paragraph(vec![adf::text(t)])])))
            .collect();
        let mut comments = Vec::new();
        for (i, t) in COMMENT_TEXTS.iter().enumerate() {
            comments.push(Arc::new(adf::doc(vec![adf::paragraph(vec![adf::text(t)])])));
            let who = &users[2 + i % (users.len() - 3)];
            comments.push(Arc::new(adf::doc(vec![
                adf::paragraph(vec![
                    adf::mention(&who.account_id, &who.display_name),
                    adf::text(" "),
                    adf::text(t),
                ]),
                adf::code_block(
                    None,
                    "curl -u me:token https://example.com/rest/api/3/myself",
                ),
            ])));
        }
        Pools {
            descriptions,
            worklog_comments,
            comments,
        }
    }

    /// A random active person (not the automation account), as an index into users.
    fn active_person(&mut self, users: &[User]) -> usize {
        loop {
            let i = self.rng.random_range(0..users.len());
            if users[i].active && users[i].account_type == "atlassian" {
                return i;
            }
        }
    }

    pub(super) fn issues(
        &mut self,
        data: &mut JiraData,
        states: &mut [ProjectState],
        pools: &Pools,
        count: usize,
    ) {
        let span = ACTIVITY_END_MS - ACTIVITY_START_MS - 20 * DAY_MS;
        let mut created: Vec<i64> = (0..count)
            .map(|_| ACTIVITY_START_MS + self.rng.random_range(0..span))
            .collect();
        created.sort_unstable();
        let total_weight: u32 = PROJECTS.iter().map(|p| p.weight).sum();
        for (i, &created_ms) in created.iter().enumerate() {
            // The first issues go to DEMO so DEMO-1 (an epic) and DEMO-7 exist at any size.
            let pi = if i < 8 {
                0
            } else {
                let mut r = self.rng.random_range(0..total_weight);
                let mut pi = 0;
                for (j, p) in PROJECTS.iter().enumerate() {
                    if r < p.weight {
                        pi = j;
                        break;
                    }
                    r -= p.weight;
                }
                pi
            };
            self.issue(data, &mut states[pi], pi, pools, i, created_ms);
        }
    }

    #[allow(clippy::too_many_lines)]
    pub(super) fn issue(
        &mut self,
        data: &mut JiraData,
        st: &mut ProjectState,
        pi: usize,
        pools: &Pools,
        i: usize,
        created_ms: i64,
    ) {
        let id = FIRST_ISSUE_ID + i as u64;
        let number = st.next_number;
        st.next_number += 1;
        let project = &PROJECTS[pi];
        let key = format!("{}-{number}", project.key);

        // Type and parent.
        let r = self.rng.random_range(0..100);
        let mut type_id = match r {
            _ if number == 1 => EPIC,
            0..5 => EPIC,
            5..40 => STORY,
            40..62 => TASK,
            62..82 => BUG,
            _ => SUBTASK,
        };
        let mut parent_id = None;
        if type_id == SUBTASK {
            if st.standard.is_empty() {
                type_id = TASK;
            } else {
                let recent = &st.standard[st.standard.len().saturating_sub(30)..];
                parent_id = Some(*self.pick(recent));
            }
        } else if type_id != EPIC && !st.epics.is_empty() && self.chance(0.6) {
            let recent = &st.epics[st.epics.len().saturating_sub(10)..];
            parent_id = Some(*self.pick(recent));
        }
        match type_id {
            EPIC => st.epics.push(id),
            SUBTASK => {}
            _ => st.standard.push(id),
        }
        let parent_key = parent_id.and_then(|p| data.issue_by_id(p).map(|p| p.key.clone()));

        // People.
        let users_len = data.users.len();
        let reporter_idx = self.rng.random_range(0..users_len);
        let reporter = (!self.chance(0.02)).then_some(reporter_idx);
        let creator_idx = if self.chance(0.9) {
            reporter_idx
        } else {
            self.rng.random_range(0..users_len)
        };
        let assignee = self.chance(0.75).then(|| self.active_person(&data.users));

        // Workflow state: older issues are more likely done.
        let age =
            (ACTIVITY_END_MS - created_ms) as f64 / (ACTIVITY_END_MS - ACTIVITY_START_MS) as f64;
        let done = self.chance((0.15 + 0.7 * age).min(0.95));
        let status_id = if done {
            10003
        } else {
            *self.pick(&[10000, 10001, 10001, 3, 3, 10002])
        };
        let room = (ACTIVITY_END_MS - created_ms).max(HOUR_MS);
        let mut updated_ms = created_ms + self.rng.random_range(0..room.min(60 * DAY_MS));
        let (resolution_id, resolution_ms) = if done {
            let r = self.rng.random_range(0..100);
            let res = match r {
                0..85 => 10000,
                85..92 => 10001,
                92..97 => 10002,
                _ => 10003,
            };
            let at = created_ms + (updated_ms - created_ms) * self.rng.random_range(50..=100) / 100;
            updated_ms = updated_ms.max(at);
            (Some(res), Some(at))
        } else {
            (None, None)
        };
        let priority_id = *self.pick(&[1, 2, 2, 3, 3, 3, 3, 4, 4, 5]);

        // Classification.
        let mut labels: Vec<String> = Vec::new();
        for _ in 0..self.rng.random_range(0..=3) {
            let l = self.pick(LABELS).to_string();
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
        let mut component_ids = Vec::new();
        for _ in 0..self.rng.random_range(0..=2) {
            let c = *self.pick(&st.component_ids);
            if !component_ids.contains(&c) {
                component_ids.push(c);
            }
        }
        let fix_version_ids = if done && self.chance(0.5) {
            vec![st.version_ids[self.rng.random_range(0..3)]]
        } else if !done && self.chance(0.3) {
            vec![st.version_ids[self.rng.random_range(3..5)]]
        } else {
            Vec::new()
        };
        let created_date = at_zone(created_ms, Tz::UTC).date_naive();
        let due_date = self
            .chance(0.35)
            .then(|| created_date + Days::new(self.rng.random_range(3..60)));
        let story_points = (matches!(type_id, STORY | BUG) && self.chance(0.7))
            .then(|| *self.pick(&[0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0]));
        let team_id = self.chance(0.6).then(|| self.pick(&data.teams).id);
        let target_date = self
            .chance(0.3)
            .then(|| created_date + Days::new(self.rng.random_range(14..120)));
        let sprint_ids = self.sprints_for(data, st, type_id, created_ms, resolution_ms);

        let subject = *self.pick(SUBJECTS);
        let template = if type_id == EPIC {
            *self.pick(EPIC_SUMMARIES)
        } else {
            *self.pick(SUMMARIES)
        };
        let summary = template
            .replace("{}", subject)
            .replace("{{", "{")
            .replace("}}", "}");
        let description = self
            .chance(0.8)
            .then(|| self.pick(&pools.descriptions).clone());

        // Worklogs: most issues have a few, some many (beyond the embedded 20).
        let heavy_worklogs = number == 7 || number % 150 == 42;
        let worklog_count = if heavy_worklogs {
            self.rng.random_range(25..=60)
        } else if self.chance(0.55) {
            self.rng.random_range(1..=8)
        } else {
            0
        };
        let worklog_start = data.worklogs.len();
        let mut stamps: Vec<i64> = (0..worklog_count)
            .map(|_| created_ms + self.rng.random_range(0..room.min(90 * DAY_MS)))
            .collect();
        stamps.sort_unstable();
        let mut spent = 0;
        for started in stamps {
            let author = self.active_person(&data.users);
            let secs = *self.pick(&[
                900, 1800, 2700, 3600, 4800, 5400, 7200, 10800, 12000, 14400, 28800, 36000,
            ]);
            let created_w = (started + secs * 1000 + self.rng.random_range(0..3 * HOUR_MS))
                .min(ACTIVITY_END_MS);
            let updated_w = if self.chance(0.15) {
                (created_w + self.rng.random_range(HOUR_MS..10 * DAY_MS)).min(ACTIVITY_END_MS)
            } else {
                created_w
            };
            let comment = self
                .chance(0.7)
                .then(|| self.pick(&pools.worklog_comments).clone());
            data.worklogs.push(Worklog {
                id: FIRST_WORKLOG_ID + data.worklogs.len() as u64,
                issue_id: id,
                author: data.users[author].account_id.clone(),
                update_author: data.users[author].account_id.clone(),
                comment,
                started: self.at(started, author),
                time_spent_seconds: secs,
                created: self.at(created_w, author),
                updated: self.at(updated_w, author),
                visibility: None,
                properties: BTreeMap::new(),
            });
            spent += secs;
            updated_ms = updated_ms.max(updated_w);
        }
        let worklogs = worklog_start..data.worklogs.len();
        // Worklogs are created in time order but authored by different zones; keep them
        // ordered by created instant as the per-issue endpoint promises.
        data.worklogs[worklogs.clone()].sort_by_key(|w| (w.created.timestamp_millis(), w.id));
        for (k, w) in data.worklogs[worklogs.clone()].iter_mut().enumerate() {
            w.id = FIRST_WORKLOG_ID + (worklog_start + k) as u64;
        }

        let heavy_comments = number == 7 || number % 113 == 11;
        let comment_count = if heavy_comments {
            self.rng.random_range(21..=45)
        } else if self.chance(0.55) {
            self.rng.random_range(1..=5)
        } else {
            0
        };
        let comment_start = data.comments.len();
        let mut stamps: Vec<i64> = (0..comment_count)
            .map(|_| created_ms + self.rng.random_range(0..room))
            .collect();
        stamps.sort_unstable();
        for c_created in stamps {
            let author = self.rng.random_range(0..users_len);
            let c_updated = if self.chance(0.1) {
                (c_created + self.rng.random_range(MINUTE_MS..2 * DAY_MS)).min(ACTIVITY_END_MS)
            } else {
                c_created
            };
            data.comments.push(Comment {
                id: FIRST_COMMENT_ID + data.comments.len() as u64,
                issue_id: id,
                author: data.users[author].account_id.clone(),
                update_author: data.users[author].account_id.clone(),
                body: self.pick(&pools.comments).clone(),
                created: self.at(c_created, author),
                updated: self.at(c_updated, author),
                visibility: None,
                properties: BTreeMap::new(),
            });
            updated_ms = updated_ms.max(c_updated);
        }
        let comments = comment_start..data.comments.len();

        // Time tracking: estimates in half hours; remaining = original - spent (not below 0).
        let original = self
            .chance(0.6)
            .then(|| 1800 * self.rng.random_range(1..=48_i64));
        let time_spent = (spent > 0).then_some(spent);
        let remaining = original.map(|o| if done { 0 } else { (o - spent).max(0) });

        let reporter_zone = reporter.unwrap_or(creator_idx);
        data.issues.push(Issue {
            id,
            key: key.clone(),
            project_id: 10000 + pi as u64,
            issue_type_id: type_id,
            status_id,
            priority_id,
            resolution_id,
            summary,
            description,
            labels,
            component_ids,
            fix_version_ids,
            assignee: assignee.map(|a| data.users[a].account_id.clone()),
            reporter: reporter.map(|r| data.users[r].account_id.clone()),
            creator: data.users[creator_idx].account_id.clone(),
            parent_id,
            parent_key,
            subtask_ids: Vec::new(),
            created: self.at(created_ms, reporter_zone),
            updated: self.at(updated_ms, reporter_zone),
            resolution_date: resolution_ms.map(|ms| self.at(ms, assignee.unwrap_or(reporter_zone))),
            due_date,
            original_estimate_seconds: original,
            remaining_estimate_seconds: remaining,
            time_spent_seconds: time_spent,
            story_points,
            sprint_ids,
            team_id,
            target_date,
            worklogs,
            comments,
            changelogs: 0..0,
            attachments: 0..0,
            link_ids: Vec::new(),
            properties: BTreeMap::new(),
        });
        data.index.issue_by_key.insert(key, i);
        if type_id == SUBTASK
            && let Some(p) = parent_id.and_then(|p| data.issue_index_by_id(p))
        {
            data.issues[p].subtask_ids.push(id);
        }
    }

    /// Sprints of a standard issue on a scrum board: the sprint it was created in and up to
    /// two carry-overs, never past the sprint it was resolved in (or the active one).
    fn sprints_for(
        &mut self,
        data: &JiraData,
        st: &ProjectState,
        type_id: u64,
        created_ms: i64,
        resolved_ms: Option<i64>,
    ) -> Vec<u64> {
        if st.sprints.is_empty() || !matches!(type_id, STORY | TASK | BUG) || !self.chance(0.8) {
            return Vec::new();
        }
        let contains = |s: &Sprint, ms: i64| match (s.start_date, s.end_date) {
            (Some(a), Some(b)) => a.timestamp_millis() <= ms && ms < b.timestamp_millis(),
            _ => false,
        };
        let Some(first) = st
            .sprints
            .iter()
            .position(|&s| contains(&data.sprints[s], created_ms))
        else {
            return Vec::new();
        };
        let last = match resolved_ms {
            Some(ms) => st
                .sprints
                .iter()
                .position(|&s| contains(&data.sprints[s], ms))
                .unwrap_or(first),
            None => st
                .sprints
                .iter()
                .position(|&s| data.sprints[s].state == "active")
                .unwrap_or(first),
        };
        let len = self
            .rng
            .random_range(1..=3)
            .min(last.saturating_sub(first) + 1);
        st.sprints[first..first + len]
            .iter()
            .map(|&s| data.sprints[s].id)
            .collect()
    }
}

/// Post-processing once every issue exists: distinct worklog updated times (bumped by whole
/// milliseconds, keeping their order) and the lookup indexes.
fn finish(data: &mut JiraData) {
    let mut order: Vec<usize> = (0..data.worklogs.len()).collect();
    order.sort_by_key(|&i| {
        (
            data.worklogs[i].updated.timestamp_millis(),
            data.worklogs[i].id,
        )
    });
    let mut last = i64::MIN;
    for &i in &order {
        let w = &mut data.worklogs[i];
        let ms = w.updated.timestamp_millis();
        if ms <= last {
            let bumped = last + 1;
            w.updated = at_zone(bumped, Tz::UTC).with_timezone(w.updated.offset());
            last = bumped;
        } else {
            last = ms;
        }
    }
    // An issue is updated whenever one of its worklogs is.
    for issue in &mut data.issues {
        let latest = data.worklogs[issue.worklogs.clone()]
            .iter()
            .map(|w| w.updated)
            .max();
        if let Some(latest) = latest
            && latest > issue.updated
        {
            issue.updated = latest.with_timezone(issue.updated.offset());
        }
    }
    data.index.worklogs_by_updated = order;
    data.index.worklog_at = ids_at(&data.worklogs, |w| w.id);
    data.index.comment_at = ids_at(&data.comments, |c| c.id);
    data.index_users();
}

pub(super) fn at_zone(ms: i64, tz: Tz) -> DateTime<FixedOffset> {
    let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    tz.from_utc_datetime(&utc.naive_utc()).fixed_offset()
}
