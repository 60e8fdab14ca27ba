class Controls {
    /** @control CSRF tokens (#csrf) */
    void csrf() {}

    /** @control Rate limiting (#rate-limit) */
    void rateLimit() {}

    // Named inline by a mitigation, tested by nothing.
    // @mitigates Shop:Web against Clickjacking with Frame ancestors header

    // @tests #csrf for Shop:Web
    void testCsrf() {}
}
