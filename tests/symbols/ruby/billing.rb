# Billing.
# @exposes App:Billing to Tampering

require "json"

module Billing
  # Charges a card.
  # @exposes App:Billing to Tampering
  class Charge
    # @exposes App:Billing to Tampering
    def self.create(params)
      new(params)
    end

    def capture(amount)
      # @exposes App:Billing to Tampering
      amount
    end

    class << self
      def refund(id)
        # @exposes App:Billing to Tampering
        id
      end
    end
  end
end

class Billing::Invoice
  def total
    # @exposes App:Billing to Tampering
    0
  end
end

# @exposes App:Billing to Tampering

def helper; end
