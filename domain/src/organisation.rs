//! An organisation's own page (`/orgs/{ORG}`), as the server loads it for one of its members:
//! its API tokens and, for a manufacturer, its units and recalls. Plain data, so that the app
//! renders what the server read and checked.

/// An API token as the page lists it (never the token itself).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenLine {
    pub id: i64,
    pub name: String,
    /// The role it acts in (machine name).
    pub role: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A recall as its manufacturer's page lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecallLine {
    pub reference: String,
    pub model: String,
    pub serial_from: Option<String>,
    pub serial_to: Option<String>,
    pub defect: Option<String>,
    /// Machine names: a hazard, a remedy.
    pub risk: String,
    pub remedy: String,
    pub issued_on: String,
    pub closed_on: Option<String>,
    pub units: i64,
    pub remedied: i64,
}

/// An import of units from CSV, as it stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportLine {
    pub id: String,
    /// `running`, `done` or `failed`.
    pub state: String,
    pub total: usize,
    pub written: usize,
    pub seconds: f64,
    /// Why it failed (a problem's name).
    pub problem: Option<String>,
}

/// A bad row of a file that was not imported.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BadRow {
    pub line: u64,
    pub field: String,
    /// A problem's name.
    pub problem: String,
}

/// What a manufacturer's members see besides the tokens.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MakerPart {
    pub code: String,
    /// Its models: (code, name).
    pub models: Vec<(String, String)>,
    pub recalls: Vec<RecallLine>,
    /// The import shown (`?import=`), if any.
    pub import: Option<ImportLine>,
    /// The rows of a file just refused.
    pub bad_rows: Vec<BadRow>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub id: i64,
    pub name: String,
    /// Its kind (an organisation role's machine name).
    pub kind: String,
    /// The roles the viewer holds there (machine names).
    pub roles: Vec<String>,
    pub tokens: Vec<TokenLine>,
    /// A token just made: shown this once.
    pub new_token: Option<String>,
    pub maker: Option<MakerPart>,
    /// What was just done (`token_revoked`, `unit_registered`, `recall_issued`…).
    pub done: Option<String>,
    /// The robot a unit registration just registered.
    pub registered: Option<String>,
    /// The venues it runs, as (slug, name), by name.
    pub venues: Vec<(String, String)>,
}
