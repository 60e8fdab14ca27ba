using System;

namespace Example.Auth
{
    /// <summary>Issues tokens.</summary>
    /// @component Cs:Tokens (#cs_tokens) [control]
    /// @threat Token forgery (#cs_forgery) [critical, spoofing]
    public class Tokens
    {
        // @control Signed tokens (#cs_signed)
        private const string Trap = "// @threat String TRAP";
        private const string Verbatim = @"
// @threat Verbatim TRAP
/* @threat Verbatim block TRAP */";
        private const string Doubled = @"He said ""// @threat Doubled quote TRAP"" "; // @review Cs:Tokens verbatim strings
        private readonly string interpolated = $"// @threat Interpolated TRAP {Trap}";
        private const string Raw = """
            // @threat Raw string TRAP
            """;

        /* @mitigates Cs:Tokens against #cs_forgery with #cs_signed */
        public string Issue() => Trap + Verbatim + interpolated + Raw; // @exposes Cs:Tokens to #cs_forgery with weak keys

        /**
         * @threat Key leak (#cs_keyleak):
         *   severity: high
         *   description: Keys in configuration. */
        public void Rotate()
        {
            // TODO @mitigates Cs:Tokens against #cs_keyleak
            // @skip @mitigates Cs:Tokens against #cs_keyleak
            // @threat Clock skew (#cs_skew):
            //   likelihood: high
            //   description: Expiry depends on clocks.
        }
    }
}
