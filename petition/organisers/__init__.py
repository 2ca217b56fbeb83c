"""The organisers' side: accounts and logins, teams and invitations, their forms, the chart and
sharing tools of their petition pages.

Depends on petitions and mail. Views and the command line use it.
"""
