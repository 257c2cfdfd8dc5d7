//! The `tongban` binary's commands, run as a process against a SQLite data dir.

mod common;

use sea_orm::{ConnectionTrait, Statement};
use std::process::Command;

/// Runs the binary on the tests' instant (its clock starts there), not the wall clock.
fn tongban(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(args)
        .env("TONGBAN_CLOCK_START", common::test_start().to_rfc3339())
        .env("TONGBAN_DATA_DIR", dir)
        .env("TONGBAN_DEMO_PASSWORD", "Demo-pass-2026")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run tongban")
}

#[tokio::test]
async fn seed_then_verify_then_detect_tampering() {
    let dir = common::TempDir::new();
    let seeded = tongban(dir.path(), &["seed-demo"]);
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    assert!(String::from_utf8_lossy(&seeded.stdout).contains("admin"));
    let again = tongban(dir.path(), &["seed-demo"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing seeded"));

    let ok = tongban(dir.path(), &["audit", "verify"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));

    let db = server::db::connect(&server::config::sqlite_url(dir.path())).await.unwrap();
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "UPDATE audit_log SET detail = 'forged' WHERE seq = 1",
    ))
    .await
    .unwrap();
    let broken = tongban(dir.path(), &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("audit row 1 was edited"));

    let usage = tongban(dir.path(), &["frobnicate"]);
    assert_eq!(usage.status.code(), Some(2));
}

/// The seed is stamped with the clock's instant, not the machine's; a clock start that is
/// not an RFC 3339 time stops the binary before it touches the data dir, naming the variable.
#[tokio::test]
async fn the_clock_start_is_used_and_a_bad_one_refused() {
    use sea_orm::EntityTrait;
    let dir = common::TempDir::new();
    let seeded = tongban(dir.path(), &["seed-demo"]);
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let db = server::db::connect(&server::config::sqlite_url(dir.path())).await.unwrap();
    let admin = app::entities::users::Entity::find_by_id(1).one(&db).await.unwrap().unwrap();
    // The clock starts there and runs on: seeding takes well under a minute.
    let start = common::test_start();
    assert!(
        admin.created_at >= start && admin.created_at < start + chrono::Duration::minutes(1),
        "{}",
        admin.created_at
    );

    let fresh = common::TempDir::new();
    let bad = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(["migrate"])
        .env("TONGBAN_CLOCK_START", "next tuesday")
        .env("TONGBAN_DATA_DIR", fresh.path())
        .env_remove("DATABASE_URL")
        .output()
        .expect("run tongban");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("TONGBAN_CLOCK_START"), "{:?}", bad);
    assert!(std::fs::read_dir(fresh.path()).unwrap().next().is_none(), "nothing written");
}
