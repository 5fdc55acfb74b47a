"""`python -m crawler.report --out report.html [--days 14]`: the page whoever is on call
opens first. Is the crawler running, what did the last runs store, what fails, do the
pages still fill every field, how fresh are the articles?

One self-contained HTML file, so it can be mailed, attached to a ticket or opened from
a volume. In the order data flows: `data` reads MongoDB into a `ReportData`,
`figures` derives the numbers, `page` renders the HTML; `__main__` is the command.
"""
