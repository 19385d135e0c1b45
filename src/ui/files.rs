//! Saving a string or bytes as a download, and sending a chosen file to the worker.

use super::commands::Commands;
use crate::protocol::Request;
use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, HtmlInputElement, Url};

/// The largest file the page will read (the paper's T = 500 trajectory is about 15 MB).
pub const MAX_FILE_BYTES: f64 = 256.0 * 1024.0 * 1024.0;

/// Offers `text` to the user as a download named `file_name`.
pub fn download(file_name: &str, text: &str, mime: &str) -> Result<(), String> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        Blob::new_with_str_sequence_and_options(&Array::of1(&JsValue::from_str(text)), &options)
            .map_err(|e| format!("{e:?}"))?;
    save_blob(file_name, &blob)
}

fn save_blob(file_name: &str, blob: &Blob) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(blob).map_err(|e| format!("{e:?}"))?;
    download_url(file_name, &url)?;
    Url::revoke_object_url(&url).map_err(|e| format!("{e:?}"))
}

/// Offers what `url` points at (an object or data URL) as a download named `file_name`.
pub fn download_url(file_name: &str, url: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not an anchor")?;
    anchor.set_href(url);
    anchor.set_download(file_name);
    anchor.click();
    Ok(())
}

/// The file just chosen in a file input's change event; the input is cleared so that choosing
/// the same file again fires another event.
fn take_chosen_file(ev: &leptos::ev::Event) -> Option<File> {
    let input: HtmlInputElement = ev.target()?.dyn_into().ok()?;
    let file = input.files()?.get(0)?;
    input.set_value("");
    Some(file)
}

/// Reads a chosen file as text, refusing one larger than [`MAX_FILE_BYTES`].
async fn read_text(file: &File) -> Result<String, String> {
    check_size(file)?;
    let text = JsFuture::from(file.text())
        .await
        .map_err(|e| format!("The file {:?} could not be read: {e:?}", file.name()))?;
    text.as_string()
        .ok_or_else(|| format!("The file {:?} is not text.", file.name()))
}

/// Reads a chosen file's bytes, refusing one larger than [`MAX_FILE_BYTES`].
async fn read_bytes(file: &File) -> Result<Vec<u8>, String> {
    check_size(file)?;
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("The file {:?} could not be read: {e:?}", file.name()))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// What a chosen file is read as.
pub enum Contents {
    Text(String),
    Bytes(Vec<u8>),
}

impl Contents {
    pub fn into_text(self) -> String {
        match self {
            Contents::Text(text) => text,
            Contents::Bytes(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Contents::Text(text) => text.into_bytes(),
            Contents::Bytes(bytes) => bytes,
        }
    }
}

/// Reads the file chosen in a file input's change event (as text or bytes) and sends the request
/// `make(name, contents)` to the worker; a file that cannot be read becomes a message.
pub fn send_chosen_file(
    ev: &leptos::ev::Event,
    commands: Commands,
    as_text: bool,
    make: impl FnOnce(String, Contents) -> Request + 'static,
) {
    let Some(file) = take_chosen_file(ev) else {
        return;
    };
    leptos::task::spawn_local(async move {
        let contents = if as_text {
            read_text(&file).await.map(Contents::Text)
        } else {
            read_bytes(&file).await.map(Contents::Bytes)
        };
        match contents {
            Ok(contents) => commands.send(make(file.name(), contents)),
            Err(problem) => commands.say(problem),
        }
    });
}

/// Offers `bytes` to the user as a download named `file_name`.
pub fn download_bytes(file_name: &str, bytes: &[u8]) -> Result<(), String> {
    let array = js_sys::Uint8Array::from(bytes);
    let options = BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = Blob::new_with_u8_array_sequence_and_options(&Array::of1(&array), &options)
        .map_err(|e| format!("{e:?}"))?;
    save_blob(file_name, &blob)
}

/// Refuses a file larger than [`MAX_FILE_BYTES`] before reading it.
fn check_size(file: &File) -> Result<(), String> {
    if file.size() > MAX_FILE_BYTES {
        return Err(format!(
            "The file {:?} is {:.0} MB; the page reads files up to {:.0} MB.",
            file.name(),
            file.size() / 1048576.0,
            MAX_FILE_BYTES / 1048576.0
        ));
    }
    Ok(())
}
