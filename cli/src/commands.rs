//! Each subcommand: turns parsed arguments into stdout bytes or a failure.

use std::fmt::Write as _;
use std::time::Duration;

use konaplate_crypto::{
    AcceptedForms, CorrelationId, CorrelationIdGenerator, Fields, HeaderBuilder, Instance,
    TokenForm, TokenSigner, TranToken, VerifyOptions, generate_jwks, open_envelope, seal_envelope,
};
use zeroize::Zeroizing;

use crate::args::{
    Cli, Command, CorrIdCommand, EnvelopeCommand, FieldsCommand, HeadersArgs, TokenCommand,
};
use crate::{Failure, exchange, input, keys, read_stdin};

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
            let mut ids = CorrelationIdGenerator::new();
            if let Some(number) = make.instance {
                ids = ids.with_instance(Instance::with_bits(number, make.instance_bits)?);
            }
            let mut out = String::with_capacity(21 * make.count as usize);
            for _ in 0..make.count {
                out.push_str(ids.generate(make.zone)?.as_str());
                out.push('\n');
            }
            out
        }
        Command::Token(cmd) => token(cmd)?,
        Command::Headers(args) => headers(&args)?,
        Command::Keygen { kid, alg } => {
            return Ok(Zeroizing::new(generate_jwks(&kid, alg).as_bytes().to_vec()));
        }
        Command::Fields(cmd) => return fields(cmd),
        Command::Envelope(cmd) => return envelope(cmd),
        Command::Exchange(cmd) => return exchange::run(cmd),
        Command::Demo => crate::demo::run()?,
        #[cfg(feature = "serve")]
        Command::Serve(args) => return crate::serve::run(&args),
    };
    Ok(Zeroizing::new(text.into_bytes()))
}

fn fields(cmd: FieldsCommand) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let field_set =
        |paths: &[String], strict: bool, max: Option<usize>| -> Result<Fields, Failure> {
            let fields = Fields::new(paths)?;
            let fields = match max {
                Some(n) => fields.with_max_document(n),
                None => fields,
            };
            Ok(if strict { fields.strict() } else { fields })
        };
    match cmd {
        FieldsCommand::Encrypt {
            key,
            fields,
            strict,
        } => {
            let set = field_set(&fields, strict, key.max_size)?;
            let sealer = keys::sealer(&key)?;
            let doc = read_stdin()?;
            // Every byte outside the marked values is kept, trailing newline included.
            Ok(Zeroizing::new(set.encrypt(&doc, &sealer)?))
        }
        FieldsCommand::Decrypt {
            key,
            fields,
            strict,
        } => {
            let set = field_set(&fields, strict, key.max_size)?;
            let opener = keys::opener(&key)?;
            let doc = Zeroizing::new(read_stdin()?);
            Ok(set.decrypt(&doc, &opener)?)
        }
    }
}

fn envelope(cmd: EnvelopeCommand) -> Result<Zeroizing<Vec<u8>>, Failure> {
    match cmd {
        EnvelopeCommand::Seal { key } => {
            let sealer = keys::sealer(&key)?;
            let body = Zeroizing::new(read_stdin()?);
            let sealed = seal_envelope(&body, &sealer)?;
            Ok(Zeroizing::new(format!("{sealed}\n").into_bytes()))
        }
        EnvelopeCommand::Open { key } => {
            let opener = keys::opener(&key)?;
            let body = read_stdin()?;
            // The original body, byte for byte: no newline added.
            Ok(open_envelope(&body, &opener)?)
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
            let signer = TokenSigner::new(&input::secret(&secret)?);
            let token = TranToken::parse(&token)?;
            let (_, now) = input::time_or_now("--now", now.as_deref(), zone)?;
            let forms = if strict {
                AcceptedForms::UnpaddedOnly
            } else {
                AcceptedForms::Both
            };
            let options = VerifyOptions::default()
                .with_max_skew(Duration::from_secs(max_skew))
                .with_forms(forms);
            let body = read_stdin()?;
            signer.verify(&token, &body, now, zone, &options)?;
            Ok("ok\n".to_owned())
        }
    }
}

fn headers(args: &HeadersArgs) -> Result<String, Failure> {
    let signer = TokenSigner::new(&input::secret(&args.secret)?);
    let mut builder = HeaderBuilder::new(args.asp_id, args.zone).access_key(args.access_key);
    if let Some(id) = args.crypto_key_id {
        builder = builder.crypto_key_id(id);
    }
    let (_, at) = input::time_or_now("--time", args.time.as_deref(), args.zone)?;
    let body = read_stdin()?;
    let headers = builder.build(&signer, &CorrelationIdGenerator::new(), &body, at)?;
    let mut out = String::new();
    for (name, value) in headers.iter() {
        let _ = writeln!(out, "{name}: {value}");
    }
    Ok(out)
}
