# @control TLS 1.3 (#tls)
# @control Mutual TLS (#mtls)
# @boundary Internet edge (#edge) [critical] between Internet and DMZ
# @boundary Data tier (#data-tier) [medium] around Cloud:DB, Cloud:Backups
# @boundary Admin split (#admin-split) between Cloud:App and Cloud:Admin
# @boundary Cloud perimeter (#perimeter) [high] between Internet and Cloud
# @handles pii on Cloud:DB
# @handles financial on Cloud:Backups

# Same zone: never a crossing.
# @connects Cloud:App to Cloud:Cache with RESP

# Different implicit zones, nothing protects it: high.
# @connects User:Browser to Cloud:App with JSON requests

# Protected by a secure transport its mechanism names (inferred TLS), not by plain HTTP.
# @connects User:Laptop to Cloud:Console with HTTPS/443
# @flows User.Tablet -> Cloud.Console via plain HTTP

# Protected by a declared control named by id, and by name.
# @connects User:Browser to Cloud:Web with #tls
# @flows User.Mobile -> Cloud.Web via TLS 1.3

# Protected by a mitigation and by an acceptance of the flow.
# @connects Partner:API to Cloud:Webhooks with HTTPS (#partner-hooks)
# @mitigates #partner-hooks against Spoofing with HMAC signatures
# @connects Partner:API to Cloud:Export with SFTP (#partner-export)
# @accepts Eavesdropping on #partner-export with file contents are public

# A declared boundary between two zones stands in for the implicit one: one crossing, critical.
# @connects Internet:Client to DMZ:Proxy with HTTP

# A declared boundary inside one zone: one crossing, high (the boundary has no severity).
# @connects Cloud:App to Cloud:Admin with gRPC

# Into a declared zone whose end handles pii: medium, stepped up to high.
# @connects Cloud:App to Cloud:DB with SQL

# Out of one declared zone into nothing declared, financial data, plus a zone change: medium stepped up.
# @flows Cloud.Backups -> Offsite.Vault via rsync

# Two declared boundaries at once (perimeter high, data tier medium): high wins, pii steps it up to critical.
# @connects Internet:Client to Cloud:DB with SQL
