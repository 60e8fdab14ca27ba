//! The STRIDE categories each CCCS layer is expected to have considered, from
//! `catalogue/coverage.yaml`, with the reason for each (shown next to a coverage gap).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::annotation::{Layer, Stride};

const SOURCE: &str = include_str!("../../catalogue/coverage.yaml");

/// One expected category of a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub stride: Stride,
    /// Why the layer is expected to consider it, written for the reader of a gap.
    pub reason: String,
}

/// The file's shape: every layer present, nothing else, each a category → reason map.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    control: BTreeMap<Stride, String>,
    compute: BTreeMap<Stride, String>,
    communication: BTreeMap<Stride, String>,
    storage: BTreeMap<Stride, String>,
}

static EXPECTED: LazyLock<BTreeMap<Layer, Vec<Expectation>>> = LazyLock::new(|| {
    parse(SOURCE).unwrap_or_else(|e| panic!("catalogue/coverage.yaml is valid (tested): {e}"))
});

fn parse(text: &str) -> Result<BTreeMap<Layer, Vec<Expectation>>, String> {
    let table: Table = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    let layers = [
        (Layer::Control, table.control),
        (Layer::Compute, table.compute),
        (Layer::Communication, table.communication),
        (Layer::Storage, table.storage),
    ];
    let mut out = BTreeMap::new();
    for (layer, map) in layers {
        if map.is_empty() {
            return Err(format!("layer {} expects nothing", layer.as_str()));
        }
        let mut list = Vec::new();
        for (stride, reason) in map {
            let reason = reason.trim().to_string();
            if reason.is_empty() {
                return Err(format!(
                    "{}: {stride:?} has no reason; every expectation says why",
                    layer.as_str()
                ));
            }
            list.push(Expectation { stride, reason });
        }
        out.insert(layer, list);
    }
    Ok(out)
}

/// The STRIDE categories a component of `layer` is expected to have a threat considered
/// in, in STRIDE order.
pub fn expected_stride(layer: Layer) -> &'static [Expectation] {
    EXPECTED.get(&layer).map(Vec::as_slice).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_loads_in_stride_order_with_reasons() {
        let storage: Vec<Stride> = expected_stride(Layer::Storage)
            .iter()
            .map(|e| e.stride)
            .collect();
        assert_eq!(
            storage,
            [
                Stride::Tampering,
                Stride::Repudiation,
                Stride::InformationDisclosure
            ]
        );
        let control: Vec<Stride> = expected_stride(Layer::Control)
            .iter()
            .map(|e| e.stride)
            .collect();
        assert!(control.contains(&Stride::Spoofing));
        assert!(control.contains(&Stride::ElevationOfPrivilege));
        let communication: Vec<Stride> = expected_stride(Layer::Communication)
            .iter()
            .map(|e| e.stride)
            .collect();
        assert_eq!(
            communication,
            [
                Stride::Tampering,
                Stride::InformationDisclosure,
                Stride::DenialOfService
            ]
        );
        for layer in [
            Layer::Control,
            Layer::Compute,
            Layer::Communication,
            Layer::Storage,
        ] {
            assert!(
                expected_stride(layer)
                    .iter()
                    .all(|e| e.reason.len() > 40 && !e.reason.contains('\n')),
                "{layer:?}: every reason is a real sentence on one line"
            );
        }
    }

    #[test]
    fn a_table_with_a_missing_layer_an_unknown_category_or_no_reason_is_refused() {
        let missing = "control: {spoofing: x}\ncompute: {tampering: x}\nstorage: {tampering: x}\n";
        assert!(parse(missing).unwrap_err().contains("communication"));
        let unknown = "control: {spoofs: x}\ncompute: {tampering: x}\ncommunication: {tampering: x}\nstorage: {tampering: x}\n";
        assert!(parse(unknown).is_err());
        let no_reason = "control: {spoofing: ''}\ncompute: {tampering: x}\ncommunication: {tampering: x}\nstorage: {tampering: x}\n";
        assert!(parse(no_reason).unwrap_err().contains("reason"));
        let extra = "control: {spoofing: x}\ncompute: {tampering: x}\ncommunication: {tampering: x}\nstorage: {tampering: x}\nnetwork: {}\n";
        assert!(parse(extra).is_err());
    }
}
