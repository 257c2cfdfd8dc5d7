//! Page data: resources loaded on the server, sent in the page, and read again by the client.
//!
//! Leptos's own resources (`Resource::new_blocking`) read what the server sent with
//! `serde_json::from_str`, while the server functions' responses are read with
//! `serde_json::from_slice`. The two are separate instances of every data type's decoder in
//! the WASM (about a third of the JSON code of the main module). The resources here read with
//! `from_slice` too, so each type's decoder is compiled once. Client code that parses JSON
//! itself uses [`from_json`] for the same reason.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// JSON for resources: `serde_json` both ways, decoding through the byte reader.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        from_json(val)
    }
}

/// Parses JSON text the way every other JSON in the client is parsed (see the module notes).
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_slice(text.as_bytes())
}

/// A resource of page data.
pub type Data<T> = Resource<T, Json>;

/// A blocking resource (the page's HTML waits for it): `Resource::new_blocking`, read through
/// [`Json`].
#[track_caller]
pub fn blocking<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Data<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, true)
}

/// A streaming resource (the page's HTML does not wait for it): `Resource::new`, read through
/// [`Json`].
#[track_caller]
pub fn streaming<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Data<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn resource_codec_round_trips_and_reports_bad_input() {
        let v: Result<Vec<String>, AppError> = Ok(vec!["请假".into(), "a\"b".into()]);
        let text = <Json as Encoder<_>>::encode(&v).unwrap();
        let back: Result<Vec<String>, AppError> = <Json as Decoder<_>>::decode(&text).unwrap();
        assert_eq!(back.unwrap(), vec!["请假".to_owned(), "a\"b".to_owned()]);
        let bad: Result<Result<Vec<String>, AppError>, _> = <Json as Decoder<_>>::decode("{\"Ok\":[1]}");
        assert!(bad.is_err());
        assert_eq!(from_json::<u32>("42").unwrap(), 42);
    }
}
