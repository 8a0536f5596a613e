#!/usr/bin/env bash
# Lists every floating-point → integer conversion in Sources/ that does not go through the
# saturating helper (Sources/DendrometerCore/SaturatingConversion.swift). Swift's `Int(_: Double)`
# traps on NaN, infinity or out-of-range values, so an untrusted number reaching one is a crash.
#
# How: a copy of the package is compiled with the standard `Int(_: Double)`, `UInt8(_: Float)`, …
# initialisers shadowed by deprecated ones; the compiler then names every call site (it sees the
# types; a grep cannot). Expect a few minutes (a full debug build in a scratch folder).
#
#   tools/audit_float_to_int.sh          # exit 0 and "none" when clean, else the list and exit 1
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap "rm -rf \"$work\"" EXIT
# The working tree as it is (tracked and new files, not .build/), so uncommitted edits are audited too.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work")
# An internal copy of the shadowing initialisers in every Swift target, so each file sees them
# whatever it imports (@usableFromInline, so @inlinable code may call them too).
for target in "$work"/Sources/*/; do
    [ -n "$(find "$target" -name "*.swift" -print -quit)" ] || continue
    for t in Int Int32 Int64 UInt UInt8 UInt16 UInt32 UInt64; do
        for f in Double Float; do
            echo "extension $t { @available(*, deprecated, message: \"FLOAT-TO-INT\") @usableFromInline init(_ v: $f) { self = 0 } }"
        done
    done > "$target/ZZFloatToIntAudit.swift"
done
(cd "$work" && swift build --scratch-path "$work/.build" 2>&1) > "$work/log" || { cat "$work/log" >&2; exit 2; }
# The helper itself (SaturatingConversion.swift) is the one place allowed to convert, after its checks.
hits="$(grep -E '^/.*FLOAT-TO-INT' "$work/log" | sed "s|^$work/||; s|: warning: .*||" | grep -v '^Sources/DendrometerCore/SaturatingConversion.swift:' | sort -u || true)"
if [ -z "$hits" ]; then
    echo "floating → integer conversions outside the saturating helper: none"
else
    echo "floating → integer conversions outside the saturating helper ($(wc -l <<<"$hits")):"
    echo "$hits"
    exit 1
fi
