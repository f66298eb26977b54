#!/usr/bin/env python3
"""Vendor exports for scripts/bench-import, deterministic (seeded), streamed to disk.

  bench-import-data.py shopify OUT_DIR LINES     orders_export.csv with LINES line-item rows
                                                 (orders of 1-3 rows) and customers_export.csv
  bench-import-data.py zendesk OUT_DIR TICKETS   tickets.json (incremental export pages of 1000
                                                 tickets with metric_sets) and users.json

Layouts as documented in docs/vendors/shopify.md and docs/vendors/zendesk.md; identities are
spread over e-mail and phone, times over DST changes, so the importers do real work.
"""
import csv
import json
import random
import sys
from datetime import datetime, timedelta, timezone

ORDERS_HEADER = ("Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,"
    "Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,"
    "Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,"
    "Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,"
    "Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,"
    "Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,"
    "Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,"
    "Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,"
    "Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,"
    "Payment ID,Payment Terms Name,Next Payment Due At,Payment References").split(",")
CUSTOMERS_HEADER = ("Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,"
    "Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,"
    "Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,"
    "Total Spent,Total Orders,Note,Tax Exempt,Tags").split(",")

def new_york(t):
    """A UTC datetime as New York's wall time with its offset (DST from the 2nd Sunday of March
    to the 1st Sunday of November, 2 a.m. local), e.g. 2024-11-03 01:30:00 -0400."""
    y = t.year
    march = datetime(y, 3, 8, 7, tzinfo=timezone.utc)
    march += timedelta(days=(6 - march.weekday()) % 7)
    november = datetime(y, 11, 1, 6, tzinfo=timezone.utc)
    november += timedelta(days=(6 - november.weekday()) % 7)
    offset = -4 if march <= t < november else -5
    local = t + timedelta(hours=offset)
    return local.strftime("%Y-%m-%d %H:%M:%S") + (" -0400" if offset == -4 else " -0500")

def shopify(out, lines):
    rng = random.Random(20261206)
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    customers = max(1, lines // 8)
    with open(f"{out}/customers_export.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(CUSTOMERS_HEADER)
        for c in range(customers):
            row = dict.fromkeys(CUSTOMERS_HEADER, "")
            row.update({"Customer ID": f"'{7000000000 + c}", "First Name": "Cust", "Last Name": str(c),
                        "Email": f"customer{c}@example.com", "Phone": f"'+1617{c:07d}",
                        "Default Address Country Code": "US", "Accepts Email Marketing": "no"})
            w.writerow(row.values())
    written = 0
    order = 1000
    with open(f"{out}/orders_export.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(ORDERS_HEADER)
        while written < lines:
            order += 1
            c = rng.randrange(customers)
            items = min(rng.choice((1, 1, 2, 3)), lines - written)
            created = start + timedelta(seconds=rng.randrange(3 * 365 * 86400))
            total = f"{rng.randrange(500, 30000) / 100:.2f}"
            cancelled = rng.random() < 0.03
            # Identity spread: e-mail (mixed case) on most orders, the phone alone on some.
            email = f"Customer{c}@Example.com" if rng.random() < 0.9 else ""
            phone = f"+1617{c:07d}" if not email or rng.random() < 0.3 else ""
            for i in range(items):
                row = dict.fromkeys(ORDERS_HEADER, "")
                row.update({"Name": f"#{order}", "Email": email, "Created at": new_york(created),
                            "Lineitem quantity": str(rng.randrange(1, 4)), "Lineitem name": f"Item {i}",
                            "Lineitem price": "10.00", "Vendor": "acme", "Phone": phone})
                if i == 0:
                    row.update({"Financial Status": "refunded" if cancelled else "paid", "Currency": "USD",
                                "Subtotal": total, "Shipping": "0.00", "Taxes": "0.00", "Total": total,
                                "Id": str(12133307351371 + order), "Source": rng.choice(("web", "pos", "iphone")),
                                "Cancelled at": new_york(created + timedelta(days=2)) if cancelled else "",
                                "Refunded Amount": total if cancelled else ""})
                w.writerow(row.values())
                written += 1

def zendesk(out, tickets):
    rng = random.Random(20261207)
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    users = max(1, tickets // 5)
    agents = 50
    iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
    with open(f"{out}/users.json", "w") as f:
        people = [{"id": 9100000 + a, "name": f"Agent {a}", "email": f"agent{a}@support.example", "phone": None,
                   "role": "agent", "created_at": iso(start)} for a in range(agents)]
        people += [{"id": 9200000 + u, "name": f"User {u}", "email": f"user{u}@example.com" if u % 7 else None,
                    "phone": f"+4930{u:08d}" if u % 3 == 0 or u % 7 == 0 else None, "role": "end-user",
                    "created_at": iso(start + timedelta(minutes=u))} for u in range(users)]
        json.dump({"users": people, "next_page": None, "count": len(people), "end_of_stream": True}, f)
    channels = ("email", "web", "chat", "voice", "twitter", "native_messaging", "api")
    statuses = ("solved", "solved", "closed", "open", "pending", "hold", "new")
    with open(f"{out}/tickets.json", "w") as f:
        for first in range(0, tickets, 1000):
            page, metrics = [], []
            for t in range(first, min(tickets, first + 1000)):
                created = start + timedelta(seconds=rng.randrange(3 * 365 * 86400))
                status = rng.choice(statuses)
                replies = 0 if status == "new" else rng.randrange(1, 6)
                reply = rng.randrange(1, 3000) if replies else None
                page.append({"id": 100000 + t, "created_at": iso(created), "updated_at": iso(created),
                             "status": status, "priority": rng.choice(("low", "normal", "high", None)),
                             "type": "question", "via": {"channel": rng.choice(channels)},
                             "requester_id": 9200000 + rng.randrange(users), "assignee_id": 9100000 + rng.randrange(agents),
                             "tags": [], "custom_fields": [{"id": 360000111222, "value": rng.choice(("shipping", "billing", None))},
                                                           {"id": 360000333444, "value": rng.randrange(60, 3600)}],
                             "satisfaction_rating": {"score": rng.choice(("good", "bad", "offered", "unoffered"))}})
                metrics.append({"ticket_id": 100000 + t, "replies": replies, "reopens": rng.randrange(0, 2),
                                "solved_at": iso(created + timedelta(hours=rng.randrange(1, 96))) if status in ("solved", "closed") else None,
                                "reply_time_in_minutes": {"calendar": reply, "business": reply}})
            json.dump({"tickets": page, "metric_sets": metrics, "after_cursor": str(first), "end_of_stream": first + 1000 >= tickets}, f)
            f.write("\n")

if __name__ == "__main__":
    kind, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    {"shopify": shopify, "zendesk": zendesk}[kind](out, n)
