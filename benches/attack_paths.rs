//! The `attack-path` rule at scale: a generated model of 100,000 components in 100 zones
//! (5 of them untrusted by their names) and 300,000 flows (a fifth of them across zones, a
//! tenth two-way, two fifths protected), 1 % of the components handling sensitive data.
//!
//! The rule is one breadth-first search from every entry at once, linear in the flow
//! graph; this prints its time beside the time to read and build the same model without
//! it, and the ratio, each the median of several runs:
//!
//!   cargo bench --bench attack_paths            # 100k components, 300k flows
//!   cargo bench --bench attack_paths -- 20000   # another number of components (3 flows each)

use std::time::{Duration, Instant};

use threatline::analysis::graph::ModelGraph;
use threatline::analysis::{AnalysisOptions, Context, RuleCode, analyse, rules};
use threatline::catalogue::Catalogue;
use threatline::model::{BuildOptions, Model, build};
use threatline::scan::{FileKind, FileResult, Scanner};

const ZONES: usize = 100;
const UNTRUSTED: [&str; 5] = ["Internet", "Customer", "Partner", "Supplier", "Visitor"];
const RUNS: usize = 5;

/// A deterministic generator (64-bit LCG, the top bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % below as u64) as usize
    }
}

fn zone_name(z: usize) -> String {
    match UNTRUSTED.get(z) {
        Some(name) => name.to_string(),
        None => format!("Svc{z}"),
    }
}

/// The annotations of the model, split into files of 5,000 lines.
fn generate(components: usize) -> Vec<(String, String)> {
    let per_zone = components / ZONES;
    let flows = components * 3;
    let mut rng = Lcg(0x7468_7265_6174);
    let mut lines: Vec<String> = Vec::with_capacity(flows + components / 100 + 16);
    lines.push("@control Mutual TLS (#mtls)".to_string());
    lines.push("@boundary Data tier (#data-tier) [high] around Svc90, Svc91, Svc92".to_string());
    lines.push("@boundary Payments split (#pay) between Svc50 and Svc51".to_string());
    for i in 0..components {
        let (z, c) = (i / per_zone, i % per_zone);
        lines.push(format!("@component {}:C{c}", zone_name(z)));
    }
    let component =
        |rng: &mut Lcg, zone: usize| format!("{}:C{}", zone_name(zone), rng.next(per_zone));
    for n in 0..flows {
        let from_zone = rng.next(ZONES);
        let to_zone = if rng.next(5) == 0 {
            rng.next(ZONES)
        } else {
            from_zone
        };
        let from = component(&mut rng, from_zone);
        let to = component(&mut rng, to_zone);
        let mechanism = match rng.next(10) {
            0..=5 => "JSON",
            6..=7 => "HTTPS",
            _ => "#mtls",
        };
        if rng.next(10) == 0 {
            let dotted = |p: &str| p.replace(':', ".");
            lines.push(format!(
                "@flows {} <-> {} via {mechanism} (#f{n})",
                dotted(&from),
                dotted(&to)
            ));
        } else {
            lines.push(format!("@connects {from} to {to} with {mechanism} (#f{n})"));
        }
    }
    for i in (0..components).step_by(100) {
        let (z, c) = (i / per_zone, (i * 7) % per_zone);
        let class = ["pii", "financial", "secrets", "phi"][i / 100 % 4];
        lines.push(format!("@handles {class} on {}:C{c}", zone_name(z)));
    }
    lines
        .chunks(5_000)
        .enumerate()
        .map(|(i, chunk)| (format!("model/{i:04}.threatline"), chunk.join("\n") + "\n"))
        .collect()
}

fn scan(files: &[(String, String)]) -> Vec<FileResult> {
    let mut scanner = Scanner::new(Duration::from_secs(60));
    files
        .iter()
        .filter_map(|(path, text)| {
            scanner.scan(path, text.as_bytes().to_vec(), Some(FileKind::Plain))
        })
        .collect()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = f();
        times.push(start.elapsed());
        last = Some(out);
    }
    (median(times), last.expect("at least one run"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    // `cargo bench` passes `--bench`; a number is the number of components.
    let components = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(100_000)
        .max(ZONES * 10);
    let files = generate(components);
    let options = BuildOptions::default();
    let (t_scan, _) = time(|| scan(&files).len());
    let (t_model, model): (Duration, Model) = time(|| build(scan(&files), &options));
    let t_build = t_model.saturating_sub(t_scan);
    let untrusted = model
        .components
        .iter()
        .filter(|c| c.trust.as_ref().is_some_and(|t| t.is_untrusted()))
        .count();
    let catalogue = Catalogue::shared_builtin();
    let (t_graph, _) = time(|| ModelGraph::new(&model).graph.edge_count());
    let rule = rules::ALL
        .iter()
        .find(|r| r.code == RuleCode::AttackPath)
        .expect("the rule is listed");
    // What the rule adds to a run: `analyse` builds the graph once for every rule.
    let ctx = Context {
        model: &model,
        graph: ModelGraph::new(&model),
        catalogue: &catalogue,
    };
    let (t_rule, found) = time(|| (rule.check)(&ctx));
    let without = AnalysisOptions {
        severity: [(RuleCode::AttackPath, None)].into_iter().collect(),
        ..AnalysisOptions::default()
    };
    let (t_others, _) = time(|| analyse(&model, &without));
    let hops: usize = found.iter().map(|f| f.path.len()).sum();
    println!(
        "model: {} components ({untrusted} in untrusted zones), {} flows, {} files",
        model.components.len(),
        model.flows.len(),
        files.len()
    );
    println!(
        "attack paths: {} targets reached, {:.1} hops on average",
        found.len(),
        hops as f64 / found.len().max(1) as f64
    );
    println!("median of {RUNS} runs:");
    println!("  read the annotations      {:>9.1} ms", ms(t_scan));
    println!("  build the model           {:>9.1} ms", ms(t_build));
    println!("  read + build              {:>9.1} ms", ms(t_model));
    println!("  the flow graph (petgraph) {:>9.1} ms", ms(t_graph));
    println!("  attack-path (graph built) {:>9.1} ms", ms(t_rule));
    println!("  the other rules (+graph)  {:>9.1} ms", ms(t_others));
    let model_time = t_model;
    println!(
        "attack-path / (read + build the model) = {:.3}; attack-path / build alone = {:.3}; attack-path / other rules = {:.3}",
        t_rule.as_secs_f64() / model_time.as_secs_f64(),
        t_rule.as_secs_f64() / t_build.as_secs_f64(),
        t_rule.as_secs_f64() / t_others.as_secs_f64()
    );
}
