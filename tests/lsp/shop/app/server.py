"""Shop's web server: every route of the storefront."""
# @component Shop:Web:App (#web) [compute]
# @threat SQL Injection (#sqli) [high, tampering]
# @threat Cross-site Scripting (#xss) [medium]
# @control Parameterised Queries (#param-queries)
# @mitigates #web against #sqli with #param-queries
# @connects User:Browser to #web with plain HTTP (#browser-web)

GREETING = "Grüße 😀"  # @exposes #web to #xss


def handler():
    return GREETING
