//! What can go wrong talking to Entra ID and Microsoft Graph, worded for the person who has to
//! fix it: what was asked, what the service said, and what to do.

use serde_json::Value;

pub(crate) use crate::http::text::{error_chain, one_line};

/// A failed SharePoint operation.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GraphError {
    /// Something local prevents even trying (a certificate file, a client that cannot be built).
    #[error("SharePoint setup: {0}")]
    Setup(String),
    /// Entra ID refused to issue a token.
    #[error("signing in to Entra ID failed ({status} {code}): {description}; {hint}")]
    SignIn {
        status: u16,
        code: String,
        description: String,
        hint: String,
    },
    /// No answer: connection refused, reset, TLS.
    #[error("SharePoint could not be reached while {what}: {detail}")]
    Transport { what: String, detail: String },
    /// No answer in time. For a create, the item may have been stored anyway.
    #[error(
        "SharePoint did not answer in time while {what} (after {retries} retries); raise \
         Timeout= in the SharePoint connection string or try again later"
    )]
    Timeout { what: String, retries: u32 },
    /// Graph answered with an error status.
    #[error("{}", http_text(.status, .what, .code, .message, .retries))]
    Http {
        status: u16,
        what: String,
        code: String,
        message: String,
        retries: u32,
    },
    /// An answer that does not have the documented shape.
    #[error("SharePoint sent an answer jiraql does not understand: {0}")]
    Protocol(String),
}

impl GraphError {
    /// The HTTP status, when Graph answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            GraphError::Http { status, .. } | GraphError::SignIn { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether a create that failed this way may nevertheless have been stored (a timeout, a
    /// dropped connection or a gateway error after the request was sent).
    pub fn outcome_unknown(&self) -> bool {
        match self {
            GraphError::Timeout { .. } | GraphError::Transport { .. } => true,
            GraphError::Http { status, .. } => matches!(status, 500 | 502 | 504),
            _ => false,
        }
    }

    /// Builds the error for a Graph error answer (`{"error": {"code", "message"}}`).
    pub(crate) fn from_answer(status: u16, what: String, body: &Value, retries: u32) -> Self {
        let error = body.get("error");
        let code = error
            .and_then(|e| e.get("code"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let message = error
            .and_then(|e| e.get("message"))
            .and_then(Value::as_str)
            .or_else(|| body.as_str())
            .map(|m| one_line(m, 400))
            .unwrap_or_default();
        GraphError::Http {
            status,
            what,
            code,
            message,
            retries,
        }
    }
}

fn http_text(status: &u16, what: &str, code: &str, message: &str, retries: &u32) -> String {
    let said = match (code.is_empty(), message.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!(" ({code})"),
        (true, false) => format!(": {message}"),
        (false, false) => format!(" ({code}): {message}"),
    };
    let hint = match status {
        401 => "; the token was refused: check the app registration and its credentials",
        403 => {
            "; the app lacks permission: grant Sites.ReadWrite.All (or Sites.Selected with write \
             access to this site) and have an admin consent"
        }
        404 => "; check the site address in URL= and the list's name",
        412 => "; the item changed since it was read: run the statement again",
        429 | 503 => "; SharePoint is throttling: run the job again later or lower BatchSize",
        _ => "",
    };
    let retried = if *retries > 0 {
        format!(" (after {retries} retries)")
    } else {
        String::new()
    };
    format!("SharePoint answered {status}{said} while {what}{retried}{hint}")
}
