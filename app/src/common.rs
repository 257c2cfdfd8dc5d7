//! Small types shared by every area.

use serde::{Deserialize, Serialize};

/// The highest page number any list accepts (a larger one is read as this one): the offset
/// `(page - 1) * per_page` stays far from overflow and from a scan of the whole table.
pub const MAX_PAGE: u64 = 100_000;

/// The page number asked for, bounded to `1..=MAX_PAGE` (none means the first).
#[must_use]
pub fn page_number(page: Option<u64>) -> u64 {
    page.unwrap_or(1).clamp(1, MAX_PAGE)
}

/// One page of a longer list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    /// Number of pages.
    #[must_use]
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}
