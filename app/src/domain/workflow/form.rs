//! Form schemas of approval templates, and the server's validation of submitted values:
//! required fields, types, options, ranges, detail tables of line items, and computed totals
//! that are always recomputed here, never taken from the client.

use super::money::{Money, MoneyError};
pub use crate::domain::error::{ErrorCode, FieldError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A choice of a select field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    Text {
        #[serde(default)]
        max_len: Option<u32>,
    },
    LongText {
        #[serde(default)]
        max_len: Option<u32>,
    },
    /// A whole number.
    Number {
        #[serde(default)]
        min: Option<i64>,
        #[serde(default)]
        max: Option<i64>,
    },
    /// An exact amount in yuan (two decimals).
    Money {
        /// Negative amounts are refused unless allowed.
        #[serde(default)]
        allow_negative: bool,
    },
    /// An ISO date, `YYYY-MM-DD`.
    Date,
    /// `{"start": date, "end": date}`, start not after end.
    DateRange,
    Select {
        options: Vec<SelectOption>,
    },
    MultiSelect {
        options: Vec<SelectOption>,
    },
    /// A user id.
    User,
    /// A department id.
    Department,
    /// Attachment ids.
    Attachment {
        #[serde(default = "one")]
        max_files: u32,
    },
    /// Line items, each an object with the given columns.
    Table {
        columns: Vec<Field>,
    },
    /// The sum of a money column of a table field, computed by the server.
    Total {
        table: String,
        column: String,
    },
    /// Working days between two date fields, in half-day steps (`"2.5"`), computed by the
    /// server with the organisation's working calendar; half-day fields are selects of
    /// `am`/`pm`.
    WorkingDays {
        start: String,
        end: String,
        #[serde(default)]
        start_half: Option<String>,
        #[serde(default)]
        end_half: Option<String>,
    },
}

fn one() -> u32 {
    1
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub key: String,
    pub label: String,
    #[serde(flatten)]
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub help: Option<String>,
}

/// The fields of a template's form, in display order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FormSchema {
    pub fields: Vec<Field>,
}

/// A problem in a schema itself (found when a template is saved), on the field it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaError {
    pub field: String,
    pub problem: SchemaProblem,
}

/// What is wrong with a field of a schema; the designer words it in the reader's language,
/// the API sends [`SchemaProblem::english`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum SchemaProblem {
    /// The key does not start with a lower-case letter or uses more than a-z, 0-9 and _.
    BadKey,
    /// Two fields have this key.
    DuplicateKey,
    /// The label is empty.
    NoLabel,
    /// A select without options.
    NoOptions,
    /// Two options with one value.
    DuplicateOption,
    /// A table without columns.
    NoColumns,
    /// A column's key is malformed or repeated.
    BadColumnKey { column: String },
    /// A column that is a table or a total.
    NestedColumn { column: String },
    /// A total that does not sum a money column of a table of this form.
    BadTotal { table: String, column: String },
    /// Working days between fields that are not two date fields of this form.
    WorkingDaysFields,
    /// Half-day fields that are not selects of am and pm.
    HalfDayFields,
    /// A number whose minimum is above its maximum.
    MinAboveMax,
}

impl SchemaProblem {
    /// An English explanation, for API clients and logs.
    #[must_use]
    pub fn english(&self) -> String {
        match self {
            Self::BadKey => "the key must start with a lower-case letter and use a-z, 0-9 and _".into(),
            Self::DuplicateKey => "the key is used twice".into(),
            Self::NoLabel => "the label is empty".into(),
            Self::NoOptions => "a select needs options".into(),
            Self::DuplicateOption => "two options have the same value".into(),
            Self::NoColumns => "a table needs columns".into(),
            Self::BadColumnKey { column } => format!("column {column} has a bad or repeated key"),
            Self::NestedColumn { column } => format!("column {column} cannot be a table or a total"),
            Self::BadTotal { table, column } => {
                format!("the total must sum a money column of a table (got {table}.{column})")
            }
            Self::WorkingDaysFields => "working days count between two date fields of this form".into(),
            Self::HalfDayFields => "half-day fields must be selects of am and pm".into(),
            Self::MinAboveMax => "min is above max".into(),
        }
    }
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "field {}: {}", self.field, self.problem.english())
    }
}

fn is_key(k: &str) -> bool {
    let mut c = k.chars();
    c.next().is_some_and(|f| f.is_ascii_lowercase())
        && k.len() <= 40
        && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl FormSchema {
    /// Checks the schema: keys well-formed and unique, options present, totals pointing at
    /// a money column of a table of this form, tables not nested.
    ///
    /// # Errors
    /// Every problem found, each naming its field.
    pub fn check(&self) -> Result<(), Vec<SchemaError>> {
        let mut errs = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for f in &self.fields {
            let err = |problem: SchemaProblem| SchemaError { field: f.key.clone(), problem };
            if !is_key(&f.key) {
                errs.push(err(SchemaProblem::BadKey));
            }
            if !seen.insert(f.key.as_str()) {
                errs.push(err(SchemaProblem::DuplicateKey));
            }
            if f.label.trim().is_empty() {
                errs.push(err(SchemaProblem::NoLabel));
            }
            match &f.kind {
                FieldKind::Select { options } | FieldKind::MultiSelect { options } => {
                    if options.is_empty() {
                        errs.push(err(SchemaProblem::NoOptions));
                    }
                    let mut vals = std::collections::HashSet::new();
                    if options.iter().any(|o| !vals.insert(o.value.as_str())) {
                        errs.push(err(SchemaProblem::DuplicateOption));
                    }
                }
                FieldKind::Table { columns } => {
                    if columns.is_empty() {
                        errs.push(err(SchemaProblem::NoColumns));
                    }
                    let mut cols = std::collections::HashSet::new();
                    for c in columns {
                        if !is_key(&c.key) || !cols.insert(c.key.as_str()) {
                            errs.push(err(SchemaProblem::BadColumnKey { column: c.key.clone() }));
                        }
                        if matches!(c.kind, FieldKind::Table { .. } | FieldKind::Total { .. }) {
                            errs.push(err(SchemaProblem::NestedColumn { column: c.key.clone() }));
                        }
                    }
                }
                FieldKind::Total { table, column } => {
                    let target = self.fields.iter().find(|t| &t.key == table);
                    let ok = matches!(target.map(|t| &t.kind), Some(FieldKind::Table { columns })
                        if columns.iter().any(|c| &c.key == column && matches!(c.kind, FieldKind::Money { .. })));
                    if !ok {
                        errs.push(err(SchemaProblem::BadTotal { table: table.clone(), column: column.clone() }));
                    }
                }
                FieldKind::WorkingDays { start, end, start_half, end_half } => {
                    let is = |k: &str, date: bool| {
                        self.fields.iter().any(|t| {
                            t.key == k
                                && if date {
                                    matches!(t.kind, FieldKind::Date)
                                } else {
                                    matches!(&t.kind, FieldKind::Select { options }
                                        if options.iter().all(|o| o.value == "am" || o.value == "pm"))
                                }
                        })
                    };
                    if !is(start, true) || !is(end, true) {
                        errs.push(err(SchemaProblem::WorkingDaysFields));
                    }
                    if start_half.iter().chain(end_half).any(|h| !is(h, false)) {
                        errs.push(err(SchemaProblem::HalfDayFields));
                    }
                }
                FieldKind::Number { min: Some(a), max: Some(b) } if a > b => errs.push(err(SchemaProblem::MinAboveMax)),
                _ => {}
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }

    /// The field with this key.
    #[must_use]
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Validates submitted values and returns them normalised: text trimmed, money in its
    /// canonical form (`"8000.00"`), numbers and ids as integers, unknown keys dropped, and
    /// every total recomputed from its table (whatever the client sent).
    ///
    /// # Errors
    /// Every field error, each with its path.
    pub fn validate(&self, input: &Value) -> Result<Map<String, Value>, Vec<FieldError>> {
        let empty = Map::new();
        let obj = input.as_object().unwrap_or(&empty);
        let mut out = Map::new();
        let mut errs = Vec::new();
        for f in &self.fields {
            if matches!(f.kind, FieldKind::Total { .. } | FieldKind::WorkingDays { .. }) {
                continue;
            }
            if let Some(v) = validate_field(f, obj.get(&f.key), &f.key, &mut errs) {
                out.insert(f.key.clone(), v);
            }
        }
        for f in &self.fields {
            if let FieldKind::Total { table, column } = &f.kind {
                let mut sum = Money(0);
                if let Some(Value::Array(rows)) = out.get(table) {
                    for r in rows {
                        let m = r
                            .get(column)
                            .and_then(Value::as_str)
                            .and_then(|s| Money::parse(s).ok())
                            .unwrap_or_default();
                        match sum.checked_add(m) {
                            Some(s) => sum = s,
                            None => errs.push(FieldError { path: f.key.clone(), code: ErrorCode::OutOfRange }),
                        }
                    }
                }
                out.insert(f.key.clone(), Value::String(sum.to_string()));
            }
        }
        if errs.is_empty() { Ok(out) } else { Err(errs) }
    }

    /// Fills in the working-days fields of validated values from their dates and the
    /// calendar. A range that runs backwards (an afternoon start after a morning end on one
    /// day) is refused on the end field.
    ///
    /// # Errors
    /// The field errors.
    pub fn fill_working_days(
        &self,
        form: &mut Map<String, Value>,
        cal: &super::calendar::WorkCalendar,
    ) -> Result<(), Vec<FieldError>> {
        use super::calendar::Half;
        let mut errs = Vec::new();
        for f in &self.fields {
            let FieldKind::WorkingDays { start, end, start_half, end_half } = &f.kind else { continue };
            let date = |k: &str| form.get(k).and_then(date_of);
            let half = |k: &Option<String>, default: Half| match k.as_ref().and_then(|k| form.get(k)) {
                Some(Value::String(s)) if s == "pm" => Half::Pm,
                Some(Value::String(s)) if s == "am" => Half::Am,
                _ => default,
            };
            let (Some(a), Some(b)) = (date(start), date(end)) else { continue };
            match cal.leave_half_days(a, half(start_half, Half::Am), b, half(end_half, Half::Pm)) {
                Some(halves) => {
                    let days = Money(i64::from(halves) * 50);
                    let text = days.to_string();
                    let text = text.strip_suffix(".00").or_else(|| text.strip_suffix('0')).unwrap_or(&text).to_owned();
                    form.insert(f.key.clone(), Value::String(text));
                }
                None => errs.push(FieldError { path: end.clone(), code: ErrorCode::OutOfRange }),
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

/// Half days of a working-days value (`"2.5"` is 5).
#[must_use]
pub fn half_days_of(v: Option<&Value>) -> Option<u32> {
    let m = Money::parse(v?.as_str()?).ok()?;
    u32::try_from(m.0 / 50).ok().filter(|_| m.0 % 50 == 0)
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn id_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn date_of(v: &Value) -> Option<chrono::NaiveDate> {
    v.as_str().and_then(crate::domain::time::parse_day)
}

fn validate_field(f: &Field, v: Option<&Value>, path: &str, errs: &mut Vec<FieldError>) -> Option<Value> {
    let mut fail = |code| {
        errs.push(FieldError { path: path.to_owned(), code });
        None
    };
    if is_blank(v) {
        return if f.required { fail(ErrorCode::Required) } else { None };
    }
    let v = v?;
    match &f.kind {
        FieldKind::Text { max_len } | FieldKind::LongText { max_len } => {
            let Some(s) = text_of(v) else { return fail(ErrorCode::InvalidFormat) };
            let limit = max_len.unwrap_or(if matches!(f.kind, FieldKind::Text { .. }) { 200 } else { 5000 });
            if s.chars().count() > limit as usize {
                return fail(ErrorCode::TooLong);
            }
            if matches!(f.kind, FieldKind::Text { .. }) && s.chars().any(char::is_control) {
                return fail(ErrorCode::InvalidFormat);
            }
            Some(Value::String(s))
        }
        FieldKind::Number { min, max } => {
            let Some(n) = id_of(v) else { return fail(ErrorCode::InvalidFormat) };
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                return fail(ErrorCode::OutOfRange);
            }
            Some(Value::from(n))
        }
        FieldKind::Money { allow_negative } => {
            let Some(s) = text_of(v) else { return fail(ErrorCode::InvalidFormat) };
            match Money::parse(&s) {
                Ok(m) if m.is_negative() && !allow_negative => fail(ErrorCode::OutOfRange),
                Ok(m) => Some(Value::String(m.to_string())),
                Err(MoneyError::TooLarge) => fail(ErrorCode::OutOfRange),
                Err(_) => fail(ErrorCode::InvalidFormat),
            }
        }
        FieldKind::Date => match date_of(v) {
            Some(d) => Some(Value::String(d.to_string())),
            None => fail(ErrorCode::InvalidFormat),
        },
        FieldKind::DateRange => {
            let (Some(a), Some(b)) = (v.get("start").and_then(date_of), v.get("end").and_then(date_of)) else {
                return fail(ErrorCode::InvalidFormat);
            };
            if b < a {
                return fail(ErrorCode::OutOfRange);
            }
            Some(serde_json::json!({"start": a.to_string(), "end": b.to_string()}))
        }
        FieldKind::Select { options } => {
            let Some(s) = text_of(v) else { return fail(ErrorCode::InvalidFormat) };
            if options.iter().any(|o| o.value == s) {
                Some(Value::String(s))
            } else {
                fail(ErrorCode::UnknownReference)
            }
        }
        FieldKind::MultiSelect { options } => {
            let Some(items) = v.as_array() else { return fail(ErrorCode::InvalidFormat) };
            let mut out = Vec::new();
            for i in items {
                match text_of(i) {
                    Some(s) if options.iter().any(|o| o.value == s) => {
                        if !out.contains(&s) {
                            out.push(s);
                        }
                    }
                    _ => return fail(ErrorCode::UnknownReference),
                }
            }
            Some(Value::from(out))
        }
        FieldKind::User | FieldKind::Department => match id_of(v) {
            Some(id) if id > 0 => Some(Value::from(id)),
            _ => fail(ErrorCode::InvalidFormat),
        },
        FieldKind::Attachment { max_files } => {
            let ids: Vec<Value> = match v {
                Value::Array(a) => a.clone(),
                other => vec![other.clone()],
            };
            if ids.len() > *max_files as usize {
                return fail(ErrorCode::OutOfRange);
            }
            let mut out = Vec::new();
            for i in ids {
                let i = match i {
                    Value::Number(n) => Value::String(n.to_string()),
                    other => other,
                };
                match i.as_str().map(str::trim) {
                    Some(s)
                        if !s.is_empty()
                            && s.len() <= 128
                            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
                    {
                        out.push(Value::String(s.to_owned()));
                    }
                    _ => return fail(ErrorCode::InvalidFormat),
                }
            }
            Some(Value::Array(out))
        }
        FieldKind::Table { columns } => {
            let Some(rows) = v.as_array() else { return fail(ErrorCode::InvalidFormat) };
            if rows.len() > 500 {
                return fail(ErrorCode::OutOfRange);
            }
            let mut out = Vec::with_capacity(rows.len());
            for (i, row) in rows.iter().enumerate() {
                let empty = Map::new();
                let obj = row.as_object().unwrap_or(&empty);
                let mut o = Map::new();
                for c in columns {
                    let p = format!("{path}[{i}].{}", c.key);
                    if let Some(val) = validate_field(c, obj.get(&c.key), &p, errs) {
                        o.insert(c.key.clone(), val);
                    }
                }
                out.push(Value::Object(o));
            }
            Some(Value::Array(out))
        }
        FieldKind::Total { .. } | FieldKind::WorkingDays { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expense() -> FormSchema {
        serde_json::from_value(json!({"fields": [
            {"key": "reason", "label": "事由", "type": "text", "required": true},
            {"key": "items", "label": "明细", "type": "table", "required": true, "columns": [
                {"key": "date", "label": "日期", "type": "date", "required": true},
                {"key": "category", "label": "类别", "type": "select", "required": true, "options": [
                    {"value": "travel", "label": "差旅"}, {"value": "meal", "label": "餐费"}]},
                {"key": "amount", "label": "金额", "type": "money", "required": true},
                {"key": "note", "label": "备注", "type": "text"},
                {"key": "receipt", "label": "票据", "type": "attachment"}
            ]},
            {"key": "total", "label": "合计", "type": "total", "table": "items", "column": "amount"}
        ]}))
        .unwrap()
    }

    #[test]
    fn the_total_is_recomputed_from_the_items() {
        let s = expense();
        s.check().unwrap();
        let v = s
            .validate(&json!({
                "reason": " 出差北京 ",
                "items": [
                    {"date": "2026-11-01", "category": "travel", "amount": "7999.90"},
                    {"date": "2026-11-02", "category": "meal", "amount": 0.1, "receipt": "ab12"}
                ],
                "total": "1.00",
                "smuggled": "x"
            }))
            .unwrap();
        assert_eq!(v["total"], "8000.00");
        assert_eq!(v["reason"], "出差北京");
        assert_eq!(v["items"][1]["amount"], "0.10");
        assert_eq!(v["items"][1]["receipt"], json!(["ab12"]));
        assert!(v.get("smuggled").is_none());
    }

    #[test]
    fn leave_days_are_counted_by_the_server() {
        let s: FormSchema = serde_json::from_value(json!({"fields": [
            {"key": "start_date", "label": "开始", "type": "date", "required": true},
            {"key": "start_half", "label": "上下午", "type": "select",
             "options": [{"value": "am", "label": "上午"}, {"value": "pm", "label": "下午"}]},
            {"key": "end_date", "label": "结束", "type": "date", "required": true},
            {"key": "days", "label": "天数", "type": "working_days", "start": "start_date", "end": "end_date",
             "start_half": "start_half"}
        ]}))
        .unwrap();
        s.check().unwrap();
        let cal = crate::domain::workflow::calendar::WorkCalendar::default();
        let mut v = s
            .validate(&json!({"start_date": "2026-11-23", "start_half": "pm", "end_date": "2026-11-27", "days": "99"}))
            .unwrap();
        assert!(v.get("days").is_none(), "never taken from the client");
        s.fill_working_days(&mut v, &cal).unwrap();
        assert_eq!(v["days"], "4.5");
        assert_eq!(half_days_of(v.get("days")), Some(9));
        let mut v = s.validate(&json!({"start_date": "2026-11-23", "end_date": "2026-11-27"})).unwrap();
        s.fill_working_days(&mut v, &cal).unwrap();
        assert_eq!(v["days"], "5");
        let bad: FormSchema = serde_json::from_value(json!({"fields": [
            {"key": "days", "label": "天数", "type": "working_days", "start": "a", "end": "b"}
        ]}))
        .unwrap();
        assert!(bad.check().is_err());
    }

    #[test]
    fn errors_name_their_paths() {
        let s = expense();
        let e = s
            .validate(&json!({
                "items": [
                    {"date": "2026-13-01", "category": "travel", "amount": "12a"},
                    {"date": "2026-11-02", "category": "bribe", "amount": "-5"}
                ]
            }))
            .unwrap_err();
        let got: Vec<(&str, ErrorCode)> = e.iter().map(|f| (f.path.as_str(), f.code)).collect();
        assert!(got.contains(&("reason", ErrorCode::Required)));
        assert!(got.contains(&("items[0].date", ErrorCode::InvalidFormat)));
        assert!(got.contains(&("items[0].amount", ErrorCode::InvalidFormat)));
        assert!(got.contains(&("items[1].category", ErrorCode::UnknownReference)));
        assert!(got.contains(&("items[1].amount", ErrorCode::OutOfRange)));
        assert_eq!(s.validate(&json!("not an object")).unwrap_err()[0].code, ErrorCode::Required);
    }

    #[test]
    fn date_ranges_run_forwards() {
        let s: FormSchema = serde_json::from_value(json!({"fields": [
            {"key": "period", "label": "期间", "type": "date_range", "required": true}]}))
        .unwrap();
        assert!(s.validate(&json!({"period": {"start": "2026-11-02", "end": "2026-11-06"}})).is_ok());
        let e = s.validate(&json!({"period": {"start": "2026-11-06", "end": "2026-11-02"}})).unwrap_err();
        assert_eq!(e[0].code, ErrorCode::OutOfRange);
    }

    #[test]
    fn bad_schemas_are_refused_with_the_field_named() {
        let s: FormSchema = serde_json::from_value(json!({"fields": [
            {"key": "Amount", "label": "金额", "type": "money"},
            {"key": "kind", "label": "类别", "type": "select", "options": []},
            {"key": "total", "label": "合计", "type": "total", "table": "items", "column": "amount"},
            {"key": "kind", "label": "", "type": "text"}
        ]}))
        .unwrap();
        let errs = s.check().unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"Amount"));
        assert!(fields.contains(&"total"));
        assert_eq!(fields.iter().filter(|f| **f == "kind").count(), 3, "{errs:?}");
    }
}
