#!/usr/bin/env python3
"""A stand-in for Bandwidth's MFA API, written from the published schema, not from mfa.

It listens on 127.0.0.1 only, checks each request as the real API's schema would
(OpenAPI 3.1.0 codeRequest and verifyCodeRequest: required fields, E.164 patterns,
lengths, digits, {CODE}, the code's length, the lifetime's range, no unknown keys;
Basic auth, JSON content type) and answers as the account id (digits, as Bandwidth's
are) asks:

  /api/v1/accounts/<account>/code/voice       answers {"callId": ...}
  /api/v1/accounts/<account>/code/messaging   answers {"messageId": ...}
  /api/v1/accounts/<account>/code/verify      answers {"valid": <code == VALID_CODE>}

  9900000 ok        200 as above
  9900001 upper     200 {"CallId"/"MessageId"/"Valid": ...}
  9900401 e401      401 {"message": ...}
  9900403 e403      403 {"Message": ...}
  9900429 e429      429 {"error","requestId"}
  9900500 e500      500 {"error","requestId"}
  9900502 e502      502 HTML page
  9900200 notjson   200 text/html
  9900302 redirect  302 Location: elsewhere
  9900408 slow      no answer for 5 s
  9900413 huge      200 with a 10 MiB body
  9900027 ctrl      200 {"callId"/"messageId": "a\\u001b[2Jb"}
  9900011 oddvalid  200 {"valid": "true"}
  9900012 endless   200 with a chunked body that never ends
  9900010 newline   200 {"callId"/"messageId": "c-1\nmfa: error: forged"}
  9900013 bidi      200 {"callId"/"messageId": "c-\u202egnp.exe\u2028mfa: error: forged"}
  9900014 nokey     200 {"unexpected": 1}: the API's JSON without the id
  9900015 hour      429 with Retry-After: 3600
  9900016 bigerror  400 whose "error" is 65,000 characters
  9900017 echo      400 whose "error" echoes the Authorization header, decoded too, as a
                    careless gateway or debugging proxy might
  9900018 badutf8   200 {"callId"/"messageId": "c-<bytes that are not UTF-8>"}
  99100NN busy      429 with Retry-After: 1 the first time each such account id is used,
                    then as ok (so a retry after the wait goes through)

A request that breaks the schema gets 400 {"error": <what>, "requestId": ...}, as the
real API does. Every request is appended to the log file as one JSON line.

It is also an OAuth2 token endpoint, as Bandwidth's is documented: POST /oauth2/token
with HTTP Basic CLIENT_ID:CLIENT_SECRET, Content-Type application/x-www-form-urlencoded
and grant_type=client_credentials answers {"access_token","token_type":"Bearer",
"expires_in":3600}; anything else gets OAuth2's 400/401 errors. Calls then pass with
`Authorization: Bearer <a token it issued>` as well as with Basic. Token requests go to
LOGFILE.tokens. POST /admin/revoke forgets every token issued (as a revocation would),
so the next call with one gets 401.

It also answers the questions of `mfa status`, as the Voice and Messaging APIs are
documented (getCallState, listMessages), with the same Basic auth or Bearer token:

  GET /voice/accounts/<account>/calls/<id>              a call it made: answered after
                                                         12 s, disconnected; else 404
  GET /messaging/users/<account>/messages?messageId=<id> a message it sent: DELIVERED;
                                                         else an empty list

except for two numbers, whose codes end otherwise: to +15553330001 a call is busy and a
text UNDELIVERED (error 4720); to +15553330002 a call rings on (initiated) and a text
stays SENT, with no delivery receipt.

and the Dashboard API's reads of `mfa doctor` (XML, as documented):

  GET /dashboard/accounts/<account>/applications/<id>   the voice or the messaging
                                                         application of the README's
                                                         examples; else 404
  GET .../applications/<id>/associatedsippeers           one location for either

With STANDIN_TLS_CERT and STANDIN_TLS_KEY set (PEM files), it speaks HTTPS instead.

usage: standin.py PORT USERNAME PASSWORD LOGFILE [CLIENT_ID CLIENT_SECRET]
"""

import base64
import json
import os
import re
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

TOKENS = {}  # access token -> expiry (time.time())
TOKENS_LOCK = threading.Lock()
TOKEN_PREFIX = "tok-standin-"
BUSY_SEEN = set()  # busy-* account ids already answered 429 once
BUSY_LOCK = threading.Lock()

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
PATH = re.compile(r"^/api/v1/accounts/([^/]+)/code/(voice|messaging|verify)$")
FIELDS = {"to", "from", "applicationId", "scope", "message", "digits"}
VERIFY_FIELDS = {"to", "scope", "code", "expirationTimeInMinutes"}
VALID_CODE = "48213967"
ID_KEYS = {"voice": ("callId", "CallId"), "messaging": ("messageId", "MessageId")}
# The call and message ids it has answered with, which `mfa status` may ask about, and
# how each ends: by the number it went to.
ISSUED = {}
ENDING_BY_NUMBER = {"+15553330001": "not reached", "+15553330002": "not final"}
CALL_ENDINGS = {
    "reached": {"state": "disconnected", "answerTime": "2026-12-06T10:00:12.000Z",
                "endTime": "2026-12-06T10:00:40.000Z", "disconnectCause": "hangup"},
    "not reached": {"state": "disconnected", "endTime": "2026-12-06T10:00:20.000Z",
                    "disconnectCause": "busy"},
    "not final": {"state": "initiated"},
}
TEXT_ENDINGS = {
    "reached": {"messageStatus": "DELIVERED"},
    "not reached": {"messageStatus": "UNDELIVERED", "errorCode": 4720},
    "not final": {"messageStatus": "SENT"},
}
# The applications the Dashboard API knows: the README's example ids, by kind.
APPLICATIONS = {
    "93de2206-9669-4e07-948d-329f4b722ee2": "Voice-V2",
    "b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90": "Messaging-V2",
}
ISSUED_LOCK = threading.Lock()
SCENARIOS = {
    "9900000": "ok", "9900001": "upper", "9900401": "e401", "9900403": "e403",
    "9900429": "e429", "9900500": "e500", "9900502": "e502", "9900200": "notjson",
    "9900302": "redirect", "9900408": "slow", "9900413": "huge", "9900027": "ctrl",
    "9900011": "oddvalid", "9900012": "endless", "9900010": "newline", "9900013": "bidi",
    "9900014": "nokey", "9900015": "hour", "9900016": "bigerror", "9900017": "echo",
    "9900018": "badutf8",
}


def scenario_of(account):
    """The scenario an account id asks for (the table in this file's doc)."""
    if account.startswith("99100"):
        return "busy-" + account
    return SCENARIOS.get(account, account)


def schema_problems(call, body):
    """What the published schema for call's body says is wrong with it, if anything."""
    if call == "verify":
        return verify_schema_problems(body)
    return code_schema_problems(body)


def verify_schema_problems(body):
    """What the published verifyCodeRequest schema says is wrong with body, if anything."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = [f"{key} is required" for key in ("to", "code", "expirationTimeInMinutes")
                if key not in body]
    problems += [f"unknown field {key}" for key in body if key not in VERIFY_FIELDS]
    if "to" in body and not (isinstance(body["to"], str) and E164.fullmatch(body["to"])):
        problems.append("to must match ^\\+[1-9]\\d{1,14}$")
    if "scope" in body and not (isinstance(body["scope"], str) and len(body["scope"]) <= 25):
        problems.append("scope must be a string of at most 25 characters")
    code = body.get("code")
    if "code" in body and not (isinstance(code, str) and 4 <= len(code) <= 8):
        problems.append("code must be a string of 4 to 8 characters")
    minutes = body.get("expirationTimeInMinutes")
    if "expirationTimeInMinutes" in body and not (
        isinstance(minutes, (int, float)) and not isinstance(minutes, bool) and 1 <= minutes <= 15
    ):
        problems.append("expirationTimeInMinutes must be a number from 1 to 15")
    return problems


def code_schema_problems(body):
    """What the published codeRequest schema says is wrong with body, if anything."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = []
    for key in ("to", "from", "applicationId", "message", "digits"):
        if key not in body:
            problems.append(f"{key} is required")
    for key in body:
        if key not in FIELDS:
            problems.append(f"unknown field {key}")
    for key in ("to", "from"):
        value = body.get(key)
        if key in body and not (isinstance(value, str) and E164.fullmatch(value)):
            problems.append(f"{key} must match ^\\+[1-9]\\d{{1,14}}$")
    if isinstance(body.get("from"), str) and len(body["from"]) > 32:
        problems.append("from is longer than 32")
    app = body.get("applicationId")
    if "applicationId" in body and not (isinstance(app, str) and 1 <= len(app) <= 50):
        problems.append("applicationId must be a string of 1 to 50 characters")
    if "scope" in body and not (isinstance(body["scope"], str) and len(body["scope"]) <= 25):
        problems.append("scope must be a string of at most 25 characters")
    message = body.get("message")
    if "message" in body and not (
        isinstance(message, str) and len(message) <= 2048 and "{CODE}" in message
    ):
        problems.append("message must be at most 2048 characters and contain {CODE}")
    digits = body.get("digits")
    if "digits" in body and not (
        isinstance(digits, int) and not isinstance(digits, bool) and 2 <= digits <= 8
    ):
        problems.append("digits must be an integer from 2 to 8")
    return problems


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (mfa cuts long answers): its right

    def dashboard(self):
        """Answers a read of an application, as the Dashboard API does."""
        xml = "application/xml"
        found = re.fullmatch(r"/dashboard/accounts/[^/]+/applications/([^/?]+)(/associatedsippeers)?",
                             self.path)
        if not found:
            return self.answer(404, b"<Error><Description>Not found</Description></Error>", xml)
        kind = APPLICATIONS.get(found.group(1))
        if not self.authorized():
            return self.answer(401, b"<Error><Description>Unauthorized</Description></Error>", xml)
        if kind is None:
            return self.answer(404, b"<ApplicationProvisioningResponse><ResponseStatus><ErrorCode>"
                               b"404</ErrorCode><Description>Application not found</Description>"
                               b"</ResponseStatus></ApplicationProvisioningResponse>", xml)
        if found.group(2):
            return self.answer(200, b"<AssociatedSipPeersResponse><AssociatedSipPeers>"
                               b"<AssociatedSipPeer><SiteId>1</SiteId><SiteName>Main</SiteName>"
                               b"<PeerId>10</PeerId><PeerName>Codes</PeerName></AssociatedSipPeer>"
                               b"</AssociatedSipPeers></AssociatedSipPeersResponse>", xml)
        return self.answer(200, ("<ApplicationProvisioningResponse><Application><ApplicationId>"
                                 f"{found.group(1)}</ApplicationId><ServiceType>{kind}</ServiceType>"
                                 "<AppName>Codes</AppName></Application>"
                                 "</ApplicationProvisioningResponse>").encode(), xml)

    def do_GET(self):
        if self.path.startswith("/dashboard/"):
            return self.dashboard()
        call = re.fullmatch(r"/voice/accounts/([^/]+)/calls/([^/?]+)", self.path)
        message = re.fullmatch(r"/messaging/users/([^/]+)/messages\?messageId=([^&]+)", self.path)
        if not (call or message):
            return self.answer(405, {"error": "method not allowed"})
        if not self.authorized():
            return self.answer(401, {"type": "unauthorized", "description": "Unauthorized"})
        if self.headers.get("Content-Type") is not None:
            return self.answer(400, {"type": "bad-request", "description": "a GET has no body"})
        with ISSUED_LOCK:
            ending = ISSUED.get((call or message).group(2))
        if call and ending is None:
            return self.answer(404, {"type": "not-found", "description": "The call was not found"})
        if call:
            state = {"callId": call.group(2), "accountId": call.group(1),
                     "startTime": "2026-12-06T10:00:00.000Z"}
            state.update(CALL_ENDINGS[ending])
            return self.answer(200, state)
        found = [{"messageId": message.group(2), "accountId": message.group(1),
                  "receiveTime": "2026-12-06T10:00:00.000Z", **TEXT_ENDINGS.get(ending, {})}]
        self.answer(200, {"totalCount": 0 if ending is None else 1,
                          "messages": [] if ending is None else found})

    def issue_token(self, raw):
        with open(LOG + ".tokens", "a") as log:
            log.write(json.dumps({
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": raw.decode("utf-8", "replace"),
            }) + "\n")
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if CLIENT_ID is None or self.headers.get("Authorization") != expected:
            return self.answer(401, {"error": "invalid_client",
                                     "error_description": "Client authentication failed"})
        if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return self.answer(400, {"error": "invalid_request",
                                     "error_description": "form content type required"})
        form = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        if form != {"grant_type": ["client_credentials"]}:
            return self.answer(400, {"error": "unsupported_grant_type"})
        token = TOKEN_PREFIX + uuid.uuid4().hex
        with TOKENS_LOCK:
            TOKENS[token] = time.time() + 3600
        self.answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def authorized(self):
        basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        given = self.headers.get("Authorization", "")
        if given == basic:
            return True
        if given.startswith("Bearer "):
            with TOKENS_LOCK:
                return TOKENS.get(given[len("Bearer "):], 0) > time.time()
        return False

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if self.path == "/oauth2/token":
            return self.issue_token(raw)
        if self.path == "/admin/revoke":
            with TOKENS_LOCK:
                TOKENS.clear()
            return self.answer(204, b"")
        with open(LOG, "a") as log:
            log.write(json.dumps({
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": raw.decode("utf-8", "replace"),
            }) + "\n")
        request_id = str(uuid.uuid4())
        match = PATH.fullmatch(self.path)
        if not match:
            return self.answer(404, {"error": "not found", "requestId": request_id})
        if scenario_of(match.group(1)) == "echo":
            given = self.headers.get("Authorization", "")
            try:
                decoded = base64.b64decode(given.split(" ", 1)[1]).decode()
            except (IndexError, ValueError):
                decoded = ""
            return self.answer(400, {"error": f"you sent Authorization: {given} ({decoded})",
                                     "requestId": request_id})
        if not self.authorized():
            return self.answer(401, {"message": "Unauthorized"})
        if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
            return self.answer(415, {"error": "content type must be application/json",
                                     "requestId": request_id})
        try:
            body = json.loads(raw)
        except ValueError:
            return self.answer(400, {"error": "body is not JSON", "requestId": request_id})
        scenario, call = scenario_of(match.group(1)), match.group(2)
        problems = schema_problems(call, body)
        if problems:
            return self.answer(400, {"error": "; ".join(problems), "requestId": request_id})
        if call == "verify":
            keys = ("valid", "Valid")
            result = body["code"] == VALID_CODE
        else:
            keys = ID_KEYS[call]
            result = {"voice": "c-", "messaging": "m-"}[call] + request_id
            with ISSUED_LOCK:
                ISSUED[result] = ENDING_BY_NUMBER.get(body["to"], "reached")
        if scenario.startswith("busy-"):
            with BUSY_LOCK:
                first = scenario not in BUSY_SEEN
                BUSY_SEEN.add(scenario)
            if first:
                return self.answer(429, {"error": "Too many requests", "requestId": request_id},
                                   headers=[("Retry-After", "1")])
            scenario = "ok"
        if scenario == "ok":
            self.answer(200, {keys[0]: result})
        elif scenario == "upper":
            self.answer(200, {keys[1]: result})
        elif scenario == "e401":
            self.answer(401, {"message": "Unauthorized"})
        elif scenario == "e403":
            self.answer(403, {"Message": "User is not authorized to access MFA"})
        elif scenario == "e429":
            self.answer(429, {"error": "Too many requests, wait 30 seconds", "requestId": request_id})
        elif scenario == "oddvalid":
            self.answer(200, {"valid": "true"})
        elif scenario == "e500":
            self.answer(500, {"error": "Internal server error", "requestId": request_id})
        elif scenario == "e502":
            self.answer(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        elif scenario == "notjson":
            self.answer(200, b"<html>OK</html>", "text/html")
        elif scenario == "redirect":
            self.answer(302, b"", "text/plain", [("Location", "https://elsewhere.example/")])
        elif scenario == "slow":
            time.sleep(5)
            self.answer(200, {keys[0]: result})
        elif scenario == "huge":
            self.answer(200, b'{"' + keys[0].encode() + b'":"' + b"x" * (10 * 1024 * 1024) + b'"}')
        elif scenario == "ctrl":
            self.answer(200, {keys[0]: "a\u001b[2Jb"})
        elif scenario == "newline":
            self.answer(200, {keys[0]: "c-1\nmfa: error: forged"})
        elif scenario == "bidi":
            # Sent as raw UTF-8, not as JSON escapes, so the characters reach mfa as such.
            forged = {keys[0]: "c-\u202egnp.exe\u2028mfa: error: forged"}
            self.answer(200, json.dumps(forged, ensure_ascii=False).encode())
        elif scenario == "badutf8":
            self.answer(200, b'{"' + keys[0].encode() + b'":"c-\xff\xfe1"}')
        elif scenario == "nokey":
            self.answer(200, {"unexpected": 1})
        elif scenario == "hour":
            self.answer(429, {"error": "Too many requests", "requestId": request_id},
                        headers=[("Retry-After", "3600")])
        elif scenario == "bigerror":
            self.answer(400, {"error": "x" * 65000, "requestId": request_id})
        elif scenario == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"x" * 4096
            try:
                self.wfile.write(b'1\r\n{\r\n')
                while True:
                    self.wfile.write(b"1000\r\n" + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # mfa stopped reading at its cap, as it should
            self.close_connection = True
        else:
            self.answer(403, {"message": f"no access to account {scenario}"})


if __name__ == "__main__":
    port, USER, PASSWORD, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    CLIENT_ID, CLIENT_SECRET = (sys.argv[5], sys.argv[6]) if len(sys.argv) > 6 else (None, None)
    # Python's default listen backlog is 5: too few for 40 runs at once, whose extra
    # connections the kernel would then reset after they sent.
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    if os.environ.get("STANDIN_TLS_CERT"):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.environ["STANDIN_TLS_CERT"], os.environ["STANDIN_TLS_KEY"])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()
