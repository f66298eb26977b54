#!/usr/bin/env python3
"""Deterministic benchmark input for scripts/bench-load (Python 3 standard library only).

    scripts/bench-data.py ENTITY ROWS OUT.csv [--delta-of ROWS]

ENTITY is `purchases`, `purchases-mixed`, `tickets` or `mentions`; the CSV has the canonical columns of
docs/inputs.md (purchases-mixed: those of purchases). The same arguments always produce the
same bytes (a fixed seed per entity and size).

Customers: one customer per ~5 rows, each row names its customer by customer_id and email
(a third also by phone, tickets sometimes by a social handle), so identity resolution sees
several identifiers per row; customers come back for repeat orders and tickets. Ids are unique
within a file (no superseded rows).

purchases-mixed: the purchases of an export that names its customers unevenly. A row gives
customer_id, email and phone in one of seven combinations (email alone, phone alone, both,
customer_id with one or both, customer_id alone), so one customer appears under an email on one
row, a phone on another and both on a third, and the loader joins the pieces as it reads
(components merge well after their first rows). Emails come in mixed case, phones in several
spellings of the same number (`+49 30 …`, `0049-30-…`, `+49 (30) …`). Timestamps mix every
accepted shape: `T` or a space, with `Z`, `±HH:MM`, `±HHMM` or `±HH`, with or without a fraction
of 1–6 digits, without seconds, without an offset (local time, UTC by default) and date-only.

mentions: social posts, 60% by the handle of one of the customers (so they link), 20% by a
stranger's handle, 20% without a handle; no customers are created from them.

--delta-of N writes the nightly delta of an N-row file instead: ROWS rows, half of them
existing ids of the N-row file with changed values (a ticket moves on, an order is cancelled),
half new ids after N, in the same shape (a mention gets a response and a corrected score,
and one in four changed mentions another handle).
"""
import csv
import random
import sys
from datetime import datetime, timedelta, timezone

PURCHASE_COLUMNS = ["order_id", "customer_id", "email", "phone", "ordered_at", "amount", "currency",
                    "channel", "items", "status"]
MENTION_COLUMNS = ["mention_id", "platform", "handle", "posted_at", "text", "sentiment", "is_complaint",
                   "reach", "responded_at"]
TICKET_COLUMNS = ["ticket_id", "customer_id", "email", "phone", "handle", "created_at", "channel",
                  "category", "priority", "status", "agent", "first_response_at", "resolved_at",
                  "reopens", "agent_replies", "customer_replies", "handle_seconds", "csat", "ces"]

FIRST = ["anna", "ben", "clara", "david", "emma", "felix", "greta", "hugo", "ida", "jonas",
         "karla", "leon", "mia", "noah", "olga", "paul", "rosa", "sven", "tina", "uwe"]
LAST = ["schmidt", "meyer", "weber", "wagner", "becker", "hoffmann", "koch", "richter", "klein",
        "wolf", "neumann", "braun", "zimmer", "krause", "lange", "hartmann"]
DOMAINS = ["example.com", "mail.example.org", "shop.example.net"]
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
SPAN_SECONDS = 365 * 24 * 3600


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Customers:
    """Customer n (0-based) always has the same identifiers, whatever file mentions it."""

    def __init__(self, count):
        self.count = count

    def pick(self, rng):
        # A skew towards low numbers: some customers come back often.
        n = int(self.count * (rng.random() ** 1.5))
        return min(n, self.count - 1)

    @staticmethod
    def identifiers(n):
        first = FIRST[n % len(FIRST)]
        last = LAST[(n // len(FIRST)) % len(LAST)]
        email = f"{first}.{last}{n}@{DOMAINS[n % len(DOMAINS)]}"
        phone = f"+49 30 {1000000 + n * 7 % 9000000}"
        return f"C{n:07d}", email, phone, f"twitter:@{first}{last}{n}"


# purchases-mixed: which identifiers a row gives (customer_id, email, phone), weighted.
MIXED_IDENTIFIERS = [((False, True, False), 22), ((False, False, True), 14), ((False, True, True), 14),
                     ((True, True, False), 20), ((True, False, True), 10), ((True, True, True), 10),
                     ((True, False, False), 10)]
MIXED_OFFSETS = [0, 60, 120, -300, 330, -210, 545, -480, 180]  # minutes east of UTC


def mixed_choice(rng, weighted):
    x = rng.randrange(sum(w for _, w in weighted))
    for value, w in weighted:
        if x < w:
            return value
        x -= w
    raise AssertionError


def mixed_timestamp(rng, t):
    """The instant t (UTC, whole seconds) in one of the accepted shapes; the shapes without an
    offset give UTC local time (the load's default --tz), a date-only one that day's midnight."""
    shape = rng.randrange(100)
    sep = "T" if rng.random() < 0.5 else " "
    if shape < 12:
        return t.strftime("%Y-%m-%d")  # date only: midnight UTC of that day
    if shape < 20:
        return t.strftime(f"%Y-%m-%d{sep}%H:%M")  # no seconds, no offset
    if shape < 30:
        return t.strftime(f"%Y-%m-%d{sep}%H:%M:%S")  # no offset
    fraction = ""
    if shape >= 70:
        digits = rng.randrange(1, 7)
        fraction = "." + str(rng.randrange(10 ** digits)).zfill(digits)
    if shape < 45 or shape >= 90:
        return t.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + fraction + ("Z" if rng.random() < 0.9 else "z")
    minutes = rng.choice(MIXED_OFFSETS)
    local = t + timedelta(minutes=minutes)
    sign = "-" if minutes < 0 else "+"
    hh, mm = divmod(abs(minutes), 60)
    form = rng.randrange(3)
    if form == 0 or (form == 2 and mm):
        offset = f"{sign}{hh:02d}:{mm:02d}"
    elif form == 1:
        offset = f"{sign}{hh:02d}{mm:02d}"
    else:
        offset = f"{sign}{hh:02d}"
    return local.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + fraction + offset


def mixed_phone(rng, phone):
    """The same number (+49 30 NNNNNNN) spelled as exports do; all normalise alike."""
    digits = phone[7:]
    return rng.choice([phone, f"0049-30-{digits}", f"+49 (30) {digits[:3]}-{digits[3:]}",
                       f"0049 30 {digits}", f"+4930{digits}"])


def mixed_email(rng, email):
    """Mixed case now and then; normalised, the same address."""
    r = rng.random()
    if r < 0.1:
        return email.upper()
    if r < 0.3:
        return email[:1].upper() + email[1:]
    return email


def mixed_purchase_row(rng, customers, order_number):
    n = customers.pick(rng)
    cid, email, phone, _ = Customers.identifiers(n)
    with_cid, with_email, with_phone = mixed_choice(rng, MIXED_IDENTIFIERS)
    ordered = EPOCH + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    amount = f"{rng.randrange(100, 50000) / 100:.2f}"
    status = "cancelled" if rng.random() < 0.03 else "completed"
    return [f"O{order_number:08d}", cid if with_cid else "", mixed_email(rng, email) if with_email else "",
            mixed_phone(rng, phone) if with_phone else "", mixed_timestamp(rng, ordered), amount,
            rng.choice(["EUR", "EUR", "EUR", "USD"]), rng.choice(["web", "web", "app", "store"]),
            str(rng.randrange(1, 8)), status]


def purchase_row(rng, customers, order_number):
    n = customers.pick(rng)
    cid, email, phone, _ = Customers.identifiers(n)
    ordered = EPOCH + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    amount = f"{rng.randrange(100, 50000) / 100:.2f}"
    status = "cancelled" if rng.random() < 0.03 else "completed"
    return [f"O{order_number:08d}", cid, email, phone if n % 3 == 0 else "", iso(ordered), amount,
            rng.choice(["EUR", "EUR", "EUR", "USD"]), rng.choice(["web", "web", "app", "store"]),
            str(rng.randrange(1, 8)), status]


def ticket_row(rng, customers, ticket_number):
    n = customers.pick(rng)
    cid, email, phone, handle = Customers.identifiers(n)
    created = EPOCH + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    channel = rng.choice(["email", "email", "chat", "phone", "web", "social"])
    status = rng.choice(["solved", "solved", "closed", "open", "pending", "new"])
    first_response = created + timedelta(seconds=rng.randrange(60, 86400))
    resolved = first_response + timedelta(seconds=rng.randrange(60, 3 * 86400))
    done = status in ("solved", "closed")
    return [f"T{ticket_number:08d}", cid, email, phone if n % 3 == 0 else "",
            handle if channel == "social" else "", iso(created), channel,
            rng.choice(["billing", "delivery", "returns", "account", "product"]),
            rng.choice(["low", "normal", "normal", "high"]), status,
            rng.choice(["agent.a", "agent.b", "agent.c", "agent.d"]) if status != "new" else "",
            iso(first_response) if status != "new" else "", iso(resolved) if done else "",
            str(rng.randrange(0, 3)), str(rng.randrange(1, 9)), str(rng.randrange(1, 6)),
            str(rng.randrange(120, 7200)), str(rng.randrange(1, 6)) if done else "",
            str(rng.randrange(1, 8)) if done else ""]


def mention_row(rng, customers, mention_number):
    kind = rng.random()
    if kind < 0.6:
        handle = Customers.identifiers(customers.pick(rng))[3]
    elif kind < 0.8:
        handle = f"@fan{rng.randrange(10 * customers.count)}"
    else:
        handle = ""
    posted = EPOCH + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    sentiment = rng.uniform(-1, 1)
    responded = posted + timedelta(seconds=rng.randrange(600, 2 * 86400)) if rng.random() < 0.4 else None
    return [f"M{mention_number:08d}", "twitter", handle, iso(posted),
            f"post {mention_number} about the order", f"{sentiment:.3f}",
            "true" if sentiment < -0.5 and rng.random() < 0.7 else "false", str(rng.randrange(0, 5000)),
            iso(responded) if responded else ""]


def changed_mention(row):
    """The same mention, a day later: answered, its score corrected; one in four by another handle."""
    number = int(row[0][1:])
    row[8] = row[8] or row[3]
    row[5] = f"{max(-1.0, min(1.0, float(row[5]) + 0.1)):.3f}"
    if number % 4 == 0:
        row[2] = "" if row[2] else f"@fan{number}"
    return row


def changed_purchase(row):
    """The same order, a day later: cancelled (or reinstated) and its amount corrected."""
    row[9] = "completed" if row[9] == "cancelled" else "cancelled"
    row[5] = f"{float(row[5]) + 1:.2f}"
    return row


def changed_ticket(row):
    """The same ticket, a day later: reopened if it was done, else solved by an agent."""
    if row[9] in ("solved", "closed"):
        row[9], row[12], row[13] = "open", row[12], str(int(row[13]) + 1)
    else:
        row[9] = "solved"
        row[10] = row[10] or "agent.a"
        row[11] = row[11] or row[5]
        row[12] = row[11]
    row[14] = str(int(row[14]) + 1)
    return row


def main(argv):
    args = argv[1:]
    delta_of = None
    if "--delta-of" in args:
        i = args.index("--delta-of")
        delta_of = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 3 or args[0] not in ("purchases", "purchases-mixed", "tickets", "mentions"):
        sys.exit(__doc__)
    entity, rows, out = args[0], int(args[1]), args[2]
    base = delta_of or rows
    customers = Customers(max(1, base // 5))
    if entity == "purchases":
        columns, make, change, salt = PURCHASE_COLUMNS, purchase_row, changed_purchase, 1
    elif entity == "purchases-mixed":
        columns, make, change, salt = PURCHASE_COLUMNS, mixed_purchase_row, changed_purchase, 3
    elif entity == "mentions":
        columns, make, change, salt = MENTION_COLUMNS, mention_row, changed_mention, 4
    else:
        columns, make, change, salt = TICKET_COLUMNS, ticket_row, changed_ticket, 2
    # Row n depends only on (entity, n, base size), so a delta can restate row n and change it.
    rng = random.Random()

    def row(number):
        rng.seed(number * 4 + salt + base * 1_000_003)
        return make(rng, customers, number)

    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        if delta_of is None:
            for i in range(rows):
                w.writerow(row(i + 1))
        else:
            changed = random.Random(delta_of * 10 + salt).sample(range(1, delta_of + 1), rows // 2)
            for number in sorted(changed):
                w.writerow(change(row(number)))
            for i in range(rows - rows // 2):
                w.writerow(row(delta_of + i + 1))


if __name__ == "__main__":
    main(sys.argv)
