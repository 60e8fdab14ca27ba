//! Terraform (`*.tf`): `resource "TYPE" "NAME"` blocks whose type is a component by the
//! table in `grammars/terraform.yaml` (databases and buckets Storage, networks, load
//! balancers and queues Communication, IAM, KMS and cluster control planes Control,
//! instances and functions Compute; AWS, Google Cloud and Azure). A resource is named
//! `<name> <type without its provider, as words>`: `orders db instance`.
//!
//! Blocks are found by line, outside comments and heredocs: a `resource` keyword that
//! opens a line is a block in any Terraform file that `terraform validate` accepts.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::files::{SourceFile, extension};
use super::{Context, Detection, Detector, sanitize};
use crate::annotation::Layer;

pub const DETECTOR: Detector = Detector {
    name: "terraform",
    reads,
    detect,
};

const TABLE_SOURCE: &str = include_str!("../../grammars/terraform.yaml");

/// The resource type table: patterns per layer, and patterns of types to leave out.
pub struct Table {
    exact: BTreeMap<String, Layer>,
    globs: Vec<(String, Layer)>,
    ignore: Vec<String>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    Table::parse(TABLE_SOURCE).unwrap_or_else(|e| panic!("grammars/terraform.yaml: {e}"))
});

impl Table {
    pub fn parse(text: &str) -> Result<Table, String> {
        let raw: BTreeMap<String, Vec<String>> =
            serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        let mut table = Table {
            exact: BTreeMap::new(),
            globs: Vec::new(),
            ignore: Vec::new(),
        };
        for (key, patterns) in raw {
            if key == "ignore" {
                table.ignore = patterns;
                continue;
            }
            let layer = Layer::parse(&key)
                .ok_or_else(|| format!("`{key}` is neither a CCCS layer nor `ignore`"))?;
            for pattern in patterns {
                if pattern.contains('*') {
                    table.globs.push((pattern, layer));
                } else if let Some(other) = table.exact.insert(pattern.clone(), layer) {
                    return Err(format!(
                        "`{pattern}` is listed under both {} and {}",
                        other.as_str(),
                        layer.as_str()
                    ));
                }
            }
        }
        Ok(table)
    }

    /// The layer of a resource type, or `None` when it is not a component.
    pub fn layer(&self, resource_type: &str) -> Option<Layer> {
        if let Some(layer) = self.exact.get(resource_type) {
            return Some(*layer);
        }
        if self.ignore.iter().any(|p| glob(p, resource_type)) {
            return None;
        }
        self.globs
            .iter()
            .filter(|(p, _)| glob(p, resource_type))
            .max_by_key(|(p, _)| p.len() - p.matches('*').count())
            .map(|(_, layer)| *layer)
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(tail) = text.strip_prefix(head) else {
                return false;
            };
            // Try every split point; patterns and type names are short.
            (0..=tail.len())
                .filter(|&i| tail.is_char_boundary(i))
                .any(|i| glob(rest, &tail[i..]))
        }
    }
}

static RESOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*resource\s+"?([A-Za-z0-9_-]+)"?\s+"?([A-Za-z0-9_-]+)"?\s*(\{|$)"#)
        .expect("valid")
});

static HEREDOC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<<-?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$").expect("valid"));

fn reads(path: &str) -> bool {
    extension(path).as_deref() == Some("tf")
}

fn detect(file: &SourceFile, _cx: &Context) -> Vec<Detection> {
    let table = &*TABLE;
    let mut found = Vec::new();
    let mut in_comment = false;
    let mut heredoc: Option<String> = None;
    for (index, line) in file.text.lines().enumerate() {
        if let Some(end) = &heredoc {
            if line.trim() == end {
                heredoc = None;
            }
            continue;
        }
        if in_comment {
            in_comment = !line.contains("*/");
            continue;
        }
        if let Some(caps) = RESOURCE.captures(line)
            && let Some(layer) = table.layer(&caps[1])
        {
            let name = sanitize(&caps[2]);
            let kind = caps[1].split_once('_').map_or(&caps[1], |(_, rest)| rest);
            found.push(Detection {
                segments: vec![format!("{name} {}", kind.replace('_', " "))],
                layer,
                line: index as u32 + 1,
                reason: format!("{}.{}", &caps[1], &caps[2]),
            });
        }
        let code = strip_line_comment(line);
        if let Some(caps) = HEREDOC.captures(code) {
            heredoc = Some(caps[1].to_string());
        } else if let Some(open) = code.rfind("/*") {
            in_comment = !code[open..].contains("*/");
        }
    }
    found
}

/// The part of a line before a `#` or `//` comment (strings are not tracked: a marker
/// inside a string only shortens what is searched for a heredoc or block comment).
fn strip_line_comment(line: &str) -> &str {
    let end = [line.find('#'), line.find("//")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(line.len());
    &line[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LayerKeywords;

    fn run(text: &str) -> Vec<(String, Layer, u32, String)> {
        let cx = Context {
            system: "Shop",
            keywords: LayerKeywords::builtin(),
        };
        detect(&SourceFile::new("infra/main.tf", text), &cx)
            .into_iter()
            .map(|d| (d.segments.join(":"), d.layer, d.line, d.reason))
            .collect()
    }

    #[test]
    fn the_table_loads_and_classifies() {
        let t = &*TABLE;
        assert_eq!(t.layer("aws_db_instance"), Some(Layer::Storage));
        assert_eq!(
            t.layer("aws_elasticache_replication_group"),
            Some(Layer::Storage)
        );
        assert_eq!(t.layer("aws_elasticache_subnet_group"), None, "ignored");
        assert_eq!(t.layer("aws_db_parameter_group"), None, "not listed");
        assert_eq!(
            t.layer("aws_s3_bucket_versioning"),
            None,
            "exact, not a prefix"
        );
        assert_eq!(t.layer("aws_iam_role"), Some(Layer::Control));
        assert_eq!(t.layer("aws_iam_role_policy_attachment"), None);
        assert_eq!(t.layer("aws_lb"), Some(Layer::Communication));
        assert_eq!(t.layer("aws_lambda_function"), Some(Layer::Compute));
        assert_eq!(
            t.layer("google_sql_database_instance"),
            Some(Layer::Storage)
        );
        assert_eq!(
            t.layer("google_project_iam_custom_role"),
            Some(Layer::Control)
        );
        assert_eq!(t.layer("google_project_iam_member"), None);
        assert_eq!(t.layer("azurerm_storage_account"), Some(Layer::Storage));
        assert_eq!(t.layer("azurerm_kubernetes_cluster"), Some(Layer::Control));
        assert_eq!(
            t.layer("azurerm_kubernetes_cluster_node_pool"),
            Some(Layer::Compute)
        );
        assert_eq!(t.layer("azurerm_linux_function_app"), Some(Layer::Compute));
        assert_eq!(
            t.layer("google_compute_forwarding_rule"),
            Some(Layer::Communication)
        );
    }

    #[test]
    fn a_type_in_two_layers_is_an_error() {
        assert!(Table::parse("storage: [x]\ncompute: [x]\n").is_err());
        assert!(Table::parse("network: [x]\n").is_err());
    }

    #[test]
    fn globs_match_anywhere() {
        assert!(glob("aws_*", "aws_lb"));
        assert!(glob("*_attachment", "aws_iam_role_policy_attachment"));
        assert!(glob("google_*_iam_*", "google_project_iam_policy"));
        assert!(!glob("google_*_iam_*", "google_iam_x"));
        assert!(glob("azurerm_*function_app", "azurerm_function_app"));
        assert!(!glob("aws_lb", "aws_lb_listener"));
    }

    #[test]
    fn finds_resources_outside_comments_and_heredocs() {
        let text = r#"resource "aws_db_instance" "orders" {
  engine = "postgres"
}
# resource "aws_s3_bucket" "commented" {}
/*
resource "aws_s3_bucket" "in_block_comment" {}
*/
resource "aws_iam_policy" "p" {
  policy = <<EOF
resource "aws_s3_bucket" "in_heredoc" {}
EOF
}
resource "aws_db_parameter_group" "aux" {}
  resource "aws_s3_bucket" "assets" {
data "aws_s3_bucket" "looked_up" {}
"#;
        assert_eq!(
            run(text),
            vec![
                (
                    "orders db instance".into(),
                    Layer::Storage,
                    1,
                    "aws_db_instance.orders".into()
                ),
                (
                    "p iam policy".into(),
                    Layer::Control,
                    8,
                    "aws_iam_policy.p".into()
                ),
                (
                    "assets s3 bucket".into(),
                    Layer::Storage,
                    14,
                    "aws_s3_bucket.assets".into()
                ),
            ]
        );
    }
}
