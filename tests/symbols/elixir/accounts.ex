# Accounts context.
# @exposes App:Accounts to Tampering

defmodule Shop.Accounts do
  @moduledoc "Accounts."

  # Registers a user.
  # @exposes App:Accounts to Tampering
  @doc "Registers a user."
  @spec register(map()) :: {:ok, map()}
  def register(attrs) do
    # @exposes App:Accounts to Tampering
    {:ok, attrs}
  end

  defp hash(password) when is_binary(password) do
    # @exposes App:Accounts to Tampering
    password
  end

  defmacro audited(do: block) do
    block
  end

  defmodule Token do
    def sign(claims) do
      # @exposes App:Accounts to Tampering
      claims
    end
  end
end

# @exposes App:Accounts to Tampering

defmodule Shop.Repo do
  def all, do: []
end
