"""The SDK scripts' shared tally: each check counts, a failure prints its reason, and the
script ends with 'N passed, N failed' (the line the Swift end-to-end tests read) and exits 1
when anything failed."""
import sys

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
