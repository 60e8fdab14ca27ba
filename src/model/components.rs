//! The component tree: paths, ids, declarations, and the data that decides layers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::Site;
use super::normalize::{id_key, normalize};
use super::registry::closest;
use crate::annotation::Layer;

#[derive(Debug, Clone)]
pub struct Node {
    /// Normalised segments joined by `.`: the component's identity.
    pub key: String,
    pub segments: Vec<String>,
    pub explicit_id: Option<String>,
    pub parent: Option<usize>,
    pub declared: Option<Site>,
    pub first: Site,
    pub layer: Option<Layer>,
    pub data: BTreeSet<String>,
    pub description: Option<String>,
    pub properties: BTreeMap<String, serde_json::Value>,
}

impl Node {
    pub fn site(&self) -> &Site {
        self.declared.as_ref().unwrap_or(&self.first)
    }
}

#[derive(Debug, Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
    by_key: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
}

/// Splits a component name into path segments: `:` (Threatspec) if present, else `.`
/// (GAL) when the name has no spaces, else one segment.
pub fn split_path(name: &str) -> Vec<String> {
    let parts: Vec<&str> = if name.contains(':') {
        name.split(':').collect()
    } else if name.contains('.') && !name.contains(char::is_whitespace) {
        name.split('.').collect()
    } else {
        vec![name]
    };
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

fn segment_key(segment: &str) -> String {
    let key = normalize(segment);
    if key.is_empty() { "root".into() } else { key }
}

/// The key a component path is known by (`App:Orders` and `app.orders` are one).
pub fn path_key(name: &str) -> String {
    split_path(name)
        .iter()
        .map(|s| segment_key(s))
        .collect::<Vec<_>>()
        .join(".")
}

/// An id already bound to another component.
pub struct IdClash {
    pub existing: usize,
}

impl Tree {
    /// The node of a path, created with its ancestors when new.
    pub fn ensure_path(&mut self, segments: &[String], site: &Site) -> Option<usize> {
        let mut parent = None;
        let mut key = String::new();
        for (depth, segment) in segments.iter().enumerate() {
            if depth > 0 {
                key.push('.');
            }
            key.push_str(&segment_key(segment));
            let index = match self.by_key.get(&key) {
                Some(&i) => i,
                None => {
                    let i = self.nodes.len();
                    self.nodes.push(Node {
                        key: key.clone(),
                        segments: segments[..=depth].to_vec(),
                        explicit_id: None,
                        parent,
                        declared: None,
                        first: site.clone(),
                        layer: None,
                        data: BTreeSet::new(),
                        description: None,
                        properties: BTreeMap::new(),
                    });
                    self.by_key.insert(key.clone(), i);
                    i
                }
            };
            parent = Some(index);
        }
        parent
    }

    /// Binds an explicit id to a node.
    pub fn bind_id(&mut self, node: usize, id: &str) -> Result<(), IdClash> {
        let key = id_key(id);
        match self.by_id.get(&key) {
            Some(&existing) if existing != node => Err(IdClash { existing }),
            Some(_) => Ok(()),
            None => {
                self.by_id.insert(key, node);
                if self.nodes[node].explicit_id.is_none() {
                    self.nodes[node].explicit_id = Some(id.to_string());
                }
                Ok(())
            }
        }
    }

    /// The node a plain name reaches, creating its path when nothing else matches. A
    /// one-segment name also reaches an explicit id (`orders` for `App:Orders (#orders)`).
    pub fn by_name_or_create(&mut self, name: &str, site: &Site) -> Option<usize> {
        let segments = split_path(name);
        if segments.len() == 1 {
            let key = segment_key(&segments[0]);
            if let Some(&i) = self.by_key.get(&key).or_else(|| self.by_id.get(&key)) {
                return Some(i);
            }
        }
        self.ensure_path(&segments, site)
    }

    /// The node of an existing path, without creating one.
    pub fn find_name(&self, name: &str) -> Option<usize> {
        let key = path_key(name);
        self.by_key
            .get(&key)
            .or_else(|| self.by_id.get(&key))
            .copied()
    }

    /// The node `#id` reaches: an explicit id, or a path key (`#app.auth`).
    pub fn find_id(&self, id: &str) -> Option<usize> {
        let key = id_key(id);
        self.by_id
            .get(&key)
            .or_else(|| self.by_key.get(&key))
            .copied()
    }

    pub fn suggest(&self, id: &str) -> Option<String> {
        let ids: Vec<String> = (0..self.nodes.len()).map(|i| self.id_of(i)).collect();
        closest(id, ids.iter().map(String::as_str))
    }

    /// The id a node is shown and referenced by: its explicit id, else its path key. A
    /// path key that another component took as its explicit id (`Web:App (#web)` next
    /// to the implicit `Web`) is shown as `path:<key>` so ids stay unique.
    pub fn id_of(&self, node: usize) -> String {
        let n = &self.nodes[node];
        if let Some(id) = &n.explicit_id {
            return id.clone();
        }
        match self.by_id.get(&n.key) {
            Some(&other) if other != node => format!("path:{}", n.key),
            _ => n.key.clone(),
        }
    }

    /// Nodes whose explicit id is another node's path key, with that other node.
    pub fn id_path_clashes(&self) -> Vec<(usize, usize)> {
        let mut clashes: Vec<(usize, usize)> = self
            .by_id
            .iter()
            .filter_map(|(key, &owner)| {
                let path_owner = *self.by_key.get(key)?;
                (path_owner != owner).then_some((owner, path_owner))
            })
            .collect();
        clashes.sort();
        clashes
    }

    /// Ancestors of a node, nearest first.
    pub fn ancestors(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.nodes[node].parent, |&i| self.nodes[i].parent)
    }
}
