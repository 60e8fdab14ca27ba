// Two entries reach the ledger: a partner in two hops, the visitor in four. One finding,
// the partner's path.
//
// @connects Partner:Portal to Billing:Gateway with XML over HTTP (#portal-gateway)
// @connects Billing:Gateway to Billing:Ledger with SQL (#gateway-ledger)
// @connects Shop:Checkout to Billing:Gateway with JSON (#checkout-gateway)
// @handles secrets on Billing:Ledger

// Answered hops: a control, a mitigation, an acceptance. Nothing reaches the archive, the
// reports or the keys undefended.
//
// @control Mutual TLS (#mtls)
// @connects Billing:Gateway to Billing:Archive with #mtls (#gateway-archive)
// @handles financial on Billing:Archive
// @connects Billing:Gateway to Billing:Reports with CSV (#gateway-reports)
// @mitigates #gateway-reports against Report tampering with Signed exports
// @handles financial on Billing:Reports
// @connects Billing:Gateway to Billing:Keys with KMIP (#gateway-keys)
// @accepts Key exfiltration on #gateway-keys with the HSM never exports keys
// @handles secrets on Billing:Keys
export const billing = {};
