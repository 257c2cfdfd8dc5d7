//! Form values to and from HTML form fields, so a request form posts as a plain HTML form
//! (before the WASM loads, or without JavaScript) and the browser's live form uses the same
//! names. Input names are the paths the server's validation reports errors on:
//! `reason`, `use_dates.start`, `items[2].amount`; multi-valued fields (multi-selects,
//! attachments) repeat their name.

use super::form::{Field, FieldKind, FormSchema};
use super::money::Money;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

/// The form values in posted name/value pairs (names starting with `_` are controls and
/// ignored). Computed fields are left out (the server computes them); table rows whose
/// inputs are all blank are dropped, so an empty spare row costs nothing.
///
/// Linear in the size of the post: the pairs are indexed by name once, so a post with many
/// rows or many unknown names costs a lookup per field, not a scan of the post per field.
#[must_use]
pub fn from_pairs(schema: &FormSchema, pairs: &[(String, String)]) -> Value {
    let posted = Posted::new(pairs);
    let mut out = Map::new();
    for f in &schema.fields {
        if let Some(v) = field_value(f, &f.key, &posted) {
            out.insert(f.key.clone(), v);
        }
    }
    Value::Object(out)
}

/// The posted values by input name, in posted order; and, for each table, the row
/// indexes that were posted.
struct Posted<'a> {
    by_name: HashMap<&'a str, Vec<&'a str>>,
    rows: HashMap<&'a str, BTreeSet<usize>>,
}

/// The most rows a posted table may have.
const MAX_ROWS: usize = 1000;

impl<'a> Posted<'a> {
    fn new(pairs: &'a [(String, String)]) -> Self {
        let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut rows: HashMap<&str, BTreeSet<usize>> = HashMap::new();
        for (k, v) in pairs {
            by_name.entry(k.as_str()).or_default().push(v.as_str());
            // `items[2].amount` (or `items[2]`): table `items`, row 2.
            if let Some((table, rest)) = k.split_once('[')
                && let Some((index, _)) = rest.split_once(']')
                && let Ok(i) = index.parse::<usize>()
                && i < MAX_ROWS
            {
                rows.entry(table).or_default().insert(i);
            }
        }
        Self { by_name, rows }
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &'a str> + '_ {
        self.by_name.get(name).into_iter().flatten().copied()
    }
}

fn field_value(f: &Field, name: &str, posted: &Posted<'_>) -> Option<Value> {
    match &f.kind {
        FieldKind::Total { .. } | FieldKind::WorkingDays { .. } => None,
        FieldKind::DateRange => {
            let start = posted.all(&format!("{name}.start")).next().unwrap_or("").trim().to_owned();
            let end = posted.all(&format!("{name}.end")).next().unwrap_or("").trim().to_owned();
            (!start.is_empty() || !end.is_empty()).then(|| serde_json::json!({"start": start, "end": end}))
        }
        FieldKind::MultiSelect { .. } | FieldKind::Attachment { .. } => {
            let vals: Vec<Value> =
                posted.all(name).map(str::trim).filter(|v| !v.is_empty()).map(|v| Value::String(v.into())).collect();
            (!vals.is_empty()).then_some(Value::Array(vals))
        }
        FieldKind::Table { columns } => {
            let indexes = posted.rows.get(name)?;
            let rows: Vec<Value> = indexes
                .iter()
                .filter_map(|i| {
                    let mut row = Map::new();
                    for c in columns {
                        if let Some(v) = field_value(c, &format!("{name}[{i}].{}", c.key), posted) {
                            row.insert(c.key.clone(), v);
                        }
                    }
                    let blank = row.values().all(|v| v.as_str().is_some_and(|s| s.trim().is_empty()));
                    (!blank).then_some(Value::Object(row))
                })
                .collect();
            (!rows.is_empty()).then_some(Value::Array(rows))
        }
        _ => posted.all(name).next().map(|v| Value::String(v.to_owned())),
    }
}

/// The text of a scalar value at `key` of a form object (strings as they are, numbers
/// written out), for an input's `value`.
#[must_use]
pub fn text(form: &Value, key: &str) -> String {
    match form.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// The string items of a list value (multi-select choices, attachment ids).
#[must_use]
pub fn list(form: &Value, key: &str) -> Vec<String> {
    match form.get(key) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        _ => vec![],
    }
}

/// The sum of a money column over a table's rows as typed so far, skipping amounts that do
/// not read (the live total while filling; the server recomputes it on submit).
#[must_use]
pub fn live_total(form: &Value, table: &str, column: &str) -> Money {
    let mut sum = Money(0);
    if let Some(Value::Array(rows)) = form.get(table) {
        for r in rows {
            if let Ok(m) = Money::parse(text(r, column).trim())
                && let Some(s) = sum.checked_add(m)
            {
                sum = s;
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> FormSchema {
        serde_json::from_value(json!({"fields": [
            {"key": "reason", "label": "事由", "type": "text", "required": true},
            {"key": "trip", "label": "行程", "type": "date_range"},
            {"key": "tags", "label": "标签", "type": "multi_select", "options": [
                {"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
            {"key": "items", "label": "明细", "type": "table", "required": true, "columns": [
                {"key": "amount", "label": "金额", "type": "money", "required": true},
                {"key": "note", "label": "备注", "type": "text"},
                {"key": "receipt", "label": "票据", "type": "attachment", "max_files": 3}
            ]},
            {"key": "total", "label": "合计", "type": "total", "table": "items", "column": "amount"}
        ]}))
        .unwrap()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn posted_fields_become_the_form_the_server_validates() {
        let p = pairs(&[
            ("_template", "expense"),
            ("reason", "出差"),
            ("trip.start", "2026-11-23"),
            ("trip.end", "2026-11-25"),
            ("tags", "a"),
            ("tags", "b"),
            ("items[1].amount", "3000"),
            ("items[1].receipt", "7"),
            ("items[0].amount", "5000"),
            ("items[0].note", "机票"),
            ("items[0].receipt", "5"),
            ("items[0].receipt", "6"),
            ("items[2].amount", ""),
            ("items[2].note", " "),
            ("total", "1"),
        ]);
        let v = from_pairs(&schema(), &p);
        assert_eq!(
            v,
            json!({
                "reason": "出差",
                "trip": {"start": "2026-11-23", "end": "2026-11-25"},
                "tags": ["a", "b"],
                "items": [
                    {"amount": "5000", "note": "机票", "receipt": ["5", "6"]},
                    {"amount": "3000", "receipt": ["7"]}
                ]
            })
        );
        let ok = schema().validate(&v).unwrap();
        assert_eq!(ok["total"], json!("8000.00"), "the total is the server's, not the post's");
        assert_eq!(live_total(&v, "items", "amount"), Money::parse("8000").unwrap());
    }

    #[test]
    fn blank_posts_leave_fields_out_and_errors_name_the_inputs() {
        let p = pairs(&[("reason", ""), ("items[0].amount", "abc"), ("items[0].note", "x")]);
        let v = from_pairs(&schema(), &p);
        let errs = schema().validate(&v).unwrap_err();
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["reason", "items[0].amount"], "each error path is an input's name");
        assert_eq!(live_total(&v, "items", "amount"), Money(0), "unreadable amounts do not count live");
    }

    #[test]
    fn reading_values_back_for_inputs() {
        let v = json!({"a": "x", "n": 3, "l": ["1", 2], "s": "9"});
        assert_eq!(text(&v, "a"), "x");
        assert_eq!(text(&v, "n"), "3");
        assert_eq!(text(&v, "missing"), "");
        assert_eq!(list(&v, "l"), ["1", "2"]);
        assert_eq!(list(&v, "s"), ["9"]);
    }

    #[test]
    fn a_huge_post_is_read_in_linear_time() {
        // 1,000 rows and 20,000 names the form does not have (the old scan per field was
        // quadratic in this; the benchmark times the HTTP post).
        let mut p = Vec::new();
        for i in 0..1000 {
            p.push((format!("items[{i}].amount"), "12.50".to_owned()));
            p.push((format!("items[{i}].note"), "x".to_owned()));
        }
        for i in 0..20_000 {
            p.push((format!("junk{i}"), "y".repeat(10)));
        }
        p.push(("items[5000].amount".to_owned(), "1".to_owned()));
        let form = from_pairs(&schema(), &p);
        assert_eq!(form["items"].as_array().map(Vec::len), Some(1000), "rows past the limit are not read");
        assert_eq!(form["items"][999]["note"], "x");
        assert!(form.get("junk0").is_none());
    }
}
