# Storage.
# @exposes App:Storage to Tampering

terraform {
  required_version = ">= 1.5"
}

# Access logs.
# @exposes App:Storage to Tampering
resource "aws_s3_bucket" "logs" {
  bucket = "logs"

  lifecycle {
    # @exposes App:Storage to Tampering
    prevent_destroy = true
  }
}

module "vpc" {
  # @exposes App:Storage to Tampering
  source = "./vpc"
}

# @exposes App:Storage to Tampering

variable "region" {
  default = "eu-west-1"
}
