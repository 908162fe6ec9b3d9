//! The headline figures of BENCHMARKS.md, measured interleaved: for each
//! figure the crate and its baseline run in alternating batches of about
//! 10 ms, 31 rounds, and the figure is the median of the per-round ratios.
//! On a shared machine whose speed drifts over seconds, two criterion
//! benches run one after the other can disagree by 30%; a drift slower
//! than a round cancels out of each round's ratio. The criterion groups in
//! `token.rs` and `jwe.rs` do the same work one by one, for the record.
//!
//!   cargo bench --bench ratios
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

#[path = "support/bare.rs"]
mod bare;
#[path = "support/common.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant, UNIX_EPOCH};

use common::{SEED_RESPONSE, josekit_pair, setup};
use konaplate_crypto::{
    ContentType, CorrelationIdGenerator, DateTime, Fields, ProjectSecret, TimeZone, TokenForm,
    TokenSigner, TranToken, VerifyOptions, open_envelope, seal_envelope,
};

const ROUNDS: usize = 31;
const BATCH: Duration = Duration::from_millis(10);

/// Seconds per call of `op`, over a batch of `n` calls.
fn per_call(n: u64, op: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        op();
    }
    start.elapsed().as_secs_f64() / n as f64
}

/// Calls that fill about one batch.
fn calibrate(op: &mut dyn FnMut()) -> u64 {
    let mut n = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..n {
            op();
        }
        if start.elapsed() >= BATCH / 4 || n >= 1 << 30 {
            let per = start.elapsed().as_secs_f64() / n as f64;
            return ((BATCH.as_secs_f64() / per) as u64).max(1);
        }
        n *= 2;
    }
}

/// The median over rounds of (time of `base`) / (time of `ours`), the two
/// run in alternate batches.
fn interleaved(ours: &mut dyn FnMut(), base: &mut dyn FnMut()) -> f64 {
    let (n_ours, n_base) = (calibrate(ours), calibrate(base));
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            // Alternate which goes first, so neither always follows the other.
            if round % 2 == 0 {
                let t = per_call(n_ours, ours);
                per_call(n_base, base) / t
            } else {
                let b = per_call(n_base, base);
                b / per_call(n_ours, ours)
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ROUNDS / 2]
}

struct Row {
    figure: &'static str,
    ratio: f64,
    unit: &'static str,
    goal: Option<f64>,
}

fn row(figure: &'static str, goal: Option<f64>, unit: &'static str, ratio: f64) -> Row {
    Row {
        figure,
        ratio,
        unit,
        goal,
    }
}

const LIMIT: &str = "of the limit";
const FASTER: &str = "x faster";
const SCALE: &str = "x";

fn tokens(rows: &mut Vec<Row>) {
    let secret = "sandbox-secret-for-benchmarks";
    let signer = TokenSigner::new(&ProjectSecret::from(secret));
    let limit = bare::Token::new(secret.as_bytes());
    let time = DateTime::new(2022, 11, 8, 12, 8, 14, 608).unwrap();
    let t = bare::SEED_TIME;
    for (figure, size) in [("token sign, 256 B", 256usize), ("token sign, 1 KiB", 1024)] {
        let body = vec![b'a'; size];
        let r = interleaved(
            &mut || {
                black_box(signer.sign(black_box(&body), time, TokenForm::Unpadded));
            },
            &mut || {
                black_box(limit.sign(black_box(&body), t));
            },
        );
        rows.push(row(figure, Some(0.9), LIMIT, r));
    }
    let body = vec![b'a'; 1024];
    let now = time.to_system_time(TimeZone::KST);
    let now_ms = now.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
    let text = signer
        .sign(&body, time, TokenForm::Unpadded)
        .as_str()
        .to_owned();
    let opts = VerifyOptions::default();
    let r = interleaved(
        &mut || {
            let token = TranToken::parse(black_box(&text)).unwrap();
            signer
                .verify(&token, black_box(&body), now, TimeZone::KST, &opts)
                .unwrap();
        },
        &mut || {
            assert!(limit.verify(
                black_box(text.as_bytes()),
                black_box(&body),
                now_ms,
                9 * 3_600_000,
                300_000
            ));
        },
    );
    rows.push(row("token verify, 1 KiB", Some(0.9), LIMIT, r));
}

fn jwe(rows: &mut Vec<Row>) {
    let (sealer, opener, bare) = setup();
    let (jk_header, jk_enc, jk_dec) = josekit_pair();
    let sizes = [
        (
            16usize,
            0.6,
            4.0,
            [
                "JWE dir A256GCM open, 16 B",
                "JWE seal, 16 B",
                "JWE open vs josekit, 16 B",
                "JWE seal vs josekit, 16 B",
            ],
        ),
        (
            1024,
            0.85,
            2.0,
            [
                "JWE open, 1 KiB",
                "JWE seal, 1 KiB",
                "JWE open vs josekit, 1 KiB",
                "JWE seal vs josekit, 1 KiB",
            ],
        ),
    ];
    for (size, open_goal, jk_goal, [open_fig, seal_fig, jk_open_fig, jk_seal_fig]) in sizes {
        let sanity_fig = if size == 16 {
            "check: bare open against itself, 16 B (should read 1.00)"
        } else {
            "check: bare open against itself, 1 KiB (should read 1.00)"
        };
        let p = vec![b'a'; size];
        let sealed = sealer.seal(&p, ContentType::Text).unwrap();
        let mut ours_open = || {
            black_box(opener.open(black_box(&sealed)).unwrap());
        };
        let mut ours_seal = || {
            black_box(sealer.seal(black_box(&p), ContentType::Text).unwrap());
        };
        let r = interleaved(
            &mut || {
                black_box(bare.open(black_box(&sealed)));
            },
            &mut || {
                black_box(bare.open(black_box(&sealed)));
            },
        );
        // The method's own error: the limit against itself.
        rows.push(row(sanity_fig, None, LIMIT, r));
        let r = interleaved(&mut ours_open, &mut || {
            black_box(bare.open(black_box(&sealed)));
        });
        rows.push(row(open_fig, Some(open_goal), LIMIT, r));
        let r = interleaved(&mut ours_seal, &mut || {
            black_box(bare.seal(black_box(&p)));
        });
        rows.push(row(seal_fig, Some(0.85), LIMIT, r));
        let r = interleaved(&mut ours_open, &mut || {
            black_box(josekit::jwe::deserialize_compact(black_box(&sealed), &jk_dec).unwrap());
        });
        rows.push(row(jk_open_fig, Some(jk_goal), FASTER, r));
        let r = interleaved(&mut ours_seal, &mut || {
            black_box(josekit::jwe::serialize_compact(black_box(&p), &jk_header, &jk_enc).unwrap());
        });
        rows.push(row(jk_seal_fig, None, FASTER, r));
    }
}

fn fields_and_envelopes(rows: &mut Vec<Row>) {
    let (sealer, opener, bare) = setup();
    let marked = Fields::new(["mobileCardNo", "par"]).unwrap();
    let sealed = marked.encrypt(SEED_RESPONSE, &sealer).unwrap();
    let values = common::sealed_values(&sealed);
    let mut encrypt = || {
        black_box(marked.encrypt(black_box(SEED_RESPONSE), &sealer).unwrap());
    };
    let mut two_seals = || {
        black_box(bare.seal_seed_values());
    };
    let r = interleaved(&mut encrypt, &mut two_seals);
    rows.push(row(
        "marked fields encrypt, seed response (vs two bare seals)",
        Some(0.6),
        LIMIT,
        r,
    ));
    let r = interleaved(
        &mut || {
            black_box(marked.decrypt(black_box(&sealed), &opener).unwrap());
        },
        &mut || {
            black_box(bare.open(black_box(&values[0])));
            black_box(bare.open(black_box(&values[1])));
        },
    );
    rows.push(row(
        "marked fields decrypt, seed response (vs two bare opens)",
        Some(0.6),
        LIMIT,
        r,
    ));

    for (size, seal_fig, open_fig) in [
        (
            64usize << 10,
            "envelope seal, 64 KiB",
            "envelope open, 64 KiB",
        ),
        (4 << 20, "envelope seal, 4 MiB", "envelope open, 4 MiB"),
    ] {
        let body = vec![b'{'; size];
        let r = interleaved(
            &mut || {
                black_box(seal_envelope(black_box(&body), &sealer).unwrap());
            },
            &mut || {
                black_box(bare.seal_envelope(black_box(&body)));
            },
        );
        rows.push(row(seal_fig, Some(0.6), LIMIT, r));
        let env = seal_envelope(&body, &sealer).unwrap();
        let r = interleaved(
            &mut || {
                black_box(open_envelope(black_box(env.as_bytes()), &opener).unwrap());
            },
            &mut || {
                black_box(bare.open_envelope(black_box(&env)));
            },
        );
        rows.push(row(open_fig, Some(0.8), LIMIT, r));
    }

    // Two threads against one, each doing the same batch of work.
    let on_threads = |threads: usize, work: &(dyn Fn() + Sync)| {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..2000 / threads {
                        work();
                    }
                });
            }
        });
    };
    let fields_work = || {
        black_box(marked.encrypt(black_box(SEED_RESPONSE), &sealer).unwrap());
    };
    let r = interleaved(&mut || on_threads(2, &fields_work), &mut || {
        on_threads(1, &fields_work)
    });
    rows.push(row(
        "marked fields encrypt, 2 threads vs 1",
        Some(1.8),
        SCALE,
        r,
    ));
    let seals_work = || {
        black_box(bare.seal_seed_values());
    };
    let r = interleaved(&mut || on_threads(2, &seals_work), &mut || {
        on_threads(1, &seals_work)
    });
    rows.push(row(
        "two bare seals, 2 threads vs 1 (for comparison)",
        None,
        SCALE,
        r,
    ));
}

fn ids() -> (f64, f64) {
    let ids = CorrelationIdGenerator::new();
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let median_rate = |op: &mut dyn FnMut()| {
        let n = calibrate(op);
        let mut rates: Vec<f64> = (0..ROUNDS).map(|_| 1.0 / per_call(n, op)).collect();
        rates.sort_by(f64::total_cmp);
        rates[ROUNDS / 2] / 1e6
    };
    (
        median_rate(&mut || {
            black_box(ids.generate_at(black_box(now), TimeZone::KST).unwrap());
        }),
        median_rate(&mut || {
            black_box(ids.generate(TimeZone::KST).unwrap());
        }),
    )
}

fn main() {
    // `cargo bench` passes `--bench`; a filter is not offered.
    let mut rows = Vec::new();
    tokens(&mut rows);
    jwe(&mut rows);
    fields_and_envelopes(&mut rows);
    let (fixed, clock) = ids();
    println!("| figure | measured | goal | met |");
    println!("|---|---|---|---|");
    for r in &rows {
        let goal = r.goal.map_or(String::new(), |g| format!("≥ {g}"));
        let met = match r.goal {
            None => "",
            Some(g) if r.ratio >= g => "yes",
            Some(_) => "**no**",
        };
        println!(
            "| {} | {:.2} {} | {goal} | {met} |",
            r.figure, r.ratio, r.unit
        );
    }
    let met = if fixed >= 20.0 { "yes" } else { "**no**" };
    println!("| correlation ids, one thread, fixed instant | {fixed:.1} M/s | ≥ 20 M/s | {met} |");
    println!("| correlation ids, one thread, reading the clock | {clock:.1} M/s | | |");
}
