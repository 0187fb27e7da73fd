//! `robopass`: serve the portal, load demo data, list demo IDs, check the record.
#![recursion_limit = "512"]

use clap::{Parser, Subcommand};
use registry::{services, Database};
use server::config::Config;
use server::startup::Application;
use std::io::IsTerminal;

// Rendering pages allocates many small strings; mimalloc handles that with less contention
// between threads than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "robopass",
    about = "Robot Passport: the public verification portal for humanoid-robot IDs"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default). Fills an empty registry with DEMO_ROBOTS demo robots first.
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Fill an empty registry with the deterministic demo data.
    Seed {
        /// How many robots to generate.
        #[arg(long, default_value_t = 28_000)]
        robots: u64,
    },
    /// Make a new label-signing key; the old one goes on verifying the labels it signed.
    RotateKey,
    /// Print demo IDs as JSON lines: one per status, or N of mixed statuses with --limit.
    DemoIds {
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Read the QR codes in a photo given on standard input (used by the server, one process a
    /// photo, so that a photo that takes too long can be stopped).
    #[command(hide = true)]
    DecodePhoto {
        /// CPU time the reading may take, in milliseconds.
        cpu_ms: u64,
    },
    /// Check every robot's lifecycle record (or one robot's) against its hash chain; exits
    /// non-zero naming each record that was changed behind the portal's back.
    Verify {
        /// Check only this robot.
        #[arg(long)]
        robot: Option<String>,
    },
    /// Print the demo registry's accounts as JSON lines (role, email, password, org): one for
    /// each role, a citizen and a buyer.
    DemoAccounts,
    /// Print the demo share codes as JSON lines (id, code, state): valid, expired, revoked.
    DemoShareCodes,
    /// For demonstrations: rewrite one entry of one of the demo owner's robots directly in the
    /// database, so that its provenance report and `robopass verify` show a broken record.
    DemoTamper,
    /// People's accounts, for administrators.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Write brotli copies of the built site's files (LEPTOS_SITE_ROOT), served to browsers
    /// that take them; `make build` runs it.
    Precompress,
}

#[derive(clap::Subcommand, Debug)]
enum UserAction {
    /// Give a person a role at an organisation, making their account first if there is none
    /// (its password read from standard input, its address counted as confirmed).
    Add {
        #[arg(long)]
        email: String,
        /// The organisation's number or its name.
        #[arg(long)]
        org: String,
        /// operator, venue, manufacturer, service_provider, recycler or regulator: what the
        /// organisation is.
        #[arg(long)]
        role: String,
        /// The name shown for a new account (the address's local part when not given).
        #[arg(long)]
        name: Option<String>,
    },
}

/// A progress bar of `len` steps, drawn on standard error when it is a terminal; `what` names
/// the steps ("seeding … robots").
fn progress_bar(len: u64, doing: &str, what: &str) -> anyhow::Result<indicatif::ProgressBar> {
    let bar = indicatif::ProgressBar::new(len);
    if std::io::stderr().is_terminal() {
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{spinner}} {doing} [{{bar:40}}] {{pos}}/{{len}} {what} ({{per_sec}}, {{eta}} left)"
            ))?
            .progress_chars("=> "),
        );
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    Ok(bar)
}

async fn seed(
    database: &Database,
    keys: &registry::labels::Keyring,
    robots: u64,
) -> anyhow::Result<()> {
    let bar = progress_bar(robots, "seeding", "robots")?;
    let started = std::time::Instant::now();
    let report = registry::seed::seed(database, robots, &|done| bar.set_position(done)).await?;
    registry::demo_accounts::seed_share_codes(database, keys).await?;
    bar.finish_and_clear();
    tracing::info!(
        robots = report.robots,
        entries = report.entries,
        seconds = started.elapsed().as_secs_f64(),
        "demo registry loaded"
    );
    Ok(())
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    if let Some(Command::DecodePhoto { cpu_ms }) = cli.command {
        // No runtime, no settings, no logging: a child reads one photo and exits.
        return Ok(server::scan::decode_child(cpu_ms));
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve_or_run(cli))
}

async fn serve_or_run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    server::telemetry::init();
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let demo = config.demo_robots;
            let application = Application::build(config).await?;
            let registry = &application.state.registry;
            if demo > 0 && registry.database().is_empty().await? {
                tracing::info!(robots = demo, "empty registry: loading demo data");
                seed(registry.database(), registry.keys(), demo).await?;
            }
            tracing::info!(addr = %application.addr, "serving Robot Passport on http://{}", application.addr);
            application.run_until_stopped().await?;
        }
        Command::RotateKey => {
            let (old, new) = server::keys::rotate(&config)?;
            println!("label signing key rotated: {old} is retired (still verifies), {new} signs new labels");
            println!("restart the portal to sign with the new key");
        }
        // Handled in `main`, before a runtime is started.
        Command::DecodePhoto { .. } => {}
        Command::Precompress => {
            let written = server::assets::precompress(std::path::Path::new(&config.site_root))?;
            println!("{written} brotli copies written under {}", config.site_root);
        }
        Command::Migrate => {
            Database::open(&config.database_url, Some(1)).await?;
        }
        Command::Seed { robots } => {
            let keys = server::keys::load(&config)?;
            let database = Database::open(&config.database_url, Some(4)).await?;
            seed(&database, &keys, robots).await?;
        }
        Command::DemoIds { limit } => {
            let database = Database::open(&config.database_url, Some(4)).await?;
            let today = services::today();
            let ids = match limit {
                Some(n) => services::sample_ids(&database, n, &today).await?,
                None => services::demo_ids_per_status(&database, &today).await?,
            };
            let mut lines: Vec<String> = ids
                .iter()
                .map(|(status, id)| {
                    serde_json::json!({ "status": status.as_str(), "id": id.as_str() }).to_string()
                })
                .collect();
            if limit.is_none() {
                // A well-formed ID one misread character away from a registered one.
                if let Some(near) = ids.first().and_then(|(_, id)| {
                    let n = id.confusable_neighbours();
                    n.into_iter().next()
                }) {
                    let registered =
                        services::registered_among(&database, std::slice::from_ref(&near)).await?;
                    if registered.is_empty() {
                        lines.push(
                            serde_json::json!({ "status": "not_registered", "id": near.as_str() })
                                .to_string(),
                        );
                    }
                }
            }
            print_lines(&lines)?;
        }
        Command::Verify { robot } => return verify(&config, robot.as_deref()).await,
        Command::DemoAccounts => {
            let database = Database::open(&config.database_url, Some(2)).await?;
            let lines: Vec<String> = registry::demo_accounts::list(&database)
                .await?
                .iter()
                .map(|a| serde_json::to_string(a).unwrap_or_default())
                .collect();
            print_lines(&lines)?;
        }
        Command::DemoShareCodes => {
            let database = Database::open(&config.database_url, Some(2)).await?;
            let lines: Vec<String> = registry::demo_accounts::share_codes(&database)
                .await?
                .iter()
                .map(|c| serde_json::to_string(c).unwrap_or_default())
                .collect();
            print_lines(&lines)?;
        }
        Command::DemoTamper => {
            let database = Database::open(&config.database_url, Some(2)).await?;
            match registry::demo_accounts::tamper(&database).await? {
                Some((id, seq)) => {
                    print_lines(&[serde_json::json!({ "id": id, "entry": seq }).to_string()])?;
                    eprintln!("entry {seq} of {id} rewritten behind the portal's back: open its provenance report, or run `robopass verify --robot {id}`");
                }
                None => anyhow::bail!("this registry has no demo owner's robot to tamper with (load the demo data first)"),
            }
        }
        Command::User {
            action:
                UserAction::Add {
                    email,
                    org,
                    role,
                    name,
                },
        } => user_add(&config, &email, &org, &role, name.as_deref()).await?,
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// `robopass user add`: the account (made when missing, its password from standard input),
/// then the role at the organisation.
async fn user_add(
    config: &Config,
    email: &str,
    org: &str,
    role: &str,
    name: Option<&str>,
) -> anyhow::Result<()> {
    use domain::vocabulary::{OrgRole, Word};
    use registry::accounts;
    let role = OrgRole::from_name(role).ok_or_else(|| {
        anyhow::anyhow!("--role must be one of operator, venue, manufacturer, service_provider, recycler, regulator (not {role:?})")
    })?;
    let database = Database::open(&config.database_url, Some(2)).await?;
    let mut orgs = accounts::organisations_named(&database, org).await?;
    let org = match orgs.len() {
        0 => anyhow::bail!("no organisation is numbered or named {org:?}"),
        1 => orgs.remove(0),
        n => {
            let listed: Vec<String> = orgs
                .iter()
                .map(|o| format!("{} ({})", o.id, o.name))
                .collect();
            anyhow::bail!(
                "{n} organisations are named {org:?}; give its number: {}",
                listed.join(", ")
            )
        }
    };
    if org.kind != role {
        anyhow::bail!(
            "{} is a {} organisation; its people can only hold the role {}",
            org.name,
            org.kind.name(),
            org.kind.name()
        );
    }
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    let name = name
        .map(str::to_string)
        .unwrap_or_else(|| email.trim().split('@').next().unwrap_or("").to_string());
    match accounts::add_person(&database, email, &name, password, true).await {
        Ok(_) => eprintln!("account made for {}", email.trim()),
        Err(e) if e.code() == "email_taken" => {
            eprintln!(
                "{} has an account already; its password is unchanged",
                email.trim()
            )
        }
        Err(e) => anyhow::bail!("{}", cli_words(&e)),
    }
    accounts::grant(&database, email, &org, role)
        .await
        .map_err(|e| anyhow::anyhow!("{}", cli_words(&e)))?;
    eprintln!(
        "{} is now {} at {} ({})",
        email.trim(),
        role.name(),
        org.name,
        org.id
    );
    Ok(())
}

/// A registry error in English, for the command line.
fn cli_words(e: &registry::Error) -> String {
    app::i18n::words::error_message(domain::Lang::En, e)
}

/// `robopass verify [--robot ID]`: every chain checked, with a progress bar on a terminal; each
/// broken record named on standard output, and the exit code says whether there was one.
async fn verify(config: &Config, robot: Option<&str>) -> anyhow::Result<std::process::ExitCode> {
    let only = robot
        .map(|r| domain::RobotId::parse(r).map_err(|e| anyhow::anyhow!("--robot {r:?}: {e}")))
        .transpose()?;
    let database = Database::open(&config.database_url, Some(4)).await?;
    let total = match &only {
        Some(_) => 1,
        None => database.robot_count().await?.max(0) as u64,
    };
    let bar = progress_bar(total, "checking", "records")?;
    let broken =
        registry::record::check(&database, only.as_ref(), &|done| bar.set_position(done)).await?;
    bar.finish_and_clear();
    let lines: Vec<String> = broken
        .iter()
        .map(|(id, why)| format!("{id}: broken record: {why}"))
        .collect();
    print_lines(&lines)?;
    if broken.is_empty() {
        eprintln!("{total} records checked: every chain is whole");
        Ok(std::process::ExitCode::SUCCESS)
    } else {
        eprintln!("{total} records checked: {} broken", broken.len());
        Ok(std::process::ExitCode::FAILURE)
    }
}

/// `lines` on standard output, one a line. A reader that stops early (`robopass demo-ids | head`)
/// ends the output quietly: that is not an error, and `println!` would panic on it.
fn print_lines(lines: &[String]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for line in lines {
        match writeln!(out, "{line}") {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
