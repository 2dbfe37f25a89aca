#!/usr/bin/env python3
"""Builds the demo's three outlets from seeds/ and ordinary items (see demo.sh)."""
import email.utils, html, json, os, sys, time

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
seeds = {}
for name in sorted(os.listdir(os.path.join(root, "seeds"))):
    with open(os.path.join(root, "seeds", name), encoding="utf-8") as f:
        seeds[name[:3]] = f.read()
events = json.load(open(os.path.join(root, "Tests/FeedwatchDaemonTests/Fixtures/events.json"), encoding="utf-8"))
now = time.time()

def rss(title, items):
    x = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0"><channel>',
         "<title>%s</title><link>http://demo.example/</link><description>demo</description>" % html.escape(title)]
    for t, text, link, hours in items:
        x.append("<item><title>%s</title><link>%s</link><pubDate>%s</pubDate><description>%s</description></item>" % (
            html.escape(t), html.escape(link), email.utils.formatdate(now - hours * 3600, usegmt=True), html.escape(text)))
    return "\n".join(x + ["</channel></rss>"])

def atom(title, items):
    x = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
         "<title>%s</title><id>urn:demo:%s</id><updated>%s</updated>" % (html.escape(title), html.escape(title),
                                                                         time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)))]
    for t, text, link, hours in items:
        d = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - hours * 3600))
        x.append('<entry><title>%s</title><link href="%s"/><id>%s</id><updated>%s</updated><summary>%s</summary></entry>' % (
            html.escape(t), html.escape(link), html.escape(link), d, html.escape(text)))
    return "\n".join(x + ["</feed>"])

feeds = {
    "bangkok.xml": rss("Bangkok Daily", [
        ("N. Korea FM in rare Moscow visit amid diplomatic thaw", seeds["000"], "https://bangkok.example/nk-fm-moscow?utm_source=rss", 3),
        ("N. Korea believed to be desperate to win Russia's support", seeds["002"], "https://bangkok.example/nk-russia-support", 5),
        (events[1]["title"], events[1]["text"], "https://bangkok.example/wonsan-tourists", 2),
        ("Heavy rain expected across Bangkok this weekend", "The meteorological department warned of heavy rain and flash floods.", "https://bangkok.example/weather", 1),
    ]),
    "seoul.atom": atom("Seoul Herald", [
        ("Pyongyang sends envoy to Moscow ahead of talks", seeds["001"], "https://seoul.example/2018/04/envoy", 4),
        ("North Korea and Russia try to boost ties", seeds["004"], "https://seoul.example/nk-russia-ties", 6),
        ("K-pop group announces world tour", "The group will play 30 cities, starting in Seoul in March.", "https://seoul.example/kpop", 1),
    ]),
    "wire.xml": rss("World Wire", [
        ("DPRK FM Visits Russia: Lavrov accepts invitation to visit DPRK", seeds["003"], "https://wire.example/dprk-fm", 3.5),
        (events[3]["title"], events[3]["text"], "https://wire.example/kursk", 2.5),
        ("Moscow, Idaho council approves new budget", "The city council of Moscow, Idaho, approved its budget.", "https://wire.example/idaho", 1),
    ]),
}
routes = {}
for name, body in feeds.items():
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.write(body)
    routes["/" + name] = {"body_file": name, "etag": '"%s-1"' % name, "gzip": True,
                          "content_type": "application/atom+xml" if name.endswith(".atom") else "application/rss+xml"}
json.dump(routes, open(os.path.join(out, "routes.json"), "w"))
