//! The audit log's hash chain (SPEC ORG-5). Each row stores the hash of the previous row and
//! a hash over its own content and that previous hash, so editing or deleting any row breaks
//! the chain at that row.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that comes before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hashed content of one audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditContent {
    pub seq: i64,
    /// RFC 3339 with microseconds, UTC.
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub target: String,
    pub client_addr: String,
    pub result: String,
    pub detail: String,
}

/// The hash of a row: SHA-256 over the previous hash and each field, length-prefixed so
/// that no two different rows serialise alike.
#[must_use]
pub fn row_hash(prev_hash: &str, c: &AuditContent) -> String {
    let mut h = Sha256::new();
    let actor = c.actor_id.map(|a| a.to_string()).unwrap_or_default();
    let seq = c.seq.to_string();
    for part in
        [prev_hash, &seq, &c.at, &actor, &c.actor_name, &c.action, &c.target, &c.client_addr, &c.result, &c.detail]
    {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// A stored row: its content and the two hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRow {
    pub content: AuditContent,
    pub prev_hash: String,
    pub hash: String,
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The row's content no longer matches its hash: it was edited.
    Edited { seq: i64 },
    /// The row does not follow the one before it: rows before it were deleted (or it was
    /// inserted out of order).
    Missing { seq: i64, expected_seq: i64 },
    /// The chain head says more rows exist than are stored: rows at the end were deleted.
    Truncated { last_seq: i64, head_seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Edited { seq } => write!(f, "audit row {seq} was edited (its hash does not match its content)"),
            Self::Missing { seq, expected_seq } => {
                write!(f, "audit row {expected_seq} was deleted (row {seq} does not follow the row before it)")
            }
            Self::Truncated { last_seq, head_seq } => {
                write!(
                    f,
                    "audit row {} was deleted (the chain ends at {last_seq} but its head is at {head_seq})",
                    last_seq + 1
                )
            }
        }
    }
}

/// Walks rows in `seq` order, continuing from `prev` (the last verified row's seq and hash).
/// Returns the new position.
///
/// # Errors
/// The first break found.
pub fn verify_rows(prev: (i64, String), rows: &[StoredRow]) -> Result<(i64, String), ChainBreak> {
    let (mut last_seq, mut last_hash) = prev;
    for r in rows {
        let seq = r.content.seq;
        if row_hash(&r.prev_hash, &r.content) != r.hash {
            return Err(ChainBreak::Edited { seq });
        }
        if seq != last_seq + 1 {
            return Err(ChainBreak::Missing { seq, expected_seq: last_seq + 1 });
        }
        if r.prev_hash != last_hash {
            // The row before was rewritten with a fresh hash: this row no longer links to it.
            return Err(ChainBreak::Edited { seq: last_seq });
        }
        last_seq = seq;
        last_hash.clone_from(&r.hash);
    }
    Ok((last_seq, last_hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredRow> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let content = AuditContent {
                    seq,
                    at: format!("2026-11-21T00:00:{seq:02}.000000Z"),
                    actor_id: Some(1),
                    actor_name: "admin".into(),
                    action: "user.create".into(),
                    target: format!("user:{seq}"),
                    client_addr: "127.0.0.1".into(),
                    result: "ok".into(),
                    detail: String::new(),
                };
                let hash = row_hash(&prev, &content);
                let row = StoredRow { content, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                row
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(5);
        let (seq, _) = verify_rows((0, GENESIS.into()), &rows).unwrap();
        assert_eq!(seq, 5);
    }

    #[test]
    fn edit_is_found() {
        let mut rows = chain(5);
        rows[2].content.actor_name = "mallory".into();
        assert_eq!(verify_rows((0, GENESIS.into()), &rows), Err(ChainBreak::Edited { seq: 3 }));
    }

    #[test]
    fn deletion_is_found() {
        let mut rows = chain(5);
        rows.remove(1);
        assert_eq!(verify_rows((0, GENESIS.into()), &rows), Err(ChainBreak::Missing { seq: 3, expected_seq: 2 }));
    }

    #[test]
    fn rehashed_edit_still_breaks_the_next_row() {
        let mut rows = chain(4);
        rows[1].content.detail = "forged".into();
        rows[1].hash = row_hash(&rows[1].prev_hash, &rows[1].content);
        assert_eq!(verify_rows((0, GENESIS.into()), &rows), Err(ChainBreak::Edited { seq: 2 }));
    }
}
