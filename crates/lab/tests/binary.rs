//! The `corscope-lab` binary itself: the ready line, one log line per request, and a clean exit on SIGTERM.

// Test helpers outside #[test] functions may unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the child if the test fails half-way, so no lab outlives the test run.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn ready_line_log_lines_and_sigterm() {
    let child = Command::new(env!("CARGO_BIN_EXE_corscope-lab"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lab = Running(child);
    let mut lines = BufReader::new(lab.0.stdout.take().unwrap()).lines();
    let ready = lines.next().unwrap().unwrap();
    let addr = ready
        .strip_prefix("corscope-lab listening on http://")
        .unwrap()
        .to_owned();
    assert!(addr.starts_with("127.0.0.1:"), "{ready}");

    let mut stream = TcpStream::connect(&addr).unwrap();
    let request = "OPTIONS /s/preflight-put-ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                   Origin: http://127.0.0.1:41234\r\nAccess-Control-Request-Method: PUT\r\n\
                   Access-Control-Request-Headers: content-type,x-custom\r\n\r\n";
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 204"), "{response}");
    let log = lines.next().unwrap().unwrap();
    assert_eq!(
        log,
        "OPTIONS /s/preflight-put-ok origin=http://127.0.0.1:41234 acrm=PUT acrh=content-type,x-custom -> 204"
    );

    let pid = lab.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = lab.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "the lab ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(rest, ["corscope-lab shutting down", "corscope-lab stopped"]);
}

#[test]
fn bad_arguments_exit_with_usage() {
    let output = Command::new(env!("CARGO_BIN_EXE_corscope-lab"))
        .arg("--nope")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage: corscope-lab"));
}
