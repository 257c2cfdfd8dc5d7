//! `tongban`: the one binary. `serve` (default), `migrate`, `seed-demo`, `audit verify`.

use server::config::{Config, load_or_create_secret, secure_data_dir, secure_database_files, write_private};
use server::{RouterOptions, app_state, db, leptos_options, router_for, seed, spawn_cleanup, spawn_workers};
use std::net::SocketAddr;
use std::process::ExitCode;

const USAGE: &str = "usage: tongban [serve [--demo] | migrate | seed-demo | audit verify]

  serve         apply migrations and serve; an empty database gets one administrator, `admin`,
                whose one-time password is written to initial-admin-password.txt in the data
                dir (readable by the server's user only) and must be changed at first sign-in
  serve --demo  the same, but an empty database gets the demo organisation instead
  migrate       apply pending schema migrations and exit
  seed-demo     seed the demo organisation (only into a database without accounts)
  audit verify  check the audit log's hash chain; exits 1 naming the first broken row

environment: TONGBAN_DATA_DIR (./data), DATABASE_URL (SQLite in the data dir),
  TONGBAN_ADDR (127.0.0.1:3000), TONGBAN_DEMO=1 (as --demo), TONGBAN_DEMO_PASSWORD, TONGBAN_SECURE_COOKIES,
  TONGBAN_TRUST_PROXY, TONGBAN_MAX_BODY_BYTES, TONGBAN_SECRET_KEY, TONGBAN_LOG_FORMAT=json,
  TONGBAN_CLOCK_START (tests and demonstrations: the clock starts at this RFC 3339 time)";

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_sessions=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    if json {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    if matches!(words.first(), Some(&("help" | "--help" | "-h"))) {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let mut config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(config.json_logs);
    if let Some(t) = config.clock_start {
        tracing::warn!(start = %t, "TONGBAN_CLOCK_START is set: the clock starts at this instant, not at the system time");
    }
    let clock = config.clock();
    let result = match words.as_slice() {
        [] | ["serve"] => serve(config, clock).await,
        ["serve", "--demo"] => {
            config.demo = true;
            serve(config, clock).await
        }
        ["migrate"] => open(&config, &clock).await.map(|_| println!("migrations applied")),
        ["seed-demo"] => seed_demo(&config, &clock).await,
        ["audit", "verify"] => return audit_verify(&config).await,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Connects and applies migrations.
async fn open(config: &Config, clock: &app::ctx::Clock) -> Result<app::ctx::Db, String> {
    // The data directory holds the database, the secret key and the uploads: the server's
    // user only.
    secure_data_dir(&config.data_dir)?;
    let conn = app::ctx::Db::new(db::connect(&config.database_url).await.map_err(|e| format!("database: {e}"))?);
    db::migrate(&conn).await.map_err(|e| format!("migrations: {e}"))?;
    if config.is_sqlite() {
        secure_database_files(&config.data_dir)?;
    }
    app::org::server::ensure_builtin_roles(&conn, clock.now()).await.map_err(|e| e.to_string())?;
    Ok(conn)
}

/// Seeds the demo organisation and says how to sign in.
async fn seed_and_report(config: &Config, conn: &app::ctx::Db, clock: &app::ctx::Clock) -> Result<bool, String> {
    let (password, generated) = match &config.demo_password {
        Some(p) => (p.clone(), false),
        None => (seed::generate_password(), true),
    };
    // A generated shared password is printed; each demo user then chooses their own. One the
    // operator gave explicitly is theirs to keep.
    if !seed::seed_demo(conn, &password, clock.now(), generated).await.map_err(|e| e.to_string())? {
        return Ok(false);
    }
    let url = format!("http://{}", config.addr);
    let shown = if generated {
        format!("{password} (each user chooses their own at the first sign-in)")
    } else {
        "(the value of TONGBAN_DEMO_PASSWORD)".to_owned()
    };
    let text = format!(
        "Tongban demo organisation seeded.\n  Sign in at {url}\n  username: admin (IT administrator); employees: zhang.wei, li.na, wang.fang, chen.jing, liu.yang, …\n  password (every demo user): {shown}\n"
    );
    println!("\n{text}");
    if generated && config.is_sqlite() {
        let path = config.data_dir.join("demo-credentials.txt");
        write_private(&path, &text)?;
        println!("  (also written to {})\n", path.display());
    }
    Ok(true)
}

async fn seed_demo(config: &Config, clock: &app::ctx::Clock) -> Result<(), String> {
    let conn = open(config, clock).await?;
    if !seed_and_report(config, &conn, clock).await? {
        println!("the database already has accounts; nothing seeded");
    }
    app::workflow::builtin::ensure_builtin_templates(&conn, clock.now()).await.map_err(|e| e.to_string())?;
    Ok(())
}

async fn audit_verify(config: &Config) -> ExitCode {
    let conn = match db::connect(&config.database_url).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("database: {e}");
            return ExitCode::from(2);
        }
    };
    match app::audit::server::verify_chain(&conn).await {
        Ok(n) => {
            println!("audit log intact: {n} rows verified");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("AUDIT CHAIN BROKEN: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config, clock: app::ctx::Clock) -> Result<(), String> {
    let conn = open(&config, &clock).await?;
    if seed::is_empty(&conn).await.map_err(|e| e.to_string())? {
        if config.demo {
            seed_and_report(&config, &conn, &clock).await?;
        } else if let Some(password) = seed::seed_first_admin(&conn, clock.now()).await.map_err(|e| e.to_string())? {
            // Never to the terminal or the log: they end up in places others read.
            let path = config.data_dir.join("initial-admin-password.txt");
            write_private(
                &path,
                &format!(
                    "Tongban's first administrator\n  username: admin\n  one-time password: {password}\nIt must be changed at the first sign-in. Delete this file afterwards.\n"
                ),
            )?;
            println!(
                "\nTongban has one administrator, `admin`. Its one-time password is in {} (readable by this user only);\nit must be changed at the first sign-in. (For the demo organisation instead: tongban serve --demo.)\n",
                path.display()
            );
        }
    }
    app::workflow::builtin::ensure_builtin_templates(&conn, clock.now()).await.map_err(|e| e.to_string())?;
    let secret = load_or_create_secret(&config.data_dir)?;
    let mut options = leptos_options()?;
    options.site_addr = config.addr;
    let opts = RouterOptions {
        secure_cookies: config.secure_cookies,
        trust_proxy: config.trust_proxy,
        max_body_bytes: config.max_body_bytes,
        secret,
        data_dir: config.data_dir.clone(),
        max_upload_bytes: config.max_upload_bytes,
        smtp: config.smtp.clone(),
    };
    server::assets::precompress(std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref()));
    let state = app_state(conn, options, &opts, clock);
    let app = router_for(state.clone(), &opts);
    spawn_cleanup(state.clone());
    spawn_workers(state);
    let listener = tokio::net::TcpListener::bind(config.addr).await.map_err(|e| format!("{}: {e}", config.addr))?;
    tracing::info!(addr = %config.addr, database = if config.is_sqlite() { "sqlite" } else { "postgres" }, "Tongban listening");
    println!("Tongban is running at http://{}", config.addr);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
