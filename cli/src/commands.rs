//! Each subcommand: turns parsed arguments into stdout bytes or a failure.

use std::fmt::Write as _;
use std::time::Duration;

use konaplate_crypto::correlation::{CorrelationId, CorrelationIdGenerator};
use konaplate_crypto::envelope;
use konaplate_crypto::fields::Fields;
use konaplate_crypto::headers::HeaderBuilder;
use konaplate_crypto::ids::{AccessKey, AspId, CryptoKeyId};
use konaplate_crypto::jwe::ContentEncryption;
use konaplate_crypto::keyring::generate_jwks;
use konaplate_crypto::token::{TokenForm, TokenSigner, TranToken, VerifyOptions};
use zeroize::Zeroizing;

use crate::args::{
    Cli, Command, CorrIdCommand, EnvelopeCommand, FieldsCommand, HeadersArgs, TokenCommand,
};
use crate::{Failure, fail, input, keys, read_stdin};

/// Runs the command; returns what to print.
pub fn run(cli: Cli) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let text = match cli.command {
        Command::CorrId {
            check: Some(CorrIdCommand::Check { id }),
            ..
        } => {
            CorrelationId::parse(&id)?;
            "ok\n".to_owned()
        }
        Command::CorrId { check: None, make } => {
            let zone = input::zone(&make.zone)?;
            let ids = CorrelationIdGenerator::new();
            let mut out = String::with_capacity(21 * make.count as usize);
            for _ in 0..make.count {
                out.push_str(ids.generate(zone)?.as_str());
                out.push('\n');
            }
            out
        }
        Command::Token(cmd) => token(cmd)?,
        Command::Headers(args) => headers(&args)?,
        Command::Keygen { kid, alg } => {
            let kid = CryptoKeyId::parse(&kid).map_err(|e| fail(format!("--kid: {e}")))?;
            let enc = alg
                .parse::<ContentEncryption>()
                .map_err(|_| fail("--alg: expected A128GCM or A256GCM"))?;
            return Ok(Zeroizing::new(generate_jwks(&kid, enc).as_bytes().to_vec()));
        }
        Command::Fields(cmd) => return fields(cmd),
        Command::Envelope(cmd) => return envelope(cmd),
        Command::Demo => crate::demo::run()?,
    };
    Ok(Zeroizing::new(text.into_bytes()))
}

fn field_set(paths: &[String], strict: bool) -> Result<Fields, Failure> {
    let fields = Fields::new(paths)?;
    Ok(if strict { fields.strict() } else { fields })
}

fn fields(cmd: FieldsCommand) -> Result<Zeroizing<Vec<u8>>, Failure> {
    match cmd {
        FieldsCommand::Encrypt {
            key,
            fields,
            strict,
        } => {
            let set = field_set(&fields, strict)?;
            let loaded = keys::seal_key(&key)?;
            let sealer = loaded.sealer(key.enc.as_deref())?;
            let doc = read_stdin()?;
            // Every byte outside the marked values is kept, trailing newline included.
            Ok(Zeroizing::new(set.encrypt(&doc, &sealer)?))
        }
        FieldsCommand::Decrypt {
            key,
            fields,
            strict,
        } => {
            let set = field_set(&fields, strict)?;
            let loaded = keys::open_key(&key)?;
            let doc = Zeroizing::new(read_stdin()?);
            Ok(set.decrypt(&doc, &loaded.opener())?)
        }
    }
}

fn envelope(cmd: EnvelopeCommand) -> Result<Zeroizing<Vec<u8>>, Failure> {
    match cmd {
        EnvelopeCommand::Seal { key } => {
            let loaded = keys::seal_key(&key)?;
            let sealer = loaded.sealer(key.enc.as_deref())?;
            let body = Zeroizing::new(read_stdin()?);
            let sealed = envelope::seal(&body, &sealer)?;
            Ok(Zeroizing::new(format!("{sealed}\n").into_bytes()))
        }
        EnvelopeCommand::Open { key } => {
            let loaded = keys::open_key(&key)?;
            let body = read_stdin()?;
            // The original body, byte for byte: no newline added.
            Ok(envelope::open(&body, &loaded.opener())?)
        }
    }
}

fn token(cmd: TokenCommand) -> Result<String, Failure> {
    match cmd {
        TokenCommand::Sign {
            secret,
            time,
            zone,
            padded,
        } => {
            let zone = input::zone(&zone)?;
            let signer = TokenSigner::new(&input::secret(&secret)?);
            let (time, _) = input::time_or_now("--time", time.as_deref(), zone)?;
            let form = if padded {
                TokenForm::Padded
            } else {
                TokenForm::Unpadded
            };
            let body = read_stdin()?;
            Ok(format!("{}\n", signer.sign(&body, time, form)))
        }
        TokenCommand::Verify {
            secret,
            token,
            now,
            zone,
            max_skew,
            strict,
        } => {
            let zone = input::zone(&zone)?;
            let signer = TokenSigner::new(&input::secret(&secret)?);
            let token = TranToken::parse(&token)?;
            let (_, now) = input::time_or_now("--now", now.as_deref(), zone)?;
            let mut options = VerifyOptions::new().max_skew(Duration::from_secs(max_skew));
            if strict {
                options = options.strict();
            }
            let body = read_stdin()?;
            signer.verify(&token, &body, now, zone, &options)?;
            Ok("ok\n".to_owned())
        }
    }
}

fn headers(args: &HeadersArgs) -> Result<String, Failure> {
    let zone = input::zone(&args.zone)?;
    let signer = TokenSigner::new(&input::secret(&args.secret)?);
    let mut builder = HeaderBuilder::new(AspId::parse(&args.asp_id)?, zone)
        .access_key(AccessKey::parse(&args.access_key)?);
    if let Some(id) = &args.crypto_key_id {
        builder = builder.crypto_key_id(CryptoKeyId::parse(id)?);
    }
    let (_, at) = input::time_or_now("--time", args.time.as_deref(), zone)?;
    let body = read_stdin()?;
    let headers = builder.build(&signer, &CorrelationIdGenerator::new(), &body, at)?;
    let mut out = String::new();
    for (name, value) in headers.iter() {
        let _ = writeln!(out, "{name}: {value}");
    }
    Ok(out)
}
