"""What every request shares: headers, sessions, the access log, client keys, URLs, base forms.

Foundation, below the features. Others use: clients (client_hash, limit_key), urls (public_url),
forms (Form, plain_text, deliverable_email), embedding (the framed widget's form token), numbers
(query_number, posted_id, posted_ids), limits (spend_limit and the other counts by a setting's
name), auth (login_required, with the view's signature kept), and the app factory wires headers,
sessions, access_log, readiness and the id converter of numbers.
"""
