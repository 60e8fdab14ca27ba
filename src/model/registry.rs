//! Threats and controls by id and by name, resolved across the whole tree.
//!
//! An entity is reached by its explicit id and by its normalised name alike; `#id`
//! references also fall back to names (`#sql-injection` reaches `SQL Injection`).

use std::collections::HashMap;

use super::Site;
use super::normalize::{id_key, normalize};

#[derive(Debug, Clone)]
pub struct Entry {
    /// The explicit id as first written, or the normalised name.
    pub id: String,
    pub name: String,
    /// Site of the declaring annotation (`@threat`, `@control`), if any.
    pub declared: Option<Site>,
    /// Site of the first mention, in path, line, column order.
    pub first: Site,
}

impl Entry {
    pub fn site(&self) -> &Site {
        self.declared.as_ref().unwrap_or(&self.first)
    }
}

#[derive(Debug, Default)]
pub struct Registry {
    pub entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

/// A declaration whose id already belongs to another name.
pub struct DuplicateId {
    pub existing: usize,
}

impl Registry {
    /// Declares `name (#id)`. Returns the entry, or the clash when the id already names
    /// something else.
    pub fn declare(&mut self, name: &str, id: &str, site: &Site) -> Result<usize, DuplicateId> {
        let key = id_key(id);
        if let Some(&existing) = self.by_id.get(&key) {
            if normalize(&self.entries[existing].name) != normalize(name) {
                return Err(DuplicateId { existing });
            }
            return Ok(existing);
        }
        let index = self.entries.len();
        self.entries.push(Entry {
            id: id.to_string(),
            name: name.to_string(),
            declared: None,
            first: site.clone(),
        });
        self.by_id.insert(key, index);
        self.by_name.entry(normalize(name)).or_insert(index);
        Ok(index)
    }

    /// The entry a plain name reaches, created when nothing has that name or id.
    pub fn by_name_or_create(&mut self, name: &str, site: &Site) -> usize {
        if let Some(index) = self.find_name(name) {
            return index;
        }
        let key = normalize(name);
        let index = self.entries.len();
        self.entries.push(Entry {
            id: key.clone(),
            name: name.to_string(),
            declared: None,
            first: site.clone(),
        });
        self.by_name.insert(key.clone(), index);
        self.by_id.entry(key).or_insert(index);
        index
    }

    /// The entry a plain name reaches, if any.
    pub fn find_name(&self, name: &str) -> Option<usize> {
        let key = normalize(name);
        self.by_name
            .get(&key)
            .or_else(|| self.by_id.get(&key))
            .copied()
    }

    /// The entry `#id` reaches, if any.
    pub fn find_id(&self, id: &str) -> Option<usize> {
        let key = id_key(id);
        self.by_id
            .get(&key)
            .or_else(|| self.by_name.get(&normalize(id)))
            .copied()
    }

    /// The known id closest to `id`, for "did you mean".
    pub fn suggest(&self, id: &str) -> Option<String> {
        closest(id, self.entries.iter().map(|e| e.id.as_str()))
    }
}

/// The candidate most similar to `wanted`, if it is similar enough.
pub fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let wanted = wanted.to_lowercase();
    candidates
        .map(|c| (strsim::jaro_winkler(&wanted, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c.to_string())
}
