//! The ServiSign wire format: `POST` with a form body `Parameter=<urlencoded Base64 of JSON>`.
//! The JSON names the function (`functionname`) and its arguments; an argument `x` whose
//! `x_ServiSignBase64Flag` is true arrives Base64-encoded. Answers are JSON whose `result` is
//! the Base64 of the function's return value.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

/// Largest request body read: the biggest real argument is a challenge of a few hundred bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// One call, with its arguments already decoded.
pub struct Call {
    pub function: String,
    args: Map<String, Value>,
}

impl std::fmt::Debug for Call {
    /// Names the function and argument names only: argument values may hold the PIN.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("function", &self.function)
            .field("args", &self.args.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    TooLarge,
    NoParameter,
    NotBase64,
    NotJson,
    NoFunction,
    BadArgument(&'static str),
}

impl Call {
    /// A text argument; Base64-flagged ones are decoded as UTF-8.
    pub fn text(&self, name: &'static str) -> Result<String, ProtocolError> {
        let bytes = self.bytes(name)?;
        String::from_utf8(bytes).map_err(|_| ProtocolError::BadArgument(name))
    }

    /// An argument as bytes: Base64-decoded when flagged, else the text's UTF-8.
    pub fn bytes(&self, name: &'static str) -> Result<Vec<u8>, ProtocolError> {
        let value = self.args.get(name).ok_or(ProtocolError::BadArgument(name))?;
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            _ => return Err(ProtocolError::BadArgument(name)),
        };
        let flag = format!("{name}_ServiSignBase64Flag");
        if self.args.get(&flag).and_then(Value::as_bool) == Some(true) {
            STANDARD.decode(text.as_bytes()).map_err(|_| ProtocolError::BadArgument(name))
        } else {
            Ok(text.into_bytes())
        }
    }

    /// A whole-number argument, sent as a number or as decimal or `0x` hex text.
    pub fn number(&self, name: &'static str) -> Result<u64, ProtocolError> {
        let text = self.text(name)?;
        let text = text.trim();
        let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => text.parse(),
        };
        parsed.map_err(|_| ProtocolError::BadArgument(name))
    }
}

/// Reads a request body.
pub fn parse(body: &[u8]) -> Result<Call, ProtocolError> {
    if body.len() > MAX_BODY {
        return Err(ProtocolError::TooLarge);
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| ProtocolError::NoParameter)?;
    let parameter = pairs
        .into_iter()
        .find(|(key, _)| key == "Parameter")
        .map(|(_, value)| value)
        .ok_or(ProtocolError::NoParameter)?;
    let json = STANDARD.decode(parameter.trim().as_bytes()).map_err(|_| ProtocolError::NotBase64)?;
    let Value::Object(args) = serde_json::from_slice(&json).map_err(|_| ProtocolError::NotJson)? else {
        return Err(ProtocolError::NotJson);
    };
    let function = args
        .get("functionname")
        .and_then(Value::as_str)
        .filter(|name| !name.is_empty() && name.len() <= 64)
        .ok_or(ProtocolError::NoFunction)?
        .to_owned();
    Ok(Call { function, args })
}

/// The answer to a call: `result` is the Base64 of `value`; `extra` fields (Echo's versions)
/// are Base64 too.
pub fn answer(value: &str, extra: &[(&str, &str)]) -> Value {
    let mut object = Map::new();
    object.insert("result".to_owned(), Value::String(STANDARD.encode(value)));
    for (key, value) in extra {
        object.insert((*key).to_owned(), Value::String(STANDARD.encode(value)));
    }
    Value::Object(object)
}

/// Builds a request body the way the page's script does (tests and examples).
pub fn encode(json: &Value) -> String {
    let parameter = STANDARD.encode(json.to_string());
    serde_urlencoded::to_string([("Parameter", parameter)]).unwrap_or_default()
}
