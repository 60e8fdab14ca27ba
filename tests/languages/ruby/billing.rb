# frozen_string_literal: true

# @component Rb:Billing (#rb_billing) [compute]
# @threat Mass assignment (#rb_mass) [high]
class Billing
  TRAP = "# @threat String TRAP"
  SINGLE = '# @threat Single-quoted TRAP'
  PERCENT = %q(# @threat Percent TRAP)

  DOC = <<~SQL
    # @threat Heredoc TRAP
    SELECT 1
  SQL

=begin
@control Strong parameters (#rb_strong)
@mitigates Rb:Billing against #rb_mass with #rb_strong
=end

  def charge(params)
    Invoice.create(params) # @exposes Rb:Billing to #rb_mass with permit!
  end

  # @threat Webhook forgery (#rb_webhook):
  #   severity: high
  #   description: Unsigned webhooks are trusted.
  def webhook(body)
    # TODO @mitigates Rb:Billing against #rb_webhook
    # @skip @mitigates Rb:Billing against #rb_webhook
    "#{body} # @threat Interpolated TRAP"
  end
end
# @connects Payments:Provider to Rb:Billing with HTTPS webhooks
HASH = ?# # @review Rb:Billing character literals
__END__
# @threat Data section TRAP
