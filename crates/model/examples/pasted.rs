//! Diagnoses the README's worked example and prints what each part of the model says.
use corscope_model::{classify, explain, fix, paste, verdict, RequestSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spec = RequestSpec {
        origin: "https://app.example".into(),
        url: "https://api.example/v1/items".into(),
        method: "PUT".into(),
        headers: vec![("X-Api-Key".into(), "secret".into())],
        ..RequestSpec::default()
    };
    let classification = classify(&spec)?;
    for reason in &classification.preflight {
        println!("preflight because: {reason}");
    }
    let preflight = "HTTP/2 204\naccess-control-allow-origin: https://app.example\n\
        access-control-allow-methods: GET, PUT\naccess-control-allow-headers: content-type\n\n";
    let actual = "HTTP/2 200\naccess-control-allow-origin: https://app.example\n\n";
    let exchange = paste::parse_exchange(Some(preflight), actual)?;
    match verdict::decide(&classification, &exchange) {
        verdict::Verdict::Blocked(b) => {
            let request = &classification.request;
            println!("code: {} ({:?})", b.error, b.failed_parameter);
            println!("headline: {}", explain::headline(&b, request));
            println!("detail: {}", explain::detail(&b, request));
            println!("console: {}", explain::console_message(&b, request));
            let focus = fix::Focus::from_blocked(&b);
            let advice = fix::advice(fix::Stack::FastApi, request, &focus);
            println!(
                "fix ({}): {}\n{}",
                advice.language, advice.summary, advice.snippet
            );
        }
        other => println!("{other:?}"),
    }
    Ok(())
}
