# A tiny loopback HTTP receiver for the drills: counts requests by path, answers 200.
import http.server, sys, threading, collections, json
counts = collections.Counter()
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    def _ok(self):
        n = int(self.headers.get('Content-Length') or 0)
        if n: self.rfile.read(n)
        with lock: counts[self.path] += 1
        self.send_response(200); self.send_header('Content-Length', '2'); self.end_headers(); self.wfile.write(b'{}')
    do_POST = do_PUT = _ok
    def do_GET(self):
        with lock: body = json.dumps(counts).encode()
        self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
