"""gunicorn reads this file from the working directory by default (the Dockerfile's and
compose's web command run from the project root).

Access logs carry no client address, no query string and no referrer: the home page's postcode
finder is a GET (`/?postcode=...`, where a child lives), and DESIGN says logs hold no client IP
and nothing the public typed. What is kept: time, method, path, protocol, status, size, and the
time taken in milliseconds.
"""

access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
