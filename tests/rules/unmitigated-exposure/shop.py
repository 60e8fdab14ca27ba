# Threats of the shop.
# @threat SQL injection (#sqli) [high]
# @threat Cross-site scripting (#xss)
# @threat Data exfiltration (#exfil)
# @threat Brute force (#brute)


def search(q):
    # Mitigated by an ancestor: Shop:Orders covers Shop:Orders:Search.
    # @exposes Shop:Orders:Search to #sqli
    # @mitigates Shop:Orders against #sqli with Parameterized queries
    return q


def render(page):
    # Fires: nothing answers it; the threat has no severity, so medium.
    # @exposes Shop:Web to #xss
    return page


def export():
    # Accepted on an ancestor.
    # @exposes Shop:DB to #exfil [critical]
    # @accepts #exfil on Shop with internal network only
    pass


def login():
    # Transferred from the component.
    # @exposes Shop:Login to #brute
    # @transfers #brute from Shop:Login to Vendor:WAF with rate limiting at the edge
    pass


def orders():
    # Fires with the exposure's own severity.
    # @exposes Shop:Orders to #xss [low]
    pass


def catalog():
    # Fires: a child's mitigation does not cover its parent; the threat's severity (high).
    # @exposes Shop:Catalog to #sqli
    # @mitigates Shop:Catalog:Item against #sqli with Parameterized queries
    pass
