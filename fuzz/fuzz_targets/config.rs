//! `threatline.yaml` text through `Config::parse`: errors, never panics, and nothing
//! accepted that points outside the scanned tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatline::config::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = Config::parse(text) {
        for p in config.paths.iter().chain(&config.exclude) {
            let p = std::path::Path::new(p.trim_start_matches('!'));
            assert!(!p.is_absolute(), "{p:?}");
            assert!(
                !p.components().any(|c| c == std::path::Component::ParentDir),
                "{p:?}"
            );
        }
        // Catalogue files would be read from the working directory: not this target's job.
        if config.catalogues.is_empty() {
            let _ = config.build_options();
        }
    }
});
