// The shop's storefront. It hands card payments to the payments service, which lives in
// its own repository.
//
// @component Acme:Shop:Web (#shop-web) [compute]
// @threat Cart tampering (#cart-tampering) [medium, tampering]
// @control Signed cart tokens (#signed-cart)
// @exposes #shop-web to #cart-tampering
// @mitigates #shop-web against #cart-tampering with #signed-cart
// @tests #signed-cart for #shop-web
export async function checkout(cart: Cart) {
  // @connects #shop-web to Acme:Payments:API with REST calls (#card-payment)
  return fetch("https://payments.internal/charge", { method: "POST", body: cart.token });
}
