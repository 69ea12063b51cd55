//! The connection string's parsing rules, defaults, errors and secrecy.

use secrecy::ExposeSecret;

use super::*;

const SENTINEL: &str = "SENTINEL-s3cr3t-T0KEN";

fn parse(s: &str) -> ConnectionSettings {
    match ConnectionSettings::parse(s) {
        Ok(settings) => settings,
        Err(e) => panic!("{s:?} should parse: {e}"),
    }
}

fn parse_err(s: &str) -> String {
    match ConnectionSettings::parse(s) {
        Ok(settings) => panic!("{s:?} should fail, got {settings:?}"),
        Err(e) => e.to_string(),
    }
}

fn token_of(s: &ConnectionSettings) -> Option<&str> {
    s.token().map(|t| t.expose_secret())
}

#[test]
fn full_example_parses() {
    let s = parse(
        "URL=https://yourjira.atlassian.net;User=someone@example.com;APIToken=abc=def;\
         AuthScheme=Basic;Timeout=60;Other='BatchSize=1;MaxRetries=3'",
    );
    assert_eq!(s.url.as_str(), "https://yourjira.atlassian.net/");
    assert_eq!(s.user.as_deref(), Some("someone@example.com"));
    assert_eq!(token_of(&s), Some("abc=def"));
    assert_eq!(s.auth_scheme, AuthScheme::Basic);
    assert_eq!(s.timeout, Some(Duration::from_secs(60)));
    assert_eq!(
        s.retry.max_retries, 3,
        "MaxRetries inside Other is honoured"
    );
    assert_eq!(s.other("batchsize"), Some("1"));
    assert_eq!(
        s.other("MaxRetries"),
        None,
        "known properties are applied, not kept"
    );
    assert_eq!(s.site_label(), "yourjira.atlassian.net");
}

#[test]
fn defaults() {
    let s = parse("URL=https://acme.atlassian.net");
    assert_eq!(s.auth_scheme, AuthScheme::Basic);
    assert_eq!(s.timeout, Some(DEFAULT_TIMEOUT));
    assert_eq!(s.retry, RetryPolicy::default());
    assert_eq!(s.retry.max_retries, 4);
    assert_eq!(s.retry.base_delay, Duration::from_millis(1000));
    assert_eq!(s.retry.max_delay, Duration::from_millis(30_000));
    assert!(s.user.is_none() && s.token().is_none() && s.other.is_empty());
    assert_eq!(s.max_concurrency, DEFAULT_MAX_CONCURRENCY);
}

#[test]
fn max_concurrency_is_a_bounded_count() {
    assert_eq!(
        parse("URL=https://a.corp;maxconcurrency=3").max_concurrency,
        3
    );
    assert_eq!(
        parse("URL=https://a.corp;Other='MaxConcurrency=1'").max_concurrency,
        1
    );
    for bad in ["0", "65", "four"] {
        let e = ConnectionSettings::parse(&format!("URL=https://a.corp;MaxConcurrency={bad}"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("MaxConcurrency") && e.contains("1 to 64"), "{e}");
    }
}

#[test]
fn every_property_case_insensitive() {
    let s = parse(
        "url=https://jira.corp/jira/;USER=svc;token=tok;authscheme=bearer;timeout=0;\
         maxretries=7;retrybasedelayms=5;maxretrydelayms=99",
    );
    assert_eq!(s.url.as_str(), "https://jira.corp/jira");
    assert_eq!(s.site_label(), "jira.corp/jira");
    assert_eq!(s.user.as_deref(), Some("svc"));
    assert_eq!(token_of(&s), Some("tok"));
    assert_eq!(s.auth_scheme, AuthScheme::PersonalAccessToken);
    assert_eq!(s.timeout, None);
    assert_eq!(
        s.retry,
        RetryPolicy {
            max_retries: 7,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(99)
        }
    );
    let o = parse(
        "URL=https://acme.atlassian.net;AuthScheme=OAuth;CloudId=abc-123;\
         OAuthAccessToken=oat;OAuthGatewayURL=http://127.0.0.1:8080/",
    );
    assert_eq!(o.auth_scheme, AuthScheme::OAuth);
    assert_eq!(o.cloud_id.as_deref(), Some("abc-123"));
    assert_eq!(token_of(&o), Some("oat"));
    assert_eq!(
        o.oauth_gateway.as_ref().map(Url::as_str),
        Some("http://127.0.0.1:8080/")
    );
    assert_eq!(
        o.api_base().map(|u| u.to_string()),
        Ok("http://127.0.0.1:8080/ex/jira/abc-123".to_string())
    );
    let d = parse("URL=https://acme.atlassian.net;AuthScheme=OAuth;CloudId=c1");
    assert_eq!(
        d.api_base().map(|u| u.to_string()),
        Ok("https://api.atlassian.com/ex/jira/c1".to_string())
    );
    for alias in ["PAT", "PersonalAccessToken", "Bearer", "pat"] {
        let s = parse(&format!("URL=https://jira.corp;AuthScheme={alias}"));
        assert_eq!(s.auth_scheme, AuthScheme::PersonalAccessToken);
    }
}

#[test]
fn quoting_and_whitespace() {
    let s = parse(
        "  URL = https://jira.corp ;; ; User = \"a;b=c\" ; APIToken='it''s;=x' ;\
         Other = \"K1='v;1';K2=\"\"q\"\"\" ;",
    );
    assert_eq!(s.user.as_deref(), Some("a;b=c"));
    assert_eq!(token_of(&s), Some("it's;=x"));
    assert_eq!(s.other("k1"), Some("v;1"));
    // Other's value unquotes to `K1='v;1';K2="q"`, and K2's own quotes come off in turn.
    assert_eq!(s.other("K2"), Some("q"));
    // A quote in the middle of an unquoted value is literal.
    let s = parse("URL=https://jira.corp;User=o'brien");
    assert_eq!(s.user.as_deref(), Some("o'brien"));
    // Quoted whitespace is kept.
    let s = parse("URL=https://jira.corp;Other='X=\" a \"'");
    assert_eq!(s.other("x"), Some(" a "));
    // Empty values mean "not given".
    let s = parse("URL=https://jira.corp;User=;APIToken=''");
    assert!(s.user.is_none() && s.token().is_none());
}

#[test]
fn syntax_errors() {
    assert!(parse_err("URL=https://jira.corp;User='abc").contains("no closing '"));
    assert!(parse_err("URL=https://jira.corp;User='a'b").contains("after the quoted value"));
    let e = parse_err(&format!("URL=https://jira.corp;{SENTINEL}x;User=u"));
    assert!(e.contains("part 2") && e.contains("no '='"), "{e}");
    assert!(!e.contains("SENTINEL"));
    assert!(parse_err("=x").contains("no property name"));
    assert!(parse_err("URL=https://jira.corp;Other='Other=1'").contains("another Other"));
    assert!(parse_err("URL=https://jira.corp;Other='a'").contains("part 1 of Other"));
}

#[test]
fn unknown_property_is_named_and_known_listed() {
    let e = parse_err("URL=https://jira.corp;Usr=x");
    assert!(e.contains("`Usr`"), "{e}");
    for known in [
        "URL",
        "User",
        "APIToken (or Token)",
        "AuthScheme",
        "Other",
        "CloudId",
    ] {
        assert!(e.contains(known), "{e} lacks {known}");
    }
    // A pasted token containing '=' lands in the name; it does not look like a name, so it
    // is not echoed.
    let e = parse_err(&format!("URL=https://jira.corp;{SENTINEL}=xyz"));
    assert!(e.contains("not shown") && !e.contains("SENTINEL"), "{e}");
    // Unknown names inside Other are kept, not rejected.
    assert_eq!(
        parse("URL=https://jira.corp;Other='Usr=x'").other("usr"),
        Some("x")
    );
}

#[test]
fn duplicates_are_rejected() {
    assert!(parse_err("URL=https://a.corp;url=https://b.corp").contains("URL is given more"));
    assert!(parse_err("URL=https://a.corp;APIToken=a;Token=b").contains("APIToken"));
    let e = parse_err("URL=https://a.corp;MaxRetries=1;Other='maxretries=2'");
    assert!(e.contains("MaxRetries") && e.contains("Other"), "{e}");
    assert!(parse_err("URL=https://a.corp;Other='A=1;a=2'").contains("Other.`a`"));
}

#[test]
fn bad_values_name_property_and_value() {
    let cases = [
        ("URL=https://jira.corp;Timeout=soon", "`soon` for Timeout"),
        ("URL=https://jira.corp;Timeout=-1", "`-1` for Timeout"),
        (
            "URL=https://jira.corp;MaxRetries=many",
            "`many` for MaxRetries",
        ),
        (
            "URL=https://jira.corp;RetryBaseDelayMs=1.5",
            "`1.5` for RetryBaseDelayMs",
        ),
        (
            "URL=https://jira.corp;MaxRetryDelayMs=x",
            "`x` for MaxRetryDelayMs",
        ),
        (
            "URL=https://jira.corp;AuthScheme=NTLM",
            "`NTLM` for AuthScheme",
        ),
        (
            "URL=https://a.atlassian.net;AuthScheme=OAuth;CloudId=a/b",
            "`a/b` for CloudId",
        ),
        ("URL=jira.corp", "needs the scheme"),
        ("URL=ftp://jira.corp", "ftp"),
        ("URL=https://jira.corp/?a=1", "'?'"),
        ("URL=https://acme.atlassian.net/rest/api/3", "REST endpoint"),
        ("URL=https://acme.atlassian.net/browse/X-1", "just the site"),
        ("URL=https://jira.corp;User=a:b", "`a:...` for User"),
        ("User=x", "needs URL="),
    ];
    for (input, expected) in cases {
        let e = parse_err(input);
        assert!(e.contains(expected), "{input}: {e}");
    }
    // A token with a space is rejected without echoing it.
    let e = parse_err(&format!("URL=https://jira.corp;APIToken='{SENTINEL} x'"));
    assert!(e.contains("APIToken") && !e.contains("SENTINEL"), "{e}");
    // Credentials inside URL are refused without echoing them.
    let e = parse_err(&format!("URL=https://me:{SENTINEL}@jira.corp"));
    assert!(
        e.contains("user name or password") && !e.contains("SENTINEL"),
        "{e}"
    );
    let e = parse_err(&format!("URL=https://me:{SENTINEL}@bad host"));
    assert!(!e.contains("SENTINEL"), "{e}");
}

#[test]
fn scheme_conflicts() {
    assert!(
        parse_err("URL=https://a.atlassian.net;AuthScheme=OAuth;CloudId=c;APIToken=t")
            .contains("OAuthAccessToken")
    );
    assert!(parse_err("URL=https://jira.corp;CloudId=c").contains("only used with"));
    assert!(parse_err("URL=https://jira.corp;OAuthAccessToken=t").contains("only used"));
    assert!(parse_err("URL=https://a.atlassian.net;AuthScheme=PAT").contains("Data Center"));
}

#[test]
fn http_only_for_loopback() {
    for ok in [
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://[::1]:9000/jira",
        "http://localhost:1234",
        "http://LOCALHOST",
    ] {
        parse(&format!("URL={ok}"));
    }
    for bad in [
        "http://jira.corp",
        "http://10.0.0.1",
        "http://localhost.evil.com",
        "http://128.0.0.1",
    ] {
        let e = parse_err(&format!("URL={bad}"));
        assert!(e.contains("use https://"), "{bad}: {e}");
    }
    let e = parse_err(
        "URL=https://a.atlassian.net;AuthScheme=OAuth;CloudId=c;OAuthGatewayURL=http://gw.corp",
    );
    assert!(
        e.contains("OAuthGatewayURL") && e.contains("https://"),
        "{e}"
    );
}

#[test]
fn resolve_token_sources_in_order() {
    let env_with = |name: &'static str, value: &'static str| {
        move |n: &str| (n == name).then(|| value.to_string())
    };
    let no_env = |_: &str| None;
    let prompt_ok = |_: &str| Ok::<_, std::io::Error>("  from-prompt\n".to_string());
    let prompt_fail = |_: &str| -> std::io::Result<String> { panic!("must not prompt") };

    // String wins over env and prompt.
    let mut s = parse("URL=https://a.atlassian.net;User=u@x;APIToken=from-string");
    s.resolve_token(env_with(ENV_API_TOKEN, "from-env"), Some(&prompt_fail))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(token_of(&s), Some("from-string"));

    // Env before prompt; whitespace trimmed.
    let mut s = parse("URL=https://a.atlassian.net;User=u@x");
    s.resolve_token(env_with(ENV_API_TOKEN, " from-env \n"), Some(&prompt_fail))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(token_of(&s), Some("from-env"));

    // Prompt last, and only when given.
    let mut s = parse("URL=https://a.atlassian.net;User=u@x");
    s.resolve_token(no_env, Some(&prompt_ok))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(token_of(&s), Some("from-prompt"));

    let mut s = parse("URL=https://a.atlassian.net;User=u@x");
    let e = s.resolve_token(no_env, None).err().map(|e| e.to_string());
    let e = e.unwrap_or_default();
    assert!(e.contains("APIToken=") && e.contains(ENV_API_TOKEN), "{e}");

    // Basic needs User.
    let mut s = parse("URL=https://a.atlassian.net;APIToken=t");
    let e = s.resolve_token(no_env, None).err().map(|e| e.to_string());
    assert!(e.unwrap_or_default().contains("User="));

    // PAT needs only the token; env var shared with Basic.
    let mut s = parse("URL=https://jira.corp;AuthScheme=PAT");
    s.resolve_token(env_with(ENV_API_TOKEN, "pat"), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(token_of(&s), Some("pat"));

    // OAuth needs CloudId and takes its token from JIRA_OAUTH_TOKEN, not JIRA_API_TOKEN.
    let mut s = parse("URL=https://a.atlassian.net;AuthScheme=OAuth");
    let e = s.resolve_token(no_env, None).err().map(|e| e.to_string());
    assert!(e.unwrap_or_default().contains("CloudId="));
    let mut s = parse("URL=https://a.atlassian.net;AuthScheme=OAuth;CloudId=c");
    let e = s
        .resolve_token(env_with(ENV_API_TOKEN, "wrong"), None)
        .err()
        .map(|e| e.to_string());
    assert!(e.unwrap_or_default().contains(ENV_OAUTH_TOKEN));
    s.resolve_token(env_with(ENV_OAUTH_TOKEN, "oat"), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(token_of(&s), Some("oat"));
    assert!(s.check_credentials().is_ok());

    // A prompt failure is reported; a bad env token is not echoed.
    let mut s = parse("URL=https://jira.corp;AuthScheme=PAT");
    let failing = |_: &str| -> std::io::Result<String> { Err(std::io::Error::other("no tty")) };
    let e = s
        .resolve_token(no_env, Some(&failing))
        .err()
        .map(|e| e.to_string());
    assert!(e.unwrap_or_default().contains("no tty"));
    let e = s
        .resolve_token(env_with(ENV_API_TOKEN, "SENTINEL bad"), None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("APIToken") && !e.contains("SENTINEL"), "{e}");
}

#[test]
fn secrets_never_printed() {
    let s = parse(&format!(
        "URL=https://a.atlassian.net;User=u@x;APIToken='{SENTINEL}=a;b';\
         Other='ProxyPassword={SENTINEL};BatchSize=5'"
    ));
    let debug = format!("{s:?}");
    let redacted = s.redacted();
    for text in [&debug, &redacted] {
        assert!(!text.contains("SENTINEL"), "{text}");
        assert!(text.contains("***"), "{text}");
    }
    assert!(debug.contains("APIToken: Some(\"***\")"), "{debug}");
    assert!(redacted.contains("APIToken=***"), "{redacted}");
    assert!(redacted.contains("BatchSize=5"), "{redacted}");
    let o = parse(&format!(
        "URL=https://a.atlassian.net;AuthScheme=OAuth;CloudId=c;OAuthAccessToken={SENTINEL}"
    ));
    assert!(!format!("{o:?}").contains("SENTINEL"));
    assert!(o.redacted().contains("OAuthAccessToken=***"));
}

#[test]
fn redacted_round_trips() {
    let s = parse(
        "URL=http://127.0.0.1:9/ctx/;User='a;b';Timeout=5;MaxRetries=2;\
         RetryBaseDelayMs=10;MaxRetryDelayMs=20;MaxConcurrency=5;Other='K=\"v;1\";Q=it''s'",
    );
    let again = parse(&s.redacted());
    assert_eq!(format!("{s:?}"), format!("{again:?}"));
    assert_eq!(again.other("q"), Some("it's"));
    assert_eq!(again.other("k"), Some("v;1"));
}
