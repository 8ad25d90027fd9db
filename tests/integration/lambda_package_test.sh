#!/usr/bin/env bash
# Checks dist/kefir-lambda-arm64.zip (make lambda-zip) the way Lambda's provided.al2023 arm64 runtime will use
# it, and unpacks it into $2 for the runtime tests under qemu: bootstrap at the root, an AArch64 executable;
# Boost, SQLite, libstdc++ and libgcc linked in; every other library it needs, transitively, either glibc's or
# shipped in lib/; no glibc symbol version newer than 2.34 (Amazon Linux 2023) in any file; and under qemu the
# loader resolves every shipped library from lib/ and the binary runs; the zone files are in zoneinfo/.
set -euo pipefail
zip_file=$1
unpacked=$2
max_glibc=2.34
fail() { echo "FAIL: $*" >&2; exit 1; }

[ -f "$zip_file" ] || fail "$zip_file is missing: run 'make lambda-zip' (make test does)"
rm -rf "$unpacked" && mkdir -p "$unpacked"
unzip -q "$zip_file" -d "$unpacked"
bootstrap=$unpacked/bootstrap
[ -x "$bootstrap" ] || fail "bootstrap is not an executable at the root of the zip"
aarch64-linux-gnu-readelf -h "$bootstrap" | grep -q 'Machine:.*AArch64' || fail "bootstrap is not an AArch64 binary"

glibc='^(libc|libm|libdl|librt|libpthread|libresolv|libanl|libutil|ld-linux-aarch64)\.so'
needed() { aarch64-linux-gnu-readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
for lib in $(needed "$bootstrap"); do
  [[ $lib =~ ^lib(stdc\+\+|gcc_s|boost|sqlite3) ]] && fail "bootstrap links $lib dynamically"
done
checked=0
for file in "$bootstrap" "$unpacked"/lib/*; do
  for lib in $(needed "$file"); do
    [[ $lib =~ $glibc ]] || [ -f "$unpacked/lib/$lib" ] || fail "$(basename "$file") needs $lib, which the zip lacks"
  done
  newest=$(aarch64-linux-gnu-objdump -T "$file" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
  if [ -n "$newest" ] && [ "$(printf '%s\n%s\n' "$newest" "$max_glibc" | sort -V | tail -n 1)" != "$max_glibc" ]; then
    fail "$(basename "$file") needs GLIBC_$newest (> $max_glibc): $(aarch64-linux-gnu-objdump -T "$file" | grep -o "[^ ]*GLIBC_$newest[^ ]* *[^ ]*" | head -n 3 | tr '\n' ' ')"
  fi
  checked=$((checked + 1))
done

# Lambda runs bootstrap with /var/task/lib on LD_LIBRARY_PATH; the same here, under qemu.
listing=$(LD_LIBRARY_PATH="$unpacked/lib" qemu-aarch64-static /lib/ld-linux-aarch64.so.1 --list "$bootstrap")
while read -r lib _ path _; do
  [[ $lib =~ $glibc || $lib == linux-vdso* ]] && continue
  [ "$path" = "$unpacked/lib/$lib" ] || fail "$lib resolves to '$path', not to the zip's lib/"
done < <(grep '=>' <<<"$listing")
# The runtime image has no tzdata: the zone files users pick from travel in the zip.
for zone in UTC Europe/Paris America/New_York Australia/Sydney; do
  [ "$(head -c 4 "$unpacked/zoneinfo/$zone" 2>/dev/null)" = TZif ] || fail "the zip lacks zoneinfo/$zone"
done
version=$(LD_LIBRARY_PATH="$unpacked/lib" qemu-aarch64-static "$bootstrap" version)
[[ $version == kefir\ * ]] || fail "bootstrap under qemu printed '$version'"
echo "lambda package: $checked files checked, none needs more than GLIBC_$max_glibc; '$version' under qemu"
