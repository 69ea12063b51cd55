//! The fixed material the generator draws from: people, projects, releases, labels and the text
//! pools for summaries, comments and worklogs.

pub(super) struct UserSeed {
    pub(super) name: &'static str,
    pub(super) email: Option<&'static str>,
    pub(super) tz: &'static str,
    pub(super) active: bool,
    pub(super) app: bool,
}

pub(super) const fn person(name: &'static str, email: &'static str, tz: &'static str) -> UserSeed {
    UserSeed {
        name,
        email: Some(email),
        tz,
        active: true,
        app: false,
    }
}

pub(super) const USERS: &[UserSeed] = &[
    person("Demo User", "demo@jiraql.example", "Australia/Sydney"),
    person(
        "Zoë Ångström",
        "zoe.angstrom@example.com",
        "Europe/Stockholm",
    ),
    person("Mia Krystof", "mia.krystof@example.com", "Europe/Prague"),
    person("Ravi Shankar Iyer", "ravi.iyer@example.com", "Asia/Kolkata"),
    person("Chen Wei", "chen.wei@example.com", "Asia/Shanghai"),
    person(
        "Jürgen Müller",
        "juergen.mueller@example.com",
        "Europe/Berlin",
    ),
    person(
        "Ana Łukasiewicz",
        "ana.lukasiewicz@example.com",
        "Europe/Warsaw",
    ),
    person("Tomás O'Brien", "tomas.obrien@example.com", "Europe/Dublin"),
    person("Émilie Dubois", "emilie.dubois@example.com", "Europe/Paris"),
    person("Kenji Watanabe", "kenji.watanabe@example.com", "Asia/Tokyo"),
    person(
        "Fatima Al-Sayed",
        "fatima.alsayed@example.com",
        "Asia/Dubai",
    ),
    person("Liam Murphy", "liam.murphy@example.com", "America/New_York"),
    person("Ngozi Okafor", "ngozi.okafor@example.com", "Africa/Lagos"),
    person(
        "Mateus Silva",
        "mateus.silva@example.com",
        "America/Sao_Paulo",
    ),
    UserSeed {
        name: "Olga Ivanova",
        email: None,
        tz: "Europe/Helsinki",
        active: true,
        app: false,
    },
    person(
        "Hannah Schmidt",
        "hannah.schmidt@example.com",
        "Europe/Vienna",
    ),
    UserSeed {
        name: "Diego Hernández",
        email: None,
        tz: "America/Mexico_City",
        active: true,
        app: false,
    },
    person("Aisha Khan", "aisha.khan@example.com", "Asia/Karachi"),
    person("Lars Eriksen", "lars.eriksen@example.com", "Europe/Oslo"),
    person("Mei Lin", "mei.lin@example.com", "Asia/Singapore"),
    person(
        "Noah Williams",
        "noah.williams@example.com",
        "America/Los_Angeles",
    ),
    person("Sofia Rossi", "sofia.rossi@example.com", "Europe/Rome"),
    person(
        "Priya Natarajan",
        "priya.natarajan@example.com",
        "Asia/Kolkata",
    ),
    UserSeed {
        name: "Jack Thompson",
        email: Some("jack.thompson@example.com"),
        tz: "Australia/Perth",
        active: false,
        app: false,
    },
    UserSeed {
        name: "Chloé Martin",
        email: Some("chloe.martin@example.com"),
        tz: "Europe/Paris",
        active: false,
        app: false,
    },
    UserSeed {
        name: "Former user",
        email: None,
        tz: "UTC",
        active: false,
        app: false,
    },
    UserSeed {
        name: "Automation for Jira",
        email: None,
        tz: "UTC",
        active: true,
        app: true,
    },
];

pub(super) struct ProjectSeed {
    pub(super) key: &'static str,
    pub(super) name: &'static str,
    pub(super) kind: &'static str,
    pub(super) simplified: bool,
    /// Share of issues, in percent.
    pub(super) weight: u32,
    pub(super) components: &'static [&'static str],
    pub(super) board: Option<&'static str>,
    /// The project's purpose (its description follows "Name: ").
    pub(super) about: &'static str,
}

pub(super) const PROJECTS: &[ProjectSeed] = &[
    ProjectSeed {
        key: "DEMO",
        name: "Demo Project",
        kind: "software",
        simplified: false,
        weight: 30,
        components: &["Backend", "Frontend", "API & Integrations"],
        board: Some("scrum"),
        about: "the sample software project every demo starts from",
    },
    ProjectSeed {
        key: "OPS",
        name: "Operations & Support",
        kind: "business",
        simplified: false,
        weight: 15,
        components: &["Infrastructure", "On-call", "Backend"],
        board: Some("kanban"),
        about: "requests, incidents and on-call work",
    },
    ProjectSeed {
        key: "WEB",
        name: "Web Platform",
        kind: "software",
        simplified: true,
        weight: 20,
        components: &["Frontend", "Search", "Checkout"],
        board: Some("scrum"),
        about: "the public website, search and checkout",
    },
    ProjectSeed {
        key: "MOB",
        name: "Mobile Apps",
        kind: "software",
        simplified: false,
        weight: 15,
        components: &["iOS", "Android", "Push notifications"],
        board: Some("scrum"),
        about: "the iOS and Android apps",
    },
    ProjectSeed {
        key: "DATA",
        name: "Data & Analytics",
        kind: "business",
        simplified: false,
        weight: 20,
        components: &["Pipelines", "Dashboards", "ML [experimental]"],
        board: None,
        about: "pipelines, dashboards and \"experimental\" models",
    },
];

/// Every project's versions: name, release date (month, day of 2026), released, archived.
pub(super) type Release = (&'static str, Option<(u32, u32)>, bool, bool);

pub(super) const RELEASES: &[Release] = &[
    ("1.0", Some((2, 15)), true, true),
    ("1.1", Some((5, 1)), true, false),
    ("2.0", Some((9, 1)), true, false),
    ("2.1", Some((12, 15)), false, false),
    ("Backlog bucket", None, false, false),
];

/// Labels of the generated issues (the SharePoint demo's Labels choices are the same).
pub(crate) const LABELS: &[&str] = &[
    "backend",
    "frontend",
    "tech-debt",
    "customer-reported",
    "security",
    "performance",
    "ux",
    "needs-triage",
    "release-blocker",
    "données",
    "order",
    "Q3-2026",
];

pub(super) const SUBJECTS: &[&str] = &[
    "login",
    "billing",
    "search",
    "dashboard",
    "sprint board",
    "notifications",
    "worklog sync",
    "SharePoint export",
    "user profile",
    "API token",
    "webhooks",
    "CSV import",
    "time zone handling",
    "Ωmega report",
    "ünïcode labels",
    "audit log",
];

/// Summary templates; `{}` is replaced by a subject. They carry the characters that break
/// naive JQL quoting: quotes, backslashes, brackets, reserved words, emoji.
pub(super) const SUMMARIES: &[&str] = &[
    "Fix \"{}\" crash on startup",
    "Can't save {} when the name contains a backslash \\",
    "[UI] Improve error message for 'invalid' {} input",
    "{}: support emoji 🚀 and ünïcödé",
    "Investigate slow {} query (p99 > 2s)",
    "Add {} export to CSV/JSON",
    "Remove deprecated {} API; order by and null handling",
    "{} returns 500 when the filter is EMPTY",
    "Zoë's request: rename {} → {} v2",
    "Update docs for {} [draft]",
    "Path C:\\Users\\{} is not escaped",
    "Refactor {} module",
    "Make {} work with OR / AND / NOT in titles",
    "日本語のタイトル: {} 🎌",
    "{} shows 100% progress at 50%",
    "Use {{curly}} braces and #hash in {}",
    "Support {} for accounts with an apostrophe (O'Brien)",
    "Flaky test in {} ~ sometimes fails",
];

pub(super) const EPIC_SUMMARIES: &[&str] = &[
    "Epic: {} overhaul",
    "Epic: \"{}\" v2",
    "Epic: {} — reliability & speed",
];

pub(super) const SPRINT_GOALS: &[Option<&str>] = &[
    Some("Ship \"checkout v2\" 🚀"),
    Some("Stabilise 'flaky' tests"),
    None,
    Some("Fix C:\\paths & [brackets]"),
    Some("Burn down the tech-debt backlog"),
    Some("Ünïcode everywhere"),
];

pub(super) const WORKLOG_COMMENTS: &[&str] = &[
    "Investigated the \"flaky\" test",
    "Pairing with the team on the fix",
    "Code review; left comments on the PR [#42]",
    "Wrote docs for C:\\temp\\export",
    "Deployed to staging 🚀",
    "Reproduced on Safari — can't fix yet",
    "Meeting: order by / null semantics",
    "Refactoring, no behaviour change",
    "Triage: AND/OR precedence bug",
    "Ünïcode handling for Zoë's report",
];

pub(super) const COMMENT_TEXTS: &[&str] = &[
    "Looks good to me 👍",
    "Can you check whether this also affects the \"legacy\" path?",
    "Reproduced with the backslash case: C:\\temp\\new",
    "I think it's related to [JRA-1234] and the 'quote' handling",
    "Moving to In Review.",
    "Blocked until the API token rotates; see above",
    "order by key desc returns the wrong page — is that expected?",
    "Ça marche maintenant, merci !",
    "NULL and EMPTY are not the same thing here",
    "Deployed in 2.0 🎉",
    "Please attach logs (tab\tseparated is fine)",
    "Duplicate of the search bug? cc the team",
];
