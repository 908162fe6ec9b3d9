//! The seed page's cancel endpoint (`POST /api/v1/card/delivery/cancel`)
//! over an in-memory store, shared by the server and load examples and the
//! loopback tests. Seeded relative to today's date in KST so that every
//! code on the page can be reached:
//!
//! - `2022110812081460812345` of user 1234567890, applied today: the first
//!   cancel answers `000_000` with the card's `mobileCardNo` and `par`, a
//!   second `003_003` (not cancelable: status);
//! - `2022110712081460812346` of user 1234567890, applied yesterday: `003_002`;
//! - any other user (999, say): `001_006`;
//! - `userId` 0 or not a number, a `cardApplyNo` not of 22 characters:
//!   `000_002` naming the parameter;
//! - an application number the user does not have: `003_003`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};

pub const PATH: &str = "/api/v1/card/delivery/cancel";
pub const USER: u64 = 1_234_567_890;
pub const TODAY_APPLICATION: &str = "2022110812081460812345";
pub const YESTERDAY_APPLICATION: &str = "2022110712081460812346";
pub const MOBILE_CARD_NO: &str = "9410123412341234";
pub const PAR: &str = "Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0";

/// Today's date in KST, as days since 1970-01-01.
fn kst_day() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    (secs + 9 * 3600).div_euclid(86_400)
}

struct Application {
    user: u64,
    day: i64,
    cancelled: bool,
}

/// The card applications, behind a lock.
#[derive(Clone)]
pub struct Store {
    applications: Arc<Mutex<HashMap<&'static str, Application>>>,
    /// A cancel that succeeds leaves the application cancelable (for the
    /// load example, which sends the seed request over and over).
    repeatable: bool,
}

impl Store {
    pub fn seeded(repeatable: bool) -> Store {
        let today = kst_day();
        let mut applications = HashMap::new();
        for (number, day) in [
            (TODAY_APPLICATION, today),
            (YESTERDAY_APPLICATION, today - 1),
        ] {
            applications.insert(
                number,
                Application {
                    user: USER,
                    day,
                    cancelled: false,
                },
            );
        }
        Store {
            applications: Arc::new(Mutex::new(applications)),
            repeatable,
        }
    }
}

fn answer(status: StatusCode, code: &str, message: &str) -> (StatusCode, Json<Value>) {
    (status, Json(json!({ "code": code, "message": message })))
}

/// The cancel handler: the clear request body in, the clear answer out (the
/// layer, when present, verified the one and protects the other).
pub async fn cancel(
    State(store): State<Store>,
    body: axum::body::Bytes,
) -> (StatusCode, Json<Value>) {
    let bad = StatusCode::BAD_REQUEST;
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let user = match request.get("userId").and_then(Value::as_u64) {
        Some(user) if user >= 1 => user,
        _ => return answer(bad, "000_002", "Invalid input parameter. userId"),
    };
    let number = match request.get("cardApplyNo").and_then(Value::as_str) {
        Some(n) if n.chars().count() == 22 => n.to_owned(),
        _ => return answer(bad, "000_002", "Invalid input parameter. cardApplyNo"),
    };
    if user != USER {
        return answer(bad, "001_006", "Wallet user not found.");
    }
    let mut applications = store.applications.lock().unwrap_or_else(|e| e.into_inner());
    let Some(application) = applications
        .get_mut(number.as_str())
        .filter(|a| a.user == user)
    else {
        return answer(
            bad,
            "003_003",
            "Card issue is not cancelable due to status.",
        );
    };
    if application.cancelled {
        return answer(
            bad,
            "003_003",
            "Card issue is not cancelable due to status.",
        );
    }
    if application.day != kst_day() {
        return answer(bad, "003_002", "Card issue is not cancelable due to day.");
    }
    application.cancelled = !store.repeatable;
    (
        StatusCode::OK,
        Json(json!({
            "code": "000_000",
            "message": "Success.",
            "mobileCardNo": MOBILE_CARD_NO,
            "par": PAR,
        })),
    )
}

/// The endpoint's router (without any layer).
pub fn router(store: Store) -> Router {
    Router::new().route(PATH, post(cancel)).with_state(store)
}
