# @component Tf:Bucket (#tf_bucket) [storage]
// @threat Public bucket (#tf_public) [critical] cwe:CWE-284

/*
 * @control Block public access (#tf_block)
 * @mitigates Tf:Bucket against #tf_public with #tf_block
 */
resource "aws_s3_bucket" "data" {
  bucket = "data-bucket" # @exposes Tf:Bucket to #tf_public with legacy ACLs
  tags = {
    Note = "# @threat String TRAP"
    Other = "// @threat Slash TRAP ${var.env}"
  }
  policy = <<EOT
# @threat Heredoc TRAP
// @threat Heredoc slash TRAP
EOT
  rules = <<-EOT
    /* @threat Indented heredoc TRAP */
  EOT
}

# @threat Unencrypted objects (#tf_unencrypted):
#   severity: high
#   description: Objects stored without SSE.
resource "aws_s3_bucket_public_access_block" "data" {
  bucket = aws_s3_bucket.data.id // @connects Tf:App to Tf:Bucket with HTTPS
  # TODO @mitigates Tf:Bucket against #tf_unencrypted
  # @skip @mitigates Tf:Bucket against #tf_unencrypted
}

/* @threat State file leak (#tf_state):
 *   severity: high
 *   description: Secrets in remote state. */
