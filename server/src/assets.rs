//! The client's static files (`/pkg`: WASM, JS, CSS), served with brotli at its highest
//! quality. Compressing on the fly uses a fast, weak setting (the WASM came to ~820 KB that
//! way, ~610 KB at quality 11), and quality 11 is far too slow to run per request. So at
//! start-up each file gets a `.br` sibling, written once and again whenever the file is
//! newer than it (a rebuild), and `ServeDir` sends the `.br` to browsers that accept brotli.
//! Until a file's `.br` exists the layer above compresses as before.

use std::path::{Path, PathBuf};
use std::time::Instant;

const EXTENSIONS: [&str; 4] = ["wasm", "js", "css", "svg"];

fn candidates(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            candidates(&p, out);
        } else if p.extension().and_then(|x| x.to_str()).is_some_and(|x| EXTENSIONS.contains(&x)) {
            out.push(p);
        }
    }
}

fn br_path(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(".br");
    PathBuf::from(s)
}

/// Whether `p` has no `.br` or one older than itself.
fn stale(p: &Path) -> bool {
    let modified = |q: &Path| std::fs::metadata(q).and_then(|m| m.modified()).ok();
    match (modified(p), modified(&br_path(p))) {
        (Some(src), Some(br)) => br < src,
        _ => true,
    }
}

fn compress(p: &Path) -> std::io::Result<usize> {
    let data = std::fs::read(p)?;
    let mut out = Vec::with_capacity(data.len() / 3);
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    // Written beside, then renamed: a server reading meanwhile sees the old or the new file.
    let tmp = br_path(p).with_extension(format!("br.{}", std::process::id()));
    std::fs::write(&tmp, &out)?;
    std::fs::rename(&tmp, br_path(p))?;
    Ok(out.len())
}

/// Files larger than this are left to on-the-fly compression: a debug build's WASM (~20 MB)
/// would keep a core busy for a minute, and nobody ships it.
const MAX_BYTES: u64 = 8 << 20;

/// Removes stale `.br` files at once (so an old one is never sent for a rebuilt file), then
/// writes the missing ones on a blocking thread.
pub fn precompress(dir: PathBuf) {
    let mut files = Vec::new();
    candidates(&dir, &mut files);
    let files: Vec<PathBuf> = files.into_iter().filter(|p| stale(p)).collect();
    for p in &files {
        let _ = std::fs::remove_file(br_path(p));
    }
    tokio::task::spawn_blocking(move || {
        for p in files {
            if std::fs::metadata(&p).is_ok_and(|m| m.len() > MAX_BYTES) {
                continue;
            }
            let t = Instant::now();
            match compress(&p) {
                Ok(n) => {
                    tracing::info!(file = %p.display(), bytes = n, ms = t.elapsed().as_millis() as u64, "precompressed")
                }
                Err(e) => tracing::warn!(file = %p.display(), error = %e, "could not precompress"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_br_that_decodes_to_the_file_and_redoes_it_after_a_rebuild() {
        let dir = std::env::temp_dir().join(format!("tongban-assets-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("snippets")).unwrap();
        let wasm = dir.join("snippets/app.wasm");
        std::fs::write(&wasm, b"(module) ".repeat(500)).unwrap();
        std::fs::write(dir.join("notes.txt"), b"not an asset").unwrap();
        let mut found = Vec::new();
        candidates(&dir, &mut found);
        assert_eq!(found, vec![wasm.clone()]);
        assert!(stale(&wasm));
        compress(&wasm).unwrap();
        assert!(!stale(&wasm));
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &std::fs::read(br_path(&wasm)).unwrap()[..], &mut plain).unwrap();
        assert_eq!(plain, std::fs::read(&wasm).unwrap());
        // A rebuild writes the file anew: its .br is out of date until redone.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&wasm, b"(module $new)").unwrap();
        assert!(stale(&wasm));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
