//! `corscope-lab`: runs the lab until SIGINT or SIGTERM.
//!
//! Usage: `corscope-lab [--port 8787] [--bind 127.0.0.1] [--quiet]`. Prints
//! `corscope-lab listening on http://<addr>` once ready (scripts wait for that line), then one line
//! per request unless `--quiet`.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use corscope_lab::{serve, Config};

const USAGE: &str = "usage: corscope-lab [--port N] [--bind ADDR] [--quiet]\n\
  --port N     TCP port (default 8787; 0 picks a free one)\n\
  --bind ADDR  IP address to listen on (default 127.0.0.1)\n\
  --quiet      no per-request log lines";

/// Command-line options; parsed by hand (a dozen lines beat a dependency).
#[derive(Debug, PartialEq)]
struct Args {
    addr: SocketAddr,
    quiet: bool,
}

/// Parses the arguments after the program name; `Err` holds the message to print.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut port: u16 = 8787;
    let mut bind = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut quiet = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = value(&mut args, "--port")?,
            "--bind" => bind = value(&mut args, "--bind")?,
            "--quiet" => quiet = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Args {
        addr: SocketAddr::new(bind, port),
        quiet,
    })
}

/// The value following an option, parsed.
fn value<T: std::str::FromStr>(
    args: &mut impl Iterator<Item = String>,
    option: &str,
) -> Result<T, String> {
    let raw = args
        .next()
        .ok_or_else(|| format!("{option} needs a value\n{USAGE}"))?;
    raw.parse()
        .map_err(|_| format!("{option}: invalid value {raw:?}\n{USAGE}"))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("corscope-lab: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("corscope-lab: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Binds, announces readiness, serves until a signal.
async fn run(args: Args) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let addr = listener.local_addr()?;
    say(&format!("corscope-lab listening on http://{addr}"));
    serve(
        listener,
        Config {
            quiet: args.quiet,
            ..Config::default()
        },
        shutdown_signal(),
    )
    .await?;
    say("corscope-lab stopped");
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM; a signal that cannot be installed simply never fires.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        #[cfg(unix)]
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
            return;
        }
        std::future::pending::<()>().await;
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    say("corscope-lab shutting down");
}

/// A status line on stdout, ignoring a closed stdout.
fn say(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_and_options() {
        assert_eq!(
            args(&[]).unwrap(),
            Args {
                addr: "127.0.0.1:8787".parse().unwrap(),
                quiet: false
            }
        );
        assert_eq!(
            args(&["--port", "0", "--bind", "::1", "--quiet"]).unwrap(),
            Args {
                addr: "[::1]:0".parse().unwrap(),
                quiet: true
            }
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert!(args(&["--port"]).is_err());
        assert!(args(&["--port", "70000"]).is_err());
        assert!(args(&["--bind", "localhost"]).is_err());
        assert!(args(&["--verbose"]).is_err());
    }
}
