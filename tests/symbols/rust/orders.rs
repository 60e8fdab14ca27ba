//! Order service.
//! @exposes App:Orders to Tampering

use std::collections::HashMap;

pub struct Orders {
    rows: HashMap<u64, String>,
}

impl Orders {
    /// Looks an order up.
    /// @exposes App:Orders to Tampering
    #[must_use]
    #[inline]
    pub fn find(&self, id: u64) -> Option<&String> {
        // @exposes App:Orders to Tampering
        self.rows.get(&id)
    }
}

mod audit {
    pub fn record() {
        // @exposes App:Orders to Tampering
    }
}

// @exposes App:Orders to Tampering

fn helper() {}
