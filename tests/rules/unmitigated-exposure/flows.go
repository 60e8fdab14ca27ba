package shop

// An exposure of a flow is answered on that flow.
// @connects Shop:Web to Shop:API with HTTP (#web-api)
// @exposes #web-api to Eavesdropping [medium]
// @mitigates #web-api against Eavesdropping with TLS

// @connects Shop:API to Shop:Cache with RESP (#api-cache)
// @exposes #api-cache to Eavesdropping [low]
func main() {}
