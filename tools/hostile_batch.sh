#!/usr/bin/env bash
# A batch over a folder of hazards, as the project's hostile-inputs issue describes it: a named
# pipe, a symbolic link to /dev/zero, an unreadable sub-folder, a corrupt file, copies of a good
# image under names a spreadsheet would run as formulas (=, +, -, @), and an output folder whose
# overlays cannot be written at first. Checks that:
#   1. the batch finishes, exits 1, analyses every good image whose outputs can be written, and
#      lists every bad entry (pipe, /dev/zero link, unreadable folder, corrupt file, and the
#      images whose overlay write failed) in failures.csv;
#   2. formula-like file names reach the CSV tables neutralised (a leading ');
#   3. after the write failure is fixed, a resume completes those images and skips the bad input.
# Runs the batch as user `nobody` (when run as root) so that the unreadable folder is unreadable.
#
#   tools/hostile_batch.sh            (release build)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(tools/release_build.sh --show-bin-path)/dendrometer"
[ -x "$bin" ] || { echo "build first: tools/release_build.sh --product dendrometer" >&2; exit 2; }
work="$(mktemp -d)"
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
in="$work/in" out="$work/out"
mkdir -p "$in/locked" "$out"
good=samples/li_vertical_imagej16.tif
for name in good.tif "=HYPERLINK(1).tif" "+cmd.tif" "-x.tif" "@sum.tif"; do cp "$good" "$in/$name"; done
cp "$good" "$in/locked/hidden.tif"
mkfifo "$in/pipe.tif"
ln -s /dev/zero "$in/zero.tif"
head -c 300 "$good" > "$in/corrupt.tif"
printf 'in the way' > "$out/overlays"      # every overlay write fails: a file where the folder goes
chmod 000 "$in/locked"
run=()
if [ "$(id -u)" = 0 ]; then
    chmod 755 "$work"; chown -R nobody "$out"; chmod -R a+rX "$in"; chmod 000 "$in/locked"
    run=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
status=0
"${run[@]}" "$bin" batch "$in" --out "$out" > "$work/first.txt" 2>&1 || status=$?
echo "first run: exit $status; $(tail -1 "$work/first.txt")"
fail=0
check() { if eval "$2"; then echo "  ok   $1"; else echo "  FAIL $1"; fail=1; fi; }
csvcol() { python3 -c "import csv,sys; print('\n'.join(r[sys.argv[2]] for r in csv.DictReader(open(sys.argv[1]))))" "$1" "$2"; }
failures="$(csvcol "$out/failures.csv" file)"
check "exit status 1" '[ "$status" = 1 ]'
for bad in pipe.tif zero.tif locked corrupt.tif; do
    check "$bad listed in failures.csv" 'grep -qx "$bad" <<<"$failures"'
done
check "the five good images failed only for their overlay" '[ "$(grep -c "overlay\|overlays" "$out/failures.csv")" -ge 5 ]'
rm "$out/overlays"
status=0
"${run[@]}" "$bin" batch "$in" --out "$out" > "$work/second.txt" 2>&1 || status=$?
echo "resume after the fix: exit $status; $(tail -1 "$work/second.txt")"
files="$(csvcol "$out/images.csv" file)"
check "images.csv holds the five good images" '[ "$(wc -l <<<"$files")" = 5 ]'
check "formula-like names are neutralised in images.csv" "grep -q \"^'=HYPERLINK(1).tif,\" \"$out/images.csv\" && grep -q \"^'+cmd.tif,\" \"$out/images.csv\" && grep -q \"^'-x.tif,\" \"$out/images.csv\" && grep -q \"^'@sum.tif,\" \"$out/images.csv\""
check "the bad entries are still listed, nothing else" '[ "$(csvcol "$out/failures.csv" file | sort | tr "\n" " ")" = "corrupt.tif locked pipe.tif zero.tif " ]'
check "resume exits 1 (bad inputs remain)" '[ "$status" = 1 ]'
[ "$fail" = 0 ] && echo "hostile batch: all checks passed" || { echo "hostile batch: FAILED"; sed -n 1,40p "$work/first.txt"; exit 1; }
