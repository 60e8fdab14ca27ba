"""Account handling.

@accepts Denial of Service to MyApp:Web:Login Page with the CDN in front absorbs floods
"""

# @transfers Credential Stuffing (#stuffing) from MyApp:Web:Login Page to Identity Provider:Sign In with the IdP rate-limits sign-ins


def monthly_report(db):
    """Builds the monthly report.

    @exposes MyApp:Storage:User Database to #sqli with report queries are built from strings
    """
    return db.execute("SELECT * FROM users")  # @mitigates MyApp:Storage:User Database against #sqli with #pq
