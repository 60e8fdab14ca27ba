"""Orders service.

@component Shop:Orders:Service (#orders)
@component Shop:Storage:Orders Database (#orders-db)
@component Shop:Edge:Gateway (#gateway)
@component Shop:Identity:Login (#login) [control]
"""

# @exposes #orders-db to SQL injection [high, tampering]
# @mitigates #orders-db against SQL injection with Parameterized queries
# @exposes #gateway to Request flooding [denial-of-service]
# @accepts Request flooding on #gateway with the CDN absorbs volumetric attacks
# @flows Shop.Orders.Service -> Shop.Storage.Orders Database via TLS
