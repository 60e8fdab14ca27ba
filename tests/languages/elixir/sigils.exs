defmodule Sigils do
  @moduledoc ~S"""
  Docs with \backslashes.

  @boundary between User and Ex (#ex_edge)
  """

  @doc ~S"@flows User:Browser -> Ex:Accounts via HTTPS"
  def call, do: ~S"@threat Sigil call TRAP"

  @doc ~s(@review Ex:Accounts interpolated #{1 + 1} docs)
  def other, do: :ok
end
