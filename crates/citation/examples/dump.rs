//! Prints the records and diagnostics of a file (a debugging aid).

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        return;
    };
    let Ok(bytes) = std::fs::read(&path) else {
        return;
    };
    let p = citation::parse(&bytes, None);
    println!("{:?} {} records", p.format, p.records.len());
    for d in &p.diagnostics {
        println!("{d:?}");
    }
    let n: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    for r in p.records.iter().take(n) {
        println!("{r:#?}");
    }
}
