"""Documented defaults. Overridden, in order, by instance/config.py and FLASK_* environment variables."""

# Signs sessions and every emailed link: at least 32 bytes, or the app refuses to start (outside
# testing). This development value is accepted only with debug mode and DEV_MAIL_VIEWER both on.
DEV_SECRET_KEY = "dev-only-insecure-secret-key"
SECRET_KEY = DEV_SECRET_KEY

# Where signatures live. A relative SQLite path is placed in instance/; use postgresql+psycopg://… at scale.
SQLALCHEMY_DATABASE_URI = "sqlite:///petition.sqlite3"
# Connection pool per process. pool_pre_ping reconnects after the database restarts instead of
# failing the next request (PostgreSQL; a SQLite file has no server to lose, so it is off there); pool_recycle drops connections before a proxy or firewall cuts idle
# ones; a sync worker needs one connection per request plus one for its mail thread, so a small
# pool per process keeps N processes well under PostgreSQL's max_connections; pool_timeout makes a
# request that finds every connection busy fail fast with a 503 page rather than hang.
SQLALCHEMY_ENGINE_OPTIONS = {
    "pool_pre_ping": True,
    "pool_recycle": 1800,
    "pool_size": 3,
    "max_overflow": 2,
    "pool_timeout": 10,
}

# SMTP relay for outgoing mail. Empty in debug mode: messages are printed (and listed at /dev/mail
# when DEV_MAIL_VIEWER is on).
MAIL_SERVER = ""
# SMTP port (587 for STARTTLS submission, 465 for implicit TLS).
MAIL_PORT = 25
# Upgrade the SMTP connection with STARTTLS.
MAIL_USE_TLS = False
# Speak TLS from the first byte (port 465).
MAIL_USE_SSL = False
# SMTP login, when the relay needs one.
MAIL_USERNAME: str | None = None
# SMTP password, when the relay needs one.
MAIL_PASSWORD: str | None = None
# The From: of every message, e.g. "Housing Campaign <petitions@example.org>".
MAIL_DEFAULT_SENDER = "Petitions <petitions@localhost>"
# Seconds to wait on the SMTP server before treating it as down and retrying later.
MAIL_TIMEOUT = 10

# The address people use to reach the site; every emailed link starts with it (never the Host header).
PUBLIC_URL = "http://127.0.0.1:5000"

# List the mail the site sent at /dev/mail, to requests from this machine only; for development,
# where `make run` switches it on (FLASK_DEV_MAIL_VIEWER=true). Never on a server: its pages hold
# every signer's confirmation link.
DEV_MAIL_VIEWER = False

# Seconds a confirmation link stays valid (14 days).
CONFIRMATION_MAX_AGE = 14 * 24 * 3600
# Seconds after a petition closes during which signatures made before closing can still be confirmed.
CLOSED_CONFIRMATION_GRACE = 24 * 3600
# Most messages one signature can cause, so nobody can use the form to flood a mailbox.
MAX_MESSAGES_PER_SIGNATURE = 5

# Deliver the outbox from a background thread of each web process. Turn off when
# dedicated workers run `flask --app petition outbox deliver`.
OUTBOX_DELIVER_IN_WEB = True
# Messages one delivery round claims at first; while rounds come back full (a backlog), each
# claims twice as many, up to OUTBOX_BATCH_MAX, all sent over one SMTP connection.
OUTBOX_BATCH_SIZE = 10
OUTBOX_BATCH_MAX = 200
# Seconds a claim lasts; a worker that dies holding one releases it when it runs out.
OUTBOX_CLAIM_SECONDS = 60
# Seconds an idle deliverer waits before looking for owed mail again.
OUTBOX_POLL_SECONDS = 2.0
# Longest wait, in seconds, between two attempts at a message while the mail server is unreachable.
OUTBOX_MAX_BACKOFF = 60
# Seconds after which a message that still cannot be delivered is recorded as failed (3 days).
OUTBOX_GIVE_UP_AFTER = 3 * 24 * 3600

# Seconds a browser (and, for the JSON count, a CDN) may reuse a petition page without asking again.
PAGE_CACHE_MAX_AGE = 5
# Seconds after that during which a cache may serve its old copy while it fetches a fresh one.
PAGE_CACHE_STALE_WHILE_REVALIDATE = 30
# Seconds each process reuses what it read of a petition's page and count before reading them
# again, so a surge of readers does not reach the database; 0 reads them on every request. Keep it
# well under PAGE_CACHE_MAX_AGE: a count this old is one a browser may show anyway.
PUBLIC_SNAPSHOT_SECONDS = 1.0

# Largest request body accepted, in bytes; larger ones get a clear 413 page.
MAX_CONTENT_LENGTH = 256 * 1024

# Session cookie hardening; SESSION_COOKIE_SECURE is switched on when PUBLIC_URL is https.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# CSRF tokens live as long as the session, so a form left open for hours still submits.
WTF_CSRF_TIME_LIMIT: int | None = None

# How organisers' passwords are hashed, as Werkzeug names it: scrypt with N=2**15, r=8, p=1 costs
# about 0.1 s of CPU per login. A stored hash keeps the method it was made with, so changing this
# applies to passwords set from then on. Only a test suite should lower it.
PASSWORD_HASH_METHOD = "scrypt:32768:8:1"

# Wrong passwords in a row for one login address from one client before each further attempt
# from that client is delayed; counted alike whether the address has an account or not.
LOGIN_FAILURES_ALLOWED = 5
# Longest delay, in seconds, between attempts on one login address from one client after repeated
# wrong passwords (the delay doubles from 1 s with each further failure up to this).
LOGIN_DELAY_MAX = 900
# Seconds of the first delay; each further wrong password doubles it.
LOGIN_DELAY_FIRST = 1
# Seconds an emailed invitation to join a petition's organisers stays valid (7 days).
INVITATION_MAX_AGE = 7 * 24 * 3600
# Invitations one organiser may send (each is mail to an address they choose); past it the team
# page says so and nothing is sent.
INVITATION_LIMIT = "20 per day"
# Seconds an emailed link to reset an organiser's password stays valid (1 hour). It works once:
# setting a password, by it or otherwise, ends every link sent before.
PASSWORD_RESET_MAX_AGE = 3600
# Requests for a password reset link per client address (IPv6: per /64 network), whatever the
# address typed; past it the form says to wait and nothing is sent.
PASSWORD_RESET_LIMIT = "5 per hour; 20 per day"
# Requests for a password reset link per typed address, from any client, counted alike whether
# the address has an account or not (so the limit tells nothing about which do).
PASSWORD_RESET_ADDRESS_LIMIT = "3 per hour; 10 per day"
# Seconds an organiser waits between two resends of confirmation links on one petition.
RESEND_MIN_INTERVAL = 3600
# A TrueType font with Latin and Cyrillic letters for the delivery pack PDF (Debian: fonts-dejavu-core).
DELIVERY_PACK_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
# Its fixed-width companion, for what a reader copies from the pack (the checkpoint, the command).
DELIVERY_PACK_MONO_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
# Proxies in front of the app that may set X-Forwarded-For/-Proto (0: trust none, so a forged
# header changes nothing). Read when the app is built.
TRUSTED_PROXY_HOPS = 0
# Rate limits on signing and login. Set here explicitly, since the limiter object outlives one app.
RATELIMIT_ENABLED = True
# Where rate-limit counters live: memory:// for one process, redis://host:6379 for several.
RATELIMIT_STORAGE_URI = "memory://"
# When the counter store is unreachable, serve rather than fail every request, counting limits
# in each process's memory until the store is back (each process then allows its own share).
RATELIMIT_SWALLOW_ERRORS = True
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
# Signing attempts per client address per petition, page and widget together: a burst window and
# a sustained one. Beyond them new signatures are held quietly (status "held"), never refused.
SIGN_RATE_LIMIT = "20 per minute; 500 per day"
# Messages the sign forms may cause per client address per day, across all petitions. Beyond it a
# submission is stored as usual but sends no mail (the signer's next try from elsewhere does).
SIGN_MAIL_LIMIT = "100 per day"
# Receipts a client may check per minute and per day (a receipt has 160 random bits, so this only
# keeps the page cheap under a flood; guessing one is hopeless either way).
RECEIPT_CHECK_LIMIT = "30 per minute; 500 per day"
# Login attempts per client address.
LOGIN_RATE_LIMIT = "10 per minute; 100 per day"

# Key of the HMAC that replaces client addresses (never stored in clear). Required in production;
# changing it starts new groups, so rotate it on a schedule that suits your threat model.
CLIENT_HASH_KEY: str | None = None
# Seconds a withdrawal link stays valid (400 days: longer than most petitions run).
WITHDRAW_MAX_AGE = 400 * 24 * 3600

# Unconfirmed signatures are deleted this many days after they were made.
UNCONFIRMED_RETENTION_DAYS = 30
# Names, addresses and client hashes are anonymised this many days after a petition closes.
RETENTION_DAYS_AFTER_CLOSE = 90
# Sent and failed outbox rows (a kind, a language and what they were about; no text) are deleted
# after this many days.
OUTBOX_RETENTION_DAYS = 7

# The key that signs each petition's log checkpoints (see petition/transparency): base64 of a 32-byte
# Ed25519 seed, e.g. the output of: python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'.
# Unset, a key is made on first use in the instance folder (file log-signing-key, mode 0600) and
# shared by every process there; keep it (and back it up): verifiers pin its public key.
LOG_SIGNING_KEY: str | None = None
# Longest time, in seconds, between a log growing and a signed checkpoint that includes it being
# made (when it is next appended to or asked for; `petitions checkpoint` from cron makes one anyway).
LOG_CHECKPOINT_SECONDS = 60

# Hours of signing activity the organisers' activity view shows.
ACTIVITY_HOURS = 48
# Signatures per hour from one email domain or client network that the activity view highlights.
ACTIVITY_THRESHOLD = 20
# Seconds browsers remember to use HTTPS only (sent on HTTPS responses).
HSTS_SECONDS = 365 * 24 * 3600
# Seconds a petition's form token stays valid (the page's and the widget's sign form, the message
# of support); an older form keeps what was typed and asks to send it again.
EMBED_FORM_MAX_AGE = 12 * 3600
# Fewest verified signatures a country needs before the public API shows its count; smaller ones
# are added together as other countries, since an exact 1 for a rare country points at a person.
# Organisers see every count on their own pages.
PUBLIC_COUNTRY_MIN = 5
# Most signers listed by first name on a petition page (those who asked to be shown), newest first.
PUBLIC_SIGNERS_LIMIT = 50

# Updates an organiser may send to a petition's opted-in signers in any 7 days.
UPDATES_PER_WEEK = 1
# Seconds an unsubscribe link in an update stays valid (as long as a withdrawal link).
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600
# Wrong confirmation codes one client may type for one address on one petition in a day; past
# them the code form refuses that address from that client until the next day (the link works).
CONFIRM_CODE_ATTEMPTS = 5
# Confirmation codes a client may try per minute and per day, across all signatures.
CONFIRM_CODE_LIMIT = "10 per minute; 100 per day"
# A note on the organisers' page when, over this many hours, at least STALL_MIN_PENDING people
# signed and fewer than STALL_RATE of them confirmed (confirmation mail may not be arriving).
STALL_HOURS = 6
STALL_MIN_PENDING = 20
STALL_RATE = 0.2
# Messages of support a client may send per petition (over it: a 429 page, nothing stored).
SUPPORT_MESSAGE_LIMIT = "5 per hour; 20 per day"
# Days a rejected message of support (or one never decided) is kept before purge deletes it.
REJECTED_MESSAGE_RETENTION_DAYS = 30
# "I sent it" presses counted per client address per letter action; more are politely refused.
LETTER_SENT_LIMIT = "5 per day"
# Printable letters (PDF) a client address may ask for, across all letter actions; each costs the
# server up to a second of work, so past it the answer is a 429 page.
LETTER_PDF_LIMIT = "10 per minute; 60 per hour"
