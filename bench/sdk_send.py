"""One voice send with Bandwidth's own Python SDK (bandwidth-sdk), for bench/compare.sh.

The SDK has the API's host built into each operation, so the request is pointed at the
bench's server by giving the API client that host instead. Everything else is the SDK's
own: its models, validation, serialisation, urllib3 and the CA file for TLS.

usage: python sdk_send.py BASE_URL ACCOUNT USERNAME CA_FILE TO FROM APPLICATION_ID
       (the password comes from BW_PASSWORD; prints the call id)
"""

import os
import sys

from bandwidth import ApiClient, Configuration
from bandwidth.api.mfa_api import MFAApi
from bandwidth.models.code_request import CodeRequest

base, account, username, ca_file, to, sender, application = sys.argv[1:8]
configuration = Configuration(
    username=username, password=os.environ["BW_PASSWORD"], ssl_ca_cert=ca_file
)
client = ApiClient(configuration)
serialize = client.param_serialize
client.param_serialize = lambda *args, **kwargs: serialize(*args, **{**kwargs, "_host": base})
answer = MFAApi(client).generate_voice_code(
    account,
    CodeRequest(
        to=to,
        var_from=sender,
        application_id=application,
        message="Your temporary {NAME} {SCOPE} code is {CODE}",
        digits=6,
    ),
)
print(answer.call_id)
