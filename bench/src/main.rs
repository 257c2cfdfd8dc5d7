//! The workflow load generator (issue 3's benchmark). Starts a real `tongban` server (the
//! release binary) on SQLite or PostgreSQL, seeds users and a three-approver template
//! through the API, then drives complete instances over `/api/v1` — submit, then three
//! approvals — from many concurrent clients, each on its own keep-alive connection.
//! Reports completed instances/s, requests/s, latency percentiles and the server's peak RSS,
//! writes them as JSON to `bench/results/<backend>.json` and into the README between the
//! `bench:workflow` markers.
//!
//! `cargo run --release -p bench -- [sqlite|postgres] [--instances N] [--concurrency C]`
//!
//! With `todo` (issue 4's benchmark) it instead fills the database with `--tasks N` open
//! tasks (default 100 000, spread over ten approvers by ten templates) and measures the
//! server render of the to-do page `/approvals` (the whole HTML document, as a browser's
//! first request gets it) for one approver, 500 times in a row after a warm-up; figures go
//! to `bench/results/todo-<backend>.json` and the README's `bench:todo` markers.
//! Before timing it waits until the background work the filing started (each task's
//! notification, written by the outbox workers) is done, and it also times the list and the
//! counts through the JSON API alone, to tell the data from the render. On PostgreSQL it runs
//! `VACUUM ANALYZE` first, as autovacuum would after a bulk load. `--keep` leaves the
//! data directory (or PostgreSQL database) in place and prints the viewer's token.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Bench-pass-2026";
const REQUESTERS: usize = 40;

struct Args {
    mode: String,
    tasks: usize,
    backend: String,
    instances: usize,
    concurrency: usize,
    binary: PathBuf,
    /// Keep the data directory (or PostgreSQL database) for looking at afterwards.
    keep: bool,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        mode: "workflow".into(),
        tasks: 100_000,
        backend: "sqlite".into(),
        instances: 20_000,
        concurrency: 32,
        binary: release_binary(),
        keep: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "sqlite" | "postgres" => a.backend = x,
            "workflow" | "todo" => a.mode = x,
            "--tasks" => a.tasks = it.next().and_then(|v| v.parse().ok()).ok_or("--tasks N")?,
            "--instances" => a.instances = it.next().and_then(|v| v.parse().ok()).ok_or("--instances N")?,
            "--concurrency" => a.concurrency = it.next().and_then(|v| v.parse().ok()).ok_or("--concurrency C")?,
            "--binary" => a.binary = it.next().map(PathBuf::from).ok_or("--binary PATH")?,
            "--keep" => a.keep = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

/// One keep-alive HTTP/1.1 connection to the server.
struct Conn {
    tx: SendRequest<Full<Bytes>>,
    addr: SocketAddr,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Result<Self, String> {
        let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (tx, conn) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        Ok(Self { tx, addr })
    }

    async fn call(
        &mut self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), String> {
        match self.call_once(method.clone(), path, auth, body).await {
            Err(e) if e.contains("canceled") || e.contains("closed") => {
                // The server closed the keep-alive connection before the request went out.
                *self = Self::open(self.addr).await?;
                self.call_once(method, path, auth, body).await
            }
            r => r,
        }
    }

    async fn call_once(
        &mut self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), String> {
        if self.tx.ready().await.is_err() {
            *self = Self::open(self.addr).await?;
        }
        let mut b = Request::builder().method(method).uri(path).header("host", self.addr.to_string());
        if let Some(t) = auth {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(v.to_string())))
                .map_err(|e| e.to_string())?,
            None => b.body(Full::new(Bytes::new())).map_err(|e| e.to_string())?,
        };
        let res = self.tx.send_request(req).await.map_err(|e| e.to_string())?;
        let status = res.status();
        let bytes = res.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
        let v = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        Ok((status, v))
    }
}

impl Conn {
    /// A GET with a bearer token, answering the status and the body as text.
    async fn get_text(&mut self, path: &str, auth: &str) -> Result<(StatusCode, String), String> {
        if self.tx.ready().await.is_err() {
            *self = Self::open(self.addr).await?;
        }
        let req = Request::builder()
            .uri(path)
            .header("host", self.addr.to_string())
            .header("authorization", format!("Bearer {auth}"))
            .header("accept", "text/html")
            .body(Full::new(Bytes::new()))
            .map_err(|e| e.to_string())?;
        let res = self.tx.send_request(req).await.map_err(|e| e.to_string())?;
        let status = res.status();
        let bytes = res.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    }
}

/// Issue 4: the to-do page rendered with `tasks` open tasks in the database.
async fn todo_bench(
    addr: SocketAddr,
    conn: &mut Conn,
    a: &Args,
    root: &Path,
    pid: u32,
    pg: Option<&str>,
) -> Result<(), String> {
    const APPROVERS: usize = 10;
    let admin = token_for(conn, "admin").await?;
    let mut approvers = Vec::new();
    for i in 1..=APPROVERS {
        let (id, t) = user_with_token(conn, &admin, &format!("bench.todo{i}"), None).await?;
        expect(
            conn,
            Method::POST,
            "/api/v1/templates",
            Some(&admin),
            Some(&json!({"key": format!("bench_todo{i}"), "name": format!("压测审批{i}"), "form": {"fields": [
                {"key": "subject", "label": "事项", "type": "text", "required": true},
                {"key": "amount", "label": "金额", "type": "money", "required": true}]},
                "flow": {"nodes": [{"type": "approver", "id": "a1", "name": "审批",
                                    "rule": {"kind": "users", "ids": [id]}}]}})),
            StatusCode::CREATED,
        )
        .await?;
        approvers.push(t);
    }
    let mut requesters = Vec::new();
    for i in 0..REQUESTERS {
        requesters.push(user_with_token(conn, &admin, &format!("bench.req{i}"), None).await?.1);
    }
    eprintln!("filing {} requests ({} open tasks each for {APPROVERS} approvers)", a.tasks, a.tasks / APPROVERS);
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let errors = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let fill = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for w in 0..a.concurrency {
        let (next, errors, requesters, total) = (next.clone(), errors.clone(), requesters.clone(), a.tasks);
        set.spawn(async move {
            let Ok(mut c) = Conn::open(addr).await else { return };
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= total {
                    break;
                }
                if n % 10_000 == 0 {
                    eprintln!("  {n}");
                }
                let form = json!({"template_key": format!("bench_todo{}", n % APPROVERS + 1),
                                  "form": {"subject": format!("压测事项 {n}"), "amount": format!("{}.50", n % 9000 + 100)}});
                match c.call(Method::POST, "/api/v1/instances", Some(&requesters[(n + w) % requesters.len()]), Some(&form)).await {
                    Ok((StatusCode::CREATED, _)) => {}
                    _ => {
                        errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
        });
    }
    while set.join_next().await.is_some() {}
    let fill_secs = fill.elapsed().as_secs_f64();
    let fill_errors = errors.load(std::sync::atomic::Ordering::Relaxed);
    // Let the background work the filing started (a notification per task, written by the
    // outbox workers) finish first: the figure is for a settled server, not one catching up.
    let per = (a.tasks - fill_errors) / APPROVERS;
    let settle = Instant::now();
    loop {
        let mut behind = 0;
        for t in &approvers {
            let (_, c) = conn.call(Method::GET, "/api/v1/tasks/counts", Some(t), None).await?;
            if c["notifications_unread"].as_u64().unwrap_or(0) < per as u64 {
                behind += 1;
            }
        }
        if behind == 0 {
            break;
        }
        if settle.elapsed() > Duration::from_secs(1200) {
            return Err(format!("notifications of {behind} approvers still not written after 20 minutes"));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let settle_secs = settle.elapsed().as_secs_f64();
    eprintln!("settled after {settle_secs:.1} s");
    if let Some(db) = pg {
        // What autovacuum does on its own in a default deployment after a bulk load: fresh
        // planner statistics and a visibility map (so counts are index-only). This
        // machine's PostgreSQL runs with autovacuum off, so the bench does it once.
        vacuum_analyze(db).await?;
    }
    if a.keep {
        eprintln!("viewer token: {}", approvers[0]);
    }
    let me = &approvers[0];
    // The parts of a render on their own, through the JSON API: the list and the counts.
    let mut api_list = Vec::new();
    let mut api_counts = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        expect(conn, Method::GET, "/api/v1/tasks?box=todo", Some(me), None, StatusCode::OK).await?;
        api_list.push(t.elapsed().as_micros() as u64);
        let t = Instant::now();
        expect(conn, Method::GET, "/api/v1/tasks/counts", Some(me), None, StatusCode::OK).await?;
        api_counts.push(t.elapsed().as_micros() as u64);
    }
    api_list.sort_unstable();
    api_counts.sort_unstable();
    let (status, html) = conn.get_text("/approvals", me).await?;
    let rows = html.matches("class=\"inbox-row").count();
    if status != StatusCode::OK || rows == 0 {
        return Err(format!("/approvals answered {status} with {rows} rows"));
    }
    for _ in 0..30 {
        conn.get_text("/approvals", me).await?;
    }
    let mut lat = Vec::new();
    for i in 0..500 {
        // Alternate the first page and a later one, as people page through.
        let path = if i % 5 == 4 { "/approvals?box=todo&page=40" } else { "/approvals" };
        let t = Instant::now();
        let (s, _) = conn.get_text(path, me).await?;
        lat.push(t.elapsed().as_micros() as u64);
        if s != StatusCode::OK {
            return Err(format!("{path}: {s}"));
        }
    }
    lat.sort_unstable();
    let out = json!({
        "backend": a.backend,
        "date": run_date(),
        "tasks_in_database": a.tasks - fill_errors,
        "todo_of_the_viewer": a.tasks / APPROVERS,
        "rows_per_page": rows,
        "html_bytes": html.len(),
        "fill_seconds": (fill_secs * 10.0).round() / 10.0,
        "settle_seconds": (settle_secs * 10.0).round() / 10.0,
        "api_tasks_todo_ms": {"p50": percentile(&api_list, 0.50), "p99": percentile(&api_list, 0.99)},
        "api_task_counts_ms": {"p50": percentile(&api_counts, 0.50), "p99": percentile(&api_counts, 0.99)},
        "render_ms": {"p50": percentile(&lat, 0.50), "p90": percentile(&lat, 0.90), "p99": percentile(&lat, 0.99), "max": percentile(&lat, 1.0)},
        "server_peak_rss_mib": peak_rss_kib(pid).map(|k| (k as f64 / 1024.0 * 10.0).round() / 10.0),
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    });
    save_results(root, &format!("todo-{}", a.backend), &out)?;
    let line = format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} |",
        a.backend,
        out["date"].as_str().unwrap_or_default(),
        out["tasks_in_database"],
        out["todo_of_the_viewer"],
        out["render_ms"]["p50"],
        out["render_ms"]["p99"],
        out["html_bytes"],
        out["server_peak_rss_mib"],
    );
    write_readme(root, &format!("todo:{}", a.backend), &line)?;
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(())
}

async fn expect(
    conn: &mut Conn,
    method: Method,
    path: &str,
    auth: Option<&str>,
    body: Option<&Value>,
    want: StatusCode,
) -> Result<Value, String> {
    let (s, v) = conn.call(method.clone(), path, auth, body).await?;
    if s == want { Ok(v) } else { Err(format!("{method} {path}: {s} {v}")) }
}

/// The server's peak resident set (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(38_123)
}

/// Runs one SQL statement with `psql` against the local PostgreSQL.
async fn psql(db: &str, sql: &str) -> Result<(), String> {
    let out = tokio::process::Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", db, "-c", sql])
        .output()
        .await
        .map_err(|e| format!("psql: {e}"))?;
    if out.status.success() { Ok(()) } else { Err(format!("{sql}: {}", String::from_utf8_lossy(&out.stderr))) }
}

async fn create_pg_database() -> Result<String, String> {
    let name = format!("tb_bench_{}", uuid::Uuid::new_v4().simple());
    psql("postgres", &format!("CREATE DATABASE {name}")).await?;
    Ok(name)
}

async fn vacuum_analyze(name: &str) -> Result<(), String> {
    psql(name, "VACUUM ANALYZE").await
}

async fn drop_pg_database(name: &str) {
    let _ = psql("postgres", &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
}

/// Creates a user through the API and returns a personal API token for it.
async fn user_with_token(
    conn: &mut Conn,
    admin: &str,
    username: &str,
    manager: Option<i64>,
) -> Result<(i64, String), String> {
    let u = expect(
        conn,
        Method::POST,
        "/api/v1/users",
        Some(admin),
        Some(&json!({"username": username, "display_name": username, "password": PASSWORD, "manager_id": manager})),
        StatusCode::CREATED,
    )
    .await?;
    let id = u["id"].as_i64().ok_or("user id")?;
    // Tokens, not cookies: each request is authenticated on its own.
    let t = token_for(conn, username).await?;
    Ok((id, t))
}

async fn token_for(conn: &mut Conn, username: &str) -> Result<String, String> {
    // A fresh connection so the login's session cookie is not needed: log in, take the
    // cookie, create a token with it.
    let body = json!({"username": username, "password": PASSWORD}).to_string();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header("host", conn.addr.to_string())
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    *conn = Conn::open(conn.addr).await?;
    let res = conn.tx.send_request(req).await.map_err(|e| format!("login {username}: {e}"))?;
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .ok_or("no session cookie")?;
    let _ = res.into_body().collect().await;
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/tokens")
        .header("host", conn.addr.to_string())
        .header("content-type", "application/json")
        .header("cookie", cookie)
        .header("origin", format!("http://{}", conn.addr))
        .body(Full::new(Bytes::from(json!({"name": "bench", "expires_in_days": 1, "password": PASSWORD}).to_string())))
        .map_err(|e| e.to_string())?;
    *conn = Conn::open(conn.addr).await?;
    let res = conn.tx.send_request(req).await.map_err(|e| format!("creating a token for {username}: {e}"))?;
    let status = res.status();
    let bytes = res.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| format!("token for {username}: {status} {e}"))?;
    v["token"].as_str().map(str::to_owned).ok_or_else(|| format!("token for {username}: {status} {v}"))
}

struct Run {
    completed: usize,
    requests: usize,
    errors: usize,
    latencies_us: Vec<u64>,
    elapsed: Duration,
}

async fn drive(
    addr: SocketAddr,
    requesters: Vec<String>,
    approvers: [String; 3],
    instances: usize,
    concurrency: usize,
) -> Run {
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let (next, requesters, approvers) = (next.clone(), requesters.clone(), approvers.clone());
        set.spawn(async move {
            let mut lat = Vec::new();
            let (mut done, mut reqs, mut errors) = (0, 0, 0);
            let Ok(mut conn) = Conn::open(addr).await else { return (0, 0, 1, lat) };
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= instances {
                    break;
                }
                let requester = &requesters[(n + w) % requesters.len()];
                let form =
                    json!({"template_key": "bench3", "form": {"subject": format!("压测 {n}"), "amount": "1234.50"}});
                let t = Instant::now();
                let r = conn.call(Method::POST, "/api/v1/instances", Some(requester), Some(&form)).await;
                lat.push(t.elapsed().as_micros() as u64);
                reqs += 1;
                let Ok((StatusCode::CREATED, mut v)) = r else {
                    errors += 1;
                    continue;
                };
                let mut ok = true;
                for token in &approvers {
                    let task = v["tasks"]
                        .as_array()
                        .and_then(|ts| ts.iter().find(|t| t["status"] == "open").and_then(|t| t["id"].as_i64()));
                    let Some(task) = task else {
                        ok = false;
                        break;
                    };
                    let t = Instant::now();
                    let r = conn
                        .call(
                            Method::POST,
                            &format!("/api/v1/tasks/{task}/actions"),
                            Some(token),
                            Some(&json!({"action": "approve", "comment": "同意"})),
                        )
                        .await;
                    lat.push(t.elapsed().as_micros() as u64);
                    reqs += 1;
                    match r {
                        Ok((StatusCode::OK, nv)) => v = nv,
                        _ => {
                            ok = false;
                            break;
                        }
                    }
                }
                if ok && v["status"] == "approved" {
                    done += 1;
                } else {
                    errors += 1;
                }
            }
            (done, reqs, errors, lat)
        });
    }
    let mut run = Run { completed: 0, requests: 0, errors: 0, latencies_us: Vec::new(), elapsed: Duration::ZERO };
    while let Some(Ok((d, r, e, l))) = set.join_next().await {
        run.completed += d;
        run.requests += r;
        run.errors += e;
        run.latencies_us.extend(l);
    }
    run.elapsed = start.elapsed();
    run
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

/// Writes a run's figures to `bench/results/<name>.json`.
fn save_results(root: &Path, name: &str, out: &Value) -> Result<(), String> {
    let results = root.join("bench/results");
    std::fs::create_dir_all(&results).map_err(|e| e.to_string())?;
    std::fs::write(results.join(format!("{name}.json")), serde_json::to_string_pretty(out).unwrap_or_default() + "\n")
        .map_err(|e| e.to_string())
}

fn write_readme(root: &Path, marker: &str, line: &str) -> Result<(), String> {
    let path = root.join("README.md");
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let (start, end) = (format!("<!-- bench:{marker} -->"), format!("<!-- /bench:{marker} -->"));
    let (Some(a), Some(b)) = (text.find(&start), text.find(&end)) else {
        return Err(format!("README.md has no {start} … {end} markers"));
    };
    let new = format!("{}{start}\n{line}\n{}", &text[..a], &text[b..]);
    std::fs::write(&path, new).map_err(|e| e.to_string())
}

async fn main_inner() -> Result<(), String> {
    let a = args()?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).ok_or("root")?;
    if !a.binary.exists() {
        return Err(format!("{} is missing: build it with `cargo build --release -p server`", a.binary.display()));
    }
    let dir = std::env::temp_dir().join(format!("tongban-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let pg = if a.backend == "postgres" { Some(create_pg_database().await?) } else { None };
    let port = free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().map_err(|e| format!("{e}"))?;
    let mut cmd = tokio::process::Command::new(&a.binary);
    cmd.args(["serve", "--demo"])
        .current_dir(&root)
        .env("TONGBAN_ADDR", addr.to_string())
        .env("TONGBAN_DATA_DIR", &dir)
        .env("TONGBAN_DEMO_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .env("LEPTOS_OUTPUT_NAME", "tongban")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(name) = &pg {
        cmd.env("DATABASE_URL", format!("postgres://postgres@127.0.0.1:5432/{name}"));
    } else {
        cmd.env_remove("DATABASE_URL");
    }
    let mut child = cmd.spawn().map_err(|e| format!("{}: {e}", a.binary.display()))?;
    let pid = child.id().ok_or("server pid")?;
    let result = async {
        let mut conn = loop {
            if let Ok(mut c) = Conn::open(addr).await
                && let Ok((StatusCode::OK, _)) = c.call(Method::GET, "/readyz", None, None).await
            {
                break c;
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("the server exited: {status}"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        eprintln!("server up at {addr} ({}); seeding", a.backend);
        if a.mode == "todo" {
            return todo_bench(addr, &mut conn, &a, &root, pid, pg.as_deref()).await;
        }
        let admin = token_for(&mut conn, "admin").await?;
        let mut approver_ids = Vec::new();
        let mut approvers = Vec::new();
        for i in 1..=3 {
            let (id, t) = user_with_token(&mut conn, &admin, &format!("bench.approver{i}"), None).await?;
            approver_ids.push(id);
            approvers.push(t);
        }
        let mut requesters = Vec::new();
        for i in 0..REQUESTERS {
            requesters.push(user_with_token(&mut conn, &admin, &format!("bench.user{i}"), None).await?.1);
        }
        let node = |i: usize, id: i64| json!({"type": "approver", "id": format!("a{i}"), "name": format!("审批{i}"),
                                            "rule": {"kind": "users", "ids": [id]}});
        expect(
            &mut conn,
            Method::POST,
            "/api/v1/templates",
            Some(&admin),
            Some(&json!({"key": "bench3", "name": "三级审批", "form": {"fields": [
                {"key": "subject", "label": "事项", "type": "text", "required": true},
                {"key": "amount", "label": "金额", "type": "money", "required": true}]},
                "flow": {"nodes": [node(1, approver_ids[0]), node(2, approver_ids[1]), node(3, approver_ids[2])]}})),
            StatusCode::CREATED,
        )
        .await?;
        // Warm up, then measure.
        let _ = drive(addr, requesters.clone(), [approvers[0].clone(), approvers[1].clone(), approvers[2].clone()], 200, a.concurrency).await;
        eprintln!("driving {} instances with {} clients", a.instances, a.concurrency);
        let run = drive(addr, requesters, [approvers[0].clone(), approvers[1].clone(), approvers[2].clone()], a.instances, a.concurrency).await;
        let mut lat = run.latencies_us.clone();
        lat.sort_unstable();
        let secs = run.elapsed.as_secs_f64();
        let out = json!({
            "backend": a.backend,
            "date": run_date(),
            "instances": a.instances,
            "concurrency": a.concurrency,
            "completed": run.completed,
            "errors": run.errors,
            "seconds": (secs * 100.0).round() / 100.0,
            "instances_per_sec": (run.completed as f64 / secs).round(),
            "requests_per_sec": (run.requests as f64 / secs).round(),
            "latency_ms": {"p50": percentile(&lat, 0.50), "p90": percentile(&lat, 0.90), "p99": percentile(&lat, 0.99), "max": percentile(&lat, 1.0)},
            "server_peak_rss_mib": peak_rss_kib(pid).map(|k| (k as f64 / 1024.0 * 10.0).round() / 10.0),
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        });
        save_results(&root, &a.backend, &out)?;
        let line = format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} clients, {} instances, {} errors |",
            a.backend,
            out["date"].as_str().unwrap_or_default(),
            out["instances_per_sec"],
            out["requests_per_sec"],
            out["latency_ms"]["p50"],
            out["latency_ms"]["p99"],
            out["server_peak_rss_mib"],
            a.concurrency,
            a.instances,
            run.errors,
        );
        write_readme(&root, &format!("workflow:{}", a.backend), &line)?;
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        Ok(())
    }
    .await;
    let _ = child.kill().await;
    if a.keep {
        eprintln!(
            "kept: data directory {}{}",
            dir.display(),
            pg.as_deref().map(|n| format!(", database {n}")).unwrap_or_default()
        );
    } else {
        if let Some(name) = &pg {
            drop_pg_database(name).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> std::process::ExitCode {
    match main_inner().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The day of the run as people in China read it (the load generator's own wall clock: it
/// measures a server from outside and is not one of its services).
fn run_date() -> String {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::Utc::now().with_timezone(&cst).format("%Y-%m-%d").to_string()
}

/// Where `cargo build --release -p server` puts the server: under the target triple when the
/// build names one (scripts/env.sh does).
fn release_binary() -> PathBuf {
    let mut dir = PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()));
    if let Some(triple) = std::env::var("CARGO_BUILD_TARGET").ok().filter(|t| !t.is_empty()) {
        dir.push(triple);
    }
    dir.join("release/tongban")
}
