"""The payments service.

@component Acme:Payments:API (#payments-api) [compute]
@boundary PCI scope (#pci) [critical] around Acme:Payments
@handles financial on #payments-api
@threat Card data theft (#card-theft) [high, information-disclosure]
@control Tokenisation (#tokenise)
@exposes #payments-api to #card-theft
@mitigates #payments-api against #card-theft with #tokenise
@tests #tokenise for #payments-api
"""


def charge(token: str) -> None:
    # @connects #payments-api to Acme:Payments:Ledger database with #tokenise
    pass
