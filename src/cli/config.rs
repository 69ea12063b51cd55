//! The config file: connection strings kept on disk, so a scheduled job needs neither flags nor
//! environment variables.
//!
//! ```text
//! # ~/.config/jiraql/config  (chmod 600)
//! connection = URL=https://acme.atlassian.net;User=me@acme.com;APIToken=...
//! sharepoint = URL=https://contoso.sharepoint.com/sites/pmo;TenantId=...;ClientId=...;ClientSecret=...
//! ```
//!
//! One `name = value` per line; `#` starts a comment line; the value is the rest of the line
//! (surrounding double quotes are removed). The file is `--config FILE`, else `JIRAQL_CONFIG`,
//! else `jiraql/config` under the platform's config directory (`$XDG_CONFIG_HOME` or
//! `~/.config` on Linux), which may be absent. Flags and environment variables win over it.
//!
//! As it may hold secrets, on Unix a file that group or others can read or write is refused, as
//! ssh refuses such a key. Error messages never show values: they could be secrets.

use std::path::{Path, PathBuf};

/// What a config file sets.
#[derive(Default, PartialEq, Eq)]
pub struct Config {
    /// `connection`: the Jira connection string.
    pub connection: Option<String>,
    /// `sharepoint`: the SharePoint connection string.
    pub sharepoint: Option<String>,
}

/// The file read when no `--config` is given.
pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("jiraql").join("config"))
}

/// Reads the config file: `explicit` (which must exist) or the default one (which may not).
pub fn load(explicit: Option<&Path>) -> Result<Config, String> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_path() {
            Some(p) if p.exists() => p,
            _ => return Ok(Config::default()),
        },
    };
    let shown = path.display();
    let meta = std::fs::metadata(&path)
        .map_err(|e| format!("cannot read the config file {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("the config file {shown} is not a regular file"));
    }
    check_private(&path, &meta)?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the config file {shown}: {e}"))?;
    parse(&text).map_err(|e| format!("config file {shown}, {e}"))
}

/// Refuses a file that group or others may read or write.
#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "the config file {path} may hold secrets but is accessible by others (mode {mode:03o}); \
             run `chmod 600 {path}`",
            path = path.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path, _: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

/// Parses the file's text. Errors name the line, never its value.
pub fn parse(text: &str) -> Result<Config, String> {
    let mut config = Config::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            return Err(format!(
                "line {}: expected `name = value` (connection = ... or sharepoint = ...)",
                n + 1
            ));
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value)
            .to_string();
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "connection" => &mut config.connection,
            "sharepoint" => &mut config.sharepoint,
            other => {
                let looks_like_name = other.len() <= 32
                    && other.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                let shown = if looks_like_name {
                    format!("`{other}`")
                } else {
                    "(not shown)".into()
                };
                return Err(format!(
                    "line {}: unknown setting {shown}; known: connection, sharepoint",
                    n + 1
                ));
            }
        };
        if slot.is_some() {
            return Err(format!(
                "line {}: {} is set twice; keep one",
                n + 1,
                name.trim()
            ));
        }
        *slot = Some(value).filter(|v| !v.is_empty());
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_comments_and_quotes() {
        let c = parse(
            "# jiraql\n\n  Connection = URL=https://a.atlassian.net;User=me@a.com;APIToken=x=y \n\
             sharepoint=\"URL=https://c.sharepoint.com/sites/p;TenantId=t;ClientId=c\"\n",
        )
        .unwrap();
        assert_eq!(
            c.connection.as_deref(),
            Some("URL=https://a.atlassian.net;User=me@a.com;APIToken=x=y")
        );
        assert_eq!(
            c.sharepoint.as_deref(),
            Some("URL=https://c.sharepoint.com/sites/p;TenantId=t;ClientId=c")
        );
        assert!(parse("").unwrap() == Config::default());
    }

    #[test]
    fn errors_name_the_line_but_not_the_value() {
        let e = parse("connection = a\nconnection = SECRET").err().unwrap();
        assert!(e.starts_with("line 2: connection is set twice"), "{e}");
        let e = parse("\nSECRET-token-only").err().unwrap();
        assert!(e.starts_with("line 2: expected `name = value`"), "{e}");
        assert!(!e.contains("SECRET"));
        let e = parse("token = SECRET").err().unwrap();
        assert!(
            e.contains("unknown setting `token`") && !e.contains("SECRET"),
            "{e}"
        );
        let e = parse("SECRET-x.y = 1").err().unwrap();
        assert!(e.contains("(not shown)") && !e.contains("SECRET"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn files_others_can_access_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("jiraql-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config");
        std::fs::write(&path, "connection = URL=https://a.atlassian.net\n").unwrap();
        for mode in [0o644, 0o640, 0o604, 0o620, 0o602] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let e = load(Some(&path)).err().unwrap();
            assert!(
                e.contains(&format!("run `chmod 600 {}`", path.display())),
                "{mode:o}: {e}"
            );
        }
        for mode in [0o600, 0o400] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let c = load(Some(&path)).unwrap();
            assert_eq!(c.connection.as_deref(), Some("URL=https://a.atlassian.net"));
        }
        let e = load(Some(&dir.join("missing"))).err().unwrap();
        assert!(e.starts_with("cannot read the config file"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
