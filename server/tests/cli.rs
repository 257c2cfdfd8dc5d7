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
