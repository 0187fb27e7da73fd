//! Outgoing mail, through `lettre`: SMTP when `SMTP_URL` is set; otherwise each message is
//! written as an `.eml` file under `MAIL_DIR` (`data/mail/`) and its subject and link are
//! logged, so that the demo works without a mail server. Links in mail start with the
//! registry's public origin.
//!
//! Messages are sent in the background ([`Mailer::send_later`]): the page answers at once and
//! the same whatever the message says or whether it could be sent, so that neither the answer
//! nor its timing tells a stranger whether an address has an account.

use crate::config::AccountSettings;
use anyhow::Context;
use lettre::message::{header::ContentType, Mailbox, Message};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;
use std::sync::Arc;

/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

#[derive(Clone)]
pub struct Mailer(Arc<Inner>);

struct Inner {
    transport: Transport,
    from: Mailbox,
    origin: String,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// One message: plain text, with the one link it is about.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub body: String,
    pub link: String,
}

impl Mailer {
    /// The mailer `settings` describe; links start with `origin`.
    pub fn new(settings: &AccountSettings, origin: &str) -> anyhow::Result<Mailer> {
        let transport = match &settings.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SMTP_URL is not a mail server's address (smtp://host:port or smtps://user:password@host)")?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&settings.mail_dir).with_context(|| {
                    format!(
                        "cannot create {} for outgoing mail (set MAIL_DIR, or SMTP_URL to send it)",
                        settings.mail_dir.display()
                    )
                })?;
                Transport::Files(
                    AsyncFileTransport::new(&settings.mail_dir),
                    settings.mail_dir.clone(),
                )
            }
        };
        Ok(Mailer(Arc::new(Inner {
            transport,
            from: settings
                .mail_from
                .parse()
                .context("MAIL_FROM is not a mail address")?,
            origin: origin.trim_end_matches('/').to_string(),
        })))
    }

    /// The address of `path` (with its query) on the registry, for a link in a message.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.0.origin)
    }

    /// Send `mail` now.
    pub async fn send(&self, mail: &Mail) -> anyhow::Result<()> {
        let to = Mailbox::new(
            Some(mail.to_name.clone()),
            mail.to.parse().context("not a mail address")?,
        );
        let message = Message::builder()
            .from(self.0.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .context("the message could not be built")?;
        match &self.0.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .context("the mail server refused the message")?;
                tracing::info!(subject = %mail.subject, "mail sent");
            }
            Transport::Files(files, dir) => {
                let id = files
                    .send(message)
                    .await
                    .context("the message could not be written")?;
                // The offline demo's way to a link: the file's name, the subject and the link.
                tracing::info!(
                    file = %dir.join(format!("{id}.eml")).display(),
                    subject = %mail.subject,
                    link = %mail.link,
                    "mail written"
                );
            }
        }
        Ok(())
    }

    /// Send `mail` in the background; a failure is logged (without the address).
    pub fn send_later(&self, mail: Mail) {
        let mailer = self.clone();
        tokio::spawn(async move {
            if let Err(e) = mailer.send(&mail).await {
                tracing::error!(error = %format!("{e:#}"), subject = %mail.subject, "a message could not be sent");
            }
        });
    }
}
