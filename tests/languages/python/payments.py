#!/usr/bin/env python3
"""Payment service.

@component Py:Payments (#py_payments) [compute]
@handles financial on Py:Payments
"""

import os

NOT_A_DOCSTRING = "# @threat Assigned string TRAP (#py_trap_assigned)"
"""@threat Module string statement TRAP: a string that is not first in the module."""

# @threat Card data leak (#py_leak):
#   priority: high
#   stride: [information-disclosure]
#   description: Card numbers reach the logs.


class Gateway:
    """Talks to the card processor.

    @connects Py:Payments to Processor:Api with HTTPS (#py_to_processor)
    """

    timeout = 10  # @control Request timeouts (#py_timeouts)
    """@threat Class string statement TRAP"""

    def charge(self, card):
        # A comment before the docstring does not change what comes first.
        '''@mitigates Py:Payments against #py_leak with token vault'''
        note = f"# @threat F-string TRAP {card}"
        query = """
        @threat Triple-quoted TRAP (#py_trap_triple)
        """
        "@threat Function string statement TRAP"
        return note, query  # @exposes Py:Payments to #py_leak with verbose errors [low]

    async def refund(self, card):
        r"""@review Py:Payments async refunds skip fraud checks"""
        return card


def helper():
    """
    Helper.
      @threat Replay (#py_replay):
        likelihood: low
        description: Refund requests can be replayed.
    """
    # TODO @mitigates Py:Payments against #py_replay
    # @skip @mitigates Py:Payments against #py_replay
    return b"# @threat Bytes TRAP"


@staticmethod
def decorated():
    """@accepts #py_replay to Py:Payments with idempotency keys downstream"""


def formatted():
    f"""@threat F-string docstring TRAP {formatted}"""


class Bytes:
    b"""@threat Bytes docstring TRAP"""
