"""The shop: a visitor on the internet, three hops to the card vault, nothing on the way."""

# @component Internet:Visitor
# @connects Internet:Visitor to Shop:Web with HTTP (#visitor-web)
# @connects Shop:Web to Shop:Checkout with JSON on localhost (#web-checkout)
# @connects Shop:Checkout to Shop:Card Vault with SQL (#checkout-vault)
# @handles financial on Shop:Card Vault

# A cycle: the checkout calls the web tier back. The path stays the shortest one.
# @connects Shop:Checkout to Shop:Web with JSON callbacks (#checkout-web)

# Reached just as well, but it handles nothing sensitive: no finding.
# @connects Shop:Web to Shop:Catalogue with SQL (#web-catalogue)
# @handles public on Shop:Catalogue

# One flow away from the internet: the crossing says it (unprotected-crossing, critical),
# not an attack path.
# @connects Internet:Visitor to Shop:Session Store with RESP (#visitor-sessions)
# @handles secrets on Shop:Session Store


def checkout(cart):
    return cart
