"""What the SDK scripts share.

The clients: every script is run as `python <script> <base_url> [section]` against a gateway on
loopback; `openai_client()` and `anthropic_client()` point each SDK at its door there, with a
placeholder key (loopback needs none) and the SDK's own retries off, so a test sees every status
the gateway answers.

The tally: each check counts, a failure prints its reason, and the script ends with
'N passed, N failed' (the line the Swift end-to-end tests read) and exits 1 when anything failed."""
import sys

# The gateway's root URL and, for the fidelity scripts, the section to run.
BASE_URL = sys.argv[1]
SECTION = sys.argv[2] if len(sys.argv) > 2 else None
# Sent as the SDKs' key: the gateway asks for none on loopback, the SDKs insist on one.
API_KEY = "unused-on-loopback"


def openai_client():
    """The OpenAI SDK on the gateway's OpenAI-compatible door (`<base>/v1`)."""
    import openai  # here, so a script that only uses Anthropic's SDK does not need OpenAI's

    return openai.OpenAI(base_url=BASE_URL + "/v1", api_key=API_KEY, max_retries=0)


def anthropic_client():
    """The Anthropic SDK on the gateway's Anthropic-compatible door (it appends `/v1/messages`)."""
    import anthropic

    return anthropic.Anthropic(base_url=BASE_URL, api_key=API_KEY, max_retries=0)

_passed, _failed = 0, 0


def check(name, condition, detail=""):
    global _passed, _failed
    if condition:
        _passed += 1
    else:
        _failed += 1
        print(f"FAIL {name}: {detail}")


def fail(reason):
    check(reason, False)


def summarize():
    print(f"{_passed} passed, {_failed} failed")
    sys.exit(1 if _failed else 0)
