import sys

if sys.argv[1:] == ["migrate"]:
    print("migrated")
