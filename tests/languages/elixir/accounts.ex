defmodule Accounts do
  @moduledoc """
  Accounts context.

  @component Ex:Accounts (#ex_accounts) [compute]
  """

  # @threat Atom exhaustion (#ex_atoms) [high]
  @trap "# @threat Attribute string TRAP"
  @other """
  @threat Other attribute heredoc TRAP
  """

  @doc """
  Creates a user.

  @mitigates Ex:Accounts against #ex_atoms with String.to_existing_atom
  """
  def create(attrs) do
    # TODO @mitigates Ex:Accounts against #ex_enum
    # @skip @mitigates Ex:Accounts against #ex_enum
    IO.puts("# @threat String TRAP #{attrs}") # @exposes Ex:Accounts to #ex_atoms with String.to_atom
    ~s(# @threat Sigil TRAP)
  end

  @doc "@threat Account enumeration (#ex_enum) [medium]"
  def lookup(email), do: email

  # @threat Timing leak (#ex_timing):
  #   likelihood: low
  #   description: Lookups take longer for real users.
  @typedoc """
    @control Constant-time compare (#ex_ct):
      description: Plug.Crypto.secure_compare.
  """
  @type t :: map()
end
