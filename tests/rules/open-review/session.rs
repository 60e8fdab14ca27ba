// @component Shop:Sessions
// @review Shop:Sessions Is the 30-day refresh token lifetime still right?
fn refresh() {}

// @audit Shop.Sessions -- "Check token binding on mobile"
fn bind() {}
