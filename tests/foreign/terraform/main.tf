# Payments database.
# Owners: @org/payments-team @alice; contact security@example.com
# @control-plane-team must approve changes to the network rules.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

variable "owner_email" {
  type        = string
  description = "Where alerts go, e.g. payments-oncall@example.com."
  default     = "payments-oncall@example.com"
}

// @see https://registry.terraform.io/providers/hashicorp/random/latest/docs/resources/password
resource "random_password" "db" {
  length           = 32
  special          = true
  override_special = "!#$%&*()-_=+[]{}<>:?@" # RDS forbids / " and space, @ is fine here
}

resource "aws_db_instance" "payments" {
  identifier          = "payments"
  engine              = "postgres"
  engine_version      = "16.2"
  instance_class      = "db.t4g.medium"
  allocated_storage   = 50
  username            = "payments"
  password            = random_password.db.result
  storage_encrypted   = true
  deletion_protection = true

  /*
   * @alice: snapshot before any engine upgrade.
   * @org/sre owns the parameter group.
   */
  tags = {
    Owner   = "@org/payments-team"
    Contact = var.owner_email
  }
}

output "db_endpoint" {
  value       = aws_db_instance.payments.endpoint
  description = "host:port; the connection string is postgres://payments@<endpoint>/payments"
}
