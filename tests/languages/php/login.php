<!-- @threat HTML text TRAP -->
<?php
/**
 * @component Php:Login (#php_login) [control]
 * @threat Credential stuffing (#php_stuffing) [high]
 */

# @control Rate limiting (#php_ratelimit)
// @mitigates Php:Login against #php_stuffing with #php_ratelimit
$trap = "// @threat Double-quoted TRAP";
$single = '# @threat Single-quoted TRAP';
$here = <<<EOT
// @threat Heredoc TRAP
EOT;
$now = <<<'EOT'
/* @threat Nowdoc TRAP */
EOT;

/*
 * @threat Timing attack (#php_timing):
 *   severity: medium
 *   description: String compare leaks length. */
function check($a, $b) {
    return $a == $b; // @exposes Php:Login to #php_timing with loose comparison
}

#[Attribute]
class Session {
    # @threat Session fixation (#php_fixation):
    #   likelihood: medium
    #   description: Ids survive login.
    public function start() {
        // TODO @mitigates Php:Login against #php_fixation
        // @skip @mitigates Php:Login against #php_fixation
        session_start(); /* @connects User:Browser to Php:Login with HTTPS */
    }
}
?>
<p>// @threat Trailing HTML TRAP</p>
