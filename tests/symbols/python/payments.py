# Payments.
# @exposes App:Payments to Tampering

import functools


class Payments:
    # Charges a card.
    # @exposes App:Payments to Tampering
    @functools.lru_cache
    def charge(self, card):
        # @exposes App:Payments to Tampering
        return card

    class Refunds:
        def issue(self, charge):
            # @exposes App:Payments to Tampering
            return charge


# @exposes App:Payments to Tampering

def helper():
    pass
