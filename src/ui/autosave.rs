//! Autosave: the latest trajectory and model kept in the browser's IndexedDB, so that a reload or
//! a closed tab loses nothing; restorable from the page. Whether it is on is a preference of this
//! browser (localStorage), not a setting of the link.

use crate::protocol::messages::Backup;
use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode,
};

const DATABASE: &str = "jumpformer";
const STORE: &str = "autosave";
const PREFERENCE: &str = "jumpformer-autosave";

/// One saved copy and when it was saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    /// Milliseconds since 1970 (`Date.now()`).
    pub saved_at_ms: f64,
    pub backup: Backup,
}

/// What an earlier visit left in this browser.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SavedSession {
    pub trajectory: Option<Saved>,
    pub model: Option<Saved>,
}

impl SavedSession {
    pub fn is_empty(&self) -> bool {
        self.trajectory.is_none() && self.model.is_none()
    }
}

/// The key a backup is stored under: one trajectory and one model at most.
fn key_of(backup: &Backup) -> &'static str {
    match backup {
        Backup::Trajectory { .. } => "trajectory",
        Backup::Model { .. } => "model",
    }
}

/// Whether autosave is on in this browser (on unless the user turned it off).
pub fn enabled() -> bool {
    local_storage()
        .and_then(|s| s.get_item(PREFERENCE).ok().flatten())
        .is_none_or(|v| v != "off")
}

/// Remembers the user's choice in this browser.
pub fn set_enabled(on: bool) -> Result<(), String> {
    let storage = local_storage().ok_or("this browser keeps no preferences (localStorage)")?;
    storage
        .set_item(PREFERENCE, if on { "on" } else { "off" })
        .map_err(describe)
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Stores `backup`, replacing the earlier one of its kind.
pub async fn save(backup: &Backup) -> Result<(), String> {
    let saved = Saved {
        saved_at_ms: js_sys::Date::now(),
        backup: backup.clone(),
    };
    let text = serde_json::to_string(&saved).map_err(|e| e.to_string())?;
    write(|store| store.put_with_key(&text.into(), &key_of(backup).into())).await
}

/// What is stored; entries that no longer parse are skipped.
pub async fn load() -> Result<SavedSession, String> {
    let database = open().await?;
    let store = database
        .transaction_with_str(STORE)
        .and_then(|t| t.object_store(STORE))
        .map_err(describe)?;
    let mut session = SavedSession::default();
    for key in ["trajectory", "model"] {
        let request = store.get(&key.into()).map_err(describe)?;
        let value = succeeded(&request).await?;
        let saved = value
            .as_string()
            .and_then(|text| serde_json::from_str::<Saved>(&text).ok());
        match key {
            "trajectory" => session.trajectory = saved,
            _ => session.model = saved,
        }
    }
    Ok(session)
}

/// Deletes everything stored.
pub async fn clear() -> Result<(), String> {
    write(|store| store.clear()).await
}

/// Makes one change to the store and waits until it is committed.
async fn write(
    change: impl FnOnce(&IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<(), String> {
    let database = open().await?;
    let transaction = database
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(describe)?;
    let done = finished(&transaction);
    transaction
        .object_store(STORE)
        .and_then(|store| change(&store))
        .map_err(describe)?;
    done.await
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or("this browser offers no storage for pages (IndexedDB)")?;
    let request: IdbOpenDbRequest = factory.open_with_u32(DATABASE, 1).map_err(describe)?;
    let upgrading = request.clone();
    let on_upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        if let Ok(database) = upgrading
            .result()
            .and_then(|r| r.dyn_into::<IdbDatabase>().map_err(JsValue::from))
        {
            let _ = database.create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let result = succeeded(&request).await;
    request.set_onupgradeneeded(None);
    result?.dyn_into::<IdbDatabase>().map_err(describe)
}

/// The result of `request` once it succeeded.
async fn succeeded(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    outcome.map_err(|_| {
        request
            .error()
            .ok()
            .flatten()
            .map(|e| e.message())
            .unwrap_or_else(|| "the browser's storage refused the request".into())
    })?;
    request.result().map_err(describe)
}

/// Resolves when `transaction` is committed (written to disk), fails when it aborts.
fn finished(transaction: &IdbTransaction) -> impl std::future::Future<Output = Result<(), String>> {
    let promise = Promise::new(&mut |resolve, reject| {
        transaction.set_oncomplete(Some(&resolve));
        transaction.set_onerror(Some(&reject));
        transaction.set_onabort(Some(&reject));
    });
    let transaction = transaction.clone();
    async move {
        JsFuture::from(promise).await.map_err(|_| {
            transaction
                .error()
                .map(|e| e.message())
                .unwrap_or_else(|| "the browser's storage refused to save (is it full?)".into())
        })?;
        Ok(())
    }
}

fn describe(err: JsValue) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| format!("{err:?}"))
}
