//! Why a request could not be done as asked, by machine name: the `code` of the API's errors
//! and the key of the words people read (`problem.{name}` in the app's translations). One list,
//! so that no name is said in one place and missing in another.

/// A reason a request was refused or failed, without words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    // A photo to read the codes from.
    TooLarge,
    NotAnImage,
    TooManyPixels,
    UnreadableImage,
    NoCodeFound,
    Busy,
    TooComplex,
    UploadStalled,
    // A code's text to judge.
    MissingCode,
    CodeTooLong,
    // A label image to draw.
    UnknownFormat,
    BadSize,
    BadId,
    NoLabel,
    // The registry.
    NotRegistered,
    Unavailable,
    // Who is asking.
    Unauthenticated,
    TooManyAttempts,
    WrongCredentials,
    // An account's details.
    BadEmail,
    WeakPassword,
    BadName,
    EmailTaken,
    MissingPassword,
    /// A link from a message that has expired or been used.
    BadLink,
    /// A form sent from another site (a forged request).
    CrossSite,
    /// A role that is not what the organisation is.
    WrongRole,
    /// No account with that e-mail address (for administrators only).
    NoSuchPerson,
    // An incident report.
    /// When it happened: missing, unreadable or in the future.
    BadTime,
    MissingPlace,
    MissingCategory,
    MissingSeverity,
    MissingDescription,
    TextTooLong,
    /// Contact by phone asked for, and no number.
    MissingPhone,
    MissingContact,
    TooManyPhotos,
    /// Nothing to add: no note and no photo.
    MissingNote,
    /// The signed-in person may not see or do this (or there is no such report: the same answer).
    NotAllowed,
    /// A step the report's workflow does not allow from where it stands.
    BadStep,
    MissingReason,
    AlreadyConfirmed,
    // Filing the lifecycle record: not the asker's to file (403).
    NotYourCode,
    NotOwner,
    NotOperator,
    NotEngaged,
    NotRegulator,
    NotFiler,
    NoFilingRole,
    // Filing: the record's rules forbid it now (409).
    RobotScrapped,
    NotSuspended,
    AlreadySuspended,
    RobotSuspended,
    NotDeployed,
    LeaseActive,
    NoLease,
    NotScrapped,
    AlreadyScrapped,
    AlreadyRegistered,
    ConfirmThroughReport,
    AlreadyRemedied,
    NotRecalled,
    // Filing: what was sent cannot be used.
    UnknownKind,
    BadDetails,
    BadParty,
    BadVenue,
    BadResult,
    BadDueDate,
    MissingWork,
    BadPart,
    BadVersion,
    BadRecall,
    BadReading,
    BadCorrection,
    BadTokenName,
    ReasonNeeded,
    // Provenance reports and their share codes.
    ShareCodeNeeded,
    BadShareCode,
    ShareCodeEnded,
    BadExpiry,
}

impl Problem {
    /// Every problem, for checks that each has its words.
    pub const ALL: [Problem; 80] = [
        Problem::TooLarge,
        Problem::NotAnImage,
        Problem::TooManyPixels,
        Problem::UnreadableImage,
        Problem::NoCodeFound,
        Problem::Busy,
        Problem::TooComplex,
        Problem::UploadStalled,
        Problem::MissingCode,
        Problem::CodeTooLong,
        Problem::UnknownFormat,
        Problem::BadSize,
        Problem::BadId,
        Problem::NoLabel,
        Problem::NotRegistered,
        Problem::Unavailable,
        Problem::Unauthenticated,
        Problem::TooManyAttempts,
        Problem::WrongCredentials,
        Problem::BadEmail,
        Problem::WeakPassword,
        Problem::BadName,
        Problem::EmailTaken,
        Problem::MissingPassword,
        Problem::BadLink,
        Problem::CrossSite,
        Problem::WrongRole,
        Problem::NoSuchPerson,
        Problem::BadTime,
        Problem::MissingPlace,
        Problem::MissingCategory,
        Problem::MissingSeverity,
        Problem::MissingDescription,
        Problem::TextTooLong,
        Problem::MissingPhone,
        Problem::MissingContact,
        Problem::TooManyPhotos,
        Problem::MissingNote,
        Problem::NotAllowed,
        Problem::BadStep,
        Problem::MissingReason,
        Problem::AlreadyConfirmed,
        Problem::NotYourCode,
        Problem::NotOwner,
        Problem::NotOperator,
        Problem::NotEngaged,
        Problem::NotRegulator,
        Problem::NotFiler,
        Problem::NoFilingRole,
        Problem::RobotScrapped,
        Problem::NotSuspended,
        Problem::AlreadySuspended,
        Problem::RobotSuspended,
        Problem::NotDeployed,
        Problem::LeaseActive,
        Problem::NoLease,
        Problem::NotScrapped,
        Problem::AlreadyScrapped,
        Problem::AlreadyRegistered,
        Problem::ConfirmThroughReport,
        Problem::AlreadyRemedied,
        Problem::NotRecalled,
        Problem::UnknownKind,
        Problem::BadDetails,
        Problem::BadParty,
        Problem::BadVenue,
        Problem::BadResult,
        Problem::BadDueDate,
        Problem::MissingWork,
        Problem::BadPart,
        Problem::BadVersion,
        Problem::BadRecall,
        Problem::BadReading,
        Problem::BadCorrection,
        Problem::BadTokenName,
        Problem::ReasonNeeded,
        Problem::ShareCodeNeeded,
        Problem::BadShareCode,
        Problem::ShareCodeEnded,
        Problem::BadExpiry,
    ];

    /// The stable machine name (the API's `error.code`).
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::TooLarge => "too_large",
            Problem::NotAnImage => "not_an_image",
            Problem::TooManyPixels => "too_many_pixels",
            Problem::UnreadableImage => "unreadable_image",
            Problem::NoCodeFound => "no_code_found",
            Problem::Busy => "busy",
            Problem::TooComplex => "too_complex",
            Problem::UploadStalled => "upload_stalled",
            Problem::MissingCode => "missing_code",
            Problem::CodeTooLong => "code_too_long",
            Problem::UnknownFormat => "unknown_format",
            Problem::BadSize => "bad_size",
            Problem::BadId => "bad_id",
            Problem::NoLabel => "no_label",
            Problem::NotRegistered => "not_registered",
            Problem::Unavailable => "unavailable",
            Problem::Unauthenticated => "unauthenticated",
            Problem::TooManyAttempts => "too_many_attempts",
            Problem::WrongCredentials => "wrong_credentials",
            Problem::BadEmail => "bad_email",
            Problem::WeakPassword => "weak_password",
            Problem::BadName => "bad_name",
            Problem::EmailTaken => "email_taken",
            Problem::MissingPassword => "missing_password",
            Problem::BadLink => "bad_link",
            Problem::CrossSite => "cross_site",
            Problem::WrongRole => "wrong_role",
            Problem::NoSuchPerson => "no_such_person",
            Problem::BadTime => "bad_time",
            Problem::MissingPlace => "missing_place",
            Problem::MissingCategory => "missing_category",
            Problem::MissingSeverity => "missing_severity",
            Problem::MissingDescription => "missing_description",
            Problem::TextTooLong => "text_too_long",
            Problem::MissingPhone => "missing_phone",
            Problem::MissingContact => "missing_contact",
            Problem::TooManyPhotos => "too_many_photos",
            Problem::MissingNote => "missing_note",
            Problem::NotAllowed => "not_allowed",
            Problem::BadStep => "bad_step",
            Problem::MissingReason => "missing_reason",
            Problem::AlreadyConfirmed => "already_confirmed",
            Problem::NotYourCode => "not_your_code",
            Problem::NotOwner => "not_owner",
            Problem::NotOperator => "not_operator",
            Problem::NotEngaged => "not_engaged",
            Problem::NotRegulator => "not_regulator",
            Problem::NotFiler => "not_filer",
            Problem::NoFilingRole => "no_filing_role",
            Problem::RobotScrapped => "robot_scrapped",
            Problem::NotSuspended => "not_suspended",
            Problem::AlreadySuspended => "already_suspended",
            Problem::RobotSuspended => "robot_suspended",
            Problem::NotDeployed => "not_deployed",
            Problem::LeaseActive => "lease_active",
            Problem::NoLease => "no_lease",
            Problem::NotScrapped => "not_scrapped",
            Problem::AlreadyScrapped => "already_scrapped",
            Problem::AlreadyRegistered => "already_registered",
            Problem::ConfirmThroughReport => "confirm_through_report",
            Problem::AlreadyRemedied => "already_remedied",
            Problem::NotRecalled => "not_recalled",
            Problem::UnknownKind => "unknown_kind",
            Problem::BadDetails => "bad_details",
            Problem::BadParty => "bad_party",
            Problem::BadVenue => "bad_venue",
            Problem::BadResult => "bad_result",
            Problem::BadDueDate => "bad_due_date",
            Problem::MissingWork => "missing_work",
            Problem::BadPart => "bad_part",
            Problem::BadVersion => "bad_version",
            Problem::BadRecall => "bad_recall",
            Problem::BadReading => "bad_reading",
            Problem::BadCorrection => "bad_correction",
            Problem::BadTokenName => "bad_token_name",
            Problem::ReasonNeeded => "reason_needed",
            Problem::ShareCodeNeeded => "share_code_needed",
            Problem::BadShareCode => "bad_share_code",
            Problem::ShareCodeEnded => "share_code_ended",
            Problem::BadExpiry => "bad_expiry",
        }
    }

    /// The problem named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Problem> {
        Problem::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_distinct_and_reads_back() {
        let mut names: Vec<_> = Problem::ALL.iter().map(|p| p.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Problem::ALL.len());
        for p in Problem::ALL {
            assert_eq!(Problem::from_name(p.as_str()), Some(p));
        }
        assert_eq!(Problem::from_name("nothing"), None);
    }
}
